#include "util/go_strconv.h"

#include <gtest/gtest.h>

namespace kiln {
namespace {

TEST(Strconv, QuoteAndFloat) {
  EXPECT_EQ(Quote("a\x01\xff\u00e9\u2028"), "\"a\\x01\\xffé\\u2028\"");
  EXPECT_EQ(QuoteToAscii("é"), "\"\\u00e9\"");
  EXPECT_EQ(QuoteRune('\n'), "'\\n'");
  EXPECT_EQ(FormatFloat(123456789.0, 'g', -1), "1.23456789e+08");
  EXPECT_EQ(FormatFloat(100000.0, 'g', -1), "100000");
  EXPECT_EQ(FormatFloat(0.0001, 'g', -1), "0.0001");
  EXPECT_EQ(FormatFloat(0.00001, 'g', -1), "1e-05");
  EXPECT_EQ(FormatFloat(2.5, 'f', 0), "2");  // round half to even
  EXPECT_EQ(FormatFloat(-0.0, 'g', -1), "-0");
}

TEST(Strconv, NumberLiterals) {
  EXPECT_EQ(ParseNumberLiteral("0x_1F")->int_value, 31);
  EXPECT_EQ(ParseNumberLiteral("017")->int_value, 15);
  EXPECT_EQ(ParseNumberLiteral("0b101")->int_value, 5);
  EXPECT_EQ(ParseNumberLiteral("-0o17")->int_value, -15);
  EXPECT_TRUE(ParseNumberLiteral("1e3")->is_int);
  EXPECT_FALSE(ParseNumberLiteral("1.5")->is_int);
  EXPECT_EQ(ParseNumberLiteral("1__0").status().message(), "illegal number syntax: \"1__0\"");
  EXPECT_EQ(ParseNumberLiteral("08").status().message(), "integer overflow: \"08\"");
  EXPECT_EQ(*Unquote("`a\rb`"), "ab");
  EXPECT_FALSE(Unquote("\"\\'\"").ok());
}

}  // namespace
}  // namespace kiln
