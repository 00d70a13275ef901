#include "format/gofmt.h"

#include <gtest/gtest.h>

namespace kiln::format {
namespace {

std::string F(const char* format, std::vector<Value> args) { return GoSprintf(format, args); }

TEST(GoSprintf, Verbs) {
  EXPECT_EQ(F("%d|%5d|%-5d|%05d|%x|%X|%o|%b|%c|%q|%U", {42, 42, 42, -42, 255, 255, 8, 5, 0x41, 0x41, 0x1F600}),
            "42|   42|42   |-0042|ff|FF|10|101|A|'A'|U+1F600");
  EXPECT_EQ(F("%s|%10s|%-10s|%.2s|%q|%x", {"abc", "abc", "abc", "abc", "a\"b", "hi"}),
            "abc|       abc|abc       |ab|\"a\\\"b\"|6869");
  EXPECT_EQ(F("%t|%v", {true, false}), "true|false");
  EXPECT_EQ(F("%v|%.3f|%e|%g|%G", {2.5, 3.14159, 1234.5678, 1e-7, 1e21}),
            "2.5|3.142|1.234568e+03|1e-07|1E+21");
  EXPECT_EQ(F("%6.2f|%-8.3e|%+.0f", {3.14159, 0.5, 2.5}), "  3.14|5.000e-01|+2");
}

TEST(GoSprintf, ErrorNotations) {
  EXPECT_EQ(F("%d", {"abc"}), "%!d(string=abc)");
  EXPECT_EQ(F("%d %d", {1}), "1 %!d(MISSING)");
  EXPECT_EQ(F("%d", {1, "x", 2.5}), "1%!(EXTRA string=x, float64=2.5)");
  EXPECT_EQ(F("%[3]d", {1}), "%!d(BADINDEX)");
  EXPECT_EQ(F("%", {}), "%!(NOVERB)");
  EXPECT_EQ(F("%d", {Value()}), "%!d(<nil>)");
  EXPECT_EQ(F("%*d", {"x", 1}), "%!(BADWIDTH)1");
  EXPECT_EQ(F("%s", {Value::Int(7, "int64")}), "%!s(int64=7)");
}

TEST(GoSprintf, Composites) {
  Value m = Value::Map("map[string]struct {}").Set("9090/tcp", Value::EmptyStruct()).Set("8080/tcp", Value::EmptyStruct());
  EXPECT_EQ(F("%v", {m}), "map[8080/tcp:{} 9090/tcp:{}]");
  Value s = Value::Struct("main.T").Add("A", Value("x")).Add("B", Value::StringSlice({"p", "q"})).Add("C", Value());
  EXPECT_EQ(F("%v|%+v", {s, s}), "{x [p q] <nil>}|{A:x B:[p q] C:<nil>}");
  EXPECT_EQ(F("%#v", {s}), "main.T{A:\"x\", B:[]string{\"p\", \"q\"}, C:interface {}(nil)}");
  EXPECT_EQ(F("%v|%v", {Value::NilSlice("[]string"), Value::NilMap("map[string]string")}), "[]|map[]");
  EXPECT_EQ(F("%d", {Value::StringSlice({"a"})}), "[%!d(string=a)]");
  EXPECT_EQ(F("%v", {s.AsPointer("*main.T")}), "&{x [p q] <nil>}");
  Value outer = Value::Struct("main.O").Add("P", s.AsPointer("*main.T"));
  EXPECT_EQ(F("%v", {outer}), "{0xc000010000}");  // Go prints the nested pointer's address
}

TEST(GoSprintf, Times) {
  Value t = Value::Time(1764286292, 561643701);
  EXPECT_EQ(F("%v|%s", {t, t}), "2025-11-27 23:31:32.561643701 +0000 UTC|2025-11-27 23:31:32.561643701 +0000 UTC");
  EXPECT_EQ(F("%v", {Value::Time(0, 0)}), "1970-01-01 00:00:00 +0000 UTC");
  EXPECT_EQ(F("%v", {Value::Time(0, 500000000)}), "1970-01-01 00:00:00.5 +0000 UTC");
  EXPECT_EQ(F("%#v", {Value::Time(0, 5)}), "time.Date(1970, time.January, 1, 0, 0, 0, 5, time.UTC)");
}

TEST(GoSprint, SpacesOnlyBetweenNonStrings) {
  std::vector<Value> args = {"a", 1, 2, "b", "c", 3.5};
  EXPECT_EQ(GoSprint(args), "a1 2bc3.5");
  EXPECT_EQ(GoSprintln(args), "a 1 2 b c 3.5\n");
}

TEST(AppendPrintable, FollowsTopLevelPointersAndMarksMissingValues) {
  std::string out;
  AppendPrintable(out, Value::Struct("main.T").Add("A", Value(1)).AsPointer("*main.T"));
  AppendPrintable(out, Value::Invalid());
  AppendPrintable(out, Value::NilPointer("*main.T"));
  EXPECT_EQ(out, "{1}<no value><nil>");
}

}  // namespace
}  // namespace kiln::format
