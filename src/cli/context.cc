#include "cli/context.h"

#include <ctime>
#include <iostream>

#include "runtime/runtime.h"
#include "util/rootless.h"

namespace kiln::cli {

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
  return store::Store::Open({options.root, options.runroot});
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
