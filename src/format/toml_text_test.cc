#include "format/toml_text.h"

#include <gtest/gtest.h>

namespace kiln::format {
namespace {

TEST(TomlText, ParsesATable) {
  auto t = ParseToml("a = \"x\" # é comments may hold UTF-8\n[b]\nc = 1\n", "/f.toml", "reading");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ((*t)["a"].value<std::string>(), "x");
  EXPECT_EQ((*t)["b"]["c"].value<int64_t>(), 1);
}

TEST(TomlText, RefusesNonAsciiOutsideCommentsBeforeTomlppSeesIt) {
  // U+FEEE (bytes ef bb 8e) outside a comment reaches __builtin_unreachable() in toml++ 3.3.0.
  auto t = ParseToml("a = 1\n\xef\xbb\x8e", "/f.toml", "lint configuration");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(), "lint configuration \"/f.toml\": non-ASCII character on line 2 (only comments may hold one)");
  EXPECT_FALSE(ParseToml("a = \"\xc3\xa9\"", "/f.toml", "x").ok());
}

TEST(TomlText, ReportsParseErrorsWithTheLine) {
  auto t = ParseToml("a = 1\nb = = 2\n", "/f.toml", "loading");
  ASSERT_FALSE(t.ok());
  EXPECT_TRUE(t.status().message().starts_with("loading \"/f.toml\": ")) << t.status().message();
  EXPECT_TRUE(t.status().message().ends_with("(line 2)")) << t.status().message();
}

TEST(TomlText, ReadsAFileOrSaysWhyNot) {
  EXPECT_FALSE(ParseTomlFile("/nonexistent/kiln.toml", "reading").ok());
}

}  // namespace
}  // namespace kiln::format
