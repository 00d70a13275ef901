// `kiln import`: a rootfs tarball (plain or compressed) becomes a one-layer image,
// as podman import makes it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "image/index.h"
#include "store/store.h"
#include "util/io.h"

namespace kiln::archive {

struct ImportOptions {
  std::vector<std::string> changes;  // --change instructions
  std::string message;               // -m; default "imported from tarball"
  int64_t created = 0;               // unix nanos; podman uses the file's mtime, or now for stdin
  std::vector<std::string> names;    // already normalised
  image::Platform platform = image::HostPlatform();  // --os, --arch, --variant
};

// Streams the input once: decompress, store the tar as a blob while hashing it (its
// digest is the diffID), extract the snapshot, then commit the image in one transaction.
// Nothing is listed unless every step succeeded.
struct ImportResult {
  store::ImageRecord image;
  Digest input_digest;  // of the bytes as given (compressed or not): podman's "Copying blob"
};
Expected<ImportResult> ImportRootfs(store::Store& store, std::unique_ptr<Reader> input, const ImportOptions& options);

}  // namespace kiln::archive
