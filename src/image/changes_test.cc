#include "image/changes.h"

#include <gtest/gtest.h>

namespace kiln::image {
namespace {

Json Apply(std::initializer_list<const char*> changes) {
  Json cfg = Json::object();
  for (const char* c : changes) EXPECT_TRUE(ApplyChange(cfg, c).ok()) << c;
  return cfg;
}

TEST(ChangesTest, CmdShellAndExecForms) {
  EXPECT_EQ(Apply({"CMD /bin/sh -c \"echo hi\""}).dump(),
            R"({"Cmd":["/bin/sh","-c","/bin/sh -c \"echo hi\""]})");
  EXPECT_EQ(Apply({R"(ENTRYPOINT ["/bin/sh", "-c"])"}).dump(), R"({"Entrypoint":["/bin/sh","-c"]})");
}

TEST(ChangesTest, EnvPairsAndLegacyForm) {
  EXPECT_EQ(Apply({"ENV A=1 B=\"two words\""})["Env"].dump(), R"(["A=1","B=two words"])");
  EXPECT_EQ(Apply({"ENV A one two"})["Env"].dump(), R"(["A=one two"])");
  EXPECT_EQ(Apply({"ENV A=1", "ENV A=2"})["Env"].dump(), R"(["A=2"])");
}

TEST(ChangesTest, ExposeDefaultsToTcpAndKeysAreInPodmanOrder) {
  Json cfg = Apply({"LABEL x=y", "WORKDIR /tmp", "EXPOSE 80 53/udp", "USER nobody"});
  EXPECT_EQ(cfg.dump(), R"({"User":"nobody","ExposedPorts":{"53/udp":{},"80/tcp":{}},"WorkingDir":"/tmp","Labels":{"x":"y"}})");
}

TEST(ChangesTest, UnknownInstructionIsRefusedWithPodmansText) {
  Json cfg = Json::object();
  Status st = ApplyChange(cfg, "FOO bar");
  EXPECT_EQ(st.message(), "invalid change \"FOO bar\" - invalid instruction FOO");
  EXPECT_TRUE(cfg.empty());
}

TEST(ChangesTest, SplitWordsHonoursQuotes) {
  auto w = SplitWords(R"(a "b c" 'd e' f\ g)");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(*w, (std::vector<std::string>{"a", "b c", "d e", "f g"}));
  EXPECT_FALSE(SplitWords("\"open").ok());
}

}  // namespace
}  // namespace kiln::image
