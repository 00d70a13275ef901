#include "registry/tee.h"

#include <gtest/gtest.h>

namespace kiln::registry {
namespace {

TEST(CappedWriter, PassesUpToTheLimitThenFails) {
  StringWriter sink;
  CappedWriter w(sink, 10, "blob x");
  EXPECT_TRUE(w.Write("12345", 5).ok());
  EXPECT_TRUE(w.Write("67890", 5).ok());
  Status st = w.Write("1", 1);
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_EQ(st.message(), "blob x is larger than 10 bytes");
  EXPECT_EQ(sink.data(), "1234567890");
  CappedWriter big(sink, 3, "c");
  EXPECT_FALSE(big.Write("abcd", 4).ok());  // one write past the limit writes nothing
  EXPECT_EQ(sink.data(), "1234567890");
}

}  // namespace
}  // namespace kiln::registry
