// The image model: OCI image config and manifest JSON, chain IDs. Pure data, no I/O.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "image/index.h"
#include "util/digest.h"
#include "util/status.h"

namespace kiln::image {

using Json = nlohmann::ordered_json;

inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view kOciLayerTar = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view kOciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view kOciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr std::string_view kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerConfig = "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view kDockerLayerTar = "application/vnd.docker.image.rootfs.diff.tar";
inline constexpr std::string_view kDockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";

struct HistoryEntry {
  int64_t created = 0;  // unix nanos; 0 = absent
  std::string created_by;
  std::string comment;
  std::string author;
  bool empty_layer = false;
};

// An image config, kept as JSON so that fields kiln does not model survive untouched.
struct ImageConfig {
  Json json;

  int64_t Created() const;  // unix nanos, 0 if absent
  std::vector<Digest> DiffIds() const;
  std::vector<HistoryEntry> History() const;
  const Json& RuntimeConfig() const;  // the "config" object (empty object if absent)
  std::string Architecture() const;
  std::string Os() const;
  // os, architecture, variant, os.version, os.features: the image's platform.
  Platform GetPlatform() const;
  std::string Author() const;
  // Compact JSON bytes; the image ID is the digest of exactly these bytes.
  std::string Serialize() const;
};

Expected<ImageConfig> ParseConfig(std::string_view bytes);

// A new config for a single-layer image made from a rootfs tarball, as podman import makes it
// (the variant only when the platform has one).
ImageConfig NewImportConfig(int64_t created, const Digest& diff_id, const std::string& comment,
                            const Platform& platform = HostPlatform());

Json HistoryToJson(const HistoryEntry& h);

struct Descriptor {
  std::string media_type;
  Digest digest;
  int64_t size = 0;
};

struct Manifest {
  std::string media_type;  // of the manifest itself
  Descriptor config;
  std::vector<Descriptor> layers;
  Json annotations;  // null when absent
  std::string Serialize() const;
};

Expected<Manifest> ParseManifest(std::string_view bytes);

// The manifest of a stored image: the config, and the layers as the store keeps them,
// uncompressed tars named by diff ID (`layers`: digest and size). OCI media types, or
// Docker schema 2 ones when docker_format.
Manifest LocalManifest(std::string_view config_bytes, const std::vector<Descriptor>& layers, bool docker_format);

// Image indexes and manifest lists: image/index.h.

// OCI chain IDs: chain(0) = diff(0); chain(n) = sha256(chain(n-1) + " " + diff(n)).
std::vector<Digest> ChainIds(const std::vector<Digest>& diff_ids);

}  // namespace kiln::image
