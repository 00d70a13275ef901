#include "util/background_writer.h"

#include <gtest/gtest.h>

namespace kiln {
namespace {

// Fails every write once `limit` bytes were written.
class LimitedWriter final : public Writer {
 public:
  explicit LimitedWriter(size_t limit) : limit_(limit) {}
  Status Write(const void* data, size_t n) override {
    if (out.size() + n > limit_) return IoError("disk full");
    out.append(static_cast<const char*>(data), n);
    return Status::Ok();
  }
  std::string out;

 private:
  size_t limit_;
};

TEST(BackgroundWriter, WritesEverythingInOrder) {
  LimitedWriter inner(1 << 30);
  std::string want;
  {
    BackgroundWriter bg(inner, 1000);  // small: Write has to wait for the thread
    for (int i = 0; i < 5000; ++i) {
      std::string piece = std::to_string(i) + ",";
      want += piece;
      ASSERT_TRUE(bg.Write(piece.data(), piece.size()).ok());
    }
    ASSERT_TRUE(bg.Finish().ok());
  }
  EXPECT_EQ(inner.out, want);
}

TEST(BackgroundWriter, ReportsTheInnerError) {
  LimitedWriter inner(10);
  BackgroundWriter bg(inner, 4);
  Status last;
  for (int i = 0; i < 100 && last.ok(); ++i) last = bg.Write("abc", 3);
  Status finished = bg.Finish();
  EXPECT_FALSE(finished.ok());
  EXPECT_EQ(finished.message(), "disk full");
  EXPECT_EQ(inner.out, "abcabcabc");
}

TEST(BackgroundWriter, DestroyedWithoutFinish) {
  LimitedWriter inner(100);
  { BackgroundWriter bg(inner); ASSERT_TRUE(bg.Write("xy", 2).ok()); }
  EXPECT_EQ(inner.out, "xy");
}

}  // namespace
}  // namespace kiln
