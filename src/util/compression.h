// Compression streams for layer blobs and archives: gzip, zstd, xz and bzip2.
//
// Decompression detects the format from the first bytes (the magic numbers) and streams
// in one pass; nothing is ever decoded twice or "tried". Every decompressor checks the
// format's integrity data (gzip CRC-32 and size, zstd frame checksum when present, xz
// check, bzip2 CRC) and reports truncation as "<format>: unexpected EOF".
// Concatenated members/frames/streams are read as one stream, as gzip(1) and Go do.
//
// gzip uses ISA-L (igzip), which inflates about twice as fast as zlib and deflates
// 5-15x faster at a slightly lower ratio; see OpenCompressor for the level mapping.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "util/io.h"
#include "util/status.h"

namespace kiln {

enum class Compression { kNone, kGzip, kZstd, kXz, kBzip2 };

// "none", "gzip", "zstd", "xz", "bzip2".
std::string_view CompressionName(Compression c);
// The inverse of CompressionName; also accepts "uncompressed" for kNone.
Expected<Compression> ParseCompression(std::string_view name);

// How many leading bytes DetectCompression needs to see to recognise every format.
inline constexpr size_t kCompressionMagicSize = 6;
// Recognises the magic bytes at the start of a stream; kNone when none matches
// (including a prefix too short to tell).
Compression DetectCompression(std::string_view first_bytes);

// Limits against decompression bombs, checked while the output streams, so a bomb costs
// at most max_output bytes of work and disk. 0 disables a limit. The defaults never stop a
// real image: gzip cannot exceed a ratio of 1032:1 and zstd reaches about 32000:1 only on
// runs of zeros, so only crafted bzip2/xz/zstd streams trip the ratio.
struct DecompressionLimits {
  uint64_t max_output = uint64_t{64} << 30;  // one stream's decompressed bytes: 64 GiB
  uint64_t max_ratio = 100000;                // decompressed / compressed …
  uint64_t ratio_floor = uint64_t{64} << 20;  // … checked once 64 MiB came out
  // The defaults, overridden by $KILN_MAX_DECOMPRESSED_SIZE (bytes, or with a k/m/g/t
  // suffix, binary) and $KILN_MAX_DECOMPRESSION_RATIO; a value that does not parse is ignored.
  static DecompressionLimits FromEnvironment();
};

// Peeks at the first bytes of src (keeping them: the returned stream starts at byte 0)
// and returns a reader of the decompressed data, or src itself when it is not compressed.
// `detected`, if given, receives the format found.
// A stream that passes a limit fails with kInvalidArgument: "decompressed size exceeds …"
// or "decompression ratio exceeds …: possible decompression bomb".
Expected<std::unique_ptr<Reader>> OpenDecompressor(std::unique_ptr<Reader> src,
                                                   Compression* detected = nullptr,
                                                   const DecompressionLimits& limits = DecompressionLimits::FromEnvironment());
// Decompresses src as the given format, without detection (the format is known from a
// media type, say). kNone returns src unchanged.
Expected<std::unique_ptr<Reader>> OpenDecompressorFor(Compression c, std::unique_ptr<Reader> src,
                                                      const DecompressionLimits& limits = DecompressionLimits::FromEnvironment());

// Each format's own default level: gzip 6, zstd 3, xz 6, bzip2 9 (as podman/Go use).
inline constexpr int kDefaultCompressionLevel = -1;
// Returns a writer that compresses into dst; Close() writes the trailer and closes dst.
// Levels are on each tool's own scale (gzip 0-9, zstd 1-19, xz 0-9, bzip2 1-9).
// gzip: levels 1-6 (and the default) use ISA-L (its levels 1, 2, 3, 3, 3, 3): 300-450 MB/s
// instead of zlib's 30-100; 0 and 7-9 use zlib, because someone asking for those wants
// zlib's stored blocks or its better ratio, not speed. Output is deterministic for a given
// library version, which matters for reproducible blob digests.
Expected<std::unique_ptr<Writer>> OpenCompressor(Compression c, std::unique_ptr<Writer> dst,
                                                 int level = kDefaultCompressionLevel);

// A whole gzip member holding `data` in stored (uncompressed) deflate blocks, for data that
// does not compress (random bytes, compressed files): deflating it costs CPU and gains
// nothing. Any gzip reader reads it; the output depends only on the data.
std::string GzipStoredMember(std::string_view data);
// Whether deflating would save under 3% of a sample of data (its first 64 KiB).
bool LooksIncompressible(std::string_view data);

}  // namespace kiln
