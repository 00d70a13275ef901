#include "format/gotime.h"

#include <gtest/gtest.h>

namespace kiln::format {
namespace {

TEST(GoTime, StringTrimsTrailingZeroNanos) {
  EXPECT_EQ(GoTimeString(1795826728, 741834044), "2026-11-28 00:45:28.741834044 +0000 UTC");
  EXPECT_EQ(GoTimeString(1795826728, 741834000), "2026-11-28 00:45:28.741834 +0000 UTC");
  EXPECT_EQ(GoTimeString(951782400, 0), "2000-02-29 00:00:00 +0000 UTC");
  EXPECT_EQ(GoTimeString(-1, 0), "1969-12-31 23:59:59 +0000 UTC");
}

TEST(GoTime, Rfc3339Nano) {
  EXPECT_EQ(GoTimeRfc3339Nano(1709618828, 123456789), "2024-03-05T06:07:08.123456789Z");
  EXPECT_EQ(GoTimeRfc3339Nano(0, 0), "1970-01-01T00:00:00Z");
}

}  // namespace
}  // namespace kiln::format
