// Creating a container: its options checked against the image, its row and directory; and
// the runtime spec rebuilt from the row whenever it starts.
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <cstdlib>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include "containers/containers.h"
#include "containers/mount_flags.h"
#include "containers/ports.h"
#include "containers/run.h"
#include "containers/volumes.h"
#include "image/reference.h"
#include "store/pods.h"
#include "util/fs.h"
#include "util/rootless.h"
#include "util/time.h"

namespace kiln::containers {
namespace {

using Json = nlohmann::ordered_json;
using store::ContainerRecord;

std::string DefaultIsolation() {
  if (const char* e = getenv("KILN_ISOLATION"); e && *e) return e;
  return "chroot";
}

Expected<std::vector<std::string>> ReadEnvFile(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status().Wrap("open " + path);
  std::vector<std::string> out;
  std::istringstream in(*text);
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    size_t s = line.find_first_not_of(" \t");
    if (s == std::string::npos || line[s] == '#') continue;
    line = line.substr(s);
    if (line.find('=') == std::string::npos) {
      const char* v = getenv(line.c_str());
      if (v) out.push_back(line + "=" + v);
      continue;
    }
    out.push_back(line);
  }
  return out;
}

// The name of the image as podman shows it: the stored name the user's words resolve to.
std::string ImageDisplayName(const store::ImageRecord& img, const std::string& typed) {
  auto q = image::ParseQuery(typed);
  if (q.ok()) {
    for (const auto& cand : q->candidates)
      for (const auto& n : img.names)
        if (n == cand) return n;
    for (const auto& n : img.names)
      if (image::NameMatches(n, *q)) return n;
  }
  return img.names.empty() ? img.id : img.names[0];
}

// ENTRYPOINT and CMD as run will execute them (one after the other).
struct Command {
  std::vector<std::string> entrypoint, cmd;
};

Expected<Command> CommandFor(const Json& rc, const CreateOptions& o) {
  Command c;
  if (o.entrypoint) {
    if (!o.entrypoint->empty()) {
      auto j = Json::parse(*o.entrypoint, nullptr, false);
      if (!j.is_discarded() && j.is_array()) {
        for (const auto& e : j)
          if (e.is_string()) c.entrypoint.push_back(e.get<std::string>());
      } else {
        c.entrypoint.push_back(*o.entrypoint);
      }
    }
  } else if (rc.contains("Entrypoint") && rc["Entrypoint"].is_array()) {
    for (const auto& e : rc["Entrypoint"]) c.entrypoint.push_back(e.get<std::string>());
  }
  if (!o.args.empty()) {
    c.cmd = o.args;
  } else if (!o.entrypoint && rc.contains("Cmd") && rc["Cmd"].is_array()) {
    for (const auto& e : rc["Cmd"]) c.cmd.push_back(e.get<std::string>());
  }
  if (c.entrypoint.empty() && c.cmd.empty())
    return InvalidArgument("no command or entrypoint provided, and no CMD or ENTRYPOINT from image");
  return c;
}

// A free "adjective_name", drawn again while taken; after kNameDraws draws the ID-based name.
constexpr int kNameDraws = 10;
std::string GeneratedName(store::Containers& rows, const std::string& id, int draws_made) {
  std::string name;
  for (int i = draws_made; i < kNameDraws && (name.empty() || rows.NameTaken(name)); ++i)
    name = store::RandomContainerName();
  if (name.empty() || rows.NameTaken(name)) name = "kiln_" + id.substr(0, 12);
  return name;
}

Expected<std::string> ContainerName(store::Containers& rows, const std::string& wanted, const std::string& id) {
  if (!wanted.empty()) {
    static const std::regex kName("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
    if (!std::regex_match(wanted, kName))
      return InvalidArgument("container name must match \"[a-zA-Z0-9][a-zA-Z0-9_.-]*\": invalid argument");
    return wanted;
  }
  return GeneratedName(rows, id, 0);
}

// Another process may take a generated name between the check and the insert (parallel
// `run --rm`): the insert is what decides, so a generated name that loses is drawn again.
Status InsertContainer(store::Containers& rows, ContainerRecord& c, bool name_generated) {
  for (int attempt = 1;; ++attempt) {
    Status ins = rows.Insert(c);
    if (ins.ok() || !name_generated || ins.code() != Code::kAlreadyExists || attempt > kNameDraws) return ins;
    c.name = GeneratedName(rows, c.id, attempt);
  }
}

// A host directory of -v as a bind mount; it must exist.
Expected<runtime::BindMount> HostBind(const VolumeSpec& v) {
  struct stat st;
  if (stat(v.source.c_str(), &st) != 0) return InvalidArgument("statfs " + v.source + ": " + GoErrnoText(errno));
  return runtime::BindMount{v.source, v.destination, v.readonly};
}

// What a new container mounts: host directories and volumes, from -v, then --volumes-from,
// then the image's VOLUMEs; the first to claim a destination keeps it (podman's order).
struct MountPlan {
  std::vector<runtime::BindMount> binds;
  std::vector<ImageMountRequest> images;  // --mount type=image
  std::vector<VolumeMount> volumes;  // an empty name: an anonymous volume to create
  std::set<std::string> destinations;
  bool Claim(const std::string& dst) { return destinations.insert(dst).second; }
};

// A VOLUME of an image as a container path: absolute and clean ("[/etc/foo," is "/[/etc/foo,").
std::string ImageVolumePath(const std::string& v) {
  size_t first = v.find_first_not_of('/');
  std::string rel = first == std::string::npos ? "" : v.substr(first);
  auto clean = CleanRelativePath(rel);
  return "/" + (clean.ok() ? *clean : rel);
}

Status AddVolumesFrom(store::Store& st, const std::string& word, MountPlan& plan) {
  auto colon = word.find(':');
  std::string ctr = word.substr(0, colon);
  std::optional<bool> readonly;
  if (colon != std::string::npos) {
    std::stringstream os(word.substr(colon + 1));
    for (std::string opt; std::getline(os, opt, ',');) {
      if (opt == "ro" || opt == "rw") readonly = opt == "ro";
      else if (opt != "z")
        return InvalidArgument("invalid option \"" + opt + "\" specified - volumes from another container can only use z,ro,rw options");
    }
  }
  store::Containers rows(st.db());
  auto src = rows.Lookup(ctr);
  if (!src.ok()) return src.status().Wrap("looking up container \"" + ctr + "\" for volumes-from");
  for (VolumeMount m : MountsOf(*src)) {
    if (readonly) m.readonly = *readonly;
    if (plan.Claim(m.destination)) plan.volumes.push_back(m);
  }
  for (const auto& b : src->config.value("binds", Json::array())) {
    runtime::BindMount bind{b.value("source", ""), b.value("destination", ""), readonly.value_or(b.value("ro", false))};
    if (plan.Claim(bind.destination)) plan.binds.push_back(bind);
  }
  return Status::Ok();
}

Expected<MountPlan> PlanMounts(store::Store& st, const CreateOptions& o, const Json& rc) {
  MountPlan plan;
  for (const auto& word : o.volumes) {
    ASSIGN_OR_RETURN(VolumeSpec v, ParseVolumeSpec(word));
    if (!plan.Claim(v.destination)) return InvalidArgument(v.destination + ": duplicate mount destination");
    if (v.kind == VolumeSpec::Kind::kHost) {
      ASSIGN_OR_RETURN(runtime::BindMount b, HostBind(v));
      plan.binds.push_back(b);
    } else {
      plan.volumes.push_back({v.source, v.destination, v.readonly});
    }
  }
  ASSIGN_OR_RETURN(MountFlags flags, ParseMountFlags(o.mounts));
  for (const auto& b : flags.binds) {
    if (!plan.Claim(b.destination)) return InvalidArgument(b.destination + ": duplicate mount destination");
    plan.binds.push_back(b);
  }
  for (const auto& m : flags.images) {
    if (!plan.Claim(m.destination)) return InvalidArgument(m.destination + ": duplicate mount destination");
    plan.images.push_back(m);
  }
  for (const auto& word : o.volumes_from) RETURN_IF_ERROR(AddVolumesFrom(st, word, plan));
  if (rc.contains("Volumes") && rc["Volumes"].is_object())
    for (const auto& [path, unused] : rc["Volumes"].items()) {
      std::string dst = ImageVolumePath(path);
      if (dst != "/" && plan.Claim(dst)) plan.volumes.push_back({"", dst, false});
    }
  return plan;
}

// Creates the anonymous volumes and the named ones that do not exist yet (as podman does);
// the names it made go to `made` so that a failed create can take them back.
Status MakeVolumes(store::Store& st, std::vector<VolumeMount>& mounts, std::vector<std::string>& made) {
  store::Volumes rows(st.db());
  for (auto& m : mounts) {
    if (!m.name.empty() && rows.Exists(m.name)) continue;
    auto v = CreateVolume(st.db(), st.root(), {m.name, "", {}, {}, m.name.empty()});
    if (!v.ok() && v.status().code() == Code::kAlreadyExists) continue;  // made by another kiln meanwhile
    if (!v.ok()) return v.status();
    m.name = v->name;
    made.push_back(v->name);
  }
  return Status::Ok();
}

void UnmakeVolumes(store::Store& st, const std::vector<std::string>& made) {
  store::Volumes rows(st.db());
  for (const auto& name : made)
    if (rows.Delete(name).ok()) (void)RemoveTree(store::VolumeDir(st.root(), name));
}

// The infra container of c's pod (kNotFound when c is in none, or its pod has no infra).
Expected<ContainerRecord> InfraOf(store::Store& st, const ContainerRecord& c) {
  if (c.pod_id.empty() || IsInfra(c)) return NotFound("no infra container");
  ASSIGN_OR_RETURN(store::PodRecord pod, store::Pods(st.db()).Lookup(c.pod_id));
  if (pod.infra_id.empty()) return NotFound("no infra container");
  return store::Containers(st.db()).Get(pod.infra_id);
}

// podman's names of the namespaces a pod shares ("net", "ipc", "uts"), as OCI names them.
std::string OciNamespaceType(const std::string& podman_name) { return podman_name == "net" ? "network" : podman_name; }

Status JoinInfraNamespaces(store::Store& st, const ContainerRecord& c, runtime::ContainerSpec& s) {
  auto infra = InfraOf(st, c);
  if (!infra.ok()) return infra.status().code() == Code::kNotFound ? Status::Ok() : infra.status();
  store::Containers rows(st.db());
  Reconcile(rows, *infra);
  if (infra->state != "running") return Status::Ok();
  ASSIGN_OR_RETURN(store::PodRecord pod, store::Pods(st.db()).Lookup(c.pod_id));
  const std::string proc = "/proc/" + std::to_string(infra->pid) + "/ns/";
  for (const auto& ns : pod.config.value("shared_namespaces", Json::array())) {
    std::string name = ns.get<std::string>();
    // The host's network is shared by being in it: nothing to join (rootless could not).
    if (name == "net" && infra->config.value("network", "host") == "host") continue;
    s.join_namespaces.push_back({OciNamespaceType(name), proc + name});
  }
  return Status::Ok();
}

}  // namespace

bool IsInfra(const ContainerRecord& c) { return c.config.value("infra", false); }

Status CheckNotInfra(const ContainerRecord& c) {
  if (!IsInfra(c)) return Status::Ok();
  return InvalidArgument("container " + c.id + " is the infra container of pod " + c.pod_id +
                         " and cannot be removed without removing the pod");
}

Status StartInfraOf(store::Store& st, const ContainerRecord& c) {
  auto infra = InfraOf(st, c);
  if (!infra.ok()) return infra.status().code() == Code::kNotFound ? Status::Ok() : infra.status();
  store::Containers rows(st.db());
  Reconcile(rows, *infra);
  if (infra->state == "running") return Status::Ok();
  ASSIGN_OR_RETURN(runtime::ContainerSpec spec, SpecFor(st, *infra));
  RETURN_IF_ERROR(runtime::PrepareBundle(spec));
  return StartDetached(st, *infra, spec, false);
}

// The size of kiln's own terminal (stdin's, else stdout's); false when it has none.
bool TerminalSize(uint16_t* rows, uint16_t* cols) {
  struct winsize ws {};
  if (ioctl(0, TIOCGWINSZ, &ws) != 0 && ioctl(1, TIOCGWINSZ, &ws) != 0) return false;
  *rows = ws.ws_row, *cols = ws.ws_col;
  return true;
}

Expected<IsolationChoice> ChooseIsolation(const IsolationRequest& req, const WarnFn& warn) {
  bool wants_runtime = !req.runtime.empty() || !req.runtime_flags.empty();
  std::string iso = req.isolation.empty() ? (wants_runtime ? "oci" : DefaultIsolation()) : req.isolation;
  if (iso == "runc" || iso == "crun" || iso == "default") iso = "oci";
  if (iso != "oci" && iso != "chroot")
    return InvalidArgument("invalid isolation \"" + iso + "\": must be oci or chroot");
  std::string runtime_name = req.runtime.empty() ? req.configured_runtime : req.runtime;
  if (iso == "chroot" && !runtime_name.empty())
    RETURN_IF_ERROR(runtime::FindOciRuntime(runtime_name).status());  // a configured runtime must exist
  std::vector<std::string> flags;
  for (const std::string& f : req.runtime_flags) flags.push_back(f.rfind("-", 0) == 0 ? f : "--" + f);
  if (iso == "chroot") return IsolationChoice{iso, "", {}};
  ASSIGN_OR_RETURN(std::string rt, runtime::FindOciRuntime(runtime_name));
  if (rt.empty()) return NotFound("no OCI runtime (runc or crun) found on PATH: use --isolation chroot");
  runtime_name = rt;
  // crun refuses cgroup v1/hybrid hosts ("cgroups in hybrid mode not supported"), even
  // with --cgroup-manager=disabled: run with runc there, as podman users are told to.
  if (rt.size() >= 4 && rt.compare(rt.size() - 4, 4, "crun") == 0 && runtime::CgroupV1OrHybrid()) {
    auto runc = runtime::FindOciRuntime("runc");
    if (runc.ok() && !runc->empty()) {
      if (warn) warn("crun does not support this host's cgroup v1/hybrid setup; using " + *runc);
      runtime_name = *runc;
    }
  }
  return IsolationChoice{iso, runtime_name, flags};
}

Expected<runtime::Network> ParseNetwork(const std::string& n) {
  if (n.empty() || n == "host") return runtime::Network::kHost;
  if (n == "none") return runtime::Network::kNone;
  if (n == "private" || n == "bridge" || n == "slirp4netns" || n == "pasta") {
    // A rootless private network is user-mode networking through slirp4netns.
    if (Rootless()) RETURN_IF_ERROR(runtime::UserNetworkProgram().status());
    return runtime::Network::kPrivate;
  }
  return InvalidArgument("unable to find network with name or ID " + n + ": network not found");
}

std::string NetworkName(runtime::Network n) {
  switch (n) {
    case runtime::Network::kHost: return "host";
    case runtime::Network::kNone: return "none";
    default: return "private";
  }
}

Expected<std::vector<std::string>> MergeEnv(const Json& image_env, const std::vector<std::string>& env_files,
                                            const std::vector<std::string>& env) {
  std::vector<std::string> order;
  std::map<std::string, std::string> values;
  auto set = [&](const std::string& kv) {
    auto eq = kv.find('=');
    std::string k = kv.substr(0, eq);
    if (!values.count(k)) order.push_back(k);
    values[k] = kv;
  };
  set("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  set("TERM=xterm");
  set("container=kiln");
  if (image_env.is_array())
    for (const auto& e : image_env)
      if (e.is_string()) set(e.get<std::string>());
  for (const auto& f : env_files) {
    ASSIGN_OR_RETURN(std::vector<std::string> lines, ReadEnvFile(f));
    for (const auto& l : lines) set(l);
  }
  for (const auto& e : env) {
    if (e.find('=') == std::string::npos) {
      const char* v = getenv(e.c_str());
      if (v) set(e + "=" + v);
      continue;
    }
    set(e);
  }
  std::vector<std::string> out;
  for (const auto& k : order) out.push_back(values[k]);
  return out;
}

Expected<std::vector<runtime::BindMount>> ParseVolumes(const std::vector<std::string>& vols) {
  std::vector<runtime::BindMount> out;
  for (const auto& word : vols) {
    ASSIGN_OR_RETURN(VolumeSpec v, ParseVolumeSpec(word));
    if (v.kind != VolumeSpec::Kind::kHost)
      return InvalidArgument("only host directories can be mounted here: use an absolute host path in \"" + word + "\"");
    ASSIGN_OR_RETURN(runtime::BindMount b, HostBind(v));
    out.push_back(b);
  }
  return out;
}

std::string ContainerDir(const std::string& root, const std::string& id) { return root + "/containers/" + id; }
std::string LogPath(const std::string& root, const std::string& id) { return ContainerDir(root, id) + "/ctr.log"; }
std::string ExitFile(const std::string& runroot, const std::string& id) { return runroot + "/exits/" + id; }

// --mount type=image: each image looked up now (podman only when the container starts), as
// the row keeps it: [{source, image_id, destination, rw}].
Expected<Json> ImageMountsFor(store::Store& st, const std::vector<ImageMountRequest>& requests,
                              const image::Platform& platform) {
  Json out = Json::array();
  for (const auto& r : requests) {
    auto found = st.LookupImage(r.source);
    if (found.ok()) found = st.InstanceFor(*found, platform);
    if (!found.ok())
      return Status(found.status().code(), "creating image volume \"" + r.source + "\":\"" + r.destination + "\": " +
                                               found.status().message());
    out.push_back({{"source", r.source}, {"image_id", found->id}, {"destination", r.destination}, {"rw", r.rw}});
  }
  return out;
}

Expected<ContainerRecord> Create(store::Store& st, const CreateOptions& o, const WarnFn& warn) {
  if (o.image.empty()) return InvalidArgument("requires at least 1 arg(s), only received 0");
  ASSIGN_OR_RETURN(std::vector<PortMapping> ports, ParsePublish(o.publish));  // flags first, as podman
  ASSIGN_OR_RETURN(store::ImageRecord found, st.LookupImage(o.image));
  ASSIGN_OR_RETURN(store::ImageRecord img, st.InstanceFor(found, o.platform));
  ASSIGN_OR_RETURN(image::ImageConfig config, st.ReadConfig(img));
  const Json& rc = config.RuntimeConfig();
  ASSIGN_OR_RETURN(Command command, CommandFor(rc, o));
  std::vector<std::string> argv = command.entrypoint;
  argv.insert(argv.end(), command.cmd.begin(), command.cmd.end());
  ASSIGN_OR_RETURN(std::vector<std::string> env, MergeEnv(rc.value("Env", Json::array()), o.env_files, o.env));
  ASSIGN_OR_RETURN(MountPlan mounts, PlanMounts(st, o, rc));
  ASSIGN_OR_RETURN(Json image_mounts, ImageMountsFor(st, mounts.images, o.platform));
  // A pod's container has the pod's hostname and network (its infra holds them).
  std::string hostname = o.hostname, network = o.network;
  if (!o.pod.empty()) {
    ASSIGN_OR_RETURN(store::PodRecord pod, store::Pods(st.db()).Lookup(o.pod));
    if (hostname.empty()) hostname = pod.config.value("hostname", "");
    if (network.empty()) network = pod.config.value("network", "");
  }
  ASSIGN_OR_RETURN(runtime::Network net, ParseNetwork(network));
  if (!ports.empty() && network.empty()) {
    net = runtime::Network::kPrivate;  // podman's default bridge, here a namespace of its own (ports.h)
  } else if (!ports.empty() && net != runtime::Network::kPrivate) {
    if (warn) warn("Port mappings have been discarded as one of the Host, Container, Pod, and None network modes are in use");
    ports.clear();
  }
  ASSIGN_OR_RETURN(IsolationChoice choice, ChooseIsolation({o.isolation, o.runtime, o.configured_runtime, o.runtime_flags}, warn));
  ContainerRecord c;
  c.id = store::NewContainerId();
  store::Containers rows(st.db());
  ASSIGN_OR_RETURN(c.name, ContainerName(rows, o.name, c.id));
  c.image_id = img.id;
  c.created = NowNanos();
  Json jbinds = Json::array();
  for (const auto& b : mounts.binds) jbinds.push_back({{"source", b.source}, {"destination", b.destination}, {"ro", b.readonly}});
  std::string cwd = o.workdir.empty() ? rc.value("WorkingDir", std::string()) : o.workdir;
  if (cwd.empty()) cwd = "/";
  c.config = {{"image_name", ImageDisplayName(img, o.image)},
              {"command", argv},
              {"entrypoint", command.entrypoint},  // apart for commit
              {"cmd", command.cmd},
              {"env", env},
              {"cwd", cwd},
              {"user", o.user.empty() ? rc.value("User", std::string()) : o.user},
              {"hostname", hostname.empty() ? c.id.substr(0, 12) : hostname},
              {"network", NetworkName(net)},
              {"ports", PortsToJson(ports)},
              {"binds", jbinds},
              {"image_mounts", image_mounts},
              {"isolation", choice.isolation},
              {"runtime", choice.runtime},
              {"runtime_flags", choice.runtime_flags},
              {"rm", o.rm},
              {"tty", o.tty},
              {"seccomp_profile", o.security.seccomp_profile},
              {"no_new_privileges", o.security.no_new_privileges},
              {"stop_signal", rc.value("StopSignal", std::string())}};
  c.pod_id = o.pod;
  if (o.infra) c.config["infra"] = true;
  // Files first: the directory and the volumes exist before the row that names them.
  std::vector<std::string> made;
  Status ins = MakeVolumes(st, mounts.volumes, made);
  Json jvolumes = Json::array();
  for (const auto& m : mounts.volumes) jvolumes.push_back({{"name", m.name}, {"destination", m.destination}, {"ro", m.readonly}});
  c.config["volumes"] = jvolumes;
  if (ins.ok()) ins = MakeDirs(ContainerDir(st.root(), c.id));
  if (ins.ok()) ins = InsertContainer(rows, c, o.name.empty());
  if (!ins.ok()) {
    (void)RemoveTree(ContainerDir(st.root(), c.id));
    UnmakeVolumes(st, made);
    return ins;
  }
  return c;
}

Expected<runtime::ContainerSpec> SpecFor(store::Store& st, const ContainerRecord& c) {
  runtime::ContainerSpec s;
  s.id = c.id;
  s.dir = ContainerDir(st.root(), c.id);
  s.layer_mount = {st.graph_driver(), st.mount_program()};
  ASSIGN_OR_RETURN(std::vector<store::LayerInfo> layers, st.ImageLayers(c.image_id));
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) s.lowers.push_back(st.snapshots().FsPath(it->chain_id));
  if (s.lowers.empty()) {
    RETURN_IF_ERROR(MakeDirs(s.dir + "/empty"));
    s.lowers.push_back(s.dir + "/empty");
  }
  const Json& cfg = c.config;
  for (const auto& a : cfg.value("command", Json::array())) s.args.push_back(a.get<std::string>());
  for (const auto& e : cfg.value("env", Json::array())) s.env.push_back(e.get<std::string>());
  s.cwd = cfg.value("cwd", "/");
  if (s.cwd.empty()) s.cwd = "/";
  s.user = cfg.value("user", "");
  s.hostname = cfg.value("hostname", c.id.substr(0, 12));
  ASSIGN_OR_RETURN(s.network, ParseNetwork(cfg.value("network", "host")));
  for (const auto& b : cfg.value("binds", Json::array()))
    s.binds.push_back({b.value("source", ""), b.value("destination", ""), b.value("ro", false)});
  for (const auto& b : VolumeBinds(st.root(), MountsOf(c))) s.binds.push_back(b);
  for (const auto& m : cfg.value("image_mounts", Json::array())) {
    runtime::ImageMount im{{}, m.value("destination", ""), m.value("rw", false)};
    ASSIGN_OR_RETURN(std::vector<store::LayerInfo> mlayers, st.ImageLayers(m.value("image_id", "")));
    for (auto it = mlayers.rbegin(); it != mlayers.rend(); ++it) im.lowers.push_back(st.snapshots().FsPath(it->chain_id));
    if (im.lowers.empty()) return NotFound("image " + m.value("source", "") + " of an image mount has no layers");
    s.image_mounts.push_back(std::move(im));
  }
  s.seccomp_profile = cfg.value("seccomp_profile", "");
  s.no_new_privileges = cfg.value("no_new_privileges", false);
  s.terminal = cfg.value("tty", false);
  if (s.terminal) TerminalSize(&s.terminal_rows, &s.terminal_cols);
  RETURN_IF_ERROR(JoinInfraNamespaces(st, c, s));
  std::string iso = cfg.value("isolation", "chroot");
  if (iso == "oci") {
    s.isolation = runtime::Isolation::kOci;
    ASSIGN_OR_RETURN(s.oci_runtime, runtime::FindOciRuntime(cfg.value("runtime", "")));
    for (const auto& f : cfg.value("runtime_flags", Json::array())) s.runtime_flags.push_back(f.get<std::string>());
    if (s.oci_runtime.empty()) return NotFound("no OCI runtime (runc or crun) found on PATH: use --isolation chroot");
    s.state_root = st.runroot() + "/" + (s.oci_runtime.find("crun") != std::string::npos ? "crun" : "runc");
  } else {
    s.isolation = runtime::Isolation::kChroot;
  }
  return s;
}

}  // namespace kiln::containers
