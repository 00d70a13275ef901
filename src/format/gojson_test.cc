#include "format/gojson.h"

#include <gtest/gtest.h>

namespace kiln::format {
namespace {

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

}  // namespace
}  // namespace kiln::format
