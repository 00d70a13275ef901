#include "util/time.h"

#include <gtest/gtest.h>

namespace kiln {
namespace {

TEST(TimeTest, FormatsLikeGoRfc3339Nano) {
  EXPECT_EQ(FormatRfc3339Nano(1795826728741834044LL), "2026-11-28T00:45:28.741834044Z");
  EXPECT_EQ(FormatRfc3339Nano(1795826728000000000LL), "2026-11-28T00:45:28Z");
  EXPECT_EQ(FormatRfc3339Nano(1795826728100000000LL), "2026-11-28T00:45:28.1Z");
}

TEST(TimeTest, ParsesWhatItFormats) {
  auto t = ParseRfc3339("2026-11-28T00:45:28.741834044Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, 1795826728741834044LL);
  EXPECT_EQ(*ParseRfc3339("2026-11-28T01:45:28+01:00"), 1795826728000000000LL);
  EXPECT_FALSE(ParseRfc3339("yesterday").ok());
}

TEST(TimeTest, TimestampsAndAgesForFilters) {
  const int64_t now = 1795826728000000000LL;
  EXPECT_EQ(*ParseTimestampOrAge("1795826728", now), now);
  EXPECT_EQ(*ParseTimestampOrAge("10m", now), now - 600000000000LL);
  EXPECT_EQ(*ParseTimestampOrAge("1h30m", now), now - 5400000000000LL);
  EXPECT_EQ(*ParseTimestampOrAge("2026-11-28T00:45:28Z", now), now);
  EXPECT_FALSE(ParseTimestampOrAge("soon", now).ok());
}

}  // namespace
}  // namespace kiln
