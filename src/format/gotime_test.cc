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
TEST(GoDurationString, MatchesGo) {
  EXPECT_EQ(GoDurationString(0), "0s");
  EXPECT_EQ(GoDurationString(100), "100ns");
  EXPECT_EQ(GoDurationString(2000), "2\u00b5s");
  EXPECT_EQ(GoDurationString(1500000), "1.5ms");
  EXPECT_EQ(GoDurationString(5000000000), "5s");
  EXPECT_EQ(GoDurationString(90000000000), "1m30s");
  EXPECT_EQ(GoDurationString(3723500000000), "1h2m3.5s");
  EXPECT_EQ(GoDurationString(3600000000000), "1h0m0s");
  EXPECT_EQ(GoDurationString(-1500000000), "-1.5s");
  EXPECT_EQ(GoDurationString(1000000001), "1.000000001s");
}

}  // namespace kiln::format
