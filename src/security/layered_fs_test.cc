#include "security/layered_fs.h"

#include <gtest/gtest.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "security/catalog.h"

namespace kiln::security {
namespace {

namespace fs = std::filesystem;

class LayeredFsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("kiln-layered-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  std::string Layer(int i) { return (root_ / std::to_string(i)).string(); }
  void Write(int layer, const std::string& path, const std::string& text) {
    fs::path p = fs::path(Layer(layer)) / path;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  void Mkdir(int layer, const std::string& path) { fs::create_directories(fs::path(Layer(layer)) / path); }
  void Symlink(int layer, const std::string& target, const std::string& path) {
    fs::create_directories((fs::path(Layer(layer)) / path).parent_path());
    fs::create_symlink(target, fs::path(Layer(layer)) / path);
  }
  // The whiteout as kiln writes it without mknod rights: a ".wh.NAME" file.
  void Whiteout(int layer, const std::string& dir, const std::string& name) { Write(layer, dir + "/.wh." + name, ""); }
  void Opaque(int layer, const std::string& dir) { Write(layer, dir + "/.wh..wh..opq", ""); }
  LayeredFs Fs(int n) {
    std::vector<LayerRef> layers;
    for (int i = 0; i < n; ++i) {
      fs::create_directories(Layer(i));
      layers.push_back({Layer(i), "sha256:" + std::string(64, static_cast<char>('0' + i)), "layer " + std::to_string(i)});
    }
    return LayeredFs(layers);
  }
  std::string Read(const LayeredFs& lfs, const std::string& path, size_t upto) {
    auto r = lfs.ReadFile(path, upto);
    EXPECT_TRUE(r.ok());
    return r.ok() && *r ? **r : "<none>";
  }

  fs::path root_;
};

TEST_F(LayeredFsTest, UpperLayerWinsAndViewsTakeLayersUpToOne) {
  Write(0, "etc/a", "base");
  Write(1, "etc/a", "changed");
  Write(1, "etc/b", "new");
  auto lfs = Fs(2);
  EXPECT_EQ(Read(lfs, "/etc/a", 1), "changed");
  EXPECT_EQ(Read(lfs, "/etc/a", 0), "base");
  EXPECT_EQ(Read(lfs, "/etc/b", 0), "<none>");
  EXPECT_EQ(lfs.Lookup("/etc/a")->layer, 1u);
  EXPECT_EQ(lfs.LayersChanging("/etc/a"), (std::vector<size_t>{0, 1}));
  EXPECT_EQ(lfs.LayersChanging("/etc/b"), (std::vector<size_t>{1}));
}

TEST_F(LayeredFsTest, WhiteoutsHideFilesAndDirectories) {
  Write(0, "var/lib/dpkg/status", "x");
  Write(0, "opt/tool/bin", "x");
  Write(0, "keep", "x");
  Whiteout(1, "var/lib", "dpkg");
  Whiteout(1, "opt/tool", "bin");
  auto lfs = Fs(2);
  EXPECT_FALSE(lfs.Lookup("/var/lib/dpkg/status"));
  EXPECT_FALSE(lfs.Lookup("/var/lib/dpkg"));
  EXPECT_FALSE(lfs.Lookup("/opt/tool/bin"));
  EXPECT_TRUE(lfs.Lookup("/var/lib/dpkg/status", 0));
  EXPECT_TRUE(lfs.Lookup("/keep"));
  EXPECT_EQ(lfs.LayersChanging("/var/lib/dpkg/status"), (std::vector<size_t>{0, 1}));
  EXPECT_TRUE(lfs.LayerDeletes(1));
  EXPECT_FALSE(lfs.LayerDeletes(0));
  EXPECT_EQ(lfs.ListDir("/opt/tool"), std::vector<std::string>{});
}

TEST_F(LayeredFsTest, OverlayCharacterDeviceWhiteout) {
  Write(0, "etc/gone", "x");
  Mkdir(1, "etc");
  if (::mknod((Layer(1) + "/etc/gone").c_str(), S_IFCHR | 0600, makedev(0, 0)) != 0) GTEST_SKIP() << "no mknod";
  auto lfs = Fs(2);
  EXPECT_FALSE(lfs.Lookup("/etc/gone"));
  EXPECT_TRUE(lfs.LayerDeletes(1));
}

TEST_F(LayeredFsTest, OpaqueDirectoryHidesLowerContents) {
  Write(0, "app/old", "x");
  Write(1, "app/new", "y");
  Opaque(1, "app");
  auto lfs = Fs(2);
  EXPECT_FALSE(lfs.Lookup("/app/old"));
  EXPECT_TRUE(lfs.Lookup("/app/new"));
  EXPECT_EQ(lfs.ListDir("/app"), std::vector<std::string>{"new"});
  std::vector<std::string> walked;
  lfs.Walk([](const std::string&) { return true; }, [&](const std::string& p, const LayeredFs::Entry&) { walked.push_back(p); });
  EXPECT_EQ(walked, std::vector<std::string>{"/app/new"});
}

TEST_F(LayeredFsTest, SymlinkedDirectoriesAreFollowedInsideTheImage) {
  Write(0, "usr/lib/x/libc.so", "elf");
  Symlink(0, "usr/lib", "lib");
  Symlink(0, "/usr/lib/x", "usr/lib64");
  auto lfs = Fs(1);
  EXPECT_EQ(Read(lfs, "/lib/x/libc.so", 0), "elf");
  EXPECT_EQ(Read(lfs, "/usr/lib64/libc.so", 0), "elf");
  EXPECT_EQ(Read(lfs, "/lib/../lib/x/libc.so", 0), "elf");
  EXPECT_TRUE(S_ISLNK(lfs.Lookup("/lib")->st.st_mode));  // the last component is not followed
}

TEST_F(LayeredFsTest, WalkMergesLayersAndSkipsWhiteouts) {
  Write(0, "a/1", "");
  Write(0, "a/2", "");
  Write(1, "a/3", "");
  Whiteout(1, "a", "1");
  Write(2, "b", "");
  auto lfs = Fs(3);
  std::vector<std::string> walked;
  lfs.Walk([](const std::string&) { return true; },
           [&](const std::string& p, const LayeredFs::Entry& e) { walked.push_back(p + "@" + std::to_string(e.layer)); });
  EXPECT_EQ(walked, (std::vector<std::string>{"/a/2@0", "/a/3@1", "/b@2"}));
}

TEST_F(LayeredFsTest, DatabaseOriginsFollowTheRunOfLayersThatKeptThePackage) {
  // Layer 0 installs a 1 and b 1, layer 1 upgrades b and adds c, layer 2 removes a.
  Write(0, "db", "a 1\nb 1\n");
  Write(1, "db", "a 1\nb 2\nc 1\n");
  Write(2, "db", "b 2\nc 1\n");
  auto lfs = Fs(3);
  auto parse = [](const std::string& host) -> Expected<std::vector<Package>> {
    std::ifstream in(host);
    std::vector<Package> out;
    Package p;
    while (in >> p.name >> p.version) out.push_back(p);
    return out;
  };
  auto pkgs = ReadDatabaseWithOrigins(lfs, "/db", parse);
  ASSERT_TRUE(pkgs.ok());
  std::vector<std::string> got;
  for (const auto& p : *pkgs) got.push_back(p.name + p.version + "@" + std::to_string(p.layer));
  EXPECT_EQ(got, (std::vector<std::string>{"b2@1", "c1@1"}));
}

}  // namespace
}  // namespace kiln::security
