// `kiln load`: docker-archive, oci-archive (plain or gzip/zstd/xz/bzip2-compressed, from a
// file or a pipe), oci-dir and docker-dir (directories).
//
// An archive is read once, as a stream, and never extracted to disk: the decompressor is
// chosen by magic bytes, then each tar entry is either kept in memory (small JSON: configs,
// manifests, index.json, repositories) or streamed — decompressed if it is a compressed
// layer — into an uncommitted ingest file of the store while both its digest and its
// uncompressed digest are computed. Entry names are cleaned lexically; absolute names and
// names, symlinks or hard links that climb out of the archive are refused. Only when the
// whole archive has been read and every image checks out (manifest and config digests,
// layer digests and sizes, diffIDs against the config) are blobs committed, snapshots
// made, and each image committed in one transaction. Any failure before that drops the
// ingest files: the store is as it was.
//
// A named index whose instances are all in the layout (kiln's save of a list) is restored
// whole: every instance, then the list under its name (Store::CreateList with move_name).
#pragma once

#include <string>
#include <vector>

#include "archive/progress.h"
#include "store/store.h"
#include "util/io.h"

namespace kiln::archive {

struct LoadResult {
  // What podman prints after "Loaded image: ": every name, or "sha256:<id>" for an image
  // without one; in archive order.
  std::vector<std::string> loaded;
};

// `input` is the archive's bytes (compressed or not); `size` its length when known (0
// otherwise), for the progress bar.
Expected<LoadResult> LoadArchive(store::Store& store, std::unique_ptr<Reader> input, uint64_t size, Progress& progress);
// An oci-dir or docker-dir layout.
Expected<LoadResult> LoadDirectory(store::Store& store, const std::string& dir, Progress& progress);

}  // namespace kiln::archive
