#include "cli/context.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <iostream>
#include <sstream>

#include "format/toml_text.h"
#include "runtime/runtime.h"
#include "store/paths.h"
#include "util/fs.h"
#include "util/rootless.h"

namespace kiln::cli {
namespace {

// containers/storage's storage.conf: $CONTAINERS_STORAGE_CONF, else (rootless)
// $XDG_CONFIG_HOME/containers/storage.conf or ~/.config/containers/storage.conf when it
// exists, else /etc/containers/storage.conf. kiln reads [storage] driver and
// [storage.options.overlay] mount_program (or the older [storage.options] mount_program).
std::string StorageConfPath() {
  if (const char* env = std::getenv("CONTAINERS_STORAGE_CONF"); env && *env) return env;
  if (Rootless()) {
    const char* xdg = std::getenv("XDG_CONFIG_HOME");
    const char* home = std::getenv("HOME");
    std::string dir = xdg && *xdg ? xdg : std::string(home ? home : "") + "/.config";
    if (PathExists(dir + "/containers/storage.conf")) return dir + "/containers/storage.conf";
  }
  return "/etc/containers/storage.conf";
}

Status ReadStorageConf(std::string* driver, std::string* mount_program) {
  std::string path = StorageConfPath();
  if (!PathExists(path)) return Status::Ok();
  ASSIGN_OR_RETURN(toml::table t, format::ParseTomlFile(path, "loading storage configuration"));
  if (auto d = t["storage"]["driver"].value<std::string>(); d && driver->empty()) *driver = *d;
  auto prog = t["storage"]["options"]["overlay"]["mount_program"].value<std::string>();
  if (!prog) prog = t["storage"]["options"]["mount_program"].value<std::string>();
  if (prog && mount_program->empty()) *mount_program = *prog;
  return Status::Ok();
}

// An automatic choice is probed once per run root (a boot's worth of state) and kept there.
Expected<runtime::LayerMount> CachedChoice(const std::string& runroot) {
  const std::string cache = runroot + "/layer-driver";
  if (auto text = ReadFile(cache); text.ok()) {
    std::istringstream in(*text);
    runtime::LayerMount m;
    std::getline(in, m.driver);
    std::getline(in, m.mount_program);
    if ((m.driver == "overlay" || m.driver == "vfs") && (m.mount_program.empty() || access(m.mount_program.c_str(), X_OK) == 0))
      return m;
  }
  RETURN_IF_ERROR(MakeDirs(runroot));
  ASSIGN_OR_RETURN(runtime::LayerMount m, runtime::ChooseLayerMount("", "", runroot + "/layer-probe-" + std::to_string(getpid())));
  (void)WriteFileAtomic(cache, m.driver + "\n" + m.mount_program + "\n");
  return m;
}

}  // namespace

Expected<runtime::LayerMount> Context::LayerMount() const {
  std::string driver = options.storage_driver, program;
  for (const auto& o : options.storage_opts) {
    for (const char* key : {"overlay.mount_program=", "mount_program="})
      if (o.rfind(key, 0) == 0) program = o.substr(std::string(key).size());
  }
  RETURN_IF_ERROR(ReadStorageConf(&driver, &program));
  if (!driver.empty() || !program.empty()) return runtime::ChooseLayerMount(driver, program, "");
  return CachedChoice(options.runroot.empty() ? store::DefaultRunRoot() : options.runroot);
}

Expected<store::Store*> Context::Store() {
  if (!store_) {
    ASSIGN_OR_RETURN(store_, OpenStore());
  }
  return store_.get();
}

Expected<std::unique_ptr<store::Store>> Context::OpenStore() const {
  // As podman: rootless containers get no cgroup limits on a cgroup v1 host; said once.
  if (Rootless() && runtime::CgroupV1OrHybrid())
    Debug("running rootless on a cgroup v1 host: containers get no cgroup limits (as with podman)");
  ASSIGN_OR_RETURN(runtime::LayerMount m, LayerMount());
  Debug("storage driver " + m.driver + (m.mount_program.empty() ? "" : " through " + m.mount_program));
  return store::Store::Open({options.root, options.runroot, m.driver, m.mount_program});
}

int ExitCodeFor(const Status& st) {
  switch (st.code()) {
    case Code::kOk:
      return 0;
    case Code::kInUse:
      return 2;
    default:
      return 125;
  }
}

int Fail(const Status& st) { return Fail(st, ExitCodeFor(st)); }

int Fail(const Status& st, int exit_code) {
  std::fprintf(stderr, "Error: %s\n", st.message().c_str());
  return exit_code;
}

Expected<bool> Confirm(const std::string& warning) {
  std::printf("%sAre you sure you want to continue? [y/N] ", warning.c_str());
  std::fflush(stdout);
  std::string answer;
  if (!std::getline(std::cin, answer)) return InvalidArgument("EOF");
  return answer == "y" || answer == "Y" || answer == "yes";
}

namespace {

// logrus's text format: time="RFC 3339" level=LEVEL msg="…".
void Log(const char* level, const std::string& message) {
  char buf[64];
  std::time_t now = std::time(nullptr);
  struct tm tm;
  localtime_r(&now, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &tm);
  std::string ts = buf;
  // logrus prints RFC 3339: "Z" for UTC, else "+01:00".
  if (tm.tm_gmtoff == 0) ts = ts.substr(0, ts.size() - 5) + "Z";
  else if (ts.size() > 5) ts.insert(ts.size() - 2, ":");
  // logrus quotes the message as Go's %q does: a quote or backslash inside it is escaped.
  std::string quoted;
  for (char c : message) {
    if (c == '"' || c == '\\') quoted += '\\';
    if (c == '\n') quoted += "\\n";
    else quoted += c;
  }
  std::fprintf(stderr, "time=\"%s\" level=%s msg=\"%s\"\n", ts.c_str(), level, quoted.c_str());
}

}  // namespace

void Warn(const std::string& message) { Log("warning", message); }

void Context::Debug(const std::string& message) const {
  if (options.log_level == "debug" || options.log_level == "trace") Log("debug", message);
}

}  // namespace kiln::cli
