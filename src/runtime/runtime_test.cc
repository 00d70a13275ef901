#include "runtime/runtime.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <map>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "util/fs.h"

namespace kiln::runtime {
namespace {

namespace fs = std::filesystem;

class RuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kiln-rt-" + RandomHex(6));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    ASSERT_TRUE(WriteFileAtomic(p.string(), text).ok());
  }
  fs::path dir_;
};

TEST_F(RuntimeTest, ResolvesUsersFromTheTopmostLayer) {
  Write(dir_ / "l0/etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n");
  Write(dir_ / "l0/etc/group", "root:x:0:\napp:x:1000:\nextra:x:2000:app,other\n");
  Write(dir_ / "l1/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nweb:x:33:33::/var/www:/bin/sh\n");
  std::vector<std::string> lowers = {(dir_ / "l1").string(), (dir_ / "l0").string()};
  auto web = ResolveUser(lowers, "web");
  ASSERT_TRUE(web.ok());
  EXPECT_EQ(web->uid, 33u);
  EXPECT_EQ(web->home, "/var/www");
  EXPECT_FALSE(ResolveUser(lowers, "app").ok());  // the upper passwd hides the lower one
  auto app = ResolveUser({(dir_ / "l0").string()}, "app:extra");
  ASSERT_TRUE(app.ok());
  EXPECT_EQ(app->uid, 1000u);
  EXPECT_EQ(app->gid, 2000u);
  auto numeric = ResolveUser(lowers, "4242:4343");
  ASSERT_TRUE(numeric.ok());
  EXPECT_EQ(numeric->uid, 4242u);
  EXPECT_EQ(numeric->gid, 4343u);
  EXPECT_EQ(ResolveUser(lowers, "nosuch").status().message(),
            "unable to find user nosuch: no matching entries in passwd file");
  auto root = ResolveUser(lowers, "");
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->home, "/root");
}

TEST_F(RuntimeTest, SpecRoundTripsThroughJson) {
  ContainerSpec s;
  s.id = "abc";
  s.lowers = {"/a", "/b"};
  s.dir = "/d";
  s.args = {"sh", "-c", "echo \"hi\""};
  s.env = {"A=1"};
  s.user = "1:2";
  s.hostname = "h";
  s.network = Network::kPrivate;
  s.binds = {{"/src", "/dst", true}};
  s.isolation = Isolation::kOci;
  s.oci_runtime = "/usr/sbin/runc";
  auto back = SpecFromJson(SpecToJson(s));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->args, s.args);
  EXPECT_EQ(back->network, Network::kPrivate);
  EXPECT_TRUE(back->binds[0].readonly);
  EXPECT_EQ(back->isolation, Isolation::kOci);
  EXPECT_FALSE(SpecFromJson("{\"id\": 1}").ok());
  EXPECT_FALSE(back->terminal);
}

// A build's RUN after VOLUME: the volume gets an overlay of itself whose upper is thrown away.
TEST_F(RuntimeTest, JoinedNamespacesRoundTripAndBecomeOciPaths) {
  ContainerSpec s;
  s.id = "abc";
  s.lowers = {"/a"};
  s.dir = "/d";
  s.args = {"true"};
  s.join_namespaces = {{"uts", "/proc/42/ns/uts"}, {"ipc", "/proc/42/ns/ipc"}, {"network", "/proc/42/ns/net"}};
  auto back = SpecFromJson(SpecToJson(s));
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->join_namespaces.size(), 3u);
  EXPECT_EQ(back->join_namespaces[2].type, "network");
  EXPECT_EQ(back->join_namespaces[2].path, "/proc/42/ns/net");
  EXPECT_TRUE(back->Joins("uts"));
  EXPECT_FALSE(back->Joins("pid"));
  auto j = nlohmann::json::parse(OciConfig(s, 0, 0, {}, {}));
  std::map<std::string, std::string> paths;
  for (const auto& n : j["linux"]["namespaces"]) paths[n["type"]] = n.value("path", "");
  EXPECT_EQ(paths["uts"], "/proc/42/ns/uts");
  EXPECT_EQ(paths["ipc"], "/proc/42/ns/ipc");
  EXPECT_EQ(paths["network"], "/proc/42/ns/net");  // joined even with the host's network setting
  EXPECT_EQ(paths["pid"], "");
  EXPECT_EQ(paths["mount"], "");
}

TEST_F(RuntimeTest, DiscardWritesRoundTripsAndBecomesAnOverlayMount) {
  ContainerSpec s;
  s.dir = "/d";
  s.args = {"true"};
  s.discard_writes = {"/vol/subvol"};
  auto back = SpecFromJson(SpecToJson(s));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->discard_writes, s.discard_writes);
  auto j = nlohmann::json::parse(OciConfig(s, 0, 0, {}, {}));
  bool found = false;
  for (const auto& m : j["mounts"]) {
    if (m["destination"] != "/vol/subvol") continue;
    found = true;
    EXPECT_EQ(m["type"], "overlay");
    EXPECT_EQ(m["options"], nlohmann::json({"lowerdir=/d/merged/vol/subvol", "upperdir=/d/discard-0/upper",
                                            "workdir=/d/discard-0/work"}));
  }
  EXPECT_TRUE(found);
}

TEST_F(RuntimeTest, TerminalSpecRoundTripsAndSetsTheOciProcess) {
  ContainerSpec s;
  s.dir = "/c";
  s.args = {"sh"};
  s.terminal = true;
  s.terminal_rows = 40;
  s.terminal_cols = 120;
  auto back = SpecFromJson(SpecToJson(s));
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->terminal);
  EXPECT_EQ(back->terminal_rows, 40);
  EXPECT_EQ(back->terminal_cols, 120);
  auto j = nlohmann::json::parse(OciConfig(s, 0, 0, {}, {}));
  EXPECT_EQ(j["process"]["terminal"], true);
  EXPECT_EQ(j["process"]["consoleSize"]["height"], 40);
  EXPECT_EQ(j["process"]["consoleSize"]["width"], 120);
  s.terminal = false;
  EXPECT_EQ(nlohmann::json::parse(OciConfig(s, 0, 0, {}, {}))["process"]["terminal"], false);
  // A spec without the terminal fields (written by an older kiln) has none.
  auto old = nlohmann::json::parse(SpecToJson(s));
  old.erase("terminal");
  auto parsed = SpecFromJson(old.dump());
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(parsed->terminal);
}

TEST_F(RuntimeTest, StartAndStartTerminalRefuseTheOtherKindOfSpec) {
  ContainerSpec s;
  s.args = {"true"};
  s.terminal = true;
  EXPECT_EQ(Start(s, Stdio{}).status().code(), Code::kInvalidArgument);
  s.terminal = false;
  UniqueFd master;
  EXPECT_EQ(StartTerminal(s, &master).status().code(), Code::kInvalidArgument);
}

TEST_F(RuntimeTest, OciConfigHasTheRequiredMountsAndNoRlimits) {
  ContainerSpec s;
  s.dir = "/c";
  s.args = {"true"};
  s.hostname = "h";
  s.network = Network::kNone;
  auto j = nlohmann::json::parse(OciConfig(s, 1, 2, {3}, {"A=1"}));
  EXPECT_EQ(j["root"]["path"], "/c/merged");
  EXPECT_EQ(j["process"]["user"]["additionalGids"][0], 3);
  EXPECT_FALSE(j["process"].contains("rlimits"));  // inherited: never above the caller's hard limits
  std::set<std::string> dests;
  for (const auto& m : j["mounts"]) dests.insert(m["destination"]);
  for (const char* d : {"/proc", "/dev", "/sys", "/dev/pts", "/dev/shm", "/etc/hosts", "/etc/resolv.conf", "/etc/hostname"})
    EXPECT_TRUE(dests.count(d)) << d;
  bool net = false;
  for (const auto& n : j["linux"]["namespaces"]) net = net || n["type"] == "network";
  EXPECT_TRUE(net);
}

TEST_F(RuntimeTest, CleanMountPointsKeepsOnlyWhatTheCommandChanged) {
  Write(dir_ / "l0/etc/hosts", "127.0.0.1 img\n");
  ContainerSpec s;
  s.lowers = {(dir_ / "l0").string()};
  s.dir = dir_.string();
  s.binds = {{"/x", "/mnt/data", false}};
  for (const char* d : {"upper/proc", "upper/dev", "upper/sys", "upper/mnt/data", "upper/work-made"})
    fs::create_directories(dir_ / d);
  Write(dir_ / "upper/etc/hostname", "");
  Write(dir_ / "upper/etc/hosts", "");  // the image has one: an empty one is the command's doing
  Write(dir_ / "upper/etc/resolv.conf", "nameserver 1.1.1.1\n");  // written by the command
  ASSERT_TRUE(CleanMountPoints(s).ok());
  EXPECT_FALSE(fs::exists(dir_ / "upper/proc"));
  EXPECT_FALSE(fs::exists(dir_ / "upper/dev"));
  EXPECT_FALSE(fs::exists(dir_ / "upper/mnt/data"));
  EXPECT_FALSE(fs::exists(dir_ / "upper/etc/hostname"));
  EXPECT_TRUE(fs::exists(dir_ / "upper/etc/hosts"));
  EXPECT_TRUE(fs::exists(dir_ / "upper/etc/resolv.conf"));
  EXPECT_TRUE(fs::exists(dir_ / "upper/work-made"));
}

TEST_F(RuntimeTest, SignalNames) {
  EXPECT_EQ(ParseSignal("TERM"), 15);
  EXPECT_EQ(ParseSignal("sigkill"), 9);
  EXPECT_EQ(ParseSignal("10"), 10);
  EXPECT_EQ(ParseSignal("NOPE"), -1);
}

// 120 layers under long paths: their lowerdir list would be far beyond the page-size limit
// of mount options if the paths were passed as they are.
TEST_F(RuntimeTest, MountsAnOverlayOf120LayersWithLongPaths) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root for mount";
  fs::path base = dir_ / std::string(100, 'x');
  std::vector<std::string> lowers;
  for (int i = 0; i < 120; ++i) {
    fs::path l = base / ("layer-with-a-rather-long-name-" + std::to_string(i)) / "fs";
    Write(l / ("f" + std::to_string(i)), std::to_string(i));
    lowers.insert(lowers.begin(), l.string());  // top first
  }
  for (const char* d : {"upper", "work", "merged"}) fs::create_directories(dir_ / d);
  size_t total = 0;
  for (const auto& l : lowers) total += l.size() + 1;
  ASSERT_GT(total, 4096u);
  pid_t pid = fork();
  if (pid == 0) {
    if (unshare(CLONE_NEWNS) != 0 || mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) _exit(2);
    Status st = MountOverlay(lowers, (dir_ / "upper").string(), (dir_ / "work").string(), (dir_ / "merged").string());
    if (!st.ok()) {
      fprintf(stderr, "%s\n", st.message().c_str());
      _exit(3);
    }
    _exit(fs::exists(dir_ / "merged/f0") && fs::exists(dir_ / "merged/f119") ? 0 : 4);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  // The mount lived only in the child's namespace.
  EXPECT_FALSE(fs::exists(dir_ / "merged/f0"));
}

}  // namespace
TEST(PathInRootTest, FollowsTheImagesSymlinksInsideTheRoot) {
  TempDir dir;
  ASSERT_TRUE(dir.Create().ok());
  const std::string root = dir.path();
  ASSERT_EQ(::mkdir((root + "/data").c_str(), 0755), 0);
  ASSERT_EQ(::symlink("/data/log", (root + "/test-log").c_str()), 0);  // absolute: the container's /data
  ASSERT_EQ(::symlink("../../..", (root + "/data/up").c_str()), 0);
  EXPECT_EQ(PathInRoot(root, "/test-log/test"), root + "/data/log/test");
  EXPECT_EQ(PathInRoot(root, "/data/up/etc"), root + "/etc");  // ".." stops at the root
  EXPECT_EQ(PathInRoot(root, "/a/./b/"), root + "/a/b");
  ASSERT_EQ(::symlink("loop", (root + "/loop").c_str()), 0);
  EXPECT_EQ(PathInRoot(root, "/loop/x"), root + "/loop/x");  // a loop ends, left as it is
}

}  // namespace kiln::runtime
