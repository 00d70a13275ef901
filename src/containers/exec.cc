#include "containers/exec.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>

#include "containers/containers.h"
#include "containers/logs.h"

namespace kiln::containers {

std::vector<std::string> ExecEnv(std::vector<std::string> env, const std::vector<std::string>& overrides) {
  for (const std::string& o : overrides) {
    std::string entry = o;
    if (o.find('=') == std::string::npos) {  // -e KEY: kiln's own value, or nothing
      const char* v = std::getenv(o.c_str());
      if (!v) continue;
      entry = o + "=" + v;
    }
    std::string key = entry.substr(0, entry.find('=') + 1);
    std::erase_if(env, [&](const std::string& e) { return e.rfind(key, 0) == 0; });
    env.push_back(entry);
  }
  return env;
}

RunResult Exec(std::unique_ptr<store::Store> st, store::ContainerRecord c, const ExecOptions& o) {
  if (o.command.empty()) return {125, "must provide a non-empty command to start an exec session: invalid argument"};
  store::Containers rows(st->db());
  Reconcile(rows, c);
  if (c.state != "running")
    return {125, "can only create exec sessions on running containers: container state improper"};
  auto spec = SpecFor(*st, c);
  if (!spec.ok()) return {125, spec.status().message()};
  spec->args = o.command;
  spec->env = ExecEnv(spec->env, o.env);
  if (!o.user.empty()) spec->user = o.user;
  if (!o.workdir.empty()) spec->cwd = o.workdir;
  spec->terminal = o.tty;
  spec->terminal_rows = spec->terminal_cols = 0;
  if (o.tty) TerminalSize(&spec->terminal_rows, &spec->terminal_cols);
  st.reset();  // releases the GC lock while the command runs

  int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  runtime::Stdio io{o.interactive ? 0 : devnull, 1, 2};
  UniqueFd master;
  std::fflush(nullptr);
  auto proc = runtime::StartExec(*spec, static_cast<pid_t>(c.pid), io, &master);
  if (devnull >= 0) close(devnull);
  if (!proc.ok()) return {125, proc.status().message()};
  if (master.valid()) {  // the built-in isolation's terminal: kiln relays it
    RawTerminal raw(0, !o.interactive);
    PumpTerminal(master.get(), o.interactive ? 0 : -1, -1, 1, isatty(0) ? 0 : isatty(1) ? 1 : -1);
  } else if (o.tty) {  // the runtime relays its own terminal
    RawTerminal raw(0, !o.interactive);
    auto result = proc->Wait();
    if (!result.ok()) return {125, result.status().message()};
    return {result->code, result->started ? "" : result->error};
  }
  auto result = proc->Wait();
  if (!result.ok()) return {125, result.status().message()};
  return {result->code, result->started ? "" : result->error};
}

}  // namespace kiln::containers
