#include "util/io.h"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

namespace kiln {
namespace {

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

class FailingReader final : public Reader {
 public:
  Expected<size_t> Read(void*, size_t) override { return IoError("boom"); }
};

// Records whether Close() reached it.
class CloseRecorder final : public Writer {
 public:
  Status Write(const void*, size_t) override { return Status::Ok(); }
  Status Close() override {
    closed = true;
    return Status::Ok();
  }
  bool closed = false;
};

TEST(IoTest, ReadFullCollectsShortReads) {
  TrickleReader r("hello world", 3);
  char buf[8];
  auto got = ReadFull(r, buf, sizeof buf);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, 8u);
  EXPECT_EQ(std::string(buf, 8), "hello wo");
  got = ReadFull(r, buf, sizeof buf);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(std::string(buf, *got), "rld");
}

TEST(IoTest, ReadAllReadsEverythingAndHonoursTheLimit) {
  std::string big(300000, 'x');
  TrickleReader r(big, 7777);
  auto all = ReadAll(r);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, big);

  StringReader limited(big);
  auto over = ReadAll(limited, 1000);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), Code::kInvalidArgument);
}

TEST(IoTest, ReadErrorsPropagate) {
  FailingReader r;
  StringWriter w;
  auto n = CopyStream(r, w);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().message(), "boom");
}

TEST(IoTest, CopyStreamCopiesAndCounts) {
  std::string data(3 * kStreamChunkSize + 5, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 31);
  StringReader r(data);
  StringWriter w;
  auto n = CopyStream(r, w);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, data.size());
  EXPECT_EQ(w.data(), data);
}

TEST(IoTest, DigestingReaderHashesWhatPassesThrough) {
  StringReader src("hello world");
  DigestingReader d(src);
  StringWriter sink;
  ASSERT_TRUE(CopyStream(d, sink).ok());
  EXPECT_EQ(sink.data(), "hello world");
  EXPECT_EQ(d.bytes(), 11u);
  EXPECT_EQ(d.Finish(), Digest::OfBytes("hello world"));
}

TEST(IoTest, DigestingWriterHashesAndForwardsClose) {
  CloseRecorder sink;
  DigestingWriter d(sink);
  ASSERT_TRUE(d.Write("abc", 3).ok());
  ASSERT_TRUE(d.Write("def", 3).ok());
  ASSERT_TRUE(d.Close().ok());
  EXPECT_TRUE(sink.closed);
  EXPECT_EQ(d.bytes(), 6u);
  EXPECT_EQ(d.Finish(), Digest::OfBytes("abcdef"));
}

TEST(IoTest, RefsForwardToTheirTarget) {
  StringReader src("xyz");
  ReaderRef ref(src);
  char c[3];
  ASSERT_EQ(*ReadFull(ref, c, 3), 3u);
  CloseRecorder sink;
  WriterRef wref(sink);
  ASSERT_TRUE(wref.Close().ok());
  EXPECT_TRUE(sink.closed);
}

TEST(IoTest, FdReaderAndWriterRoundTripThroughAFile) {
  char tmpl[] = "/tmp/kiln-io-test-XXXXXX";
  int fd = ::mkstemp(tmpl);
  ASSERT_GE(fd, 0);
  std::string path = tmpl;
  {
    FdWriter w{UniqueFd(fd)};
    ASSERT_TRUE(w.Write("some bytes", 10).ok());
    ASSERT_TRUE(w.Close().ok());
    ASSERT_TRUE(w.Close().ok());  // closing twice is harmless
  }
  auto r = OpenFileReader(path);
  ASSERT_TRUE(r.ok());
  auto all = ReadAll(**r);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, "some bytes");
  ::unlink(path.c_str());

  auto missing = OpenFileReader(path);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
}

TEST(IoTest, BorrowedFdIsNotClosed) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  {
    FdWriter w = FdWriter::Borrow(p[1]);
    ASSERT_TRUE(w.Write("x", 1).ok());
    ASSERT_TRUE(w.Close().ok());
  }
  EXPECT_EQ(::write(p[1], "y", 1), 1);  // still open
  ::close(p[1]);
  FdReader r = FdReader::Borrow(p[0]);
  auto all = ReadAll(r);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, "xy");
  ::close(p[0]);
}

}  // namespace
}  // namespace kiln
