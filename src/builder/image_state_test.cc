#include "builder/image_state.h"

#include <gtest/gtest.h>

namespace kiln::build {
namespace {

TEST(ImageStateTest, JoinContainerPath) {
  EXPECT_EQ(JoinContainerPath("/", "app"), "/app");
  EXPECT_EQ(JoinContainerPath("/srv", "app"), "/srv/app");
  EXPECT_EQ(JoinContainerPath("/srv", "/abs"), "/abs");
  EXPECT_EQ(JoinContainerPath("/srv/app", "../x/./y"), "/srv/x/y");
  EXPECT_EQ(JoinContainerPath("/srv", ".", true), "/srv/");
  EXPECT_EQ(JoinContainerPath("/srv", "dir/", true), "/srv/dir/");
  EXPECT_EQ(JoinContainerPath("/srv", "dir/", false), "/srv/dir");
  EXPECT_EQ(JoinContainerPath("/", "../../.."), "/");
}

TEST(ImageStateTest, EnvSetReplacesInPlace) {
  ImageState s = StateFromScratch();
  s.SetEnv("A", "1");
  s.SetEnv("PATH", "/bin");
  s.SetEnv("A", "2");
  EXPECT_EQ(s.Env(), (std::vector<std::string>{"PATH=/bin", "A=2"}));
  EXPECT_EQ(s.GetEnv("A"), "2");
  EXPECT_FALSE(s.GetEnv("AB").has_value());
}

TEST(ImageStateTest, GoOsExpandFollowsGo) {
  auto lookup = [](const std::string& name) { return name == "K" ? std::string("v") : "<" + name + ">"; };
  EXPECT_EQ(GoOsExpand("$K-x", lookup), "v-x");
  EXPECT_EQ(GoOsExpand("${K}x", lookup), "vx");
  EXPECT_EQ(GoOsExpand("$Kx", lookup), "<Kx>");
  EXPECT_EQ(GoOsExpand("a$", lookup), "a$");       // a trailing '$' stays
  EXPECT_EQ(GoOsExpand("a$/b", lookup), "a$/b");   // no name after '$': kept
  EXPECT_EQ(GoOsExpand("$$", lookup), "<$>");      // a special one-character name
  EXPECT_EQ(GoOsExpand("${1}2", lookup), "<1>2");
  EXPECT_EQ(GoOsExpand("a${}b", lookup), "ab");    // bad syntax is eaten
  EXPECT_EQ(GoOsExpand("a${b", lookup), "ab");     // "${" eaten, the rest kept
  EXPECT_EQ(GoOsExpand("plain", lookup), "plain");
}

TEST(ImageStateTest, FinalConfigSetsExpandsUnsetsAndOmitsHistory) {
  ImageState s = StateFromScratch();
  s.SetEnv("K", "v");
  s.AddHistory(image::HistoryEntry{}, std::nullopt);
  FinalConfigFlags f;
  f.env = {{"E", "1", true}, {"F", "$K-x", true}, {"G", "$NOPE", true}, {"H", "$K", false}, {"K", "w", true}};
  f.unset_env = {"E"};
  f.omit_history = true;
  std::vector<std::string> warnings;
  ApplyFinalConfig(s, f, [&](const std::string& w) { warnings.push_back(w); });
  // The values expand against the variables as they are when each is set (F sees K=v).
  EXPECT_EQ(s.Env(), (std::vector<std::string>{kDefaultPath, "K=w", "F=v-x", "G=NOPE", "H=$K"}));
  EXPECT_EQ(warnings, (std::vector<std::string>{"error expanding variable \"NOPE\": no value set in image"}));
  EXPECT_FALSE(s.config.contains("history"));
  EXPECT_TRUE(FinalConfigFlags{}.empty());
  EXPECT_FALSE(f.empty());
  EXPECT_NE(f.Describe(), FinalConfigFlags{}.Describe());
}

TEST(ImageStateTest, FinalConfigOsVersionFeaturesAndVariant) {
  ImageState s = StateFromScratch();
  FinalConfigFlags f;
  f.os_version = "10.1";
  f.os_features = {"f1", "f2", "f3", "f1-", "f2"};  // as buildah: added once, "-" removes
  f.variant = "v3";
  ApplyFinalConfig(s, f, nullptr);
  EXPECT_EQ(s.config["os.version"], "10.1");
  EXPECT_EQ(s.config["os.features"], Json::array({"f2", "f3"}));
  EXPECT_NE(f.Describe(), FinalConfigFlags{}.Describe());
  s.Normalize();  // the image-spec's order, as podman writes it
  std::string text = s.config.dump();
  EXPECT_LT(text.find("\"architecture\""), text.find("\"variant\""));
  EXPECT_LT(text.find("\"variant\""), text.find("\"os\""));
  EXPECT_LT(text.find("\"os\""), text.find("\"os.version\""));
  EXPECT_LT(text.find("\"os.version\""), text.find("\"os.features\""));
  EXPECT_LT(text.find("\"os.features\""), text.find("\"config\""));
  f.os_features = {"f2-", "f3-"};
  ApplyFinalConfig(s, f, nullptr);
  EXPECT_FALSE(s.config.contains("os.features"));
}

TEST(ImageStateTest, BaseWithoutPathGetsBuildahDefault) {
  image::ImageConfig base;
  base.json = Json::parse(R"({"config":{"Env":["X=1"]}})");
  ImageState s = StateFromBase(base, {}, "id");
  // after the base's variables, as podman's `FROM` of such an image gives ["X=1","PATH=…"]
  EXPECT_EQ(s.Env(), (std::vector<std::string>{"X=1", kDefaultPath}));
  EXPECT_TRUE(s.path_defaulted);
  base.json = Json::parse(R"({"config":{"Env":["PATH=/bin"]}})");
  EXPECT_FALSE(StateFromBase(base, {}, "id").path_defaulted);
}

TEST(ImageStateTest, NormalizeOrdersLikeGo) {
  ImageState s;
  s.config = Json::parse(
      R"({"history":[],"config":{"Labels":{"b":"1","a":"2"},"Cmd":["sh"],"User":"u","ExposedPorts":{"90/tcp":{},"8080/tcp":{}}},"os":"linux","created":"x","architecture":"amd64"})");
  s.Normalize();
  EXPECT_EQ(s.config.dump(),
            R"({"created":"x","architecture":"amd64","os":"linux","config":{"User":"u","ExposedPorts":{"8080/tcp":{},"90/tcp":{}},"Cmd":["sh"],"Labels":{"a":"2","b":"1"}},"history":[]})");
}

TEST(ImageStateTest, HistoryAndDiffIds) {
  ImageState s = StateFromScratch();
  image::HistoryEntry h;
  h.created_by = NopCreatedBy("ENV A=b");
  h.empty_layer = true;
  s.AddHistory(h, std::nullopt);
  auto d = Digest::OfBytes("layer");
  h.created_by = "/bin/sh -c true";
  h.empty_layer = false;
  s.AddHistory(h, d);
  EXPECT_EQ(s.config["history"].size(), 2u);
  EXPECT_EQ(s.config["history"][0]["created_by"], "/bin/sh -c #(nop) ENV A=b");
  EXPECT_EQ(s.config["rootfs"]["diff_ids"][0], d.str());
}

TEST(ImageStateTest, RunCreatedByKeepsTheLineAsWritten) {
  EXPECT_EQ(RunCommandText("RUN --mount=type=cache,target=/c ls /c "), "/bin/sh -c --mount=type=cache,target=/c ls /c ");
  EXPECT_EQ(RunCommandText("run [\"ls\"]"), "/bin/sh -c [\"ls\"]");
  EXPECT_EQ(RunCreatedBy("/bin/sh -c ls", {}), "/bin/sh -c ls");
  EXPECT_EQ(RunCreatedBy("/bin/sh -c echo $A", {{"A", "1"}, {"B", "x y"}}), "|3 A=1 B=x y /bin/sh -c echo $A");
}

TEST(ImageStateTest, MoveEnvToEndKeepsTheOthersInOrder) {
  ImageState s;
  s.SetEnv("PATH", "/bin");
  s.SetEnv("B", "1");
  s.SetEnv("C", "2");
  s.SetEnv("D", "3");
  s.MoveEnvToEnd({"B", "X"});
  EXPECT_EQ(s.Env(), (std::vector<std::string>{"PATH=/bin", "C=2", "D=3", "B=1"}));
  s.MoveEnvToEnd({"D", "B"});
  EXPECT_EQ(s.Env(), (std::vector<std::string>{"PATH=/bin", "C=2", "D=3", "B=1"}));
}

TEST(ImageStateTest, VolumeSetAsImagebuilder) {
  std::vector<std::string> set;
  EXPECT_TRUE(VolumeSetAdd(set, "/vol/subvol"));
  EXPECT_FALSE(VolumeSetAdd(set, "/vol/subvol/"));
  EXPECT_FALSE(VolumeSetAdd(set, "/vol/subvol/x"));
  EXPECT_TRUE(VolumeSetAdd(set, "/other"));
  EXPECT_TRUE(VolumeSetAdd(set, "/vol"));  // replaces /vol/subvol
  EXPECT_EQ(set, (std::vector<std::string>{"/other", "/vol"}));
  EXPECT_FALSE(VolumeSetAdd(set, "/vol/subvol"));
  EXPECT_TRUE(VolumeSetAdd(set, "/"));
  EXPECT_FALSE(VolumeSetAdd(set, "/anything"));
}

TEST(ImageStateTest, Ports) {
  EXPECT_EQ(NormalizePort("8080"), "8080/tcp");
  EXPECT_EQ(NormalizePort("53/udp"), "53/udp");
}

}  // namespace
}  // namespace kiln::build
