#include "cli/container_inspect.h"

#include <cstdio>

#include "cli/commands.h"
#include "cli/report.h"
#include "cli/values.h"
#include "containers/containers.h"
#include "containers/volumes.h"
#include "format/gojson.h"
#include "format/report.h"
#include "util/json_text.h"

namespace kiln::cli {

int RenderAndPrint(std::string_view format, const std::vector<format::Value>& rows, format::ReportOptions options,
                   const std::string& error_prefix);

namespace {

using format::Value;
using Json = nlohmann::ordered_json;

// Go's zero time.Time for what never happened.
Value TimeOrZero(int64_t nanos) { return nanos ? TimeValue(nanos) : Value::Time(-62135596800, 0); }

Value Strings(const Json& j) {
  std::vector<std::string> out;
  if (j.is_array())
    for (const auto& e : j)
      if (e.is_string()) out.push_back(e.get<std::string>());
  return Value::StringSlice(out);
}

Value MountPoint(const std::string& type, const std::string& name, const std::string& source,
                 const std::string& destination, Value options, bool rw, const std::string& propagation) {
  return Value::Struct("define.InspectMount")
      .Add("Type", "Type", Value(type))
      .Add("Name", "Name", Value(name), true)
      .Add("Source", "Source", Value(source))
      .Add("Destination", "Destination", Value(destination))
      .Add("Driver", "Driver", Value(type == "volume" ? "local" : ""))  // kiln's one volume driver
      .Add("Mode", "Mode", Value(std::string()))
      .Add("Options", "Options", std::move(options))
      .Add("RW", "RW", Value(rw))
      .Add("Propagation", "Propagation", Value(propagation));
}

// podman's order: image mounts, volumes, then bind mounts (-v and --mount type=bind).
// podman 4.3.1 also lists a running image mount's overlay as a second "bind" at the same
// destination; kiln lists each mount once (docs/compat.md).
Value Mounts(const store::ContainerRecord& c, const std::string& root) {
  const Json& cfg = c.config;
  Value out = Value::Slice("[]define.InspectMount");
  for (const auto& m : cfg.value("image_mounts", Json::array()))
    out.Append(MountPoint("image", "", m.value("source", ""), m.value("destination", ""), Value::NilSlice("[]string"),
                          m.value("rw", false), ""));
  const std::vector<containers::VolumeMount> volumes = containers::MountsOf(c);
  const std::vector<runtime::BindMount> volume_binds = containers::VolumeBinds(root, volumes);
  for (size_t i = 0; i < volumes.size() && i < volume_binds.size(); ++i)
    out.Append(MountPoint("volume", volumes[i].name, volume_binds[i].source, volumes[i].destination,
                          Value::StringSlice({"nosuid", "nodev", "rbind"}), !volumes[i].readonly, "rprivate"));
  for (const auto& b : cfg.value("binds", Json::array()))
    out.Append(MountPoint("bind", "", b.value("source", ""), b.value("destination", ""), Value::StringSlice({"rbind"}),
                          !b.value("ro", false), "rprivate"));
  return out;
}

Value StateValue(const store::ContainerRecord& c) {
  const bool running = c.state == "running";
  return Value::Struct("define.InspectContainerState")
      .Add("OciVersion", "OciVersion", Value("1.0.2-dev"))
      .Add("Status", "Status", Value(c.state))
      .Add("Running", "Running", Value(running))
      .Add("Paused", "Paused", Value(false))
      .Add("Restarting", "Restarting", Value(false))
      .Add("OOMKilled", "OOMKilled", Value(false))
      .Add("Dead", "Dead", Value(false))
      .Add("Pid", "Pid", Value::Int(running ? c.pid : 0, "int"))
      .Add("ExitCode", "ExitCode", Value::Int(c.exit_code, "int32"))
      .Add("Error", "Error", Value(std::string()))
      .Add("StartedAt", "StartedAt", TimeOrZero(c.started))
      .Add("FinishedAt", "FinishedAt", TimeOrZero(c.finished));
}

Value ConfigValue(const store::ContainerRecord& c) {
  const Json& cfg = c.config;
  const Json entrypoint = cfg.value("entrypoint", Json::array());
  std::string ep;  // podman shows the entrypoint as one string
  for (const auto& e : entrypoint) ep += (ep.empty() ? "" : " ") + e.get<std::string>();
  return Value::Struct("define.InspectContainerConfig")
      .Add("Hostname", "Hostname", Value(cfg.value("hostname", c.id.substr(0, 12))))
      .Add("Domainname", "Domainname", Value(std::string()))
      .Add("User", "User", Value(cfg.value("user", "")))
      .Add("Tty", "Tty", Value(cfg.value("tty", false)))
      .Add("Env", "Env", Strings(cfg.value("env", Json::array())))
      .Add("Cmd", "Cmd", Strings(cfg.value("cmd", Json::array())))
      .Add("Image", "Image", Value(cfg.value("image_name", c.image_id)))
      .Add("WorkingDir", "WorkingDir", Value(cfg.value("cwd", "/")))
      .Add("Entrypoint", "Entrypoint", Value(ep))
      .AsPointer("*define.InspectContainerConfig");
}

Value HostConfigValue(const store::ContainerRecord& c) {
  const Json& cfg = c.config;
  std::vector<std::string> binds, security;
  for (const auto& b : cfg.value("binds", Json::array()))
    binds.push_back(b.value("source", "") + ":" + b.value("destination", "") + ":" + (b.value("ro", false) ? "ro," : "") +
                    "rprivate,rbind");
  const std::string profile = cfg.value("seccomp_profile", std::string());
  if (cfg.contains("seccomp_profile") && profile.empty()) security.push_back("seccomp=unconfined");
  if (cfg.value("no_new_privileges", false)) security.push_back("no-new-privileges");
  return Value::Struct("define.InspectContainerHostConfig")
      .Add("Binds", "Binds", Value::StringSlice(binds))
      .Add("NetworkMode", "NetworkMode", Value(cfg.value("network", "host")))
      .Add("AutoRemove", "AutoRemove", Value(cfg.value("rm", false)))
      .Add("SecurityOpt", "SecurityOpt", Value::StringSlice(security))
      .AsPointer("*define.InspectContainerHostConfig");
}

}  // namespace

Value ContainerInspectValue(const store::ContainerRecord& c, const std::string& root) {
  const Json& cfg = c.config;
  const Json command = cfg.value("command", Json::array());
  // podman: Args is the command after Path, or the whole command when it is one word.
  Json args = Json::array();
  for (size_t i = command.size() == 1 ? 0 : 1; i < command.size(); ++i) args.push_back(command[i]);
  const std::string dir = containers::ContainerDir(root, c.id);
  return Value::Struct("define.InspectContainerData")
      .Add("ID", "Id", Value(c.id))
      .Add("Created", "Created", TimeValue(c.created))
      .Add("Path", "Path", Value(command.empty() ? std::string() : command[0].get<std::string>()))
      .Add("Args", "Args", Strings(args))
      .Add("State", "State", StateValue(c).AsPointer("*define.InspectContainerState"))
      .Add("Image", "Image", Value(c.image_id))
      .Add("ImageName", "ImageName", Value(cfg.value("image_name", c.image_id)))
      .Add("Rootfs", "Rootfs", Value(std::string()))
      .Add("Pod", "Pod", Value(std::string()))
      .Add("ResolvConfPath", "ResolvConfPath", Value(dir + "/resolv.conf"))
      .Add("HostnamePath", "HostnamePath", Value(dir + "/hostname"))
      .Add("HostsPath", "HostsPath", Value(dir + "/hosts"))
      .Add("StaticDir", "StaticDir", Value(dir))
      .Add("OCIRuntime", "OCIRuntime", Value(cfg.value("isolation", "chroot") == "oci" ? cfg.value("runtime", "") : "chroot"))
      .Add("Name", "Name", Value(c.name))
      .Add("RestartCount", "RestartCount", Value::Int(0, "int32"))
      .Add("Driver", "Driver", Value("overlay"))
      .Add("MountLabel", "MountLabel", Value(std::string()))
      .Add("ProcessLabel", "ProcessLabel", Value(std::string()))
      .Add("AppArmorProfile", "AppArmorProfile", Value(std::string()))
      .Add("Mounts", "Mounts", Mounts(c, root))
      .Add("IsInfra", "IsInfra", Value(false))
      .Add("Config", "Config", ConfigValue(c))
      .Add("HostConfig", "HostConfig", HostConfigValue(c));
}

int PrintContainerInspect(const std::vector<store::ContainerRecord>& list, const std::string& root,
                          const std::string& fmt) {
  std::vector<Value> values;
  for (const auto& c : list) values.push_back(ContainerInspectValue(c, root));
  if (fmt.empty() || format::IsJsonFormat(fmt)) {
    Json arr = Json::array();
    for (const auto& v : values) arr.push_back(Json::parse(format::GoJson(v)));
    std::printf("%s\n", JsonText(arr, 4).c_str());
    return 0;
  }
  format::ReportOptions opts;
  opts.template_name = "inspect";
  opts.headers = false;
  return RenderAndPrint(fmt, values, std::move(opts), "inspecting object: printing inspect output");
}

}  // namespace kiln::cli
