#include "analysis/changes.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <filesystem>
#include <fstream>

#include "util/fs.h"

namespace kiln::analysis {
namespace {

namespace fs = std::filesystem;

class LayerChangesTest : public ::testing::Test {
 protected:
  void SetUp() override { root_ = *tmp_.Create("changes-test"); }
  std::string Layer(const std::string& name) {
    std::string dir = root_ + "/" + name;
    fs::create_directories(dir);
    return dir;
  }
  void File(const std::string& path, const std::string& text, time_t mtime = 1000) {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path) << text;
    SetTime(path, mtime);
  }
  static void Dir(const std::string& path, time_t mtime = 1000) {
    fs::create_directories(path);
    SetTime(path, mtime);
  }
  static void SetTime(const std::string& path, time_t mtime) {
    timespec ts[2] = {{mtime, 0}, {mtime, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), ts, AT_SYMLINK_NOFOLLOW), 0);
  }
  static std::string Lines(const Expected<std::vector<Change>>& changes) {
    EXPECT_TRUE(changes.ok()) << changes.status().message();
    std::string out;
    if (changes.ok())
      for (const Change& c : *changes) out += std::string(1, KindLetter(c.kind)) + " " + c.path + "\n";
    return out;
  }

  TempDir tmp_;
  std::string root_;
};

TEST_F(LayerChangesTest, OverlayChangesAsContainersStorage) {
  std::string base = Layer("base"), top = Layer("top");
  File(base + "/etc/a", "1");
  File(base + "/etc/b", "1");
  File(base + "/data/sub/x", "1");
  Dir(base + "/data/sub");
  Dir(base + "/data");
  Dir(base + "/etc");
  Dir(base + "/same");
  File(top + "/etc/a", "22", 2000);
  File(top + "/etc/.wh.b", "");  // kiln's whiteout where the kernel refuses mknod
  File(top + "/new/deep", "n");
  File(top + "/data/sub/x", "1", 1000);
  Dir(top + "/data/sub", 3000);  // changed
  Dir(top + "/data", 1000);      // unchanged: not reported
  Dir(top + "/etc", 5000);
  Dir(top + "/same", 1000);
  Dir(top + "/new");
  EXPECT_EQ(Lines(OverlayChanges({base}, top)),
            "C /data/sub\n"
            "C /data/sub/x\n"
            "C /etc\n"
            "D /etc/b\n"  // the walk meets ".wh.b" before "a"
            "C /etc/a\n"
            "A /new\n"
            "A /new/deep\n");
  // A base layer: everything is added.
  EXPECT_EQ(Lines(OverlayChanges({}, base)),
            "A /data\nA /data/sub\nA /data/sub/x\nA /etc\nA /etc/a\nA /etc/b\nA /same\n");
}

TEST_F(LayerChangesTest, ParentOfAnAddedFileInAnUnchangedDirectoryIsReportedChanged) {
  std::string base = Layer("base"), top = Layer("top");
  Dir(base + "/etc");
  File(top + "/etc/new", "n");
  Dir(top + "/etc", 1000);
  EXPECT_EQ(Lines(OverlayChanges({base}, top)), "C /etc\nA /etc/new\n");
}

TEST_F(LayerChangesTest, TreeChangesComparesMergedStacks) {
  std::string l1 = Layer("l1"), l2 = Layer("l2"), other = Layer("other");
  File(l1 + "/etc/a", "1");
  File(l1 + "/etc/b", "1");
  File(l1 + "/gone/x", "1");
  File(l2 + "/etc/.wh.b", "");
  File(l2 + "/etc/c", "1");
  // other: /etc/a changed in size, /gone entirely missing, /etc/b and /etc/c missing.
  File(other + "/etc/a", "12");
  File(other + "/add/y", "1");
  EXPECT_EQ(Lines(TreeChanges({l1, l2}, {other})), "A /add\nA /add/y\nC /etc\nC /etc/a\nD /etc/c\nD /gone\n");
  EXPECT_EQ(Lines(TreeChanges({l1, l2}, {l1, l2})), "");
  EXPECT_EQ(Lines(TreeChanges({l1}, {l1, l2})), "C /etc\nA /etc/c\nD /etc/b\n");
}

}  // namespace
}  // namespace kiln::analysis
