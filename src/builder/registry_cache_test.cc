#include "builder/registry_cache.h"

#include <gtest/gtest.h>

#include "store/store_testing.h"

namespace kiln::build {
namespace {

TEST(RegistryCacheTest, RepositoryIsNormalisedAndHasNoTag) {
  auto r = ParseCacheRepository("localhost:5000/cache", "--cache-to");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, "localhost:5000/cache");
  r = ParseCacheRepository("quay.io/team/build-cache", "--cache-from");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "quay.io/team/build-cache");
  r = ParseCacheRepository("cache", "--cache-from");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "docker.io/library/cache");
}

TEST(RegistryCacheTest, TagsDigestsAndBadNamesAreRefusedInBuildahsWords) {
  auto r = ParseCacheRepository("foo:tag", "--cache-to");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "unable to parse value provided `foo:tag` to --cache-to: repository must contain neither a tag nor "
            "digest: docker.io/library/foo:tag");
  r = ParseCacheRepository("Bad//x", "--cache-to");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "unable to parse value provided `Bad//x` to --cache-to: invalid repo \"Bad//x\": must contain registry "
            "and repository: invalid reference format: repository name must be lowercase");
  r = ParseCacheRepository("localhost:5000/c@sha256:" + std::string(64, 'a'), "--cache-from");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("repository must contain neither a tag nor digest"), std::string::npos);
}

TEST(RegistryCacheTest, ReferenceIsRepositoryColonKey) {
  const std::string key(64, 'f');
  EXPECT_EQ(CacheReference("localhost:5000/cache", key), "localhost:5000/cache:" + key);
}

class RegistryCacheStoreTest : public store::StoreTest {};

// Port 1 on 127.0.0.1: nothing listens, the connection is refused at once.
TEST_F(RegistryCacheStoreTest, ARegistryThatIsDownWarnsOnceAndIsNotAskedAgain) {
  RegistryCacheOptions o;
  o.from = {"127.0.0.1:1/cache"};
  o.to = {"127.0.0.1:1/cache"};
  o.client.tls_verify = false;
  o.client.retries = 0;
  std::vector<std::string> warnings;
  RegistryCache rc(*store_, o, [&](const std::string& w) { warnings.push_back(w); });
  const std::string key(64, 'a');
  auto any = [](int64_t) { return true; };
  EXPECT_EQ(rc.Find(key, any), nullptr);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("not using the cache in 127.0.0.1:1/cache"), std::string::npos) << warnings[0];
  EXPECT_EQ(rc.Find(std::string(64, 'b'), any), nullptr);
  EXPECT_TRUE(rc.PushLater(std::string(64, 'c'), key).empty());
  rc.Drain();
  EXPECT_EQ(warnings.size(), 1u);
}

TEST_F(RegistryCacheStoreTest, APushThatFailsWarnsOnceAndPushesNothing) {
  RegistryCacheOptions o;
  o.to = {"127.0.0.1:1/cache"};
  o.client.tls_verify = false;
  o.client.retries = 0;
  std::vector<std::string> warnings;
  RegistryCache rc(*store_, o, [&](const std::string& w) { warnings.push_back(w); });
  EXPECT_FALSE(rc.pulls());
  EXPECT_TRUE(rc.pushes());
  std::string id = AddImage("x", {}).id;
  // Queued: the reference is known at once, the failure when the pusher gets to it.
  EXPECT_EQ(rc.PushLater(id, std::string(64, 'a')), std::vector<std::string>{"127.0.0.1:1/cache:" + std::string(64, 'a')});
  rc.Drain();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_TRUE(rc.PushLater(id, std::string(64, 'b')).empty());
  rc.Drain();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].rfind("pushing cache 127.0.0.1:1/cache:" + std::string(64, 'a') + " failed", 0), 0u)
      << warnings[0];
}

}  // namespace
}  // namespace kiln::build
