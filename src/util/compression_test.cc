#include "util/compression.h"

#include <zlib.h>

#include <gtest/gtest.h>

#include <cstring>
#include <random>

namespace kiln {
namespace {

using namespace std::string_literals;

// Hands out at most `step` bytes per Read, as pipes and sockets do.
class TrickleReader final : public Reader {
 public:
  TrickleReader(std::string data, size_t step) : data_(std::move(data)), step_(step) {}
  Expected<size_t> Read(void* buf, size_t n) override {
    size_t k = std::min({n, step_, data_.size() - pos_});
    std::memcpy(buf, data_.data() + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  std::string data_;
  size_t step_;
  size_t pos_ = 0;
};

// Half text-like (compressible), half random, so that codecs use all block types.
std::string TestData(size_t size, unsigned seed = 1) {
  std::mt19937 rng(seed);
  std::string s;
  s.reserve(size);
  while (s.size() < size) {
    if (rng() % 2) {
      s += "line " + std::to_string(rng() % 1000) + " of some fairly repetitive text\n";
    } else {
      for (int i = 0; i < 64; ++i) s += static_cast<char>(rng());
    }
  }
  s.resize(size);
  return s;
}

std::string Compress(Compression c, std::string_view data, int level = kDefaultCompressionLevel) {
  auto sink = std::make_unique<StringWriter>();
  StringWriter* out = sink.get();
  auto w = OpenCompressor(c, std::move(sink), level);
  EXPECT_TRUE(w.ok()) << w.status().message();
  // Uneven writes exercise the codecs' internal buffering.
  size_t pos = 0, step = 1;
  while (pos < data.size()) {
    size_t k = std::min(step, data.size() - pos);
    EXPECT_TRUE((*w)->Write(data.data() + pos, k).ok());
    pos += k;
    step = step * 7 + 3;
  }
  EXPECT_TRUE((*w)->Close().ok());
  return out->data();
}

// Decompresses with auto-detection, reading from a source that trickles `step` bytes at
// a time into reads of `read_size` bytes.
Expected<std::string> Decompress(std::string blob, size_t step = 1 << 20, size_t read_size = 1 << 16,
                                 Compression* detected = nullptr) {
  ASSIGN_OR_RETURN(auto r, OpenDecompressor(std::make_unique<TrickleReader>(std::move(blob), step), detected));
  std::string out;
  std::string buf(read_size, '\0');
  for (;;) {
    ASSIGN_OR_RETURN(size_t k, r->Read(buf.data(), buf.size()));
    if (k == 0) return out;
    out.append(buf.data(), k);
  }
}

// A gzip member written by zlib with every optional header field set.
std::string ZlibGzipWithHeaderFields(std::string_view data) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
  gz_header h{};
  char name[] = "layer.tar", comment[] = "a comment";
  unsigned char extra[] = "XYextra";
  h.name = reinterpret_cast<Bytef*>(name);
  h.comment = reinterpret_cast<Bytef*>(comment);
  h.extra = extra;
  h.extra_len = sizeof extra;
  h.hcrc = 1;
  h.os = 3;
  deflateSetHeader(&zs, &h);
  std::string out(deflateBound(&zs, data.size()) + 128, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

const Compression kAll[] = {Compression::kGzip, Compression::kZstd, Compression::kXz, Compression::kBzip2};

TEST(CompressionTest, DetectsMagicBytes) {
  EXPECT_EQ(DetectCompression("\x1f\x8b\x08\x00"s), Compression::kGzip);
  EXPECT_EQ(DetectCompression("\x28\xb5\x2f\xfd\x00"s), Compression::kZstd);
  EXPECT_EQ(DetectCompression("\xfd" "7zXZ\x00"s), Compression::kXz);
  EXPECT_EQ(DetectCompression("BZh91AY"s), Compression::kBzip2);
  EXPECT_EQ(DetectCompression("BZh0"s), Compression::kNone);
  EXPECT_EQ(DetectCompression("\xfd" "7zX"s), Compression::kNone);  // too short to tell
  EXPECT_EQ(DetectCompression(""), Compression::kNone);
  EXPECT_EQ(DetectCompression("./etc/passwd\0\0\0"s), Compression::kNone);
}

TEST(CompressionTest, NamesRoundTrip) {
  for (Compression c : {Compression::kNone, Compression::kGzip, Compression::kZstd, Compression::kXz,
                        Compression::kBzip2}) {
    auto parsed = ParseCompression(CompressionName(c));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, c);
  }
  EXPECT_FALSE(ParseCompression("lz4").ok());
}

TEST(CompressionTest, EveryFormatRoundTrips) {
  std::string data = TestData(3 << 20);
  for (Compression c : kAll) {
    std::string blob = Compress(c, data);
    EXPECT_EQ(DetectCompression(blob), c) << CompressionName(c);
    EXPECT_LT(blob.size(), data.size()) << CompressionName(c);
    Compression detected = Compression::kNone;
    auto out = Decompress(blob, 1 << 20, 1 << 16, &detected);
    ASSERT_TRUE(out.ok()) << CompressionName(c) << ": " << out.status().message();
    EXPECT_EQ(detected, c);
    EXPECT_TRUE(*out == data) << CompressionName(c);
  }
}

TEST(CompressionTest, TinyReadsAndTrickledInputWork) {
  std::string data = TestData(200000, 7);
  for (Compression c : kAll) {
    std::string blob = Compress(c, data);
    for (auto [step, read_size] : {std::pair<size_t, size_t>{1, 4096}, {13, 1}, {4099, 7}}) {
      auto out = Decompress(blob, step, read_size);
      ASSERT_TRUE(out.ok()) << CompressionName(c) << ": " << out.status().message();
      EXPECT_TRUE(*out == data) << CompressionName(c) << " step " << step << " read " << read_size;
    }
  }
}

TEST(CompressionTest, EmptyPayloadRoundTrips) {
  for (Compression c : kAll) {
    auto out = Decompress(Compress(c, ""));
    ASSERT_TRUE(out.ok()) << CompressionName(c) << ": " << out.status().message();
    EXPECT_EQ(*out, "");
  }
}

TEST(CompressionTest, UncompressedInputPassesThroughIntact) {
  for (std::string data : {""s, "ab"s, "plain tar bytes, no magic here"s, TestData(100000)}) {
    Compression detected = Compression::kGzip;
    auto out = Decompress(data, 1, 4096, &detected);
    ASSERT_TRUE(out.ok());
    EXPECT_EQ(detected, Compression::kNone);
    EXPECT_EQ(*out, data);
  }
}

TEST(CompressionTest, GzipLevelsAllRoundTrip) {
  std::string data = TestData(500000, 3);
  for (int level = 0; level <= 9; ++level) {
    std::string blob = Compress(Compression::kGzip, data, level);
    auto out = Decompress(blob);
    ASSERT_TRUE(out.ok()) << "level " << level << ": " << out.status().message();
    EXPECT_TRUE(*out == data) << "level " << level;
    // zlib (and gzip(1)) must read what we write.
    std::string via_zlib(data.size(), '\0');
    z_stream zs{};
    inflateInit2(&zs, 31);
    zs.next_in = reinterpret_cast<Bytef*>(blob.data());
    zs.avail_in = static_cast<uInt>(blob.size());
    zs.next_out = reinterpret_cast<Bytef*>(via_zlib.data());
    zs.avail_out = static_cast<uInt>(via_zlib.size());
    EXPECT_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END) << "level " << level;
    inflateEnd(&zs);
    EXPECT_TRUE(via_zlib == data) << "level " << level;
  }
}

TEST(CompressionTest, OutputIsDeterministic) {
  std::string data = TestData(300000, 9);
  for (Compression c : kAll) EXPECT_EQ(Compress(c, data), Compress(c, data)) << CompressionName(c);
}

TEST(CompressionTest, InvalidLevelsAreRejected) {
  EXPECT_FALSE(OpenCompressor(Compression::kGzip, std::make_unique<StringWriter>(), 10).ok());
  EXPECT_FALSE(OpenCompressor(Compression::kGzip, std::make_unique<StringWriter>(), -2).ok());
  EXPECT_FALSE(OpenCompressor(Compression::kZstd, std::make_unique<StringWriter>(), 99).ok());
  EXPECT_FALSE(OpenCompressor(Compression::kXz, std::make_unique<StringWriter>(), 10).ok());
  EXPECT_FALSE(OpenCompressor(Compression::kBzip2, std::make_unique<StringWriter>(), 0).ok());
}

TEST(CompressionTest, WriteAfterCloseFails) {
  auto w = OpenCompressor(Compression::kZstd, std::make_unique<StringWriter>());
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Close().ok());
  EXPECT_TRUE((*w)->Close().ok());
  EXPECT_FALSE((*w)->Write("x", 1).ok());
}

TEST(CompressionTest, ConcatenatedGzipMembersReadAsOneStream) {
  std::string a = TestData(150000, 11), b = TestData(90000, 12), c = "tail";
  // Members from ISA-L, zlib (via level 9), an empty one and one with every header field.
  std::string blob = Compress(Compression::kGzip, a) + Compress(Compression::kGzip, b, 9) +
                     Compress(Compression::kGzip, "") + ZlibGzipWithHeaderFields(c);
  for (size_t step : {size_t{1}, size_t{5}, size_t{1} << 20}) {
    auto out = Decompress(blob, step, 3001);
    ASSERT_TRUE(out.ok()) << out.status().message();
    EXPECT_TRUE(*out == a + b + c) << "step " << step;
  }
}

TEST(CompressionTest, ConcatenatedZstdXzBzip2StreamsReadAsOneStream) {
  std::string a = TestData(120000, 21), b = TestData(70000, 22);
  for (Compression c : {Compression::kZstd, Compression::kXz, Compression::kBzip2}) {
    auto out = Decompress(Compress(c, a) + Compress(c, b), 333, 4096);
    ASSERT_TRUE(out.ok()) << CompressionName(c) << ": " << out.status().message();
    EXPECT_TRUE(*out == a + b) << CompressionName(c);
  }
}

TEST(CompressionTest, TruncatedInputIsUnexpectedEof) {
  std::string data = TestData(400000, 5);
  for (Compression c : kAll) {
    std::string blob = Compress(c, data);
    for (size_t cut : {blob.size() - 1, blob.size() - 5, blob.size() / 2, size_t{10}, size_t{4}}) {
      if (DetectCompression(blob.substr(0, cut)) != c) continue;  // too short to even detect
      auto out = Decompress(blob.substr(0, cut), 4096);
      ASSERT_FALSE(out.ok()) << CompressionName(c) << " cut at " << cut;
      EXPECT_EQ(out.status().code(), Code::kCorrupt);
      EXPECT_EQ(out.status().message(), std::string(CompressionName(c)) + ": unexpected EOF")
          << "cut at " << cut;
    }
  }
}

TEST(CompressionTest, ExplicitFormatOnEmptyInputIsUnexpectedEof) {
  for (Compression c : kAll) {
    auto r = OpenDecompressorFor(c, std::make_unique<StringReader>(""));
    ASSERT_TRUE(r.ok());
    char buf[16];
    auto k = (*r)->Read(buf, sizeof buf);
    ASSERT_FALSE(k.ok()) << CompressionName(c);
    EXPECT_EQ(k.status().message(), std::string(CompressionName(c)) + ": unexpected EOF");
  }
}

TEST(CompressionTest, CorruptDataIsAnError) {
  std::string data = TestData(400000, 6);
  for (Compression c : kAll) {
    std::string blob = Compress(c, data);
    blob[blob.size() / 2] ^= 0x55;
    blob[blob.size() / 2 + 100] ^= 0x55;
    auto out = Decompress(blob);
    ASSERT_FALSE(out.ok()) << CompressionName(c);
    EXPECT_EQ(out.status().code(), Code::kCorrupt);
    EXPECT_EQ(out.status().message().rfind(std::string(CompressionName(c)) + ": ", 0), 0u)
        << out.status().message();
  }
}

TEST(CompressionTest, GzipChecksumAndSizeAreVerified) {
  std::string data = TestData(100000, 8);
  std::string blob = Compress(Compression::kGzip, data);
  std::string bad_crc = blob;
  bad_crc[bad_crc.size() - 8] ^= 1;
  auto out = Decompress(bad_crc);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "gzip: invalid checksum");

  std::string bad_size = blob;
  bad_size[bad_size.size() - 4] ^= 1;
  out = Decompress(bad_size);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "gzip: invalid checksum");
}

TEST(CompressionTest, GzipBadHeaderAndTrailingGarbageAreInvalidHeader) {
  std::string blob = Compress(Compression::kGzip, "payload");
  std::string bad_method = blob;
  bad_method[2] = 9;
  auto out = Decompress(bad_method);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "gzip: invalid header");

  // Go's gzip reader (podman) refuses bytes after the last member; so do we.
  for (std::string garbage : {"garbage!"s, "\0\0\0\0\0\0\0\0\0\0\0\0"s, "\x1f\x8b\x08\xe0......"s}) {
    out = Decompress(blob + garbage);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.status().message(), "gzip: invalid header");
  }
}

TEST(CompressionTest, GzipHeaderCrcIsChecked) {
  std::string good = ZlibGzipWithHeaderFields("abc");
  auto out = Decompress(good, 1);
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(*out, "abc");
  // The name field is covered by the header CRC.
  std::string bad = good;
  bad[bad.find("layer.tar")] = 'L';
  out = Decompress(bad);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "gzip: invalid header");
}

// Reads everything from a limited decompressor of blob; the status of the first failure.
Status DrainWithLimits(const std::string& blob, const DecompressionLimits& limits, uint64_t* out_bytes) {
  ASSIGN_OR_RETURN(auto r, OpenDecompressor(std::make_unique<StringReader>(blob), nullptr, limits));
  std::string buf(1 << 16, '\0');
  for (;;) {
    ASSIGN_OR_RETURN(size_t n, r->Read(buf.data(), buf.size()));
    if (n == 0) return Status::Ok();
    *out_bytes += n;
  }
}

TEST(DecompressionLimits, TotalSizeStopsAtTheLimit) {
  std::string zeros(3 << 20, '\0');
  for (Compression c : {Compression::kGzip, Compression::kZstd, Compression::kXz, Compression::kBzip2}) {
    std::string blob = Compress(c, zeros);
    DecompressionLimits l;
    l.max_output = 1 << 20;
    uint64_t out = 0;
    Status st = DrainWithLimits(blob, l, &out);
    EXPECT_EQ(st.code(), Code::kInvalidArgument) << CompressionName(c);
    EXPECT_NE(st.message().find("decompressed size exceeds 1048576 bytes"), std::string::npos) << st.message();
    EXPECT_LE(out, uint64_t{1} << 20);
    l.max_output = zeros.size();  // exactly the size is allowed
    out = 0;
    EXPECT_TRUE(DrainWithLimits(blob, l, &out).ok()) << CompressionName(c);
    EXPECT_EQ(out, zeros.size());
  }
}

TEST(DecompressionLimits, RatioCountsOnlyPastTheFloor) {
  std::string zeros(8 << 20, '\0');
  std::string blob = Compress(Compression::kBzip2, zeros);  // a few dozen bytes
  DecompressionLimits l;
  l.max_ratio = 1000;
  l.ratio_floor = 1 << 20;
  uint64_t out = 0;
  Status st = DrainWithLimits(blob, l, &out);
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_NE(st.message().find("possible decompression bomb"), std::string::npos) << st.message();
  EXPECT_LT(out, uint64_t{2} << 20);  // stopped soon after the floor
  l.ratio_floor = 16 << 20;           // all of it is below the floor: allowed
  out = 0;
  EXPECT_TRUE(DrainWithLimits(blob, l, &out).ok());
  l.ratio_floor = 1 << 20;
  l.max_ratio = 0;  // off
  out = 0;
  EXPECT_TRUE(DrainWithLimits(blob, l, &out).ok());
}

TEST(DecompressionLimits, DefaultsPassGzipAtItsBestRatio) {
  // gzip cannot exceed 1032:1, far under the default ratio: a layer of zeros is fine.
  std::string blob = Compress(Compression::kGzip, std::string(96 << 20, '\0'), 9);
  uint64_t out = 0;
  EXPECT_TRUE(DrainWithLimits(blob, DecompressionLimits{}, &out).ok());
  EXPECT_EQ(out, uint64_t{96} << 20);
}

TEST(DecompressionLimits, FromEnvironment) {
  ::setenv("KILN_MAX_DECOMPRESSED_SIZE", "8M", 1);
  ::setenv("KILN_MAX_DECOMPRESSION_RATIO", "0", 1);
  auto l = DecompressionLimits::FromEnvironment();
  EXPECT_EQ(l.max_output, uint64_t{8} << 20);
  EXPECT_EQ(l.max_ratio, 0u);
  ::setenv("KILN_MAX_DECOMPRESSED_SIZE", "12gb", 1);
  EXPECT_EQ(DecompressionLimits::FromEnvironment().max_output, uint64_t{12} << 30);
  for (const char* bad : {"", "-1", "x", "5q", "1kbb", "99999999999999999999t"}) {
    ::setenv("KILN_MAX_DECOMPRESSED_SIZE", bad, 1);
    EXPECT_EQ(DecompressionLimits::FromEnvironment().max_output, DecompressionLimits{}.max_output) << bad;
  }
  ::unsetenv("KILN_MAX_DECOMPRESSED_SIZE");
  ::unsetenv("KILN_MAX_DECOMPRESSION_RATIO");
}

}  // namespace
}  // namespace kiln

namespace kiln {
namespace {

// zlib's reading of a gzip stream (an independent implementation of the format).
std::string ZlibGunzip(const std::string& blob) {
  z_stream zs{};
  EXPECT_EQ(inflateInit2(&zs, 15 + 32), Z_OK);
  std::string out(1 << 16, '\0'), result;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(blob.data()));
  zs.avail_in = static_cast<uInt>(blob.size());
  int ret = Z_OK;
  while (ret != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    ret = inflate(&zs, Z_NO_FLUSH);
    if (ret != Z_OK && ret != Z_STREAM_END) break;
    result.append(out.data(), out.size() - zs.avail_out);
  }
  inflateEnd(&zs);
  EXPECT_EQ(ret, Z_STREAM_END);
  return result;
}

TEST(GzipStoredMemberTest, ReadsBackWithOursAndZlib) {
  for (size_t size : {size_t{0}, size_t{1}, size_t{65535}, size_t{65536}, size_t{200000}}) {
    std::string data = TestData(size, 7);
    std::string blob = GzipStoredMember(data);
    EXPECT_EQ(blob.size(), data.size() + 18 + 5 * std::max<size_t>(1, (size + 65534) / 65535));
    auto ours = Decompress(blob);
    ASSERT_TRUE(ours.ok()) << ours.status().message();
    EXPECT_EQ(*ours, data);
    EXPECT_EQ(ZlibGunzip(blob), data);
  }
}

TEST(GzipStoredMemberTest, IncompressibleOnlyForRandomData) {
  std::mt19937 rng(3);
  std::string random(1 << 20, '\0');
  for (auto& c : random) c = static_cast<char>(rng());
  EXPECT_TRUE(LooksIncompressible(random));
  EXPECT_FALSE(LooksIncompressible(std::string(1 << 20, 'a')));
  EXPECT_FALSE(LooksIncompressible("short"));
}

}  // namespace
}  // namespace kiln
