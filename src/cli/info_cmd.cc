// `kiln info` (also `system info`): podman's info, the subset kiln has — host (kernel,
// cgroups, OCI runtime, rootless and the user namespace's ID mappings, network helpers),
// store (paths, driver and how it mounts, image and container counts) and
// registries. YAML by default, `--format json`, or a Go template over podman's field names.
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>

#include "cli/commands.h"
#include "cli/report.h"
#include "format/gojson.h"
#include "format/report.h"
#include "format/value.h"
#include "format/yaml.h"
#include "image/index.h"
#include "registry/config.h"
#include "registry/transfer.h"
#include "runtime/runtime.h"
#include "runtime/userns.h"
#include "store/containers.h"
#include "util/rootless.h"

namespace kiln::cli {
namespace {

using format::Value;

Value IdMaps(const std::vector<store::IdMapping>& maps) {
  Value list = Value::Slice("[]idtools.IDMap");
  for (const auto& m : maps)
    list.Append(Value::Struct("idtools.IDMap")
                    .Add("ContainerID", "container_id", Value::Int(m.container_id))
                    .Add("HostID", "host_id", Value::Int(m.host_id))
                    .Add("Size", "size", Value::Int(m.size)));
  return list;
}

Value Program(format::TypeName type, const std::string& path) {
  return Value::Struct(type).Add("Executable", "executable", Value(path));
}

Value HostInfo() {
  const image::Platform platform = image::HostPlatform();
  const std::string &os = platform.os, &arch = platform.architecture;
  struct utsname u {};
  (void)::uname(&u);
  char hostname[256] = "";
  (void)::gethostname(hostname, sizeof hostname - 1);
  auto maps = runtime::CurrentIdMappings();
  auto oci = runtime::FindOciRuntime("");
  std::string oci_path = oci.ok() ? *oci : "";
  std::string oci_name = oci_path.substr(oci_path.rfind('/') + 1);
  Value host = Value::Struct("define.HostInfo")
                   .Add("Arch", "arch", Value(arch))
                   .Add("CgroupManager", "cgroupManager", Value("cgroupfs"))
                   .Add("CgroupVersion", "cgroupVersion", Value(runtime::CgroupV1OrHybrid() ? "v1" : "v2"))
                   .Add("Hostname", "hostname", Value(std::string(hostname)));
  if (Rootless())
    host.Add("IDMappings", "idMappings",
             Value::Struct("define.IDMappings").Add("GIDMap", "gidmap", IdMaps(maps.gids)).Add("UIDMap", "uidmap", IdMaps(maps.uids)));
  return std::move(host)
      .Add("Kernel", "kernel", Value(std::string(u.release)))
      .Add("OCIRuntime", "ociRuntime",
           Value::Struct("define.OCIRuntimeInfo").Add("Name", "name", Value(oci_name)).Add("Path", "path", Value(oci_path)))
      .Add("OS", "os", Value(os))
      .Add("Pasta", "pasta", Program("define.PastaInfo", runtime::FindProgram("pasta")))
      .Add("Security", "security", Value::Struct("define.SecurityInfo").Add("Rootless", "rootless", Value(Rootless())))
      .Add("Slirp4NetNS", "slirp4netns", Program("define.SlirpInfo", runtime::FindProgram("slirp4netns")));
}

Value StoreInfo(store::Store& st) {
  auto images = st.ListImages();
  auto containers = store::Containers(st.db()).List();
  int64_t running = 0, stopped = 0, total = 0;
  if (containers.ok()) {
    total = static_cast<int64_t>(containers->size());
    for (const auto& c : *containers) (c.state == "running" ? running : stopped) += 1;
  }
  // podman's fields for the driver in use: the kernel's overlay ("Native Overlay Diff":
  // true), overlay through fuse-overlayfs (graphOptions overlay.mount_program, native diff
  // false), or vfs (no options, no status).
  Value options = Value::Map("map[string]interface {}");
  Value status = Value::Map("map[string]string");
  if (st.graph_driver() == "overlay") {
    if (!st.mount_program().empty())
      options.Set("overlay.mount_program", Value::Map("map[string]interface {}").Set("Executable", Value(st.mount_program())));
    status.Set("Native Overlay Diff", Value(st.mount_program().empty() ? "true" : "false"));
  }
  return Value::Struct("define.StoreInfo")
      .Add("ContainerStore", "containerStore",
           Value::Struct("define.ContainerStore")
               .Add("Number", "number", Value::Int(total))
               .Add("Paused", "paused", Value::Int(0))
               .Add("Running", "running", Value::Int(running))
               .Add("Stopped", "stopped", Value::Int(stopped)))
      .Add("GraphDriverName", "graphDriverName", Value(st.graph_driver()))
      .Add("GraphOptions", "graphOptions", std::move(options))
      .Add("GraphRoot", "graphRoot", Value(st.root()))
      .Add("GraphStatus", "graphStatus", std::move(status))
      .Add("ImageStore", "imageStore",
           Value::Struct("define.ImageStore").Add("Number", "number", Value::Int(images.ok() ? static_cast<int64_t>(images->size()) : 0)))
      .Add("RunRoot", "runRoot", Value(st.runroot()));
}

Value RegistriesInfo() {
  auto conf = registry::LoadRegistriesConf();
  std::vector<std::string> search;
  if (conf.ok()) search = conf->short_names.unqualified_search_registries;
  return Value::Map().Set("search", Value::StringSlice(search));
}

int RunInfo(Context& ctx, const std::string& fmt) {
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  Value info = Value::Struct("define.Info")
                   .Add("Host", "host", HostInfo())
                   .Add("Store", "store", StoreInfo(**st))
                   .Add("Registries", "registries", RegistriesInfo());
  return PrintInfo(info, fmt);
}

// podman's define.Version, for `version --format`; kiln has no Go version or build time.
Value ClientVersion() {
  const image::Platform host = image::HostPlatform();
  Value client = Value::Struct("define.Version")
                     .Add("APIVersion", "APIVersion", Value(kVersion))
                     .Add("Version", "Version", Value(kVersion))
                     .Add("GoVersion", "GoVersion", Value(""))
                     .Add("GitCommit", "GitCommit", Value(""))
                     .Add("BuiltTime", "BuiltTime", Value(""))
                     .Add("Built", "Built", Value::Int(0))
                     .Add("OsArch", "OsArch", Value(host.os + "/" + host.architecture))
                     .Add("Os", "Os", Value(host.os));
  return client;
}

// A local podman's report has only a Client (Server is a nil pointer).
Value VersionInfo() { return Value::Struct("entities.SystemVersionReport").Add("Client", "Client", ClientVersion()); }

// podman's fallback for a template that fails on the report (as `{{.Server.Version}}` does,
// the Server being nil without a service): the template again with ".Server." read as ".",
// on the client's version. Scripts read the pause image's tag this way (VERSION-BUILT).
int PrintVersionTemplate(const std::string& fmt) {
  format::ReportOptions opts;
  opts.template_name = "info";
  opts.headers = false;
  const Value report = VersionInfo();
  if (format::RenderReport(fmt, std::span<const Value>(&report, 1), opts).ok()) return PrintInfo(report, fmt);
  std::string client_fmt = fmt;
  for (size_t at = 0; (at = client_fmt.find(".Server.", at)) != std::string::npos;) client_fmt.replace(at, 8, "."), ++at;
  return PrintInfo(ClientVersion(), client_fmt);
}

// podman's layout: "Client:" and the aligned lines, or JSON / a Go template with --format.
int RunVersion(const std::string& fmt) {
  const image::Platform host = image::HostPlatform();
  if (fmt.empty()) {
    std::printf("Client:       kiln\nVersion:      %s\nAPI Version:  %s\nOS/Arch:      %s/%s\n", kVersion, kVersion,
                host.os.c_str(), host.architecture.c_str());
    return 0;
  }
  if (format::IsJsonFormat(fmt)) {
    std::printf("%s\n", format::GoJson(VersionInfo()).c_str());
    return 0;
  }
  return PrintVersionTemplate(fmt);
}

}  // namespace

void RegisterInfoCommand(Registry& r) {
  auto vfmt = std::make_shared<std::string>();
  CLI::App* version = AddCommand(r.root, "version", "Display the kiln version information");
  version->add_option("-f,--format", *vfmt, "Change the output format to JSON or a Go template");
  version->callback([&r, vfmt] { r.exit_code = RunVersion(*vfmt); });
  auto fmt = std::make_shared<std::string>();
  for (CLI::App* parent : {&r.root, &r.system}) {
    CLI::App* cmd = AddCommand(*parent, "info", "Display kiln system information");
    cmd->add_option("-f,--format", *fmt, "Change the output format to JSON or a Go template");
    cmd->callback([&r, fmt] { r.exit_code = RunInfo(r.ctx, *fmt); });
  }
}

}  // namespace kiln::cli
