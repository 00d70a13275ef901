#include "containerfile/expand.h"

#include <gtest/gtest.h>

#include <map>

namespace kiln::build {
namespace {

VarLookup Vars() {
  static const std::map<std::string, std::string, std::less<>> kVars = {
      {"A", "a"}, {"B", "b c"}, {"EMPTY", ""}, {"PATHV", "/usr/bin"}, {"_x1", "u"}, {"1", "one"},
      {"SP", "  x  y  "}, {"Q", "'q'"},
  };
  return [](std::string_view name) -> std::optional<std::string> {
    auto it = kVars.find(name);
    if (it == kVars.end()) return std::nullopt;
    return it->second;
  };
}

struct WordCase {
  const char* in;
  const char* out;
};

class ExpandWordTest : public testing::TestWithParam<WordCase> {};

TEST_P(ExpandWordTest, Expands) {
  Expected<std::string> got = ExpandWord(GetParam().in, Vars());
  ASSERT_TRUE(got.ok()) << GetParam().in << ": " << got.status().message();
  EXPECT_EQ(*got, GetParam().out) << GetParam().in;
}

INSTANTIATE_TEST_SUITE_P(
    Expand, ExpandWordTest,
    testing::Values(WordCase{"plain", "plain"}, WordCase{"$A", "a"}, WordCase{"${A}", "a"},
                    WordCase{"x${A}y", "xay"}, WordCase{"$A$A", "aa"}, WordCase{"$Ab", ""},
                    WordCase{"${A}b", "ab"}, WordCase{"$UNSET", ""}, WordCase{"${UNSET}", ""},
                    WordCase{"$", "$"}, WordCase{"a$", "a$"}, WordCase{"$/x", "$/x"},
                    WordCase{"${UNSET:-def}", "def"}, WordCase{"${EMPTY:-def}", "def"},
                    WordCase{"${EMPTY-def}", ""}, WordCase{"${UNSET-def}", "def"}, WordCase{"${A:-def}", "a"},
                    WordCase{"${A:+alt}", "alt"}, WordCase{"${EMPTY:+alt}", ""}, WordCase{"${EMPTY+alt}", "alt"},
                    WordCase{"${UNSET+alt}", ""}, WordCase{"${UNSET:-$A}", "a"},
                    WordCase{"${UNSET:-${UNSET2:-deep}}", "deep"}, WordCase{"${A:?must}", "a"},
                    WordCase{"${UNSET:-a b}", "a b"}, WordCase{"'$A'", "$A"}, WordCase{"\"$A\"", "a"},
                    WordCase{"\"'$A'\"", "'a'"}, WordCase{"'\"$A\"'", "\"$A\""}, WordCase{"\\$A", "$A"},
                    WordCase{"\\\\", "\\"}, WordCase{"a\\ b", "a b"}, WordCase{"\"a\\\"b\"", "a\"b"},
                    WordCase{"\"a\\nb\"", "a\\nb"}, WordCase{"\"\\$A\"", "$A"}, WordCase{"\"\\\\\"", "\\"},
                    WordCase{"a\\", "a"}, WordCase{"$_x1", "u"}, WordCase{"$1", "one"}, WordCase{"$12", ""},
                    WordCase{"${1}", "one"}, WordCase{"$B", "b c"}, WordCase{"a  b", "a  b"},
                    WordCase{"''", ""}, WordCase{"\"\"", ""}, WordCase{"${Q}", "'q'"},
                    WordCase{"${UNSET:-'lit $A'}", "lit $A"}, WordCase{"${UNSET:-\"$A\"}", "a"},
                    WordCase{"<<EOF", "<<EOF"}, WordCase{"a<b", "a<b"}, WordCase{"${PATHV}:/bin", "/usr/bin:/bin"}));

TEST(ExpandWordTest, BacktickEscape) {
  EXPECT_EQ(*ExpandWord("`$A", Vars(), '`'), "$A");
  EXPECT_EQ(*ExpandWord("C:\\dir", Vars(), '`'), "C:\\dir");
  EXPECT_EQ(*ExpandWord("\"a`\"b\"", Vars(), '`'), "a\"b");
}

struct ErrorCase {
  const char* in;
  const char* message;
};

class ExpandErrorTest : public testing::TestWithParam<ErrorCase> {};

TEST_P(ExpandErrorTest, Fails) {
  Expected<std::string> got = ExpandWord(GetParam().in, Vars());
  ASSERT_FALSE(got.ok()) << GetParam().in;
  EXPECT_EQ(got.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(got.status().message(), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Expand, ExpandErrorTest,
    testing::Values(
        ErrorCase{"${UNSET:?}", "failed to process \"${UNSET:?}\": UNSET: is not allowed to be unset"},
        ErrorCase{"${EMPTY:?}", "failed to process \"${EMPTY:?}\": EMPTY: is not allowed to be empty"},
        ErrorCase{"${UNSET?need it}", "failed to process \"${UNSET?need it}\": UNSET: need it"},
        ErrorCase{"${UNSET:?need it}", "failed to process \"${UNSET:?need it}\": UNSET: need it"},
        ErrorCase{"${A%x}", "failed to process \"${A%x}\": unsupported modifier (%) in substitution"},
        ErrorCase{"${A#x}", "failed to process \"${A#x}\": unsupported modifier (#) in substitution"},
        ErrorCase{"${A:%x}", "failed to process \"${A:%x}\": unsupported modifier (:%) in substitution"},
        ErrorCase{"${A/x/y}", "failed to process \"${A/x/y}\": unsupported modifier (/) in substitution"},
        ErrorCase{"${A:x}", "failed to process \"${A:x}\": unsupported modifier (:x) in substitution"},
        ErrorCase{"${A", "failed to process \"${A\": syntax error: missing '}'"},
        ErrorCase{"${", "failed to process \"${\": syntax error: missing '}'"},
        ErrorCase{"${}", "failed to process \"${}\": syntax error: bad substitution"},
        ErrorCase{"${:x}", "failed to process \"${:x}\": syntax error: bad substitution"},
        ErrorCase{"${A:-x", "failed to process \"${A:-x\": syntax error: missing '}'"},
        ErrorCase{"'abc", "failed to process \"'abc\": unexpected end of statement while looking for matching single-quote"},
        ErrorCase{"\"abc", "failed to process \"\\\"abc\": unexpected end of statement while looking for matching double-quote"}));

struct WordsCase {
  const char* in;
  std::vector<std::string> out;
};

class ExpandWordsTest : public testing::TestWithParam<WordsCase> {};

TEST_P(ExpandWordsTest, Splits) {
  Expected<std::vector<std::string>> got = ExpandWords(GetParam().in, Vars());
  ASSERT_TRUE(got.ok()) << GetParam().in << ": " << got.status().message();
  EXPECT_EQ(*got, GetParam().out) << GetParam().in;
}

INSTANTIATE_TEST_SUITE_P(
    Expand, ExpandWordsTest,
    testing::Values(WordsCase{"a b  c", {"a", "b", "c"}}, WordsCase{"  a  ", {"a"}}, WordsCase{"", {}},
                    WordsCase{"$B", {"b", "c"}}, WordsCase{"\"$B\"", {"b c"}}, WordsCase{"x$B", {"xb", "c"}},
                    WordsCase{"$SP", {"x", "y"}}, WordsCase{"'a b' c", {"a b", "c"}},
                    WordsCase{"a\\ b c", {"a b", "c"}}, WordsCase{"\"\" a", {"a"}},
                    WordsCase{"${UNSET:-x y}", {"x", "y"}}, WordsCase{"$A/$A", {"a/a"}},
                    WordsCase{"<< EOF x", {"<< EOF", "x"}}, WordsCase{"a\tb\nc", {"a", "b", "c"}}));

TEST(ExpandWordsTest, LexModesForHeredocs) {
  LexMode mode;
  mode.raw_quotes = mode.raw_escapes = mode.skip_unset = true;
  VarLookup none = [](std::string_view) { return std::optional<std::string>(); };
  Expected<std::vector<std::string>> got = ExpandWords("RUN <<'EOF' \\$X $Y ${Z:-w} ${P%x}", none, '\\', mode);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, (std::vector<std::string>{"RUN", "<<'EOF'", "\\$X", "$Y", "${Z:-w}", "${P%x}"}));
}

TEST(ExpandReferencedVarsTest, NamesInOrderOnce) {
  EXPECT_EQ(ReferencedVars("$A ${B} ${C:-$D} $A '$E' \"$F\" \\$G ${H:?x}"),
            (std::vector<std::string>{"A", "B", "D", "C", "F", "H"}));
  EXPECT_TRUE(ReferencedVars("no vars $ here").empty());
  EXPECT_EQ(ReferencedVars("${A%x} $B"), (std::vector<std::string>{"A"}));  // stops at the error
}

}  // namespace
}  // namespace kiln::build
