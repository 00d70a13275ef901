#include "builder/flags.h"

#include <gtest/gtest.h>

namespace kiln::build {
namespace {

Instruction With(const std::string& kw, const std::string& flag) {
  Instruction ins;
  ins.keyword = kw;
  ins.flags.push_back(Flag{flag, "x", true});
  return ins;
}

TEST(BuildFlagsTest, EachInstructionTakesItsOwnFlags) {
  EXPECT_TRUE(CheckFlags(With("COPY", "from")).ok());
  EXPECT_TRUE(CheckFlags(With("COPY", "link")).ok());
  EXPECT_TRUE(CheckFlags(With("ADD", "checksum")).ok());
  EXPECT_TRUE(CheckFlags(With("RUN", "mount")).ok());
  EXPECT_TRUE(CheckFlags(With("HEALTHCHECK", "interval")).ok());
  EXPECT_EQ(CheckFlags(With("COPY", "checksum")).message(), "unknown flag: checksum");
  EXPECT_EQ(CheckFlags(With("ENV", "x")).message(), "unknown flag: x");
  EXPECT_FALSE(CheckFlags(With("RUN", "from")).ok());
}

TEST(BuildFlagsTest, GoDurations) {
  EXPECT_EQ(*ParseGoDuration("30s"), 30'000'000'000);
  EXPECT_EQ(*ParseGoDuration("1m30s"), 90'000'000'000);
  EXPECT_EQ(*ParseGoDuration("500ms"), 500'000'000);
  EXPECT_EQ(*ParseGoDuration("1.5h"), 5'400'000'000'000);
  EXPECT_EQ(*ParseGoDuration("0"), 0);
  EXPECT_FALSE(ParseGoDuration("").ok());
  EXPECT_FALSE(ParseGoDuration("10").ok());
  EXPECT_FALSE(ParseGoDuration("5x").ok());
  EXPECT_FALSE(ParseGoDuration("s").ok());
}

}  // namespace
TEST(BuildFlagsTest, FlagFieldsWithAliases) {
  auto m = ParseFlagFields("type=bind,src=x,dst=/y,readonly");
  EXPECT_EQ(m["type"], "bind");
  EXPECT_EQ(m["source"], "x");
  EXPECT_EQ(m["target"], "/y");
  EXPECT_EQ(m["ro"], "true");
  EXPECT_EQ(ParseFlagFields("id=tok,source=/s")["source"], "/s");
  EXPECT_EQ(JoinWords({"/bin/sh", "-c"}), "/bin/sh -c");
}

}  // namespace kiln::build
