// exec, container exec: flags and podman's errors over containers::Exec.
#include <algorithm>

#include "cli/commands.h"
#include "containers/exec.h"
#include "store/containers.h"

namespace kiln::cli {
namespace {

struct ExecCmdOptions {
  containers::ExecOptions exec;
  bool latest = false, detach = false, privileged = false;
  std::vector<std::string> args;  // CONTAINER COMMAND [ARG...] (COMMAND [ARG...] with --latest)
};

Expected<store::ContainerRecord> Target(store::Containers& rows, ExecCmdOptions& o) {
  if (o.latest) {
    ASSIGN_OR_RETURN(std::vector<store::ContainerRecord> all, rows.List());
    if (all.empty()) return NotFound("no containers to exec in: no such container");
    return *std::max_element(all.begin(), all.end(),
                             [](const auto& a, const auto& b) { return a.created < b.created; });
  }
  if (o.args.empty()) return InvalidArgument("exec requires the name or ID of a container or the --latest flag");
  std::string name = o.args.front();
  o.args.erase(o.args.begin());
  return rows.Lookup(name);
}

int RunExec(Context& ctx, ExecCmdOptions o) {
  // kiln runs exec sessions in the foreground only (docs/compat.md).
  if (o.detach) return Fail(Unsupported("exec --detach is not supported by kiln yet"));
  auto st = ctx.OpenStore();  // owned here: Exec closes it while the command runs
  if (!st.ok()) return Fail(st.status());
  store::Containers rows((*st)->db());
  auto c = Target(rows, o);
  if (!c.ok()) return Fail(c.status(), 125);
  o.exec.command = o.args;
  containers::RunResult r = containers::Exec(std::move(st).value(), *c, o.exec);
  if (!r.error.empty()) return Fail(InvalidArgument(r.error), r.exit_code);
  return r.exit_code;
}

}  // namespace

void AddExecCommand(CLI::App& parent, Registry& r) {
  auto o = std::make_shared<ExecCmdOptions>();
  CLI::App* cmd = AddCommand(parent, "exec", "Run a process in a running container");
  AddRepeatable(cmd, "-e,--env", o->exec.env, "Set environment variables");
  cmd->add_flag("-i,--interactive", o->exec.interactive, "Keep STDIN open even if not attached");
  cmd->add_flag("-t,--tty", o->exec.tty, "Allocate a pseudo-TTY. The default is false");
  cmd->add_flag("-d,--detach", o->detach, "Run the exec session in detached mode (backgrounded)");
  cmd->add_flag("-l,--latest", o->latest, "Act on the latest container podman is aware of");
  cmd->add_flag("--privileged", o->privileged, "Ignored: kiln gives exec the container's capabilities");
  cmd->add_option("-u,--user", o->exec.user, "Sets the username or UID used and optionally the groupname or GID for the specified command");
  cmd->add_option("-w,--workdir", o->exec.workdir, "Working directory inside the container");
  // CONTAINER COMMAND [ARG...]: everything from the first word that is not an exec flag on.
  cmd->prefix_command();
  cmd->allow_extras(true);
  cmd->callback([&r, o, cmd] {
    o->args = cmd->remaining();
    r.exit_code = RunExec(r.ctx, *o);
  });
}

}  // namespace kiln::cli
