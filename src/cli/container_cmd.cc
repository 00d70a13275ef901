// Containers: run, create, start, stop, kill, wait, logs, ps, rm, container prune/exists/ls,
// export. Flags and output only: the engine is src/containers/ (creating, running and
// watching, stopping, removing) over src/runtime/ (which the build's RUN steps use too).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>

#include "cli/commands.h"
#include "cli/container_inspect.h"
#include "cli/remote_flags.h"
#include "cli/values.h"
#include "config/containers_conf.h"
#include "containers/containers.h"
#include "containers/ports.h"
#include "containers/logs.h"
#include "containers/pod.h"
#include "containers/run.h"
#include "containers/volumes.h"
#include "format/gotime.h"
#include "format/report.h"
#include "format/units.h"
#include "format/value.h"
#include "store/containers.h"
#include "store/paths.h"
#include "util/fs.h"
#include "util/json_text.h"
#include "util/time.h"

namespace kiln::cli {

int RenderAndPrint(std::string_view format, const std::vector<format::Value>& rows, format::ReportOptions options,
                   const std::string& error_prefix);

namespace {

using Json = nlohmann::ordered_json;
using store::ContainerRecord;

// ---------------------------------------------------------------------------------------
// run, create

struct RunOptions {
  bool rm = false, detach = false, interactive = false, tty = false;
  std::string name, workdir, user, entrypoint, hostname, network, isolation, runtime;
  std::string pod;  // --pod NAME|ID|new:NAME
  std::string platform, os, arch, variant;  // which instance of a manifest list runs
  bool entrypoint_set = false;
  std::vector<std::string> env, env_files, volumes, volumes_from, publish, security_opts, mounts;
  std::string pull = "missing";  // podman's --pull policy for the image
  PullFlagsForBuild pull_flags;   // --quiet, --tls-verify, --authfile
};

// podman's --pull of run and create: "missing" pulls an image the store does not have,
// "always" pulls every time, "newer" pulls and keeps the local image when the registry
// cannot be reached, "never" only looks in the store.
Status PullImageForRun(store::Store& st, const RunOptions& o, const std::string& image) {
  static constexpr std::string_view kPolicies[] = {"missing", "always", "never", "newer"};
  if (std::find(std::begin(kPolicies), std::end(kPolicies), o.pull) == std::end(kPolicies))
    return InvalidArgument("unsupported pull policy \"" + o.pull + "\"");
  if (image.empty() || o.pull == "never") return Status::Ok();
  auto local = st.LookupImage(image);
  // An image named by its ID has no registry to come from.
  std::string_view hex = image;
  if (hex.rfind("sha256:", 0) == 0) hex.remove_prefix(7);
  bool by_id = local.ok() && image::IsIdPrefix(hex) && local->id.rfind(hex, 0) == 0;
  if (local.ok() && (o.pull == "missing" || by_id)) return Status::Ok();
  if (!local.ok() && local.status().code() != Code::kNotFound) return local.status();
  PullFlagsForBuild f = o.pull_flags;
  f.os = o.os, f.arch = o.arch, f.variant = o.variant;
  if (!o.platform.empty()) {
    ASSIGN_OR_RETURN(image::Platform p, image::ParsePlatform(o.platform));
    f.os = p.os, f.arch = p.architecture, f.variant = p.variant;
  }
  auto pulled = PullForBuild(st, image, f);
  if (pulled.ok()) return Status::Ok();
  if (o.pull == "newer" && local.ok()) return Status::Ok();
  return pulled.status();
}

Expected<containers::CreateOptions> CreateOptionsFrom(Context& ctx, const RunOptions& o,
                                                     const std::vector<std::string>& positional) {
  containers::CreateOptions c;
  ASSIGN_OR_RETURN(containers::IsolationRequest iso, IsolationRequestFor(ctx, o.isolation, o.runtime));
  if (!o.platform.empty()) {
    ASSIGN_OR_RETURN(c.platform, image::ParsePlatform(o.platform));
  }
  if (!o.os.empty()) c.platform.os = o.os;
  if (!o.arch.empty()) {  // the host's variant is not the other architecture's
    c.platform.architecture = image::NormalizeArch(o.arch);
    c.platform.variant.clear();
  }
  if (!o.variant.empty()) c.platform.variant = o.variant;
  if (!positional.empty()) {
    c.image = positional[0];
    c.args.assign(positional.begin() + 1, positional.end());
  }
  if (o.entrypoint_set) c.entrypoint = o.entrypoint;
  c.name = o.name, c.workdir = o.workdir, c.user = o.user, c.hostname = o.hostname;
  c.env = o.env, c.env_files = o.env_files, c.volumes = o.volumes, c.publish = o.publish, c.mounts = o.mounts;
  c.volumes_from = o.volumes_from;
  c.network = o.network, c.isolation = o.isolation, c.runtime = o.runtime;
  c.configured_runtime = iso.configured_runtime, c.runtime_flags = iso.runtime_flags;
  c.rm = o.rm, c.tty = o.tty;
  ASSIGN_OR_RETURN(c.security, containers::ParseSecurityOpts(o.security_opts, [&ctx](const std::string& m) { ctx.Debug(m); }));
  return c;
}

void AddRunFlags(CLI::App* cmd, RunOptions& o, bool is_run) {
  cmd->add_flag("--rm", o.rm, "Remove container (and pod if created) after exit");
  if (is_run) cmd->add_flag("-d,--detach", o.detach, "Run container in background and print container ID");
  cmd->add_flag("-i,--interactive", o.interactive, "Keep STDIN open even if not attached");
  cmd->add_flag("-t,--tty", o.tty, "Allocate a pseudo-TTY for container");
  cmd->add_option("--name", o.name, "Assign a name to the container");
  cmd->add_option("--pod", o.pod, "Run container in an existing pod (new:NAME makes the pod)");
  AddRepeatable(cmd, "-e,--env", o.env, "Set environment variables in container");
  AddRepeatable(cmd, "--env-file", o.env_files, "Read in a file of environment variables");
  AddRepeatable(cmd, "-v,--volume", o.volumes, "Bind mount a volume into the container");
  AddRepeatable(cmd, "--volumes-from", o.volumes_from, "Mount volumes from the specified container(s)");
  AddRepeatable(cmd, "--security-opt", o.security_opts, "Security Options");
  AddRepeatable(cmd, "--mount", o.mounts, "Attach a filesystem mount to the container (type=bind or type=image)");
  AddRepeatable(cmd, "-p,--publish", o.publish, "Publish a container's port to the host (tcp)");
  cmd->add_option("-w,--workdir", o.workdir, "Working directory inside the container");
  cmd->add_option("-u,--user", o.user, "Username or UID (format: <name|uid>[:<group|gid>])");
  cmd->add_option_function<std::string>(
      "--entrypoint", [&o](const std::string& v) { o.entrypoint = v, o.entrypoint_set = true; },
      "Overwrite the default ENTRYPOINT of the image");
  cmd->set_help_flag("--help", "Print usage");
  cmd->add_option("-h,--hostname", o.hostname, "Set container hostname");
  cmd->add_option("--network,--net", o.network, "Connect a container to a network (host, none, private)");
  cmd->add_option("--isolation", o.isolation, "Isolation: chroot (built-in namespaces) or oci (runc/crun)");
  cmd->add_option("--runtime", o.runtime, "Path or name of the OCI runtime (runc, crun)");
  cmd->add_option("--platform", o.platform, "Specify the platform for selecting the image.  (Conflicts with --arch and --os)");
  cmd->add_option("--arch", o.arch, "use ARCH instead of the architecture of the machine for choosing images");
  cmd->add_option("--os", o.os, "use OS instead of the running OS for choosing images");
  cmd->add_option("--variant", o.variant, "Use VARIANT instead of the running architecture variant for choosing images");
  cmd->add_option("--pull", o.pull, "Pull image policy");
  cmd->add_flag("-q,--quiet", o.pull_flags.quiet, "Suppress output information when pulling images");
  AddTriBool(cmd, "--tls-verify", o.pull_flags.tls_verify,
             "Require HTTPS and verify certificates when contacting registries for pulling images");
  cmd->add_option("--authfile", o.pull_flags.authfile, "Path of the authentication file");
  cmd->prefix_command();
}

// --pod: the pod's ID (made first for new:NAME, with *made_pod set, so that a failed
// create can take it away again, as podman does).
Expected<std::string> PodFor(Context& ctx, store::Store& st, const std::string& pod, std::string* made_pod) {
  if (pod.empty()) return std::string();
  if (pod.rfind("new:", 0) == 0) {
    ASSIGN_OR_RETURN(containers::IsolationRequest iso, IsolationRequestFor(ctx, "", ctx.options.runtime));
    containers::PodCreateOptions o;
    o.name = pod.substr(4);
    o.isolation = iso;
    ASSIGN_OR_RETURN(store::PodRecord made, containers::CreatePod(st, o, Warn));
    *made_pod = made.id;
    return made.id;
  }
  ASSIGN_OR_RETURN(store::PodRecord found, store::Pods(st.db()).Lookup(pod));
  return found.id;
}

// Create with --pod: the pod resolved (or made), the container in it.
Expected<ContainerRecord> CreateInPod(Context& ctx, store::Store& st, containers::CreateOptions& opts, const std::string& pod) {
  std::string made_pod;
  ASSIGN_OR_RETURN(opts.pod, PodFor(ctx, st, pod, &made_pod));
  auto c = containers::Create(st, opts, Warn);
  if (!c.ok() && !made_pod.empty())
    if (auto p = store::Pods(st.db()).Lookup(made_pod); p.ok()) (void)containers::RemovePod(st, *p, true, 0, Warn);
  return c;
}

int FailRun(const containers::RunResult& r) {
  if (!r.error.empty()) return Fail(InvalidArgument(r.error), r.exit_code);
  return r.exit_code;
}

int RunRun(Context& ctx, RunOptions& o, const std::vector<std::string>& rest) {
  auto st = ctx.OpenStore();  // RunForeground closes it while the container runs
  if (!st.ok()) return Fail(st.status());
  auto opts = CreateOptionsFrom(ctx, o, rest);
  if (!opts.ok()) return Fail(opts.status());
  if (Status s = PullImageForRun(**st, o, opts->image); !s.ok()) return Fail(s);
  auto c = CreateInPod(ctx, **st, *opts, o.pod);
  if (!c.ok()) return Fail(c.status(), 125);  // podman: 125 for an unknown image too
  if (Status s = containers::StartInfraOf(**st, *c); !s.ok()) return Fail(s);
  auto spec = containers::SpecFor(**st, *c);
  if (!spec.ok()) return Fail(spec.status());
  if (Status s = runtime::PrepareBundle(*spec); !s.ok()) return Fail(s);
  if (Status s = containers::PrepareVolumes(**st, *c, *spec); !s.ok()) return Fail(s);
  if (o.detach) {
    Status s = containers::StartDetached(**st, *c, *spec, o.rm);
    if (!s.ok()) return Fail(s, containers::ExitCodeFromStartError(s.message()));
    std::printf("%s\n", c->id.c_str());
    return 0;
  }
  return FailRun(containers::RunForeground(std::move(st).value(), *c, *spec, o.interactive, !o.rm, o.rm));
}

int RunCreate(Context& ctx, RunOptions& o, const std::vector<std::string>& rest) {
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  auto opts = CreateOptionsFrom(ctx, o, rest);
  if (!opts.ok()) return Fail(opts.status());
  if (Status s = PullImageForRun(**st, o, opts->image); !s.ok()) return Fail(s);
  auto c = CreateInPod(ctx, **st, *opts, o.pod);
  if (!c.ok()) return Fail(c.status());
  std::printf("%s\n", c->id.c_str());
  return 0;
}

// ---------------------------------------------------------------------------------------
// start, stop, kill, wait

struct StartOptions {
  bool attach = false, interactive = false;
  std::vector<std::string> names;
};

int RunStart(Context& ctx, StartOptions& o) {
  if (o.names.empty()) return Fail(InvalidArgument("start requires at least one argument"));
  if (o.attach && o.names.size() > 1) return Fail(InvalidArgument("you cannot start and attach multiple containers at once"));
  auto st = ctx.OpenStore();  // RunForeground closes it while the container runs
  if (!st.ok()) return Fail(st.status());
  int rc = 0;
  for (const auto& name : o.names) {
    store::Containers ctrs((*st)->db());
    auto c = ctrs.Lookup(name);
    if (!c.ok()) {
      rc = Fail(c.status(), 125);
      continue;
    }
    containers::Reconcile(ctrs, *c);
    if (c->state == "running") {
      if (!o.attach) std::printf("%s\n", name.c_str());
      continue;
    }
    if (Status s = containers::StartInfraOf(**st, *c); !s.ok()) return Fail(s);
    auto spec = containers::SpecFor(**st, *c);
    if (!spec.ok()) return Fail(spec.status());
    if (Status s = runtime::PrepareBundle(*spec); !s.ok()) return Fail(s);
    if (Status s = containers::PrepareVolumes(**st, *c, *spec); !s.ok()) return Fail(s);
    bool remove = c->config.value("rm", false);
    if (o.attach) return FailRun(containers::RunForeground(std::move(st).value(), *c, *spec, o.interactive, true, remove));
    Status s = containers::StartDetached(**st, *c, *spec, remove);
    if (!s.ok()) {
      rc = Fail(s, containers::ExitCodeFromStartError(s.message()));
      continue;
    }
    std::printf("%s\n", name.c_str());
  }
  return rc;
}

struct StopOptions {
  bool all = false, ignore = false;
  int timeout = 10;
  std::string signal = "KILL";
  std::vector<std::string> names;
};

// The containers named (missing ones reported in *missing), or all of them.
Expected<std::vector<ContainerRecord>> Targets(store::Containers& ctrs, const std::vector<std::string>& names, bool all,
                                               std::vector<Status>* missing) {
  std::vector<ContainerRecord> out;
  if (all) return ctrs.List();
  for (const auto& n : names) {
    auto c = ctrs.Lookup(n);
    if (!c.ok()) {
      missing->push_back(c.status());
      continue;
    }
    out.push_back(*c);
  }
  return out;
}

int RunStop(Context& ctx, StopOptions& o) {
  if (o.names.empty() && !o.all) return Fail(InvalidArgument("you must provide at least one name or id"));
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  store::Containers ctrs((*st)->db());
  int rc = 0;
  for (size_t i = 0; i < (o.all ? 1 : o.names.size()); ++i) {
    std::vector<Status> missing;
    auto list = Targets(ctrs, o.all ? std::vector<std::string>{} : std::vector<std::string>{o.names[i]}, o.all, &missing);
    if (!list.ok()) return Fail(list.status());
    for (const auto& m : missing)
      if (!o.ignore) rc = Fail(m, 125);
    for (auto& c : *list) {
      if (o.all) containers::Reconcile(ctrs, c);
      if (o.all && c.state != "running") continue;
      Status s = containers::Stop(ctrs, c, o.timeout, Warn);
      if (!s.ok()) {
        rc = Fail(s);
        continue;
      }
      std::printf("%s\n", o.all ? c.id.c_str() : o.names[i].c_str());
    }
  }
  return rc;
}

int RunKill(Context& ctx, StopOptions& o) {
  if (o.names.empty() && !o.all) return Fail(InvalidArgument("you must provide at least one name or id"));
  int sig = runtime::ParseSignal(o.signal);
  if (sig <= 0) return Fail(InvalidArgument("invalid signal: " + o.signal));
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  store::Containers ctrs((*st)->db());
  int rc = 0;
  std::vector<Status> missing;
  auto list = Targets(ctrs, o.names, o.all, &missing);
  if (!list.ok()) return Fail(list.status());
  for (const auto& m : missing) rc = Fail(m, 125);
  for (size_t i = 0; i < list->size(); ++i) {
    auto& c = (*list)[i];
    if (o.all) {
      containers::Reconcile(ctrs, c);
      if (c.state != "running") continue;
    }
    if (Status s = containers::Kill(ctrs, c, sig); !s.ok()) {
      rc = Fail(s, 125);
      continue;
    }
    std::printf("%s\n", o.all ? c.id.c_str() : o.names[i].c_str());
  }
  return rc;
}

int RunWait(Context& ctx, const std::vector<std::string>& names) {
  if (names.empty()) return Fail(InvalidArgument("you must provide at least one container name or id"));
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  store::Containers ctrs((*st)->db());
  int rc = 0;
  for (const auto& n : names) {
    auto c = ctrs.Lookup(n);
    if (!c.ok()) {
      rc = Fail(c.status(), 125);
      continue;
    }
    auto code = containers::WaitForExit(**st, *c);
    if (!code.ok()) {
      // Removed while we waited, without an exit file: podman reports the container gone.
      rc = Fail(NotFound("no container with name or ID \"" + n + "\" found: no such container"), 125);
      continue;
    }
    std::printf("%lld\n", static_cast<long long>(*code));
    std::fflush(stdout);
  }
  return rc;
}

// ---------------------------------------------------------------------------------------
// logs

struct LogsOptions {
  bool follow = false, timestamps = false;
  std::vector<std::string> names;
};

// One record as podman prints it, on the stream it came from (so records keep their order
// across the two streams).
void PrintLogRecord(const containers::LogRecord& r, bool timestamps) {
  std::string body = r.text;
  if (!r.partial) body += "\n";
  if (timestamps) body = r.time + " " + body;
  FILE* f = r.stream == "stderr" ? stderr : stdout;
  std::fwrite(body.data(), 1, body.size(), f);
  std::fflush(f);
}

int RunLogs(Context& ctx, LogsOptions& o) {
  if (o.names.empty()) return Fail(InvalidArgument("no containers specified"));
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  store::Containers ctrs((*st)->db());
  for (const auto& n : o.names) {
    auto c = ctrs.Lookup(n);
    if (!c.ok()) return Fail(c.status(), 125);
    Status s = containers::ReadLog(**st, *c, o.follow,
                                   [&o](const containers::LogRecord& r) { PrintLogRecord(r, o.timestamps); });
    if (!s.ok()) return Fail(s);
  }
  return 0;
}

// ---------------------------------------------------------------------------------------
// ps

struct PsOptions {
  bool pod = false;  // --pod: the POD ID and PODNAME columns
  bool all = false, quiet = false, no_trunc = false, latest = false, noheading = false, size = false;
  int last = -1;
  std::string format;
  std::vector<std::string> filters;
};

std::string Joined(const Json& arr) {
  std::string s;
  for (const auto& a : arr) s += (s.empty() ? "" : " ") + a.get<std::string>();
  return s;
}

std::string StatusText(const ContainerRecord& c, int64_t now) {
  if (c.state == "running") return "Up " + format::TimeAgo(c.started, now);
  if (c.state == "exited") return "Exited (" + std::to_string(c.exit_code) + ") " + format::TimeAgo(c.finished, now);
  if (c.state == "created") return "Created";
  return c.state;
}

// ps's Mounts: where the host directories, then the volumes, are mounted (podman's order).
std::vector<std::string> MountDestinations(const ContainerRecord& c) {
  std::vector<std::string> out;
  for (const auto& b : c.config.value("binds", Json::array())) out.push_back(b.value("destination", ""));
  for (const auto& m : containers::MountsOf(c)) out.push_back(m.destination);
  return out;
}

// A container's pod: its ID and name ("" for none).
struct PodOf {
  std::string id, name;
};
using PodNames = std::map<std::string, std::string>;  // pod ID → name

PodOf PodOfContainer(const ContainerRecord& c, const PodNames& pods) {
  auto it = pods.find(c.pod_id);
  return it == pods.end() ? PodOf{} : PodOf{it->first, it->second};
}

format::Value PsRowValue(const ContainerRecord& c, const PodOf& pod, bool no_trunc, int64_t now) {
  using format::Value;
  const Json& cfg = c.config;
  std::vector<std::string> command;
  for (const auto& a : cfg.value("command", Json::array())) command.push_back(a.get<std::string>());
  std::string cmd = Joined(cfg.value("command", Json::array()));
  if (!no_trunc && cmd.size() > 20) cmd = cmd.substr(0, 17) + "...";
  std::string status = StatusText(c, now);
  std::vector<std::string> mounts = MountDestinations(c);
  Value list = Value::Struct("entities.ListContainer")
                   .Add("AutoRemove", "AutoRemove", Value(cfg.value("rm", false)))
                   .Add("Command", "Command", Value::StringSlice(command))
                   .Add("Created", "Created", TimeValue(c.created))
                   .Add("CreatedAt", "CreatedAt", Value(format::TimeAgo(c.created, now)))
                   .Add("Exited", "Exited", Value(c.state == "exited"))
                   .Add("ExitedAt", "ExitedAt", Value::Int(c.finished ? c.finished / 1000000000 : -62135596800, "int64"))
                   .Add("ExitCode", "ExitCode", Value::Int(c.exit_code, "int32"))
                   .Add("ID", "Id", Value(c.id))
                   .Add("Image", "Image", Value(cfg.value("image_name", c.image_id)))
                   .Add("ImageID", "ImageID", Value(c.image_id))
                   .Add("IsInfra", "IsInfra", Value(containers::IsInfra(c)))
                   .Add("Labels", "Labels", Value::NilMap("map[string]string"))
                   .Add("Mounts", "Mounts", Value::StringSlice(mounts))
                   .Add("Names", "Names", Value::StringSlice({c.name}))
                   .Add("Networks", "Networks", Value::StringSlice({cfg.value("network", "host")}))
                   .Add("Pid", "Pid", Value::Int(c.state == "running" ? c.pid : 0))
                   .Add("Pod", "Pod", Value(pod.id))
                   .Add("PodName", "PodName", Value(pod.name))
                   .Add("Ports", "Ports", Value::NilSlice("[]types.PortMapping"))
                   .Add("StartedAt", "StartedAt", Value::Int(c.started ? c.started / 1000000000 : -62135596800, "int64"))
                   .Add("State", "State", Value(c.state))
                   .Add("Status", "Status", Value(status));
  // podman's psReporter methods (ID(), Image(), Command()…): templates call them like fields,
  // they shadow the embedded ListContainer's fields, and JSON/%v/headers do not see them.
  return Value::Struct("ps.psReporter")
      .Embed(list)
      .AddMethod("ID", Value(no_trunc ? c.id : c.id.substr(0, 12)))
      .AddMethod("Image", Value(cfg.value("image_name", c.image_id)))
      .AddMethod("Command", Value(cmd))
      .AddMethod("CreatedHuman", Value(format::TimeAgo(c.created, now)))
      .AddMethod("CreatedAt", Value(format::GoTimeString(c.created / 1000000000, static_cast<int32_t>(c.created % 1000000000))))
      .AddMethod("Status", Value(status))
      .AddMethod("State", Value(status))
      .AddMethod("RunningFor", Value(format::TimeAgo(c.created, now)))
      .AddMethod("Names", Value(c.name))
      .AddMethod("Ports", Value(containers::FormatPorts(containers::PortsFromJson(cfg.value("ports", Json::array())))))
      .AddMethod("Networks", Value(cfg.value("network", "host")))
      .AddMethod("Label", Value(std::string()))
      .AddMethod("Size", Value(std::string()))
      .AddMethod("Pod", Value(no_trunc ? pod.id : pod.id.substr(0, std::min<size_t>(12, pod.id.size()))))
      .AddMethod("PodName", Value(pod.name))
      .AddMethod("ExitCode", Value::Int(c.exit_code, "int32"));
}

// podman's ps --format json "Ports": null, or types.PortMapping objects.
Json PsPortsJson(const std::vector<containers::PortMapping>& ports) {
  if (ports.empty()) return nullptr;
  Json out = Json::array();
  for (const auto& p : ports)
    out.push_back({{"host_ip", p.host_ip}, {"container_port", p.container_port}, {"host_port", p.host_port},
                   {"range", 1}, {"protocol", p.protocol}});
  return out;
}

Json PsJson(const ContainerRecord& c, const PodOf& pod, int64_t now) {
  const Json& cfg = c.config;
  Json j = Json::object();
  j["AutoRemove"] = cfg.value("rm", false);
  j["Command"] = cfg.value("command", Json::array());
  j["CreatedAt"] = format::TimeAgo(c.created, now);
  j["Exited"] = c.state == "exited";
  j["ExitedAt"] = c.finished ? c.finished / 1000000000 : -62135596800;
  j["ExitCode"] = c.exit_code;
  j["Id"] = c.id;
  j["Image"] = cfg.value("image_name", c.image_id);
  j["ImageID"] = c.image_id;
  j["IsInfra"] = containers::IsInfra(c);
  j["Labels"] = nullptr;
  j["Mounts"] = MountDestinations(c);
  j["Names"] = Json::array({c.name});
  j["Namespaces"] = Json::object();
  j["Networks"] = Json::array({cfg.value("network", "host")});
  j["Pid"] = c.state == "running" ? c.pid : 0;
  j["Pod"] = pod.id;
  j["PodName"] = pod.name;
  j["Ports"] = PsPortsJson(containers::PortsFromJson(cfg.value("ports", Json::array())));
  j["Size"] = nullptr;
  j["StartedAt"] = c.started ? c.started / 1000000000 : -62135596800;
  j["State"] = c.state;
  j["Status"] = StatusText(c, now);
  j["Created"] = c.created / 1000000000;
  return j;
}

int RunPs(Context& ctx, PsOptions& o) {
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  store::Containers ctrs((*st)->db());
  auto list = ctrs.List();
  if (!list.ok()) return Fail(list.status());
  for (auto& c : *list) containers::Reconcile(ctrs, c);
  bool all = o.all || !o.filters.empty();
  if (!all) {
    std::vector<ContainerRecord> running;
    for (auto& c : *list)
      if (c.state == "running") running.push_back(c);
    *list = running;
  }
  auto filtered = containers::Filter(**st, *list, o.filters);
  if (!filtered.ok()) return Fail(filtered.status());
  if (o.latest && !filtered->empty()) filtered->erase(filtered->begin(), filtered->end() - 1);
  if (o.last >= 0 && static_cast<size_t>(o.last) < filtered->size())
    filtered->erase(filtered->begin(), filtered->end() - o.last);
  const int64_t now = NowNanos();
  PodNames pods;
  if (auto list_pods = store::Pods((*st)->db()).List(); list_pods.ok())
    for (const auto& p : *list_pods) pods[p.id] = p.name;
  if (o.quiet && o.format.empty()) {
    for (const auto& c : *filtered) std::printf("%s\n", o.no_trunc ? c.id.c_str() : c.id.substr(0, 12).c_str());
    return 0;
  }
  if (format::IsJsonFormat(o.format)) {
    Json out = Json::array();
    for (const auto& c : *filtered) out.push_back(PsJson(c, PodOfContainer(c, pods), now));
    std::printf("%s\n", JsonText(out, 4).c_str());
    return 0;
  }
  std::vector<format::Value> rows;
  for (const auto& c : *filtered) rows.push_back(PsRowValue(c, PodOfContainer(c, pods), o.no_trunc, now));
  format::ReportOptions opts;
  opts.template_name = "ps";
  opts.header_overrides = {{"ID", "CONTAINER ID"}, {"CreatedHuman", "CREATED"}, {"Pod", "POD ID"}, {"PodName", "PODNAME"}};
  opts.header_fields = {"AutoRemove", "Command", "Created", "CreatedAt", "Exited", "ExitedAt", "ExitCode", "ID",
                        "Image", "ImageID", "IsInfra", "Labels", "Mounts", "Names", "Networks", "Pid", "Pod",
                        "PodName", "Ports", "StartedAt", "State", "Status"};
  opts.rows_type = "[]ps.psReporter";
  opts.headers = !o.noheading;
  std::string fmt = o.format;
  if (fmt.empty()) {
    fmt = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.CreatedHuman}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";
    if (o.pod) fmt += "\t{{.Pod}}\t{{.PodName}}";
    opts.origin = format::FormatOrigin::kPodman;
  }
  return RenderAndPrint(fmt, rows, std::move(opts), "");
}

// ---------------------------------------------------------------------------------------
// container inspect

int RunContainerInspect(Context& ctx, const std::vector<std::string>& names, const std::string& format) {
  if (names.empty()) return Fail(InvalidArgument("no names or ids specified"));
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  store::Containers rows((*st)->db());
  std::vector<ContainerRecord> found;
  std::vector<Status> errors;
  for (const auto& n : names) {
    auto c = rows.Lookup(n);
    if (!c.ok()) {
      errors.push_back(NotFound("no such container " + n));
      continue;
    }
    containers::Reconcile(rows, *c);
    found.push_back(*c);
  }
  int rc = PrintContainerInspect(found, (*st)->root(), format);
  for (const auto& e : errors) rc = Fail(e, 125);
  return rc;
}

// ---------------------------------------------------------------------------------------
// rm, container prune, export

struct RmOptions {
  bool force = false, all = false, ignore = false, volumes = false;
  int timeout = 10;
  std::vector<std::string> names;
};

int RunRm(Context& ctx, RmOptions& o) {
  if (o.names.empty() && !o.all) return Fail(InvalidArgument("must specify at least one container or use --all, or use --latest"));
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  store::Containers ctrs((*st)->db());
  int rc = 0;
  if (o.all) {
    auto list = ctrs.List();
    if (!list.ok()) return Fail(list.status());
    // As podman: every container, infra containers last, each taking its pod along.
    std::stable_partition(list->begin(), list->end(), [](const ContainerRecord& c) { return !containers::IsInfra(c); });
    store::Pods pods((*st)->db());
    for (auto& c : *list) {
      Status s;
      if (!containers::IsInfra(c)) {
        s = containers::Remove(**st, c, o.force, o.timeout, Warn);
      } else if (auto pod = pods.Lookup(c.pod_id); pod.ok()) {
        s = containers::RemovePod(**st, *pod, o.force, o.timeout, Warn);
      } else {
        s = containers::Remove(**st, c, o.force, o.timeout, Warn);  // its pod is gone already
      }
      if (!s.ok()) {
        rc = Fail(s);
        continue;
      }
      if (o.volumes) containers::RemoveAnonymousVolumes((*st)->db(), (*st)->root(), c);
      std::printf("%s\n", c.id.c_str());
    }
    return rc;
  }
  for (const auto& n : o.names) {
    auto c = ctrs.Lookup(n);
    if (!c.ok()) {
      if (o.ignore) continue;
      rc = Fail(c.status(), 1);
      continue;
    }
    Status s = containers::CheckNotInfra(*c);
    if (s.ok()) s = containers::Remove(**st, *c, o.force, o.timeout, Warn);
    if (!s.ok()) {
      rc = Fail(s);
      continue;
    }
    if (o.volumes) containers::RemoveAnonymousVolumes((*st)->db(), (*st)->root(), *c);
    std::printf("%s\n", n.c_str());
  }
  return rc;
}

int RunContainerPrune(Context& ctx, bool force) {
  if (!force) {
    auto yes = Confirm("WARNING! This will remove all non running containers.\n");
    if (!yes.ok()) return Fail(yes.status());
    if (!*yes) return 0;
  }
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  auto pruned = containers::Prune(**st);
  if (!pruned.ok()) return Fail(pruned.status());
  for (const auto& id : pruned->ids) std::printf("%s\n", id.c_str());
  return 0;
}

int RunExport(Context& ctx, const std::string& name, const std::string& output) {
  if (name.empty()) return Fail(InvalidArgument("requires exactly 1 arg(s), only received 0"));
  UniqueFd out;
  if (output.empty()) {
    if (isatty(1)) return Fail(InvalidArgument("refusing to export to terminal. Use -o flag or redirect"));
  } else {
    out = UniqueFd(open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!out.valid()) return Fail(ErrnoError("open " + output, errno));
  }
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  store::Containers ctrs((*st)->db());
  auto c = ctrs.Lookup(name);
  if (!c.ok()) return Fail(c.status(), 125);
  Status s = containers::Export(**st, *c, out.valid() ? out.get() : 1);
  return s.ok() ? 0 : Fail(s);
}

}  // namespace

// ---------------------------------------------------------------------------------------

Expected<containers::IsolationRequest> IsolationRequestFor(Context& ctx, const std::string& isolation,
                                                          const std::string& runtime) {
  ASSIGN_OR_RETURN(config::ContainersConf conf, config::LoadContainersConf());
  return containers::IsolationRequest{isolation, runtime, conf.runtime, ctx.options.runtime_flags};
}

void RegisterContainerCommands(Registry& r) {
  CLI::App* container = AddCommand(r.root, "container", "Manage containers");
  container->require_subcommand(1);

  auto add_run = [&r](CLI::App& parent, const std::string& name, bool is_run) {
    auto o = std::make_shared<RunOptions>();
    CLI::App* cmd = AddCommand(parent, name, is_run ? "Run a command in a new container" : "Create but do not start a container");
    AddRunFlags(cmd, *o, is_run);
    cmd->allow_extras(true);
    cmd->callback([&r, o, cmd, is_run] {
      if (o->runtime.empty()) o->runtime = r.ctx.options.runtime;  // the global --runtime
      std::vector<std::string> rest = cmd->remaining();
      r.exit_code = is_run ? RunRun(r.ctx, *o, rest) : RunCreate(r.ctx, *o, rest);
    });
  };
  for (CLI::App* parent : {&r.root, container}) {
    add_run(*parent, "run", true);
    add_run(*parent, "create", false);
    AddCommitCommand(*parent, r);
    AddExecCommand(*parent, r);

    auto so = std::make_shared<StartOptions>();
    CLI::App* start = AddCommand(*parent, "start", "Start one or more containers");
    start->add_flag("-a,--attach", so->attach, "Attach container's STDOUT and STDERR");
    start->add_flag("-i,--interactive", so->interactive, "Keep STDIN open even if not attached");
    start->add_option("containers", so->names, "CONTAINER [CONTAINER...]");
    start->callback([&r, so] { r.exit_code = RunStart(r.ctx, *so); });

    auto stop = std::make_shared<StopOptions>();
    CLI::App* stopc = AddCommand(*parent, "stop", "Stop one or more containers");
    stopc->add_flag("-a,--all", stop->all, "Stop all running containers");
    stopc->add_flag("-i,--ignore", stop->ignore, "Ignore errors when a specified container is missing");
    stopc->add_option("-t,--time", stop->timeout, "Seconds to wait for stop before killing the container");
    stopc->add_option("containers", stop->names, "CONTAINER [CONTAINER...]");
    stopc->callback([&r, stop] { r.exit_code = RunStop(r.ctx, *stop); });

    auto ko = std::make_shared<StopOptions>();
    CLI::App* killc = AddCommand(*parent, "kill", "Kill one or more running containers with a specific signal");
    killc->add_flag("-a,--all", ko->all, "Signal all running containers");
    killc->add_option("-s,--signal", ko->signal, "Signal to send to the container");
    killc->add_option("containers", ko->names, "CONTAINER [CONTAINER...]");
    killc->callback([&r, ko] { r.exit_code = RunKill(r.ctx, *ko); });

    auto wn = std::make_shared<std::vector<std::string>>();
    CLI::App* waitc = AddCommand(*parent, "wait", "Block on one or more containers");
    waitc->add_option("containers", *wn, "CONTAINER [CONTAINER...]");
    waitc->callback([&r, wn] { r.exit_code = RunWait(r.ctx, *wn); });

    auto lo = std::make_shared<LogsOptions>();
    CLI::App* logs = AddCommand(*parent, "logs", "Fetch the logs of one or more containers");
    logs->add_flag("-f,--follow", lo->follow, "Follow log output");
    logs->add_flag("-t,--timestamps", lo->timestamps, "Output the timestamps in the log");
    logs->add_option("containers", lo->names, "CONTAINER [CONTAINER...]");
    logs->callback([&r, lo] { r.exit_code = RunLogs(r.ctx, *lo); });

    auto ro = std::make_shared<RmOptions>();
    CLI::App* rm = AddCommand(*parent, "rm", "Remove one or more containers");
    rm->add_flag("-f,--force", ro->force, "Force removal of a running or unusable container");
    rm->add_flag("-a,--all", ro->all, "Remove all containers");
    rm->add_flag("-i,--ignore", ro->ignore, "Ignore errors when a specified container is missing");
    rm->add_flag("-v,--volumes", ro->volumes, "Remove anonymous volumes associated with the container");
    rm->add_option("-t,--time", ro->timeout, "Seconds to wait for stop before killing the container");
    rm->add_option("containers", ro->names, "CONTAINER [CONTAINER...]");
    rm->callback([&r, ro] { r.exit_code = RunRm(r.ctx, *ro); });

    auto eo = std::make_shared<std::pair<std::string, std::string>>();
    CLI::App* exp = AddCommand(*parent, "export", "Export a container's filesystem contents as a tar archive");
    exp->add_option("-o,--output", eo->second, "Write to a specified file (default: stdout, which must be redirected)");
    exp->add_option("container", eo->first, "CONTAINER");
    exp->callback([&r, eo] { r.exit_code = RunExport(r.ctx, eo->first, eo->second); });

    std::vector<std::string> ps_names = parent == &r.root ? std::vector<std::string>{"ps"} : std::vector<std::string>{"ps", "ls", "list"};
    for (const auto& n : ps_names) {
      auto po = std::make_shared<PsOptions>();
      CLI::App* ps = AddCommand(*parent, n, "List containers");
      ps->add_flag("-a,--all", po->all, "Show all the containers, default is only running containers");
      ps->add_flag("-q,--quiet", po->quiet, "Print the numeric IDs of the containers only");
      ps->add_flag("--no-trunc", po->no_trunc, "Display the extended information");
      ps->add_flag("-l,--latest", po->latest, "Act on the latest container podman is aware of");
      ps->add_flag("--noheading", po->noheading, "Do not print headers");
      ps->add_flag("-s,--size", po->size, "Display the total file sizes");
      ps->add_flag("-p,--pod", po->pod, "Print the ID and name of the pod the containers are associated with");
      // podman lists buildah's working containers with it; kiln's builds keep none once
      // they end, so it lists what --all lists.
      ps->add_flag("--external", po->all, "Show containers in storage not controlled by kiln");
      ps->add_option("-n,--last", po->last, "Print the n last created containers (all states)");
      ps->add_option("--format", po->format, "Pretty-print containers to JSON or using a Go template");
      AddRepeatable(ps, "-f,--filter", po->filters, "Filter output based on conditions given");
      ps->callback([&r, po] { r.exit_code = RunPs(r.ctx, *po); });
    }
  }

  auto mon = std::make_shared<std::pair<std::string, bool>>();
  CLI::App* monitor = AddCommand(r.root, "__monitor", "");
  monitor->group("");  // hidden: kiln's own conmon
  monitor->add_option("id", mon->first)->required();
  monitor->add_flag("--rm", mon->second);
  monitor->callback([&r, mon] {
    std::string root = r.ctx.options.root.empty() ? store::DefaultRoot() : r.ctx.options.root;
    std::string runroot = r.ctx.options.runroot.empty() ? store::DefaultRunRoot() : r.ctx.options.runroot;
    r.exit_code = containers::RunMonitor(root, runroot, mon->first, mon->second);
  });

  auto force = std::make_shared<bool>(false);
  CLI::App* prune = AddCommand(*container, "prune", "Remove all non running containers");
  prune->add_flag("-f,--force", *force, "Do not prompt for confirmation.  The default is false");
  prune->callback([&r, force] { r.exit_code = RunContainerPrune(r.ctx, *force); });

  auto ex = std::make_shared<std::string>();
  CLI::App* exists = AddCommand(*container, "exists", "Check if a container exists in local storage");
  exists->add_option("container", *ex, "CONTAINER")->required();
  exists->callback([&r, ex] {
    auto st = r.ctx.Store();
    if (!st.ok()) {
      r.exit_code = Fail(st.status());
      return;
    }
    store::Containers ctrs((*st)->db());
    r.exit_code = ctrs.Lookup(*ex).ok() ? 0 : 1;
  });

  struct InspectFlags {
    std::vector<std::string> names;
    std::string format;
  };
  auto in = std::make_shared<InspectFlags>();
  CLI::App* inspect = AddCommand(*container, "inspect", "Display the configuration of a container");
  inspect->add_option("names", in->names, "CONTAINER [CONTAINER...]");
  inspect->add_option("-f,--format", in->format, "Format the output to a Go template or json");
  inspect->callback([&r, in] { r.exit_code = RunContainerInspect(r.ctx, in->names, in->format); });
}


}  // namespace kiln::cli
