#include "containers/volumes.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "containers/containers_testing.h"
#include "containers/containers.h"
#include "util/fs.h"
#include "util/io.h"

namespace kiln::containers {
namespace {

namespace fs = std::filesystem;
using Kind = VolumeSpec::Kind;

TEST(ParseVolumeSpecTest, KindsOfWords) {
  auto anon = ParseVolumeSpec("/data");
  ASSERT_TRUE(anon.ok());
  EXPECT_EQ(anon->kind, Kind::kAnonymous);
  EXPECT_EQ(anon->destination, "/data");
  EXPECT_EQ(ParseVolumeSpec("/data:ro").status().message(), "invalid container path \"ro\", must be an absolute path");
  auto named = ParseVolumeSpec("cache:/var/cache:ro,z");
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->kind, Kind::kNamed);
  EXPECT_EQ(named->source, "cache");
  EXPECT_TRUE(named->readonly);
  auto host = ParseVolumeSpec("/srv:/srv");
  ASSERT_TRUE(host.ok());
  EXPECT_EQ(host->kind, Kind::kHost);
  EXPECT_FALSE(host->readonly);
  auto rel = ParseVolumeSpec("./x:/x");
  ASSERT_TRUE(rel.ok());
  EXPECT_EQ(rel->kind, Kind::kHost);
}

TEST(ParseVolumeSpecTest, PodmansErrors) {
  EXPECT_EQ(ParseVolumeSpec("a:b:c:d").status().message(),
            "a:b:c:d: incorrect volume format, should be [host-dir:]ctr-dir[:option]");
  EXPECT_EQ(ParseVolumeSpec("rel").status().message(), "invalid container path \"rel\", must be an absolute path");
  EXPECT_EQ(ParseVolumeSpec("foo:rel").status().message(), "invalid container path \"rel\", must be an absolute path");
  EXPECT_EQ(ParseVolumeSpec("foo:/x:bogus").status().message(), "invalid option type \"bogus\"");
  EXPECT_EQ(ParseVolumeSpec("bad!name:/x").status().message(),
            "creating named volume \"bad!name\": running volume create option: names must match "
            "[a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument");
}

class VolumesTest : public EngineFixture {
 protected:
  VolumesTest() : EngineFixture({"VOLUME /image-vol"}) {}
  std::vector<std::string> Names() {
    store::Volumes rows(store_->db());
    std::vector<std::string> out;
    auto list = rows.List();
    EXPECT_TRUE(list.ok());
    if (list.ok())
      for (const auto& v : *list) out.push_back(v.name);
    return out;
  }
};

TEST_F(VolumesTest, CreateMakesDataDirAndRow) {
  auto v = CreateVolume(store_->db(), store_->root(), {"data", "", {"a=b", "c"}, {"nocopy"}, false});
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_TRUE(fs::is_directory(store::VolumeDataPath(store_->root(), "data")));
  EXPECT_EQ(v->labels.at("a"), "b");
  EXPECT_EQ(v->labels.at("c"), "");
  auto again = CreateVolume(store_->db(), store_->root(), {"data", "", {}, {}, false});
  EXPECT_EQ(again.status().code(), Code::kAlreadyExists);
  EXPECT_EQ(again.status().message(), "volume with name data already exists: volume already exists");
  EXPECT_FALSE(CreateVolume(store_->db(), store_->root(), {"bad!", "", {}, {}, false}).ok());
  EXPECT_FALSE(CreateVolume(store_->db(), store_->root(), {"x", "other", {}, {}, false}).ok());
  EXPECT_FALSE(CreateVolume(store_->db(), store_->root(), {"y", "", {}, {"type=tmpfs"}, false}).ok());
  EXPECT_EQ(Names(), std::vector<std::string>{"data"});
}

TEST_F(VolumesTest, ContainerGetsNamedAnonymousAndImageVolumes) {
  CreateOptions o;
  o.volumes = {"named:/named", "/anon"};
  auto c = MustCreate(o);
  auto mounts = MountsOf(c);
  ASSERT_EQ(mounts.size(), 3u);
  EXPECT_EQ(mounts[0].name, "named");
  EXPECT_EQ(mounts[1].destination, "/anon");
  EXPECT_EQ(mounts[1].name.size(), 64u);
  EXPECT_EQ(mounts[2].destination, "/image-vol");
  store::Volumes rows(store_->db());
  EXPECT_FALSE(rows.Get("named")->anonymous);
  EXPECT_TRUE(rows.Get(mounts[1].name)->anonymous);
  auto spec = SpecFor(*store_, c);
  ASSERT_TRUE(spec.ok());
  bool bound = false;
  for (const auto& b : spec->binds) bound |= b.source == store::VolumeDataPath(store_->root(), "named") && b.destination == "/named";
  EXPECT_TRUE(bound);
}

TEST_F(VolumesTest, InUseRefusedUnlessForced) {
  CreateOptions o;
  o.volumes = {"data:/data"};
  auto c = MustCreate(o);
  EXPECT_EQ(VolumeUsers(store_->db(), "data").value(), std::vector<std::string>{c.id});
  Status refused = RemoveVolume(*store_, "data", false, 0, nullptr);
  EXPECT_EQ(refused.code(), Code::kInUse);
  EXPECT_EQ(refused.message(), "volume data is being used by the following container(s): " + c.id + ": volume is being used");
  EXPECT_TRUE(RemoveVolume(*store_, "data", true, 0, nullptr).ok());
  store::Containers ctrs(store_->db());
  EXPECT_FALSE(ctrs.Get(c.id).ok());  // force took the container with it
  EXPECT_FALSE(fs::exists(store::VolumeDir(store_->root(), "data")));
  EXPECT_EQ(RemoveVolume(*store_, "data", false, 0, nullptr).code(), Code::kNotFound);
}

TEST_F(VolumesTest, RemovingAContainerKeepsSharedAnonymousVolumes) {
  CreateOptions first;
  first.name = "first";
  auto a = MustCreate(first);  // its anonymous volume: the image's /image-vol
  CreateOptions second;
  second.volumes_from = {"first:ro"};
  auto b = MustCreate(second);
  auto shared = MountsOf(b);
  ASSERT_EQ(shared.size(), 1u);
  EXPECT_EQ(shared[0].name, MountsOf(a)[0].name);
  EXPECT_TRUE(shared[0].readonly);
  ASSERT_TRUE(Remove(*store_, b, false, 0, nullptr).ok());
  RemoveAnonymousVolumes(store_->db(), store_->root(), b);
  EXPECT_EQ(Names().size(), 1u);  // still used by the first
  ASSERT_TRUE(Remove(*store_, a, false, 0, nullptr).ok());
  RemoveAnonymousVolumes(store_->db(), store_->root(), a);
  EXPECT_TRUE(Names().empty());
}

TEST_F(VolumesTest, VolumesFromErrors) {
  CreateOptions o;
  o.image = "base:1";
  o.volumes_from = {"nope"};
  EXPECT_EQ(Create(*store_, o, nullptr).status().message(),
            "looking up container \"nope\" for volumes-from: no container with name or ID \"nope\" found: no such container");
  MustCreate(CreateOptions{.name = "src"});
  o.volumes_from = {"src:bogus"};
  EXPECT_EQ(Create(*store_, o, nullptr).status().message(),
            "invalid option \"bogus\" specified - volumes from another container can only use z,ro,rw options");
}

TEST_F(VolumesTest, FailedCreateLeavesNoVolumes) {
  CreateOptions o;
  o.image = "base:1";
  o.volumes = {"data:/data", "/srv-does-not-exist:/srv"};
  EXPECT_FALSE(Create(*store_, o, nullptr).ok());
  o.volumes = {"data:/data"};
  o.name = "bad name";
  EXPECT_FALSE(Create(*store_, o, nullptr).ok());
  EXPECT_TRUE(Names().empty());
}

TEST_F(VolumesTest, PruneAndFilter) {
  ASSERT_TRUE(CreateVolume(store_->db(), store_->root(), {"keep", "", {"k=v"}, {}, false}).ok());
  ASSERT_TRUE(CreateVolume(store_->db(), store_->root(), {"used", "", {}, {}, false}).ok());
  CreateOptions o;
  o.volumes = {"used:/u"};
  auto c = MustCreate(o);
  store::Volumes rows(store_->db());
  auto dangling = FilterVolumes(store_->db(), rows.List().value(), {"dangling=true"});
  ASSERT_TRUE(dangling.ok());
  ASSERT_EQ(dangling->size(), 1u);
  EXPECT_EQ((*dangling)[0].name, "keep");
  EXPECT_EQ(FilterVolumes(store_->db(), rows.List().value(), {"label=k=v"})->size(), 1u);
  EXPECT_EQ(FilterVolumes(store_->db(), rows.List().value(), {"anonymous=true"})->size(), 1u);
  EXPECT_EQ(FilterVolumes(store_->db(), rows.List().value(), {"bogus=1"}).status().message(), "\"bogus\" is an invalid volume filter");
  auto pruned = PruneVolumes(*store_, {"label=nope"});
  ASSERT_TRUE(pruned.ok());
  EXPECT_TRUE(pruned->empty());
  pruned = PruneVolumes(*store_, {});
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, std::vector<std::string>{"keep"});
  EXPECT_EQ(Names().size(), 2u);  // "used" and the image's anonymous volume of c
}

}  // namespace
}  // namespace kiln::containers
