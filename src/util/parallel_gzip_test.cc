#include "util/parallel_gzip.h"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <random>

#include "util/compression.h"
#include "util/fs.h"

namespace kiln {
namespace {

// A file holding `data`, unlinked at once (only its descriptor is needed).
UniqueFd TempFileWith(const std::string& data) {
  char path[] = "/tmp/kiln-pgz-XXXXXX";
  UniqueFd fd(::mkstemp(path));
  ::unlink(path);
  EXPECT_TRUE(WriteAll(fd.get(), data.data(), data.size()).ok());
  return fd;
}

std::string Gzip(const std::string& data) {
  UniqueFd fd = TempFileWith(data);
  StringWriter out;
  EXPECT_TRUE(ParallelGzip(fd.get(), data.size(), out).ok());
  return out.Take();
}

std::string Gunzip(const std::string& gz) {
  auto r = OpenDecompressorFor(Compression::kGzip, std::make_unique<StringReader>(gz));
  EXPECT_TRUE(r.ok());
  StringWriter out;
  EXPECT_TRUE(CopyStream(**r, out).ok());
  return out.Take();
}

// Random bytes and text, more than two pieces: stored and deflated members both.
std::string Mixed() {
  std::mt19937_64 rng(7);
  std::string data(kGzipPieceSize + 1000, '\0');
  for (auto& c : data) c = static_cast<char>(rng());
  while (data.size() < 2 * kGzipPieceSize + 12345) data += "a line of text that compresses well\n";
  return data;
}

TEST(ParallelGzip, RoundTripsAndIsDeterministic) {
  std::string data = Mixed();
  std::string gz = Gzip(data);
  EXPECT_EQ(Gunzip(gz), data);
  EXPECT_LT(gz.size(), data.size());
  EXPECT_EQ(Gzip(data), gz);
}

TEST(ParallelGzip, EmptyAndSmallInputs) {
  EXPECT_EQ(Gunzip(Gzip("")), "");
  EXPECT_FALSE(Gzip("").empty());  // one empty member
  EXPECT_EQ(Gunzip(Gzip("hello")), "hello");
}

TEST(ParallelGzip, ShortFileIsAnError) {
  UniqueFd fd = TempFileWith("abc");
  StringWriter out;
  EXPECT_FALSE(ParallelGzip(fd.get(), 10, out).ok());
}

}  // namespace
}  // namespace kiln
