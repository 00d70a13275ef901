#include "format/value.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "format/gojson.h"
#include "format/strconv.h"

namespace kiln::format {
namespace {

TEST(Value, ScalarTypeNames) {
  EXPECT_EQ(Value(1).type_name(), "int");
  EXPECT_EQ(Value(int64_t{1}).type_name(), "int64");
  EXPECT_EQ(Value(uint64_t{1}).type_name(), "uint64");
  EXPECT_EQ(Value(1.5).type_name(), "float64");
  EXPECT_EQ(Value("x").type_name(), "string");
  EXPECT_EQ(Value("x").WithType("digest.Digest").type_name(), "digest.Digest");
  EXPECT_EQ(Value().type_name(), "<nil>");
  EXPECT_EQ(Value().static_type_name(), "<nil>");
  EXPECT_EQ(Value("x").Boxed().static_type_name(), "interface {}");
}

TEST(Value, MapsKeepKeysSortedAndCopyOnWrite) {
  Value a = Value::Map("map[string]string").Set("b", Value("2")).Set("a", Value("1"));
  Value b = a;
  b.Set("c", Value("3"));
  ASSERT_EQ(a.Len(), 2u);
  EXPECT_EQ(a.Entries()[0].first, "a");
  EXPECT_EQ(b.Len(), 3u);
  EXPECT_EQ(b.FindKey("c")->AsString(), "3");
  EXPECT_EQ(a.FindKey("c"), nullptr);
  EXPECT_EQ(a.MapElemZero().kind(), Kind::kString);
  EXPECT_EQ(Value::Map().MapElemZero().kind(), Kind::kNil);
  EXPECT_EQ(Value::Map("map[string]struct {}").MapElemZero().type_name(), "struct {}");
}

TEST(Value, SlicesOfInterfacesBoxTheirElements) {
  Value s = Value::Slice({Value(1)});
  s.Append(Value("x"));
  EXPECT_TRUE(s.Items()[0].IsBoxed());
  EXPECT_TRUE(s.Items()[1].IsBoxed());
  EXPECT_FALSE(Value::StringSlice({"a"}).Items()[0].IsBoxed());
}

TEST(Value, StructFieldsAndEmbedding) {
  Value inner = Value::Struct("pkg.Inner").Add("X", Value(1));
  Value outer = Value::Struct("pkg.Outer").Add("A", Value("a")).Embed(inner.AsPointer("*pkg.Inner"));
  EXPECT_EQ(outer.FindField("X")->value.AsInt(), 1);
  EXPECT_EQ(outer.FindField("Inner")->value.type_name(), "*pkg.Inner");
  EXPECT_EQ(outer.FindField("Nope"), nullptr);
  EXPECT_EQ(inner.AsPointer("*pkg.Inner").Elem().type_name(), "pkg.Inner");
}

TEST(Value, FromJson) {
  Value v = Value::FromJson(nlohmann::json::parse(R"({"b":[1,2.5,"x",true,null],"a":{"k":-3}})"));
  EXPECT_EQ(v.type_name(), "map[string]interface {}");
  EXPECT_EQ(v.Entries()[0].first, "a");
  const Value& b = *v.FindKey("b");
  EXPECT_EQ(b.Items()[0].type_name(), "int64");
  EXPECT_EQ(b.Items()[1].kind(), Kind::kFloat);
  EXPECT_EQ(b.Items()[4].kind(), Kind::kNil);
  EXPECT_EQ(GoJson(v), R"({"a":{"k":-3},"b":[1,2.5,"x",true,null]})");
}

TEST(GoJson, EncodesLikeEncodingJson) {
  Value s = Value::Struct("main.T")
                .Add("Name", "name", Value("<a&b>"))
                .Add("Empty", "empty", Value(""), true)
                .Add("Zero", "zero", Value(0), true)
                .Add("List", "list", Value::NilSlice("[]string"))
                .Add("Skipped", "-", Value(1))
                .Add("When", "when", Value::Time(0, 120000000))
                .Add("F", "f", Value(1e-7))
                .Add("G", "g", Value(100.0));
  EXPECT_EQ(GoJson(s), R"({"name":"<a&b>","list":null,"when":"1970-01-01T00:00:00.12Z","f":1e-7,"g":100})");
  EXPECT_EQ(GoJson(Value("\t\x01\u2028\"")), "\"\\t\\u0001\\u2028\\\"\"");
  EXPECT_EQ(GoJson(Value("bad\xff")), "\"bad\\ufffd\"");
}

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
}  // namespace kiln::format
