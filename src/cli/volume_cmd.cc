// volume create, ls, inspect, rm, prune, exists: flags and output over containers/volumes.h.
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "containers/volumes.h"
#include "format/gojson.h"
#include "format/report.h"
#include "format/value.h"
#include "store/volumes.h"
#include "util/json_text.h"

namespace kiln::cli {

int RenderAndPrint(std::string_view format, const std::vector<format::Value>& rows, format::ReportOptions options,
                   const std::string& error_prefix);

namespace {

using Json = nlohmann::ordered_json;
using format::Value;

Value StringMapValue(const std::map<std::string, std::string>& m) {
  return Value::StringMap(std::vector<std::pair<std::string, std::string>>(m.begin(), m.end()));
}

// podman's entities.VolumeConfigResponse (define.InspectVolumeData has the same fields).
Value VolumeValue(const std::string& root, const store::VolumeRecord& v, format::TypeName type) {
  return Value::Struct(type)
      .Add("Name", "Name", Value(v.name))
      .Add("Driver", "Driver", Value(v.driver))
      .Add("Mountpoint", "Mountpoint", Value(store::VolumeDataPath(root, v.name)))
      .Add("CreatedAt", "CreatedAt", Value::Time(v.created / 1000000000, static_cast<int32_t>(v.created % 1000000000)))
      .Add("Status", "Status", Value::NilMap(), true)
      .Add("Labels", "Labels", StringMapValue(v.labels))
      .Add("Scope", "Scope", Value("local"))
      .Add("Options", "Options", StringMapValue(v.options))
      .Add("UID", "UID", Value::Int(0), true)
      .Add("GID", "GID", Value::Int(0), true)
      .Add("Anonymous", "Anonymous", Value(v.anonymous), true)
      .Add("MountCount", "MountCount", Value::Uint(0))
      .Add("NeedsCopyUp", "NeedsCopyUp", Value(v.needs_copy_up), true)
      .Add("NeedsChown", "NeedsChown", Value(v.needs_chown), true)
      .Add("Timeout", "Timeout", Value::Uint(0), true);
}

Json VolumesJson(const std::string& root, const std::vector<store::VolumeRecord>& list) {
  Json out = Json::array();
  for (const auto& v : list) out.push_back(Json::parse(format::GoJson(VolumeValue(root, v, "define.InspectVolumeData"))));
  return out;
}

struct CreateOptions {
  std::string driver;
  std::vector<std::string> labels, options, names;
};

int RunCreate(Context& ctx, const CreateOptions& o) {
  if (o.names.size() > 1)
    return Fail(InvalidArgument("accepts at most 1 arg(s), received " + std::to_string(o.names.size())));
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  containers::VolumeCreateOptions c{o.names.empty() ? "" : o.names[0], o.driver, o.labels, o.options, false};
  auto v = containers::CreateVolume((*st)->db(), (*st)->root(), c);
  if (!v.ok()) return Fail(v.status(), 125);
  std::printf("%s\n", v->name.c_str());
  return 0;
}

struct LsOptions {
  bool quiet = false, noheading = false;
  std::string format;
  std::vector<std::string> filters;
};

int RunLs(Context& ctx, const LsOptions& o) {
  if (o.quiet && !o.format.empty()) return Fail(InvalidArgument("quiet and format flags cannot be used together"));
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  store::Volumes rows((*st)->db());
  auto list = rows.List();
  if (!list.ok()) return Fail(list.status());
  auto kept = containers::FilterVolumes((*st)->db(), std::move(*list), o.filters);
  if (!kept.ok()) return Fail(kept.status(), 125);
  if (format::IsJsonFormat(o.format)) {
    std::printf("%s\n", JsonText(VolumesJson((*st)->root(), *kept), 2).c_str());
    return 0;
  }
  if (kept->empty()) return 0;  // podman prints not even the heading
  if (o.quiet) {
    for (const auto& v : *kept) std::printf("%s\n", v.name.c_str());
    return 0;
  }
  std::vector<Value> values;
  for (const auto& v : *kept)
    values.push_back(Value::Struct("entities.VolumeListReport")
                         .Embed(VolumeValue((*st)->root(), v, "entities.VolumeConfigResponse"))
                         .AsPointer("*entities.VolumeListReport"));
  format::ReportOptions opts;
  opts.template_name = "ls";
  opts.header_overrides = {{"Name", "VOLUME NAME"}};
  opts.rows_type = "[]*entities.VolumeListReport";
  opts.headers = !o.noheading;
  std::string fmt = o.format;
  if (fmt.empty()) {
    fmt = "table {{.Driver}}\t{{.Name}}";
    opts.origin = format::FormatOrigin::kPodman;
  }
  return RenderAndPrint(fmt, values, std::move(opts), "");
}

int PrintVolumes(const std::string& root, const std::vector<store::VolumeRecord>& found, const std::string& fmt) {
  if (fmt.empty() || format::IsJsonFormat(fmt)) {
    std::printf("%s\n", JsonText(VolumesJson(root, found), 5).c_str());
    return 0;
  }
  std::vector<Value> values;
  for (const auto& v : found) values.push_back(VolumeValue(root, v, "define.InspectVolumeData").AsPointer("*define.InspectVolumeData"));
  format::ReportOptions opts;
  opts.template_name = "inspect";
  opts.headers = false;
  return RenderAndPrint(fmt, values, std::move(opts), "");
}

struct InspectOptions {
  bool all = false;
  std::string format;
  std::vector<std::string> names;
};

int RunInspect(Context& ctx, const InspectOptions& o) {
  if (o.all == !o.names.empty()) return Fail(InvalidArgument("provide one or more volume names or use --all"));
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  store::Volumes rows((*st)->db());
  std::vector<store::VolumeRecord> found;
  if (o.all) {
    auto list = rows.List();
    if (!list.ok()) return Fail(list.status());
    found = std::move(*list);
  }
  // podman prints what it found ("[]" when nothing), then "error …" for each missing name
  // but the first, which is the command's error.
  std::vector<std::string> missing;
  for (const auto& n : o.names) {
    auto v = rows.Get(n);
    if (v.ok()) found.push_back(*v);
    else missing.push_back(n);
  }
  int rc = PrintVolumes((*st)->root(), found, o.format);
  if (missing.empty()) return rc;
  std::fflush(stdout);
  for (size_t i = 1; i < missing.size(); ++i)
    std::fprintf(stderr, "error inspecting object: no such volume %s\n", missing[i].c_str());
  return Fail(NotFound("inspecting object: no such volume " + missing[0]), 125);
}

struct RmOptions {
  bool all = false, force = false;
  int timeout = 10;
  std::vector<std::string> names;
};

int RunRm(Context& ctx, const RmOptions& o) {
  if (o.all == !o.names.empty()) return Fail(InvalidArgument("choose either one or more volumes or all"));
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  std::vector<std::string> names = o.names;
  if (o.all) {
    store::Volumes rows((*st)->db());
    auto list = rows.List();
    if (!list.ok()) return Fail(list.status());
    for (const auto& v : *list) names.push_back(v.name);
  }
  // podman removes what it can, prints those names, then reports the failures.
  std::vector<Status> failed;
  for (const auto& n : names) {
    Status s = containers::RemoveVolume(**st, n, o.force, o.timeout, Warn);
    if (s.ok()) std::printf("%s\n", n.c_str());
    else failed.push_back(s);
  }
  std::fflush(stdout);
  int rc = 0;
  // podman: 1 for a volume that does not exist, 2 for one in use.
  for (const auto& s : failed) rc = Fail(s, s.code() == Code::kNotFound ? 1 : s.code() == Code::kInUse ? 2 : 125);
  return rc;
}

struct PruneOptions {
  bool force = false;
  std::vector<std::string> filters;
};

int RunPrune(Context& ctx, const PruneOptions& o) {
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  if (!o.force) {
    store::Volumes rows((*st)->db());
    auto list = rows.List();
    if (!list.ok()) return Fail(list.status());
    auto kept = containers::FilterVolumes((*st)->db(), std::move(*list), o.filters);
    if (!kept.ok()) return Fail(kept.status(), 125);
    auto users = containers::AllVolumeUsers((*st)->db());
    if (!users.ok()) return Fail(users.status());
    std::string unused;
    for (const auto& v : *kept)
      if (!users->count(v.name)) unused += v.name + "\n";
    auto yes = Confirm("WARNING! This will remove all volumes not used by at least one container. The following volumes will be removed:\n" + unused);
    if (!yes.ok()) return Fail(yes.status());
    if (!*yes) return 0;
  }
  auto removed = containers::PruneVolumes(**st, o.filters);
  if (!removed.ok()) return Fail(removed.status(), 125);
  for (const auto& n : *removed) std::printf("%s\n", n.c_str());
  return 0;
}

int RunExists(Context& ctx, const std::vector<std::string>& names) {
  if (names.size() != 1)
    return Fail(InvalidArgument("accepts 1 arg(s), received " + std::to_string(names.size())));
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  store::Volumes rows((*st)->db());
  return rows.Exists(names[0]) ? 0 : 1;
}

}  // namespace

void RegisterVolumeCommands(Registry& r) {
  CLI::App* volume = AddCommand(r.root, "volume", "Manage volumes");
  volume->require_subcommand(1);

  auto co = std::make_shared<CreateOptions>();
  CLI::App* create = AddCommand(*volume, "create", "Create a new volume");
  create->add_option("--driver", co->driver, "Specify volume driver name");
  AddRepeatable(create, "-l,--label", co->labels, "Set metadata for a volume (e.g. --label mykey=value)");
  AddRepeatable(create, "-o,--opt", co->options, "Set driver specific options");
  create->add_option("name", co->names, "[NAME]");
  create->callback([&r, co] { r.exit_code = RunCreate(r.ctx, *co); });

  auto lo = std::make_shared<LsOptions>();
  CLI::App* ls = AddCommand(*volume, "ls", "List volumes");
  ls->alias("list");
  ls->add_flag("-q,--quiet", lo->quiet, "Print volume output in quiet mode");
  ls->add_flag("--noheading", lo->noheading, "Do not print headers");
  ls->add_option("--format", lo->format, "Format volume output using Go template");
  AddRepeatable(ls, "-f,--filter", lo->filters, "Filter volume output");
  ls->callback([&r, lo] { r.exit_code = RunLs(r.ctx, *lo); });

  auto io = std::make_shared<InspectOptions>();
  CLI::App* inspect = AddCommand(*volume, "inspect", "Display detailed information on one or more volumes");
  inspect->add_flag("-a,--all", io->all, "Inspect all volumes");
  inspect->add_option("-f,--format", io->format, "Format volume output using Go template");
  inspect->add_option("volumes", io->names, "VOLUME [VOLUME...]");
  inspect->callback([&r, io] { r.exit_code = RunInspect(r.ctx, *io); });

  auto ro = std::make_shared<RmOptions>();
  CLI::App* rm = AddCommand(*volume, "rm", "Remove one or more volumes");
  rm->alias("remove");
  rm->add_flag("-a,--all", ro->all, "Remove all volumes");
  rm->add_flag("-f,--force", ro->force, "Remove a volume by force, even if it is being used by a container");
  rm->add_option("-t,--time", ro->timeout, "Seconds to wait for running containers to stop before killing the container");
  rm->add_option("volumes", ro->names, "VOLUME [VOLUME...]");
  rm->callback([&r, ro] { r.exit_code = RunRm(r.ctx, *ro); });

  auto po = std::make_shared<PruneOptions>();
  CLI::App* prune = AddCommand(*volume, "prune", "Remove all unused volumes");
  prune->add_flag("-f,--force", po->force, "Do not prompt for confirmation");
  AddRepeatable(prune, "--filter", po->filters, "Provide filter values (e.g. 'label=<key>=<value>')");
  prune->callback([&r, po] { r.exit_code = RunPrune(r.ctx, *po); });

  auto names = std::make_shared<std::vector<std::string>>();
  CLI::App* exists = AddCommand(*volume, "exists", "Check if volume exists");
  exists->add_option("volume", *names, "VOLUME");
  exists->callback([&r, names] { r.exit_code = RunExists(r.ctx, *names); });
}

}  // namespace kiln::cli
