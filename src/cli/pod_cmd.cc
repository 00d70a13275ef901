// pod create, ps/ls/list, inspect, exists, start, stop, rm: flags and output over
// containers/pod.h (podman's pod commands; kiln's pods have no cgroup of their own).
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/report.h"
#include "cli/values.h"
#include "containers/pod.h"
#include "containers/run.h"
#include "format/gotime.h"
#include "format/report.h"
#include "format/units.h"
#include "format/value.h"
#include "util/fs.h"
#include "util/json_text.h"
#include "util/time.h"

namespace kiln::cli {

int RenderAndPrint(std::string_view format, const std::vector<format::Value>& rows, format::ReportOptions options,
                   const std::string& error_prefix);

namespace {

using Json = nlohmann::ordered_json;
using store::ContainerRecord;
using store::PodRecord;

struct PodCreateFlags {
  std::string name, hostname, network;
  bool infra = true;
  std::vector<std::string> labels;
};

// kiln's argv as the kernel has it, for inspect's CreateCommand.
std::vector<std::string> OwnCommandLine() {
  std::vector<std::string> out;
  auto text = ReadFile("/proc/self/cmdline");
  if (!text.ok()) return out;
  for (size_t at = 0; at < text->size();) {
    size_t end = text->find('\0', at);
    if (end == std::string::npos) end = text->size();
    out.push_back(text->substr(at, end - at));
    at = end + 1;
  }
  return out;
}

int RunPodCreate(Context& ctx, const PodCreateFlags& f) {
  auto iso = IsolationRequestFor(ctx, "", ctx.options.runtime);
  if (!iso.ok()) return Fail(iso.status());
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  containers::PodCreateOptions o;
  o.name = f.name, o.hostname = f.hostname, o.network = f.network, o.labels = f.labels, o.infra = f.infra;
  o.create_command = OwnCommandLine();
  o.isolation = *iso;
  auto pod = containers::CreatePod(**st, o, Warn);
  if (!pod.ok()) return Fail(pod.status());
  std::printf("%s\n", pod->id.c_str());
  return 0;
}

// ---------------------------------------------------------------------------------------
// pod ps

struct PodPsFlags {
  bool quiet = false, no_trunc = false, noheading = false, latest = false;
  bool ctr_ids = false, ctr_names = false, ctr_status = false;
  std::string format;
  std::vector<std::string> filters;
};

struct PodView {
  PodRecord pod;
  std::vector<ContainerRecord> ctrs;
  std::string status;
};

std::string Short(const std::string& id, bool no_trunc) { return no_trunc ? id : id.substr(0, 12); }

Json ContainersJson(const PodView& v, const char* names_key) {
  Json out = Json::array();
  for (const auto& c : v.ctrs) out.push_back({{"Id", c.id}, {names_key, c.name}, {"Status", c.state}});
  return out;
}

Json PodPsJson(const PodView& v) {
  return {{"Cgroup", ""},
          {"Containers", ContainersJson(v, "Names")},
          {"Created", FormatRfc3339Nano(v.pod.created)},
          {"Id", v.pod.id},
          {"InfraId", v.pod.infra_id},
          {"Name", v.pod.name},
          {"Namespace", ""},
          {"Networks", Json::array({v.pod.config.value("network", "host")})},
          {"Status", v.status},
          {"Labels", v.pod.config.value("labels", Json::object())}};
}

format::Value PodRowValue(const PodView& v, bool no_trunc, int64_t now) {
  using format::Value;
  std::vector<std::string> ids, names, states;
  for (const auto& c : v.ctrs) ids.push_back(Short(c.id, no_trunc)), names.push_back(c.name), states.push_back(c.state);
  auto join = [](const std::vector<std::string>& xs) {
    std::string s;
    for (const auto& x : xs) s += (s.empty() ? "" : ",") + x;
    return s;
  };
  Value labels = Value::Map();
  const Json pod_labels = v.pod.config.value("labels", Json::object());
  for (const auto& [k, val] : pod_labels.items()) labels.Set(k, Value(val.is_string() ? val.get<std::string>() : val.dump()));
  Value report = Value::Struct("entities.ListPodsReport")
                     .Add("Cgroup", "Cgroup", Value(std::string()))
                     .Add("Created", "Created", TimeValue(v.pod.created))
                     .Add("Id", "Id", Value(v.pod.id))
                     .Add("InfraId", "InfraId", Value(v.pod.infra_id))
                     .Add("Name", "Name", Value(v.pod.name))
                     .Add("Namespace", "Namespace", Value(std::string()))
                     .Add("Networks", "Networks", Value::StringSlice({v.pod.config.value("network", "host")}))
                     .Add("Status", "Status", Value(v.status))
                     .Add("Labels", "Labels", labels);
  return Value::Struct("pods.ListPodReporter")
      .Embed(report)
      .AddMethod("ID", Value(Short(v.pod.id, no_trunc)))
      .AddMethod("Id", Value(Short(v.pod.id, no_trunc)))
      .AddMethod("Created", Value(format::TimeAgo(v.pod.created, now)))
      .AddMethod("InfraID", Value(Short(v.pod.infra_id, no_trunc)))
      .AddMethod("InfraId", Value(Short(v.pod.infra_id, no_trunc)))
      .AddMethod("NumberOfContainers", Value::Int(static_cast<int64_t>(v.ctrs.size()), "int"))
      .AddMethod("ContainerIds", Value(join(ids)))
      .AddMethod("ContainerNames", Value(join(names)))
      .AddMethod("ContainerStatuses", Value(join(states)))
      .AddMethod("Networks", Value(v.pod.config.value("network", "host")));
}

Expected<std::vector<PodView>> PodViews(store::Store& st, const std::vector<std::string>& filters) {
  store::Pods pods(st.db());
  ASSIGN_OR_RETURN(std::vector<PodRecord> list, pods.List());
  ASSIGN_OR_RETURN(list, containers::FilterPods(st, std::move(list), filters));
  std::vector<PodView> out;
  for (auto& p : list) {
    ASSIGN_OR_RETURN(std::vector<ContainerRecord> ctrs, containers::PodContainers(st, p.id));
    std::string status = containers::PodStatus(ctrs);
    out.push_back({std::move(p), std::move(ctrs), std::move(status)});
  }
  return out;
}

int RunPodPs(Context& ctx, const PodPsFlags& f) {
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  auto views = PodViews(**st, f.filters);
  if (!views.ok()) return Fail(views.status());
  if (f.latest && views->size() > 1) views->resize(1);  // newest first
  if (f.quiet) {
    for (const auto& v : *views) std::printf("%s\n", Short(v.pod.id, f.no_trunc).c_str());
    return 0;
  }
  if (format::IsJsonFormat(f.format)) {
    Json out = Json::array();
    for (const auto& v : *views) out.push_back(PodPsJson(v));
    std::printf("%s\n", JsonText(out, 2).c_str());
    return 0;
  }
  const int64_t now = NowNanos();
  std::vector<format::Value> rows;
  for (const auto& v : *views) rows.push_back(PodRowValue(v, f.no_trunc, now));
  format::ReportOptions opts;
  opts.template_name = "pod ps";
  opts.header_overrides = {{"ID", "POD ID"},         {"Id", "POD ID"},          {"InfraID", "INFRA ID"},
                           {"NumberOfContainers", "# OF CONTAINERS"}, {"ContainerIds", "IDS"},
                           {"ContainerNames", "NAMES"}, {"ContainerStatuses", "STATUS"}, {"Namespace", "NAMESPACES"}};
  opts.header_fields = {"Cgroup", "Created", "Id", "InfraId", "Name", "Namespace", "Networks", "Status", "Labels"};
  opts.rows_type = "[]pods.ListPodReporter";
  opts.headers = !f.noheading;
  std::string fmt = f.format;
  if (fmt.empty()) {
    fmt = "table {{.ID}}\t{{.Name}}\t{{.Status}}\t{{.Created}}\t{{.InfraID}}";
    if (f.ctr_ids) fmt += "\t{{.ContainerIds}}";
    if (f.ctr_names) fmt += "\t{{.ContainerNames}}";
    if (f.ctr_status) fmt += "\t{{.ContainerStatuses}}";
    if (!f.ctr_ids && !f.ctr_names && !f.ctr_status) fmt += "\t{{.NumberOfContainers}}";
    opts.origin = format::FormatOrigin::kPodman;
  }
  return RenderAndPrint(fmt, rows, std::move(opts), "");
}

// ---------------------------------------------------------------------------------------
// pod inspect, exists

Json PodInspectJson(const PodView& v) {
  const Json& cfg = v.pod.config;
  Json shared = cfg.value("shared_namespaces", Json::array());
  Json j = {{"Id", v.pod.id},
            {"Name", v.pod.name},
            {"Created", FormatRfc3339Nano(v.pod.created)},
            {"CreateCommand", cfg.value("create_command", Json::array())},
            {"ExitPolicy", "continue"},
            {"State", v.status},
            {"Hostname", cfg.value("hostname", "")},
            {"Labels", cfg.value("labels", Json::object())},
            {"CreateCgroup", false},
            {"CreateInfra", !v.pod.infra_id.empty()}};
  if (!v.pod.infra_id.empty()) {
    j["InfraContainerID"] = v.pod.infra_id;
    j["InfraConfig"] = {{"HostNetwork", cfg.value("network", "host") == "host"},
                        {"Networks", Json::array({cfg.value("network", "host")})}};
  }
  j["SharedNamespaces"] = shared;
  j["NumContainers"] = v.ctrs.size();
  j["Containers"] = ContainersJson(v, "Name");
  return j;
}

int RunPodInspect(Context& ctx, const std::vector<std::string>& names, const std::string& fmt, bool latest) {
  if (names.empty() && !latest) return Fail(InvalidArgument("you must provide the name or ID of a pod, or use --latest"));
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  store::Pods pods((*st)->db());
  std::vector<std::string> wanted = names;
  if (latest) {
    auto list = pods.List();
    if (!list.ok()) return Fail(list.status());
    if (list->empty()) return Fail(NotFound("no pods to inspect: no such pod"));
    wanted = {(*list)[0].id};
  }
  std::vector<image::Json> objects;
  for (const auto& n : wanted) {
    auto p = pods.Lookup(n);
    if (!p.ok()) {
      if (p.status().code() != Code::kNotFound) return Fail(p.status());
      std::printf("[]\n");  // podman's empty report, then its error
      std::fflush(stdout);
      return Fail(NotFound("inspecting object: no such pod " + n));
    }
    auto ctrs = containers::PodContainers(**st, p->id);
    if (!ctrs.ok()) return Fail(ctrs.status());
    PodView v{*p, *ctrs, containers::PodStatus(*ctrs)};
    objects.push_back(PodInspectJson(v));
  }
  if (fmt.empty() || format::IsJsonFormat(fmt)) {
    // podman prints one pod as an object, several as an array.
    image::Json out = objects.size() == 1 ? objects[0] : image::Json(objects);
    std::printf("%s\n", JsonText(out, 5).c_str());
    return 0;
  }
  std::vector<format::Value> values;
  for (const auto& o : objects) values.push_back(format::Value::FromJson(nlohmann::json::parse(o.dump())));
  format::ReportOptions opts;
  opts.template_name = "inspect";
  opts.headers = false;
  return RenderAndPrint(fmt, values, std::move(opts), "");
}

// ---------------------------------------------------------------------------------------
// start, stop, rm

struct PodActFlags {
  bool all = false, force = false, ignore = false, latest = false;
  int timeout = 10;
  std::vector<std::string> names;
};

// The pods named (missing ones reported, or skipped with ignore), or all of them.
// A missing pod exits 1 for rm, 125 for start and stop (podman's codes).
Expected<std::vector<PodRecord>> PodTargets(store::Pods& pods, const PodActFlags& f, int missing_code, int* rc) {
  if (f.all) return pods.List();
  if (f.latest) {
    ASSIGN_OR_RETURN(std::vector<PodRecord> list, pods.List());
    if (list.size() > 1) list.resize(1);
    return list;
  }
  std::vector<PodRecord> out;
  for (const auto& n : f.names) {
    auto p = pods.Lookup(n);
    if (p.ok()) {
      out.push_back(*p);
    } else if (!f.ignore) {
      *rc = Fail(p.status(), p.status().code() == Code::kNotFound ? missing_code : 125);
    }
  }
  return out;
}

enum class PodAction { kStart, kStop, kRm };

int RunPodAction(Context& ctx, const PodActFlags& f, PodAction action) {
  if (f.all && !f.names.empty())
    return Fail(InvalidArgument("when using the --all switch, you may not pass any pod names or IDs"));
  if (!f.all && !f.latest && f.names.empty()) return Fail(InvalidArgument("you must provide at least one name or id"));
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  store::Pods pods((*st)->db());
  int rc = 0;
  auto targets = PodTargets(pods, f, action == PodAction::kRm ? 1 : 125, &rc);
  if (!targets.ok()) return Fail(targets.status());
  for (const auto& p : *targets) {
    Status s = action == PodAction::kStart  ? containers::StartPod(**st, p)
               : action == PodAction::kStop ? containers::StopPod(**st, p, f.timeout, Warn)
                                            : containers::RemovePod(**st, p, f.force, f.timeout, Warn);
    if (!s.ok()) {
      rc = Fail(s, action == PodAction::kStart ? containers::ExitCodeFromStartError(s.message()) : 125);
      continue;
    }
    std::printf("%s\n", p.id.c_str());
  }
  return rc;
}

int RunPodPrune(Context& ctx, bool force) {
  if (!force) {
    auto yes = Confirm("WARNING! This will remove all stopped/exited pods..\n");
    if (!yes.ok()) return Fail(yes.status());
    if (!*yes) return 0;
  }
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  auto pruned = containers::PrunePods(**st, Warn);
  if (!pruned.ok()) return Fail(pruned.status());
  for (const auto& id : *pruned) std::printf("%s\n", id.c_str());
  return 0;
}

void AddPodAction(CLI::App& pod, Registry& r, const std::string& name, const std::string& help, PodAction action) {
  auto f = std::make_shared<PodActFlags>();
  CLI::App* cmd = AddCommand(pod, name, help);
  cmd->add_flag("-a,--all", f->all, "Act on all pods");
  cmd->add_flag("-l,--latest", f->latest, "Act on the latest pod podman is aware of");
  if (action != PodAction::kStart) {
    cmd->add_flag("-i,--ignore", f->ignore, "Ignore errors when a specified pod is missing");
    cmd->add_option("-t,--time", f->timeout, "Seconds to wait for pod stop before killing the container");
  }
  if (action == PodAction::kRm) {
    cmd->add_flag("-f,--force", f->force,
                  "Force removal of a running pod by first stopping all containers, then removing all containers in the pod");
  }
  cmd->add_option("pods", f->names, "POD [POD...]");
  cmd->callback([&r, f, action] { r.exit_code = RunPodAction(r.ctx, *f, action); });
}

}  // namespace

void AddPodCommands(Registry& r) {
  CLI::App* pod = AddCommand(r.root, "pod", "Manage pods");
  pod->require_subcommand(1);

  auto cf = std::make_shared<PodCreateFlags>();
  CLI::App* create = AddCommand(*pod, "create", "Create a new empty pod");
  create->add_option("-n,--name", cf->name, "Assign a name to the pod");
  create->add_option("--hostname", cf->hostname, "Set a hostname to the pod");
  create->add_option("--network,--net", cf->network, "Connect the pod to a network (host, none, private)");
  AddBoolValue(create, "--infra", cf->infra, "Create an infra container associated with the pod to share namespaces with");
  AddRepeatable(create, "-l,--label", cf->labels, "Set metadata on pod (default [])");
  create->callback([&r, cf] { r.exit_code = RunPodCreate(r.ctx, *cf); });

  for (const std::string name : {"ps", "ls", "list"}) {
    auto pf = std::make_shared<PodPsFlags>();
    CLI::App* ps = AddCommand(*pod, name, "List pods");
    ps->add_flag("-q,--quiet", pf->quiet, "Print the numeric IDs of the pods only");
    ps->add_flag("--no-trunc", pf->no_trunc, "Do not truncate pod and container IDs");
    ps->add_flag("--noheading", pf->noheading, "Do not print headers");
    ps->add_flag("-l,--latest", pf->latest, "Act on the latest pod podman is aware of");
    ps->add_flag("--ctr-ids", pf->ctr_ids, "Display the container UUIDs. If no-trunc is not set they will be truncated");
    ps->add_flag("--ctr-names", pf->ctr_names, "Display the container names");
    ps->add_flag("--ctr-status", pf->ctr_status, "Display the container status");
    ps->add_option("--format", pf->format, "Pretty-print pods to JSON or using a Go template");
    AddRepeatable(ps, "-f,--filter", pf->filters, "Filter output based on conditions given");
    ps->callback([&r, pf] { r.exit_code = RunPodPs(r.ctx, *pf); });
  }

  auto inspect_names = std::make_shared<std::vector<std::string>>();
  auto inspect_fmt = std::make_shared<std::string>();
  auto inspect_latest = std::make_shared<bool>(false);
  CLI::App* inspect = AddCommand(*pod, "inspect", "Displays a pod configuration");
  inspect->add_option("-f,--format", *inspect_fmt, "Format the output to a Go template or json");
  inspect->add_flag("-l,--latest", *inspect_latest, "Act on the latest pod podman is aware of");
  inspect->add_option("pods", *inspect_names, "POD [POD...]");
  inspect->callback([&r, inspect_names, inspect_fmt, inspect_latest] {
    r.exit_code = RunPodInspect(r.ctx, *inspect_names, *inspect_fmt, *inspect_latest);
  });

  auto exists_name = std::make_shared<std::string>();
  CLI::App* exists = AddCommand(*pod, "exists", "Check if a pod exists in local storage");
  exists->add_option("pod", *exists_name, "POD")->required();
  exists->callback([&r, exists_name] {
    auto st = r.ctx.Store();
    if (!st.ok()) {
      r.exit_code = Fail(st.status());
      return;
    }
    r.exit_code = store::Pods((*st)->db()).Lookup(*exists_name).ok() ? 0 : 1;
  });

  auto prune_force = std::make_shared<bool>(false);
  CLI::App* prune = AddCommand(*pod, "prune", "Remove all stopped pods and their containers");
  prune->add_flag("-f,--force", *prune_force, "Do not prompt for confirmation.  The default is false");
  prune->callback([&r, prune_force] { r.exit_code = RunPodPrune(r.ctx, *prune_force); });

  AddPodAction(*pod, r, "start", "Start one or more pods", PodAction::kStart);
  AddPodAction(*pod, r, "stop", "Stop one or more pods", PodAction::kStop);
  AddPodAction(*pod, r, "rm", "Remove one or more stopped pods and containers", PodAction::kRm);
}

}  // namespace kiln::cli
