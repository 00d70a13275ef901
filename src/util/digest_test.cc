#include "util/digest.h"

#include <gtest/gtest.h>

namespace kiln {
namespace {

TEST(DigestTest, EmptyInputHasKnownDigest) {
  EXPECT_EQ(Digest::OfBytes("").str(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(DigestTest, StreamingEqualsOneShot) {
  Sha256 h;
  h.Update("hello ");
  h.Update("world");
  EXPECT_EQ(h.Finish(), Digest::OfBytes("hello world"));
}

TEST(DigestTest, ParseRoundTrips) {
  auto d = Digest::Parse("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->short_id(), "e3b0c44298fc");
}

TEST(DigestTest, ParseRejectsBadInput) {
  EXPECT_FALSE(Digest::Parse("sha256:abc").ok());
  EXPECT_FALSE(Digest::Parse("md5:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855").ok());
  EXPECT_FALSE(Digest::Parse("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855").ok());
}

}  // namespace
}  // namespace kiln
