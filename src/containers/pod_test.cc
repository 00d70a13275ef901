#include "containers/pod.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "archive/import.h"
#include "archive/tar.h"
#include "containers/pause_image.h"
#include "util/fs.h"
#include "util/io.h"

namespace kiln::containers {
namespace {

namespace fs = std::filesystem;
using store::ContainerRecord;
using store::PodRecord;

class PodTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("KILN_ISOLATION", "chroot", 1);
    dir_ = fs::temp_directory_path() / ("kiln-pod-" + RandomHex(6));
    auto st = store::Store::Open({(dir_ / "root").string(), (dir_ / "run").string()});
    ASSERT_TRUE(st.ok()) << st.status().message();
    store_ = std::move(st).value();
    StringWriter out;
    auto sink = archive::WriterSink(out);
    archive::TarWriter tar(*sink);
    ASSERT_TRUE(tar.AddBytes("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n", 0644).ok());
    ASSERT_TRUE(tar.Close().ok());
    archive::ImportOptions io;
    io.names = {"localhost/base:1"};
    io.changes = {"CMD [\"/bin/sh\"]"};
    auto imported = archive::ImportRootfs(*store_, std::make_unique<StringReader>(out.Take()), io);
    ASSERT_TRUE(imported.ok()) << imported.status().message();
  }
  void TearDown() override {
    for (pid_t p : children_) kill(p, SIGKILL), waitpid(p, nullptr, 0);
    store_.reset();
    fs::remove_all(dir_);
  }
  ContainerRecord Member(const PodRecord& pod, const std::string& name) {
    CreateOptions o;
    o.image = "base:1";
    o.name = name;
    o.pod = pod.id;
    auto c = Create(*store_, o, nullptr);
    EXPECT_TRUE(c.ok()) << c.status().message();
    return c.ok() ? *c : ContainerRecord{};
  }
  // The row says c runs as a child process of this test (a real process to stop).
  void MarkRunning(const ContainerRecord& c) {
    pid_t pid = fork();
    if (pid == 0) {
      pause();
      _exit(0);
    }
    children_.push_back(pid);
    store::Containers rows(store_->db());
    ASSERT_TRUE(rows.MarkRunning(c.id, pid, runtime::ProcessStartTicks(pid), 0, 1).ok());
  }
  bool HaveCatatonit() {
    for (const auto& d : CatatonitDirs())
      if (access((d + "/catatonit").c_str(), X_OK) == 0) return true;
    return false;
  }
  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  std::vector<pid_t> children_;
};

TEST_F(PodTest, PodWithoutInfraHoldsItsMembers) {
  PodCreateOptions o;
  o.name = "bare";
  o.infra = false;
  o.labels = {"team=x", "flag"};
  auto pod = CreatePod(*store_, o, nullptr);
  ASSERT_TRUE(pod.ok()) << pod.status().message();
  EXPECT_TRUE(pod->infra_id.empty());
  EXPECT_EQ(pod->config["labels"]["team"], "x");
  EXPECT_EQ(pod->config["labels"]["flag"], "");
  ContainerRecord m = Member(*pod, "m");
  EXPECT_EQ(m.pod_id, pod->id);
  EXPECT_EQ(m.config["hostname"], "bare");  // the pod's hostname
  auto ctrs = PodContainers(*store_, pod->id);
  ASSERT_TRUE(ctrs.ok());
  ASSERT_EQ(ctrs->size(), 1u);
  EXPECT_EQ(PodStatus(*ctrs), "Created");
  EXPECT_EQ(CreatePod(*store_, o, nullptr).status().code(), Code::kAlreadyExists);
  PodCreateOptions bad;
  bad.name = "-no";
  EXPECT_EQ(CreatePod(*store_, bad, nullptr).status().code(), Code::kInvalidArgument);
}

TEST_F(PodTest, StatusFollowsTheContainers) {
  ContainerRecord a, b;
  a.state = b.state = "created";
  EXPECT_EQ(PodStatus({}), "Created");
  EXPECT_EQ(PodStatus({a, b}), "Created");
  a.state = "running";
  EXPECT_EQ(PodStatus({a, b}), "Degraded");
  b.state = "running";
  EXPECT_EQ(PodStatus({a, b}), "Running");
  a.state = "exited";
  b.state = "created";
  EXPECT_EQ(PodStatus({a, b}), "Stopped");
  b.state = "exited";
  EXPECT_EQ(PodStatus({a, b}), "Exited");
}

TEST_F(PodTest, FiltersByNameIdLabelAndStatus) {
  PodCreateOptions o;
  o.infra = false;
  o.name = "alpha";
  o.labels = {"tier=web"};
  auto a = CreatePod(*store_, o, nullptr);
  o.name = "beta";
  o.labels = {};
  auto b = CreatePod(*store_, o, nullptr);
  ASSERT_TRUE(a.ok() && b.ok());
  auto all = store::Pods(store_->db()).List();
  ASSERT_TRUE(all.ok());
  auto names = [](const std::vector<PodRecord>& ps) {
    std::string s;
    for (const auto& p : ps) s += p.name + " ";
    return s;
  };
  EXPECT_EQ(names(*FilterPods(*store_, *all, {"name=^al"})), "alpha ");
  EXPECT_EQ(names(*FilterPods(*store_, *all, {"id=" + b->id.substr(0, 6)})), "beta ");
  EXPECT_EQ(names(*FilterPods(*store_, *all, {"label=tier=web"})), "alpha ");
  EXPECT_EQ(names(*FilterPods(*store_, *all, {"label=tier"})), "alpha ");
  EXPECT_EQ(names(*FilterPods(*store_, *all, {"name=alpha", "name=beta"})), "beta alpha ");  // OR
  EXPECT_EQ(names(*FilterPods(*store_, *all, {"name=alpha", "label=none"})), "");          // AND
  EXPECT_EQ(names(*FilterPods(*store_, *all, {"status=created"})), "beta alpha ");
  EXPECT_EQ(FilterPods(*store_, *all, {"bogus=1"}).status().message(), "bogus is an invalid filter");
}

TEST_F(PodTest, InfraContainerFromThePauseImageAndMembersJoinItsNamespaces) {
  if (!HaveCatatonit()) GTEST_SKIP() << "catatonit is not installed";
  PodCreateOptions o;
  o.name = "web";
  auto pod = CreatePod(*store_, o, nullptr);
  ASSERT_TRUE(pod.ok()) << pod.status().message();
  auto pause = store_->LookupImage(PauseImageName());
  ASSERT_TRUE(pause.ok());
  auto infra = store::Containers(store_->db()).Get(pod->infra_id);
  ASSERT_TRUE(infra.ok());
  EXPECT_EQ(infra->name, pod->id.substr(0, 12) + "-infra");
  EXPECT_EQ(infra->image_id, pause->id);
  EXPECT_TRUE(IsInfra(*infra));
  EXPECT_EQ(infra->config["command"], nlohmann::ordered_json({"/catatonit", "-P"}));
  EXPECT_EQ(CheckNotInfra(*infra).message(), "container " + infra->id + " is the infra container of pod " + pod->id +
                                                 " and cannot be removed without removing the pod");

  ContainerRecord m = Member(*pod, "m");
  auto before = SpecFor(*store_, m);
  ASSERT_TRUE(before.ok());
  EXPECT_TRUE(before->join_namespaces.empty());  // the infra does not run yet
  MarkRunning(*infra);
  auto running = store::Containers(store_->db()).Get(infra->id);
  auto spec = SpecFor(*store_, m);
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  const std::string ns = "/proc/" + std::to_string(running->pid) + "/ns/";
  ASSERT_EQ(spec->join_namespaces.size(), 2u);  // the host's network is not joined
  EXPECT_EQ(spec->join_namespaces[0].type, "uts");
  EXPECT_EQ(spec->join_namespaces[0].path, ns + "uts");
  EXPECT_EQ(spec->join_namespaces[1].type, "ipc");
  EXPECT_EQ(spec->join_namespaces[1].path, ns + "ipc");

  // A running infra container alone does not stop pod rm; a running member does.
  MarkRunning(m);
  EXPECT_EQ(RemovePod(*store_, *pod, false, 0, nullptr).code(), Code::kInUse);
  ASSERT_TRUE(RemovePodsOfInfraImage(*store_, pause->id, nullptr).ok());
  EXPECT_FALSE(store::Pods(store_->db()).Lookup("web").ok());
  EXPECT_TRUE(store::Containers(store_->db()).List()->empty());
}

TEST_F(PodTest, PruneTakesPodsWithNothingRunning) {
  PodCreateOptions o;
  o.infra = false;
  o.name = "idle";
  auto idle = CreatePod(*store_, o, nullptr);
  o.name = "busy";
  auto busy = CreatePod(*store_, o, nullptr);
  ASSERT_TRUE(idle.ok() && busy.ok());
  Member(*idle, "i1");
  MarkRunning(Member(*busy, "b1"));
  auto pruned = PrunePods(*store_, nullptr);
  ASSERT_TRUE(pruned.ok()) << pruned.status().message();
  EXPECT_EQ(*pruned, std::vector<std::string>{idle->id});
  EXPECT_FALSE(store::Containers(store_->db()).Lookup("i1").ok());
  EXPECT_TRUE(store::Containers(store_->db()).Lookup("b1").ok());
  EXPECT_TRUE(store::Pods(store_->db()).Lookup("busy").ok());
}

TEST_F(PodTest, PrivateNetworkIsJoinedToo) {
  if (!HaveCatatonit()) GTEST_SKIP() << "catatonit is not installed";
  PodCreateOptions o;
  o.name = "net";
  o.network = "none";
  auto pod = CreatePod(*store_, o, nullptr);
  ASSERT_TRUE(pod.ok()) << pod.status().message();
  ContainerRecord m = Member(*pod, "m");
  EXPECT_EQ(m.config["network"], "none");
  MarkRunning(*store::Containers(store_->db()).Get(pod->infra_id));
  auto spec = SpecFor(*store_, m);
  ASSERT_TRUE(spec.ok());
  ASSERT_EQ(spec->join_namespaces.size(), 3u);
  EXPECT_EQ(spec->join_namespaces[2].type, "network");
}

}  // namespace
}  // namespace kiln::containers
