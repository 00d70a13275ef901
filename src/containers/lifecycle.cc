// A container after its creation: reconciling its row, stopping, killing, waiting,
// removing, pruning, filtering and exporting.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "containers/containers.h"
#include "containers/filters.h"
#include "containers/mount.h"
#include "store/pods.h"
#include "store/layer_tar.h"
#include "util/fs.h"
#include "util/io.h"
#include "util/time.h"

namespace kiln::containers {
namespace {

using store::ContainerRecord;

// The bytes of a container's own changes (its upper dir): what removing it frees.
int64_t ChangesBytes(const std::string& upper) {
  int64_t total = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(upper, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    struct stat sb;
    if (lstat(it->path().c_str(), &sb) == 0 && (S_ISREG(sb.st_mode) || S_ISLNK(sb.st_mode))) total += sb.st_size;
  }
  return total;
}

// Directories no row names: left by a create that crashed between making its directory and
// committing its row. Only old ones, so that a create in progress keeps its directory.
void SweepOrphanDirs(store::Store& st, store::Containers& rows) {
  std::set<std::string> known;
  if (auto now_list = rows.List(); now_list.ok())
    for (const auto& c : *now_list) known.insert(c.id);
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(st.root() + "/containers", ec)) {
    std::string name = e.path().filename().string();
    struct stat sb;
    if (known.count(name) || lstat(e.path().c_str(), &sb) != 0) continue;
    if (!ContainerMountpoint(st.root(), name).empty()) continue;  // never delete through a mount
    if (NowNanos() / 1000000000 - sb.st_mtime < 600) continue;
    (void)RemoveTree(e.path().string());
  }
}

bool MatchesFilter(const ContainerRecord& c, const std::string& key, const std::string& v,
                   const std::set<std::string>& ancestor_ids, const std::set<std::string>& pod_ids) {
  if (key == "ancestor") return ancestor_ids.count(c.image_id) || c.config.value("image_name", "") == v;
  if (key == "status") return c.state == v || (v == "stopped" && c.state == "exited");
  if (key == "id") return c.id.rfind(v, 0) == 0;
  if (key == "pod") return !c.pod_id.empty() && pod_ids.count(c.pod_id);
  if (key == "exited") return c.state == "exited" && std::to_string(c.exit_code) == v;
  if (key == "volume") {  // a volume's name, or NAME:DESTINATION
    for (const auto& m : c.config.value("volumes", nlohmann::ordered_json::array())) {
      std::string name = m.value("name", ""), dst = m.value("destination", "");
      if (v == name || v == name + ":" + dst) return true;
    }
    return false;
  }
  if (key == "name") {
    try {
      return std::regex_search(c.name, std::regex(v));
    } catch (const std::regex_error&) {
      return c.name.find(v) != std::string::npos;
    }
  }
  return false;
}

struct ExportArg {
  int fd;
};

int ExportInChild(const std::string& rootfs, void* arg) {
  auto* a = static_cast<ExportArg*>(arg);
  FdWriter w = FdWriter::Borrow(a->fd);
  store::TarOptions opts;
  opts.convert_overlay_whiteouts = false;
  // The mount points of a running container's /proc, /sys, /dev are empty directories here.
  Status st = store::WriteLayerTarFromDir(rootfs, w, opts);
  if (!st.ok()) {
    std::fprintf(stderr, "Error: %s\n", st.message().c_str());
    return 1;
  }
  return 0;
}

}  // namespace

void Reconcile(store::Containers& rows, ContainerRecord& c) {
  if (c.state != "running") return;
  if (runtime::ProcessAlive(static_cast<pid_t>(c.pid), c.pid_start)) return;
  if (c.monitor_pid && runtime::ProcessAlive(static_cast<pid_t>(c.monitor_pid), 0)) {
    // The monitor is recording the exit right now; give it a moment.
    for (int i = 0; i < 200; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      auto fresh = rows.Get(c.id);
      if (!fresh.ok()) return;
      if (fresh->state != "running") {
        c = *fresh;
        return;
      }
      if (!runtime::ProcessAlive(static_cast<pid_t>(c.monitor_pid), 0)) break;
    }
  }
  // Nobody is left to say how it ended — unless the monitor said it after `c` was read.
  (void)rows.MarkLost(c.id, c.pid, NowNanos());
  if (auto fresh = rows.Get(c.id); fresh.ok()) {
    c = *fresh;
  } else {
    c.state = "exited", c.exit_code = -1, c.finished = NowNanos();
  }
}

Expected<ContainerRecord> AwaitExit(store::Containers& rows, const std::string& id, int timeout_ms,
                                    bool through_created) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  int sleep_ms = 2;
  for (;;) {
    ASSIGN_OR_RETURN(ContainerRecord c, rows.Get(id));
    Reconcile(rows, c);
    if (c.state != "running" && !(through_created && c.state == "created")) return c;
    if (timeout_ms >= 0 && std::chrono::steady_clock::now() > deadline) return c;
    std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
    sleep_ms = std::min(sleep_ms * 2, 50);
  }
}

Expected<int64_t> WaitForExit(store::Store& st, const ContainerRecord& c) {
  store::Containers rows(st.db());
  // As podman: a created container is waited for until it has run.
  auto done = AwaitExit(rows, c.id, -1, true);
  if (done.ok()) return done->exit_code;
  // Removed when it ended (--rm): its monitor left the status in an exit file.
  auto code = ReadFile(ExitFile(st.runroot(), c.id));
  if (code.ok()) {
    char* end = nullptr;
    long long v = std::strtoll(code->c_str(), &end, 10);
    if (end != code->c_str()) return static_cast<int64_t>(v);
  }
  // Removed while we waited, without a word.
  return NotFound("no such container");
}

Status Stop(store::Containers& rows, ContainerRecord& c, int timeout, const WarnFn& warn) {
  Reconcile(rows, c);
  if (c.state != "running") return Status::Ok();
  std::string sig_name = c.config.value("stop_signal", "");
  int sig = sig_name.empty() ? SIGTERM : runtime::ParseSignal(sig_name);
  if (sig <= 0) sig = SIGTERM;
  pid_t pid = static_cast<pid_t>(c.pid);
  if (timeout > 0 && runtime::SignalProcess(pid, c.pid_start, sig)) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout);
    while (runtime::ProcessAlive(pid, c.pid_start) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (runtime::ProcessAlive(pid, c.pid_start)) {
    if (timeout > 0 && warn)
      warn("StopSignal " + std::string(sig == SIGTERM ? "SIGTERM" : sig_name) + " failed to stop container " + c.name +
           " in " + std::to_string(timeout) + " seconds, resorting to SIGKILL");
    runtime::SignalProcess(pid, c.pid_start, SIGKILL);
  }
  auto ended = AwaitExit(rows, c.id, 10000);
  // A --rm container is gone once it ended: stopped, as podman reports it.
  if (!ended.ok() && ended.status().code() == Code::kNotFound) {
    c.state = "exited";
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(c, std::move(ended));
  return Status::Ok();
}

Status Kill(store::Containers& rows, ContainerRecord& c, int sig) {
  Reconcile(rows, c);
  if (c.state != "running")
    return InvalidArgument("can only kill running containers. " + c.id + " is in state " + c.state +
                           ": container state improper");
  runtime::SignalProcess(static_cast<pid_t>(c.pid), c.pid_start, sig);
  if (sig == SIGKILL) (void)AwaitExit(rows, c.id, 5000);
  return Status::Ok();
}

Status Remove(store::Store& st, ContainerRecord c, bool force, int timeout, const WarnFn& warn) {
  store::Containers rows(st.db());
  Reconcile(rows, c);
  if (c.state == "running") {
    if (!force)
      return InUse("cannot remove container " + c.id +
                   " as it is running - running or paused containers cannot be removed without force: container state improper");
    RETURN_IF_ERROR(Stop(rows, c, timeout, warn));
  }
  ReleaseImageMounts(st.root(), c.id);
  // podman unmounts a container it removes, however often it was mounted.
  if (auto unmounted = UnmountContainer(st.root(), c.id, /*force=*/true); !unmounted.ok()) return unmounted.status();
  RETURN_IF_ERROR(rows.Delete(c.id));
  (void)unlink(ExitFile(st.runroot(), c.id).c_str());
  return RemoveTree(ContainerDir(st.root(), c.id));
}

Expected<ContainerRecord> Latest(store::Containers& rows) {
  ASSIGN_OR_RETURN(std::vector<ContainerRecord> list, rows.List());
  if (list.empty()) return NotFound("no such container");
  return *std::max_element(list.begin(), list.end(),
                           [](const ContainerRecord& a, const ContainerRecord& b) { return a.created < b.created; });
}

Status RemoveContainersOfImage(store::Store& st, const std::string& image_id, const WarnFn& warn) {
  store::Containers rows(st.db());
  ASSIGN_OR_RETURN(std::vector<ContainerRecord> list, rows.List());
  ASSIGN_OR_RETURN(std::vector<std::string> users, st.ContainersUsing(image_id));  // made from it or mounting it
  for (auto& c : list)
    if (std::find(users.begin(), users.end(), c.id) != users.end()) RETURN_IF_ERROR(Remove(st, c, true, 10, warn));
  return Status::Ok();
}

Expected<PrunedContainers> Prune(store::Store& st) {
  store::Containers rows(st.db());
  ASSIGN_OR_RETURN(std::vector<ContainerRecord> list, rows.List());
  PrunedContainers pruned;
  for (auto& c : list) {
    Reconcile(rows, c);
    if (c.state == "running" || IsInfra(c)) continue;  // an infra container goes with its pod
    int64_t bytes = ChangesBytes(ContainerDir(st.root(), c.id) + "/upper");
    RETURN_IF_ERROR(Remove(st, c, false, 0, nullptr));
    pruned.ids.push_back(c.id);
    pruned.bytes += bytes;
  }
  std::sort(pruned.ids.begin(), pruned.ids.end());
  SweepOrphanDirs(st, rows);
  return pruned;
}

Expected<std::vector<ContainerRecord>> Filter(store::Store& st, std::vector<ContainerRecord> list,
                                              const std::vector<std::string>& filters) {
  ASSIGN_OR_RETURN(FilterValues by_key,
                   GroupFilters(filters, {"ancestor", "status", "name", "id", "exited", "volume", "pod"}));
  std::set<std::string> ancestor_ids, pod_ids;
  for (const auto& v : ValuesOf(by_key, "pod"))  // a pod's name, ID or ID prefix
    if (auto p = store::Pods(st.db()).Lookup(v); p.ok()) pod_ids.insert(p->id);
  for (const auto& v : ValuesOf(by_key, "ancestor")) {
    // podman 4.3.1 matches only the full stored name or ID; kiln also resolves short
    // names the way every other command does (`ancestor=myapp:1.0`), see compat.md.
    auto img = st.LookupImage(v);
    if (img.ok()) ancestor_ids.insert(img->id);
  }
  for (const auto& v : ValuesOf(by_key, "status")) {
    static const std::set<std::string> kStates = {"created", "exited", "paused", "running", "unknown",
                                                  "configured", "stopped", "removing", "stopping"};
    if (!kStates.count(v)) return InvalidArgument("invalid argument: " + v + " is not a valid status");
  }
  return KeepMatching(std::move(list), by_key, [&](const ContainerRecord& c, const std::string& k, const std::string& v) {
    return MatchesFilter(c, k, v, ancestor_ids, pod_ids);
  });
}

Status Export(store::Store& st, ContainerRecord c, int fd) {
  ASSIGN_OR_RETURN(runtime::ContainerSpec spec, SpecFor(st, c));
  for (const char* d : {"upper", "work", "merged"}) RETURN_IF_ERROR(MakeDirs(spec.dir + "/" + d));
  ExportArg arg{fd};
  store::Containers rows(st.db());
  Reconcile(rows, c);
  // A running container's overlay is in use by its own mount: clone that mount instead.
  if (c.state == "running") return runtime::WithRunningRootfs(static_cast<pid_t>(c.pid), ExportInChild, &arg);
  return runtime::WithRootfs(spec, ExportInChild, &arg);
}

}  // namespace kiln::containers
