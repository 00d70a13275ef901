#include "image/config.h"

#include <gtest/gtest.h>

namespace kiln::image {
namespace {

const char kPodmanImportConfig[] =
    R"({"created":"2026-11-28T00:45:28.741834044Z","architecture":"amd64","os":"linux","config":{},)"
    R"("rootfs":{"type":"layers","diff_ids":["sha256:7846d2e601c6e6636b6f6133411c5e8d61aa4ce648f9272b0bd63dc6ab593f2d"]},)"
    R"("history":[{"created":"2026-11-28T00:45:28.741834044Z","created_by":"/bin/sh -c #(nop) ADD file:)"
    R"(7846d2e601c6e6636b6f6133411c5e8d61aa4ce648f9272b0bd63dc6ab593f2d in /","comment":"imported from tarball"}]})";

TEST(ConfigTest, ImportConfigIsByteIdenticalToPodmans) {
  auto diff = Digest::Parse("sha256:7846d2e601c6e6636b6f6133411c5e8d61aa4ce648f9272b0bd63dc6ab593f2d");
  ImageConfig c = NewImportConfig(1795826728741834044LL, *diff, "imported from tarball");
  EXPECT_EQ(c.Serialize(), kPodmanImportConfig);
  // …so the image ID is the one podman printed for the same tarball and time.
  EXPECT_EQ(Digest::OfBytes(c.Serialize()).hex(),
            "5f62bcd4c57d8a26cf196d912a21ea77d6fe63c34bf64137b05336fe67b7fa7d");
}

TEST(ConfigTest, ParsesFields) {
  auto c = ParseConfig(kPodmanImportConfig);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->Created(), 1795826728741834044LL);
  ASSERT_EQ(c->DiffIds().size(), 1u);
  ASSERT_EQ(c->History().size(), 1u);
  EXPECT_EQ(c->History()[0].comment, "imported from tarball");
  EXPECT_TRUE(c->RuntimeConfig().empty());
  EXPECT_EQ(c->Os(), "linux");
}

TEST(ConfigTest, RejectsNonObjects) {
  EXPECT_FALSE(ParseConfig("[]").ok());
  EXPECT_FALSE(ParseConfig("{").ok());
}

TEST(ManifestTest, OciManifestMatchesPodmansBytes) {
  Manifest m;
  m.media_type = std::string(kOciManifest);
  m.config = {std::string(kOciConfig),
              *Digest::Parse("sha256:5f62bcd4c57d8a26cf196d912a21ea77d6fe63c34bf64137b05336fe67b7fa7d"), 409};
  m.layers.push_back({std::string(kOciLayerTar),
                      *Digest::Parse("sha256:7846d2e601c6e6636b6f6133411c5e8d61aa4ce648f9272b0bd63dc6ab593f2d"),
                      1996800});
  EXPECT_EQ(Digest::OfBytes(m.Serialize()).str(),
            "sha256:201b90e09c89df528e02fcd0f65484d4508c674e9950f6342f1d2c5528d1398d");
  auto back = ParseManifest(m.Serialize());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->layers.size(), 1u);
  EXPECT_EQ(back->config.size, 409);
}

TEST(ChainIdTest, FollowsOciDefinition) {
  auto a = Digest::OfBytes("a"), b = Digest::OfBytes("b");
  auto chain = ChainIds({a, b});
  ASSERT_EQ(chain.size(), 2u);
  EXPECT_EQ(chain[0], a);
  EXPECT_EQ(chain[1], Digest::OfBytes(a.str() + " " + b.str()));
}

TEST(ManifestTest, HostileDescriptorsAreRefused) {
  const std::string d = "sha256:7846d2e601c6e6636b6f6133411c5e8d61aa4ce648f9272b0bd63dc6ab593f2d";
  auto with = [&](const std::string& config) { return ParseManifest(R"({"schemaVersion":2,"config":)" + config + "}"); };
  EXPECT_TRUE(with(R"({"mediaType":"x","digest":")" + d + R"(","size":3})").ok());
  EXPECT_FALSE(with(R"({"digest":")" + d + R"(","size":-1})").ok());
  EXPECT_FALSE(with(R"({"digest":")" + d + R"(","size":1.5})").ok());
  EXPECT_FALSE(with(R"({"digest":"sha256:abc","size":3})").ok());
  EXPECT_FALSE(with(R"({"digest":"md5:7846d2e601c6e6636b6f6133411c5e8d","size":3})").ok());
  EXPECT_FALSE(with(R"("x")").ok());
  EXPECT_FALSE(ParseManifest("[]").ok());
}

}  // namespace
}  // namespace kiln::image
