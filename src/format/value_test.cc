#include "format/value.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "format/gojson.h"

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

}  // namespace
}  // namespace kiln::format
