#include "util/json_text.h"

#include <gtest/gtest.h>

namespace kiln {
namespace {

TEST(JsonText, WritesAsDumpDoes) {
  nlohmann::json j = {{"a", 1}, {"b", "x"}};
  EXPECT_EQ(JsonText(j), j.dump());
  EXPECT_EQ(JsonText(j, 4), j.dump(4));
  EXPECT_EQ(JsonText(j, 1, '\t'), j.dump(1, '\t'));
}

TEST(JsonText, ReplacesBytesThatAreNotUtf8AsGoDoes) {
  nlohmann::json j = {{"label", std::string("a\xd4z")}};
  EXPECT_THROW((void)j.dump(), nlohmann::json::type_error);
  EXPECT_EQ(JsonText(j), "{\"label\":\"a\xef\xbf\xbdz\"}");
  nlohmann::ordered_json o = {{"k", std::string("\xff")}};
  EXPECT_EQ(JsonText(o), "{\"k\":\"\xef\xbf\xbd\"}");
}

}  // namespace
}  // namespace kiln
