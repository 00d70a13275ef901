// `kiln save`: images from the store into docker-archive, oci-archive, oci-dir or
// docker-dir, as podman 4.3.1 (containers/image v5.23) writes them.
//
// docker-archive is byte-for-byte what podman writes: layers are the stored uncompressed
// tars (their blob digest is the diffID), copied by the kernel into the tar stream; every
// entry has mtime 0 and mode 0444; legacy "<v1 id>/{layer.tar,VERSION,json}" entries with
// containers/image's v1 IDs; manifest.json and repositories last. oci-* layers are gzip
// (ISA-L, deterministic) unless `uncompressed`; oci-archive entries have mtime 0 too, so
// the same image always gives the same bytes (podman's oci-archive carries the time of
// the save: see docs/compat.md).
//
// A manifest list goes whole into oci-archive and oci-dir (its index under the list's name,
// every instance with its stored manifest, so the list keeps its digest) and, with -m, into a
// docker-archive (the instances in manifest.json, the list as an OCI layout beside them);
// a plain docker-archive or docker-dir save of a list writes the host's instance (podman).
#pragma once

#include <string>
#include <vector>

#include "archive/progress.h"
#include "store/store.h"

namespace kiln::archive {

enum class SaveFormat { kDockerArchive, kOciArchive, kOciDir, kDockerDir };

// "docker-archive", "oci-archive", "oci-dir", "docker-dir"; else podman's error.
Expected<SaveFormat> ParseSaveFormat(const std::string& name);

struct SaveOptions {
  SaveFormat format = SaveFormat::kDockerArchive;
  std::vector<std::string> images;  // as typed; without `multi`, images[1..] are extra tags
  bool multi = false;               // -m
  bool compress = false;            // docker-dir: gzip layers
  bool uncompressed = false;        // oci-*: keep layers uncompressed
  std::string output;               // path; empty = out_fd
  int out_fd = -1;                  // for archives when output is empty (stdout)
};

// Checks the arguments (podman's errors for the combinations it refuses), resolves every
// image before writing anything, then writes. A file output is written beside its final
// name and renamed into place when complete, so a failed save leaves no half archive.
Status SaveImages(store::Store& store, const SaveOptions& options, Progress& progress);

// containers/image's legacy v1 layer IDs and "<id>/json" bodies for an image (exposed for
// tests): one per layer, bottom first.
struct LegacyLayer {
  std::string id;
  std::string json;
};
Expected<std::vector<LegacyLayer>> LegacyLayers(const std::vector<Digest>& diff_ids, std::string_view config);

// Go's json.Compact with HTML escaping (what encoding/json does to a RawMessage).
std::string GoCompactJson(std::string_view raw);

}  // namespace kiln::archive
