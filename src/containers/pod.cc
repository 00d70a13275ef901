#include "containers/pod.h"

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include "containers/filters.h"
#include "containers/pause_image.h"
#include "containers/run.h"
#include "containers/volumes.h"
#include "util/fs.h"
#include "util/time.h"

namespace kiln::containers {
namespace {

using Json = nlohmann::ordered_json;
using store::ContainerRecord;
using store::PodRecord;

Expected<std::string> PodName(store::Pods& pods, const std::string& wanted) {
  if (!wanted.empty()) {
    static const std::regex kName("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
    if (!std::regex_match(wanted, kName))
      return InvalidArgument("running pod create option: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument");
    return wanted;
  }
  for (int i = 0; i < 10; ++i) {
    std::string name = store::RandomContainerName();
    if (!pods.Lookup(name).ok()) return name;
  }
  return "pod_" + RandomHex(6);
}

Json LabelsJson(const std::vector<std::string>& labels) {
  Json out = Json::object();
  for (const auto& l : labels) {
    auto eq = l.find('=');
    out[l.substr(0, eq)] = eq == std::string::npos ? "" : l.substr(eq + 1);
  }
  return out;
}

Status MakeInfra(store::Store& st, PodRecord& pod, const PodCreateOptions& o, const WarnFn& warn) {
  ASSIGN_OR_RETURN(store::ImageRecord pause, EnsurePauseImage(st));
  CreateOptions c;
  c.image = PauseImageName();
  c.name = pod.id.substr(0, 12) + "-infra";
  c.hostname = pod.config.value("hostname", "");
  c.network = o.network;
  c.isolation = o.isolation.isolation;
  c.runtime = o.isolation.runtime;
  c.configured_runtime = o.isolation.configured_runtime;
  c.runtime_flags = o.isolation.runtime_flags;
  c.pod = pod.id;
  c.infra = true;
  ASSIGN_OR_RETURN(ContainerRecord infra, Create(st, c, warn));
  pod.infra_id = infra.id;
  return store::Pods(st.db()).SetInfra(pod.id, infra.id);
}

bool MatchesPod(store::Store& st, const PodRecord& p, const std::string& key, const std::string& v) {
  if (key == "id") return p.id.rfind(v, 0) == 0;
  if (key == "name") {
    try {
      return std::regex_search(p.name, std::regex(v));
    } catch (const std::regex_error&) {
      return p.name.find(v) != std::string::npos;
    }
  }
  if (key == "label") {
    const Json labels = p.config.value("labels", Json::object());
    auto eq = v.find('=');
    std::string k = v.substr(0, eq);
    if (!labels.contains(k)) return false;
    return eq == std::string::npos || labels[k] == v.substr(eq + 1);
  }
  if (key == "status") {
    auto ctrs = PodContainers(st, p.id);
    std::string status = ctrs.ok() ? PodStatus(*ctrs) : "Error";
    std::transform(status.begin(), status.end(), status.begin(), ::tolower);
    return status == v;
  }
  return false;
}

}  // namespace

Expected<PodRecord> CreatePod(store::Store& st, const PodCreateOptions& o, const WarnFn& warn) {
  ASSIGN_OR_RETURN(runtime::Network net, ParseNetwork(o.network));
  store::Pods pods(st.db());
  PodRecord pod;
  pod.id = RandomHex(32);
  ASSIGN_OR_RETURN(pod.name, PodName(pods, o.name));
  pod.created = NowNanos();
  Json shared = o.infra ? Json::array({"uts", "ipc", "net"}) : Json::array();
  pod.config = {{"labels", LabelsJson(o.labels)},
                {"hostname", o.hostname.empty() ? pod.name : o.hostname},
                {"network", NetworkName(net)},
                {"shared_namespaces", shared},
                {"create_command", o.create_command}};
  RETURN_IF_ERROR(pods.Insert(pod));
  if (!o.infra) return pod;
  if (Status s = MakeInfra(st, pod, o, warn); !s.ok()) {
    (void)pods.Delete(pod.id);
    return s;
  }
  return pod;
}

Expected<std::vector<ContainerRecord>> PodContainers(store::Store& st, const std::string& pod_id) {
  store::Containers rows(st.db());
  ASSIGN_OR_RETURN(std::vector<ContainerRecord> all, rows.List());
  std::vector<ContainerRecord> out;
  for (auto& c : all) {
    if (c.pod_id != pod_id) continue;
    Reconcile(rows, c);
    out.push_back(c);
  }
  std::stable_partition(out.begin(), out.end(), [](const ContainerRecord& c) { return IsInfra(c); });
  return out;
}

std::string PodStatus(const std::vector<ContainerRecord>& ctrs) {
  size_t running = 0, exited = 0;
  for (const auto& c : ctrs) {
    if (c.state == "running") ++running;
    if (c.state == "exited") ++exited;
  }
  if (running > 0) return running == ctrs.size() ? "Running" : "Degraded";
  if (!ctrs.empty() && exited == ctrs.size()) return "Exited";
  if (exited > 0) return "Stopped";
  return "Created";
}

Status StartPod(store::Store& st, const PodRecord& pod) {
  ASSIGN_OR_RETURN(std::vector<ContainerRecord> ctrs, PodContainers(st, pod.id));
  for (const auto& c : ctrs) {  // infra first: the others join its namespaces
    if (c.state == "running") continue;
    ASSIGN_OR_RETURN(runtime::ContainerSpec spec, SpecFor(st, c));
    RETURN_IF_ERROR(runtime::PrepareBundle(spec));
    RETURN_IF_ERROR(PrepareVolumes(st, c, spec));
    RETURN_IF_ERROR(StartDetached(st, c, spec, c.config.value("rm", false)));
  }
  return Status::Ok();
}

Status StopPod(store::Store& st, const PodRecord& pod, int timeout, const WarnFn& warn) {
  ASSIGN_OR_RETURN(std::vector<ContainerRecord> ctrs, PodContainers(st, pod.id));
  store::Containers rows(st.db());
  for (auto it = ctrs.rbegin(); it != ctrs.rend(); ++it) RETURN_IF_ERROR(Stop(rows, *it, timeout, warn));
  return Status::Ok();
}

Status RemovePod(store::Store& st, const PodRecord& pod, bool force, int timeout, const WarnFn& warn) {
  ASSIGN_OR_RETURN(std::vector<ContainerRecord> ctrs, PodContainers(st, pod.id));
  // As podman: a running infra container alone does not hold the pod back.
  if (!force)
    for (const auto& c : ctrs)
      if (c.state == "running" && !IsInfra(c))
        return InUse("removing container " + c.id + " from pod " + pod.id + ": cannot remove container " + c.id +
                     " as it is running - running or paused containers cannot be removed without force: container state improper");
  for (auto it = ctrs.rbegin(); it != ctrs.rend(); ++it)  // the infra container last
    RETURN_IF_ERROR(Remove(st, *it, true, timeout, warn));
  return store::Pods(st.db()).Delete(pod.id);
}

Expected<std::vector<std::string>> PrunePods(store::Store& st, const WarnFn& warn) {
  ASSIGN_OR_RETURN(std::vector<PodRecord> pods, store::Pods(st.db()).List());
  std::vector<std::string> pruned;
  for (const auto& p : pods) {
    ASSIGN_OR_RETURN(std::vector<ContainerRecord> ctrs, PodContainers(st, p.id));
    if (std::any_of(ctrs.begin(), ctrs.end(), [](const ContainerRecord& c) { return c.state == "running"; })) continue;
    RETURN_IF_ERROR(RemovePod(st, p, false, 0, warn));
    pruned.push_back(p.id);
  }
  return pruned;
}

Status RemovePodsOfInfraImage(store::Store& st, const std::string& image_id, const WarnFn& warn) {
  store::Containers rows(st.db());
  ASSIGN_OR_RETURN(std::vector<ContainerRecord> all, rows.List());
  store::Pods pods(st.db());
  for (const auto& c : all) {
    if (c.image_id != image_id || !IsInfra(c)) continue;
    auto pod = pods.Lookup(c.pod_id);
    if (!pod.ok()) continue;
    RETURN_IF_ERROR(RemovePod(st, *pod, true, 10, warn));
  }
  return Status::Ok();
}

Expected<std::vector<PodRecord>> FilterPods(store::Store& st, std::vector<PodRecord> list,
                                            const std::vector<std::string>& filters) {
  ASSIGN_OR_RETURN(FilterValues by_key, GroupFilters(filters, {"id", "name", "label", "status"}));
  return KeepMatching(std::move(list), by_key, [&](const PodRecord& p, const std::string& k, const std::string& v) {
    return MatchesPod(st, p, k, v);
  });
}

}  // namespace kiln::containers
