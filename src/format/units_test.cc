#include "format/units.h"

#include <gtest/gtest.h>

namespace kiln::format {
namespace {

constexpr int64_t kSec = 1000000000;

TEST(UnitsTest, HumanSizeMatchesPodman) {
  EXPECT_EQ(HumanSize(1997895), "1.998MB");  // system df / image tree
  EXPECT_EQ(HumanSize(1996800), "1.997MB");
  EXPECT_EQ(HumanSize(0), "0B");
  EXPECT_EQ(HumanSize(45020000), "45.02MB");
  EXPECT_EQ(HumanSize(5120), "5.12kB");
}

TEST(UnitsTest, SpacedSizesForTables) {
  EXPECT_EQ(HumanSizeSpaced(1997895), "2 MB");
  EXPECT_EQ(HumanSizeSpaced(2155821), "2.16 MB");
  EXPECT_EQ(HumanSizeSpaced(0), "0 B");
  EXPECT_EQ(HumanSizeSpaced(2560), "2.56 kB");
  EXPECT_EQ(HumanSizeSpaced(999900), "1e+03 kB");  // go-units' own quirk, kept
}

TEST(UnitsTest, DurationsMatchGoUnits) {
  EXPECT_EQ(HumanDuration(kSec / 2), "Less than a second");
  EXPECT_EQ(HumanDuration(kSec), "1 second");
  EXPECT_EQ(HumanDuration(59 * kSec), "59 seconds");
  EXPECT_EQ(HumanDuration(90 * kSec), "About a minute");
  EXPECT_EQ(HumanDuration(3 * 60 * kSec), "3 minutes");
  EXPECT_EQ(HumanDuration(3600 * kSec), "About an hour");
  EXPECT_EQ(HumanDuration(5 * 3600 * kSec), "5 hours");
  EXPECT_EQ(HumanDuration(3 * 24 * 3600 * kSec), "3 days");
  EXPECT_EQ(HumanDuration(21 * 24 * 3600 * kSec), "3 weeks");
  EXPECT_EQ(HumanDuration(100LL * 24 * 3600 * kSec), "3 months");
  EXPECT_EQ(HumanDuration(800LL * 24 * 3600 * kSec), "2 years");
  EXPECT_EQ(TimeAgo(0, 150 * kSec), "2 minutes ago");
}

TEST(UnitsTest, ParseHumanBytesAsGoHumanize) {
  EXPECT_EQ(*ParseHumanBytes("20MB"), 20000000);
  EXPECT_EQ(*ParseHumanBytes("20MiB"), 20971520);
  EXPECT_EQ(*ParseHumanBytes("1.5 kB"), 1500);
  EXPECT_EQ(*ParseHumanBytes("300"), 300);
  EXPECT_EQ(*ParseHumanBytes("2g"), 2000000000);
  EXPECT_FALSE(ParseHumanBytes("MB").ok());
  EXPECT_FALSE(ParseHumanBytes("3 parsecs").ok());
}

}  // namespace
}  // namespace kiln::format
