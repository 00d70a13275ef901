// gzip of a whole file in fixed 4 MiB pieces, each an independent gzip member, compressed
// by up to 4 threads and written in order. Concatenated members are one gzip stream to
// every reader (RFC 1952, Go's gzip.Reader, gzip -d); the pieces do not depend on the
// thread count, so the output is the same on every machine. A piece that does not compress
// (random bytes, compressed files: LooksIncompressible) becomes a stored member instead of
// costing a deflate. Memory: at most 2 pieces in and out per thread.
//
// Used for the layers kiln compresses itself: `save` (oci-archive, oci-dir, docker-dir with
// compression) and `push`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "util/io.h"
#include "util/status.h"

namespace kiln {

inline constexpr size_t kGzipPieceSize = 4u << 20;
// ISA-L's fastest level (see compression.h), which podman's pgzip default level beats by a
// few percent in size but not in time.
inline constexpr int kLayerGzipLevel = 1;

// Compresses the first `size` bytes of in_fd (read with pread, so the file offset does not
// matter) into out, in order, from the calling thread. Does not Close() out.
Status ParallelGzip(int in_fd, uint64_t size, Writer& out);
// The same for the whole file at path (a stored layer tar).
Status ParallelGzipFile(const std::string& path, Writer& out);

}  // namespace kiln
