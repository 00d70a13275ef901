#include "containers/containers.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "containers/containers_testing.h"
#include "containers/mount.h"
#include "util/fs.h"
#include "util/io.h"

namespace kiln::containers {
namespace {

namespace fs = std::filesystem;
using store::ContainerRecord;

class EngineTest : public EngineFixture {
 protected:
  EngineTest() : EngineFixture({"ENV A=image"}) {}
  // Makes the row say it runs as pid (with that process's start time).
  void MarkRunning(const ContainerRecord& c, pid_t pid) {
    store::Containers rows(store_->db());
    ASSERT_TRUE(rows.MarkRunning(c.id, pid, runtime::ProcessStartTicks(pid), 0, 1).ok());
  }
  std::string State(const std::string& id) {
    store::Containers rows(store_->db());
    auto c = rows.Get(id);
    if (!c.ok()) return "gone";
    Reconcile(rows, *c);
    return c->state;
  }
};

TEST(Engine, NetworksAndIsolation) {
  EXPECT_EQ(*ParseNetwork(""), runtime::Network::kHost);
  EXPECT_EQ(*ParseNetwork("none"), runtime::Network::kNone);
  EXPECT_EQ(*ParseNetwork("slirp4netns"), runtime::Network::kPrivate);
  EXPECT_EQ(NetworkName(*ParseNetwork("bridge")), "private");
  auto bad = ParseNetwork("nope");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "unable to find network with name or ID nope: network not found");
  auto iso = ChooseIsolation({.isolation = "chroot"}, nullptr);
  ASSERT_TRUE(iso.ok());
  EXPECT_EQ(iso->isolation, "chroot");
  EXPECT_FALSE(ChooseIsolation({.isolation = "vm"}, nullptr).ok());
}

TEST(Engine, EnvironmentInPodmansOrder) {
  std::string file = fs::temp_directory_path() / ("kiln-envfile-" + RandomHex(4));
  ASSERT_TRUE(WriteFileAtomic(file, "# comment\nB=file\n\nC=file\n").ok());
  auto env = MergeEnv(nlohmann::ordered_json::array({"A=image", "B=image"}), {file}, {"C=flag", "D=flag"});
  fs::remove(file);
  ASSERT_TRUE(env.ok()) << env.status().message();
  std::vector<std::string> want = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                   "TERM=xterm", "container=kiln", "A=image", "B=file", "C=flag", "D=flag"};
  EXPECT_EQ(*env, want);
  EXPECT_FALSE(MergeEnv(nlohmann::ordered_json::array(), {"/nonexistent/env"}, {}).ok());
}

TEST(Engine, VolumesAreChecked) {
  auto ok = ParseVolumes({"/tmp:/data:ro"});
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_TRUE((*ok)[0].readonly);
  EXPECT_EQ((*ok)[0].destination, "/data");
  EXPECT_FALSE(ParseVolumes({"vol:/data"}).ok());
  EXPECT_FALSE(ParseVolumes({"/tmp:data"}).ok());
  EXPECT_FALSE(ParseVolumes({"/tmp:/data:bogus"}).ok());
  EXPECT_FALSE(ParseVolumes({"/nonexistent/dir:/data"}).ok());
}

TEST_F(EngineTest, CreateTakesTheImagesCommandAndSpecRebuildsIt) {
  ContainerRecord c = MustCreate({.name = "web"});
  EXPECT_EQ(c.name, "web");
  EXPECT_EQ(c.image_id, image_id_);
  EXPECT_EQ(c.config["image_name"], "localhost/base:1");
  EXPECT_TRUE(fs::is_directory(ContainerDir(store_->root(), c.id)));
  auto spec = SpecFor(*store_, c);
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->args, (std::vector<std::string>{"/bin/sh", "-c", "true"}));
  EXPECT_EQ(spec->lowers.size(), 1u);
  EXPECT_NE(std::find(spec->env.begin(), spec->env.end(), "A=image"), spec->env.end());

  ContainerRecord d = MustCreate({.args = {"echo", "hi"}, .entrypoint = std::string("")});
  EXPECT_EQ(d.config["command"], nlohmann::ordered_json({"echo", "hi"}));
  EXPECT_FALSE(d.name.empty());
}

TEST_F(EngineTest, CreateRefusesBadInputAndLeavesNothing) {
  MustCreate({.name = "taken"});
  auto dup = Create(*store_, {.image = "base:1", .name = "taken"}, nullptr);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().code(), Code::kAlreadyExists);
  EXPECT_FALSE(Create(*store_, {.image = "base:1", .name = "-bad"}, nullptr).ok());
  EXPECT_FALSE(Create(*store_, {.image = "nosuch"}, nullptr).ok());
  auto no_cmd = Create(*store_, {.image = "base:1", .entrypoint = std::string("")}, nullptr);
  ASSERT_FALSE(no_cmd.ok());
  EXPECT_EQ(no_cmd.status().message(), "no command or entrypoint provided, and no CMD or ENTRYPOINT from image");
  store::Containers rows(store_->db());
  EXPECT_EQ(rows.List()->size(), 1u);
  EXPECT_EQ(std::distance(fs::directory_iterator(store_->root() + "/containers"), fs::directory_iterator()), 1);
}

TEST_F(EngineTest, ReconcileMarksAContainerWhoseProcessIsGoneAsExited) {
  ContainerRecord c = MustCreate({});
  pid_t child = fork();
  if (child == 0) _exit(0);
  // Recorded as running while the child lives, then the child goes without a word.
  MarkRunning(c, child);
  waitpid(child, nullptr, 0);
  store::Containers rows(store_->db());
  auto row = rows.Get(c.id);
  ASSERT_TRUE(row.ok());
  Reconcile(rows, *row);
  EXPECT_EQ(row->state, "exited");
  EXPECT_EQ(row->exit_code, -1);
  EXPECT_EQ(State(c.id), "exited");
}

TEST_F(EngineTest, RemoveRefusesARunningContainerWithoutForce) {
  ContainerRecord c = MustCreate({});
  MarkRunning(c, getpid());  // this test process stands for the container
  store::Containers rows(store_->db());
  auto running = rows.Get(c.id);
  ASSERT_TRUE(running.ok());
  Status s = Remove(*store_, *running, false, 0, nullptr);
  EXPECT_EQ(s.code(), Code::kInUse);
  EXPECT_EQ(State(c.id), "running");
  EXPECT_TRUE(fs::exists(ContainerDir(store_->root(), c.id)));
  // Kill of a container that is not running is refused in podman's words.
  ContainerRecord idle = MustCreate({});
  Status k = Kill(rows, idle, 15);
  EXPECT_NE(k.message().find("can only kill running containers"), std::string::npos);
}

TEST_F(EngineTest, PruneRemovesWhatIsNotRunningAndCountsItsChanges) {
  ContainerRecord done = MustCreate({});
  ContainerRecord running = MustCreate({});
  ContainerRecord created = MustCreate({});
  {
    store::Containers rows(store_->db());
    ASSERT_TRUE(rows.MarkExited(done.id, 0, 2).ok());
  }
  MarkRunning(running, getpid());
  ASSERT_TRUE(MakeDirs(ContainerDir(store_->root(), done.id) + "/upper").ok());
  ASSERT_TRUE(WriteFileAtomic(ContainerDir(store_->root(), done.id) + "/upper/f", "12345").ok());
  auto pruned = Prune(*store_);
  ASSERT_TRUE(pruned.ok()) << pruned.status().message();
  std::vector<std::string> want = {done.id, created.id};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(pruned->ids, want);
  EXPECT_EQ(pruned->bytes, 5);
  EXPECT_EQ(State(done.id), "gone");
  EXPECT_FALSE(fs::exists(ContainerDir(store_->root(), done.id)));
  EXPECT_EQ(State(running.id), "running");
}

TEST_F(EngineTest, RemoveContainersOfImageTakesOnlyThatImagesContainers) {
  ContainerRecord c = MustCreate({});
  ASSERT_TRUE(RemoveContainersOfImage(*store_, std::string(64, 'b'), nullptr).ok());
  EXPECT_EQ(State(c.id), "created");
  ASSERT_TRUE(RemoveContainersOfImage(*store_, image_id_, nullptr).ok());
  EXPECT_EQ(State(c.id), "gone");
}

TEST_F(EngineTest, WaitForExitReadsTheExitFileOfARemovedContainer) {
  ContainerRecord c = MustCreate({});
  {
    store::Containers rows(store_->db());
    ASSERT_TRUE(rows.MarkExited(c.id, 3, 2).ok());
  }
  EXPECT_EQ(*WaitForExit(*store_, c), 3);
  ASSERT_TRUE(MakeDirs(store_->runroot() + "/exits").ok());
  ASSERT_TRUE(WriteFileAtomic(ExitFile(store_->runroot(), c.id), "7").ok());
  store::Containers rows(store_->db());
  ASSERT_TRUE(rows.Delete(c.id).ok());
  EXPECT_EQ(*WaitForExit(*store_, c), 7);
  ASSERT_TRUE(WriteFileAtomic(ExitFile(store_->runroot(), c.id), "").ok());
  EXPECT_EQ(WaitForExit(*store_, c).status().code(), Code::kNotFound);
}

TEST_F(EngineTest, FilterByKeysOrsValuesAndAndsKeys) {
  ContainerRecord a = MustCreate({.name = "alpha"});
  ContainerRecord b = MustCreate({.name = "beta"});
  {
    store::Containers rows(store_->db());
    ASSERT_TRUE(rows.MarkExited(b.id, 1, 2).ok());
  }
  store::Containers rows(store_->db());
  auto all = rows.List();
  ASSERT_TRUE(all.ok());
  auto names = [](const std::vector<ContainerRecord>& l) {
    std::vector<std::string> n;
    for (const auto& c : l) n.push_back(c.name);
    std::sort(n.begin(), n.end());
    return n;
  };
  EXPECT_EQ(names(*Filter(*store_, *all, {"name=^al"})), std::vector<std::string>{"alpha"});
  EXPECT_EQ(names(*Filter(*store_, *all, {"status=created", "status=exited"})), (std::vector<std::string>{"alpha", "beta"}));
  EXPECT_EQ(names(*Filter(*store_, *all, {"status=exited", "exited=1"})), std::vector<std::string>{"beta"});
  EXPECT_EQ(names(*Filter(*store_, *all, {"ancestor=base:1", "id=" + a.id.substr(0, 8)})), std::vector<std::string>{"alpha"});
  EXPECT_EQ(Filter(*store_, *all, {"color=red"}).status().message(), "color is an invalid filter");
  EXPECT_FALSE(Filter(*store_, *all, {"status=sleeping"}).ok());
}

}  // namespace
}  // namespace kiln::containers

namespace kiln::containers {
namespace {

// Mounts are counted: two mounts need two unmounts (or one forced); rm unmounts.
TEST_F(EngineTest, ContainerMountsAreCountedAndRemovedWithTheContainer) {
  if (geteuid() != 0) GTEST_SKIP() << "mounting overlayfs needs root";
  ContainerRecord c = MustCreate({});
  EXPECT_EQ(ContainerMountpoint(store_->root(), c.id), "");
  auto path = MountContainer(*store_, c);
  ASSERT_TRUE(path.ok()) << path.status().message();
  EXPECT_EQ(*path, ContainerMountPoint(store_->root(), c.id));
  EXPECT_TRUE(fs::exists(*path + "/etc/passwd"));
  ASSERT_TRUE(MountContainer(*store_, c).ok());
  auto once = UnmountContainer(store_->root(), c.id, false);
  ASSERT_TRUE(once.ok() && *once);
  EXPECT_EQ(ContainerMountpoint(store_->root(), c.id), *path);  // one mount left
  auto forced = UnmountContainer(store_->root(), c.id, true);
  ASSERT_TRUE(forced.ok() && *forced);
  EXPECT_EQ(ContainerMountpoint(store_->root(), c.id), "");
  auto again = UnmountContainer(store_->root(), c.id, false);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);  // not mounted: nothing to do
  // Written through the mount, seen in the container's changes; rm unmounts first.
  ASSERT_TRUE(MountContainer(*store_, c).ok());
  ASSERT_TRUE(WriteFileAtomic(*path + "/new", "x").ok());
  EXPECT_TRUE(fs::exists(ContainerDir(store_->root(), c.id) + "/upper/new"));
  ASSERT_TRUE(Remove(*store_, c, false, 0, nullptr).ok());
  EXPECT_FALSE(fs::exists(ContainerDir(store_->root(), c.id)));
}

}  // namespace
}  // namespace kiln::containers
