// Manifest lists and OCI image indexes, and platforms ("linux/arm64/v8"): the model behind
// `manifest …`, platform-aware pull and multi-platform builds. Pure data, no I/O.
//
// podman 4.3.1 (buildah v1.28 manifests, containers/common v0.50.1 libimage) keeps a list as
// an OCI index whatever it was made from, and `manifest inspect` shows it converted to a
// Docker schema2 list with the OCI annotations added back (define.ManifestListData).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/digest.h"
#include "util/status.h"

namespace kiln::image {

inline constexpr std::string_view kOciIndexType = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kDockerListType = "application/vnd.docker.distribution.manifest.list.v2+json";

bool IsIndexMediaType(std::string_view media_type);

struct Platform {
  std::string os;
  std::string architecture;
  std::string variant;
  std::string os_version;
  std::vector<std::string> os_features;

  // "os/arch[/variant]"
  std::string String() const;
  friend bool operator==(const Platform&, const Platform&) = default;
};

// Go's names for what `uname -m` says ("x86_64" → amd64, "aarch64" → arm64 …).
std::string NormalizeArch(std::string_view arch);
// The default variant a platform match assumes when none is given (arm64 → "v8", arm → "v7").
std::string DefaultVariant(std::string_view arch);
// The platform `uname -m` names ("x86_64" → linux/amd64, "armv7l" → linux/arm/v7).
Platform PlatformOfMachine(std::string_view machine);
// This host's platform (uname).
Platform HostPlatform();
// "linux/arm64", "linux/arm64/v8", "linux/amd64"; also "arm64" alone (os linux), as buildah.
// Error: `invalid platform syntax for --platform="<s>": <why>` as buildah phrases it.
Expected<Platform> ParsePlatform(std::string_view s);
// "linux/amd64,linux/arm64" → each; the empty string → none.
Expected<std::vector<Platform>> ParsePlatformList(std::string_view s);

struct IndexEntry {
  std::string media_type;
  Digest digest;
  int64_t size = 0;
  std::vector<std::string> urls;
  std::optional<Platform> platform;
  std::map<std::string, std::string> annotations;
};

struct Index {
  std::string media_type = std::string(kOciIndexType);  // as read; podman stores OCI
  std::vector<IndexEntry> manifests;
  std::map<std::string, std::string> annotations;

  // The entry with that digest, or nullptr.
  IndexEntry* Find(const Digest& d);
  const IndexEntry* Find(const Digest& d) const;
  // Adds, or replaces the entry of the same digest in place (as buildah's list.AddInstance).
  void Put(IndexEntry entry);
  bool Remove(const Digest& d);
};

// An OCI index or a Docker manifest list. Errors name what is wrong.
Expected<Index> ParseIndex(std::string_view bytes);
// The bytes podman stores and pushes as an OCI index: compact, buildah's field order
// (mediaType, digest, size, urls, annotations, platform).
std::string SerializeOciIndex(const Index& index);
// The same list as a Docker schema2 manifest list (push --format v2s2): no annotations.
std::string SerializeDockerList(const Index& index);
// `podman manifest inspect` of a local list: define.ManifestListData, 4-space indented, Go's
// escaping, "manifests": null when empty.
std::string InspectJson(const Index& index);

// The entry for a platform as containers/image's platform matching picks it: same OS and
// architecture (normalised), and the variant when one is wanted (arm64's v8 is implied).
// Error as podman's: `no image found in image index for architecture ARCH, variant "V", OS OS`.
Expected<const IndexEntry*> ChooseInstance(const Index& index, const Platform& want);

}  // namespace kiln::image
