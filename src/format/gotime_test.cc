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

namespace kiln::format {
namespace {

// Layouts as Go's time.Format treats them (reference: Mon Jan 2 15:04:05 MST 2006).
TEST(GoTimeFormat, LayoutElements) {
  GoTime t{1700000000, 123456789};  // 2023-11-14 22:13:20.123456789 UTC, a Tuesday
  EXPECT_EQ(GoTimeFormat(t, "2006-01-02 15:04:05"), "2023-11-14 22:13:20");
  EXPECT_EQ(GoTimeFormat(t, "Monday January 2 06 3:4:5 PM"), "Tuesday November 14 23 10:13:20 PM");
  EXPECT_EQ(GoTimeFormat(t, "Mon Jan _2 __2 002"), "Tue Nov 14 318 318");
  EXPECT_EQ(GoTimeFormat(t, ".000 .999 ,000000 .9 .0"), ".123 .123 ,123456 .1 .1");
  EXPECT_EQ(GoTimeFormat(t, "15:04:05.999999999"), "22:13:20.123456789");
  EXPECT_EQ(GoTimeFormat(t, "Z07:00 Z0700 -07:00 -0700 -07 Z07 MST"), "Z Z +00:00 +0000 +00 Z UTC");
  EXPECT_EQ(GoTimeFormat(t, "_2006"), "_2023");
  EXPECT_EQ(GoTimeFormat(t, "Month Janx"), "Month Janx");  // "Mon"/"Jan" followed by lower case are text
  EXPECT_EQ(GoTimeFormat(t, "1.05"), "11.20");               // ".0" followed by a digit is not a fraction
  EXPECT_EQ(GoTimeFormat(t, "no elements here"), "no elements here");

  GoTime early{1700000000 - 22 * 3600 - 13 * 60 + 9 * 3600 - 310 * 86400, 0};  // 2023-01-08 09:00:20
  EXPECT_EQ(GoTimeFormat(early, "_2|__2|002|3|03|pm|.999"), " 8|  8|008|9|09|am|");

  GoTime cet{1700000000, 0, 3600, "CET"};
  EXPECT_EQ(GoTimeFormat(cet, "15:04 MST -07:00 Z07:00"), "23:13 CET +01:00 +01:00");
  GoTime unnamed{1700000000, 0, -(5 * 3600 + 30 * 60), ""};
  EXPECT_EQ(GoTimeFormat(unnamed, "MST -070000 -07:00:00"), "-0530 -053000 -05:30:00");
}

TEST(GoTimeFormat, CivilFields) {
  GoCivil c = CivilOf(GoTime{0, 0});
  EXPECT_EQ(c.year, 1970);
  EXPECT_EQ(c.weekday, 4);  // Thursday
  EXPECT_EQ(c.yday, 1);
  c = CivilOf(GoTime{-1, 0});
  EXPECT_EQ(c.weekday, 3);
  EXPECT_EQ(c.yday, 365);
  EXPECT_EQ(CivilOf(GoTime{951782400, 0}).yday, 60);  // 2000-02-29
}

}  // namespace
}  // namespace kiln::format
