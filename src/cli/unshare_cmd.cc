// `kiln unshare [COMMAND [ARG...]]`: runs a command in rootless kiln's user namespace (as
// `podman unshare`), where the store's files show their owners as images have them.
#include <unistd.h>

#include <cstdlib>
#include <vector>

#include "cli/commands.h"
#include "runtime/userns.h"
#include "store/paths.h"
#include "util/rootless.h"

namespace kiln::cli {
namespace {

int RunUnshare(Context& ctx, std::vector<std::string> command) {
  if (!Rootless()) return Fail(InvalidArgument("please use unshare with rootless"));
  // podman's variables: where the store is, for scripts that look at it from inside.
  setenv("CONTAINERS_GRAPHROOT", (ctx.options.root.empty() ? store::DefaultRoot() : ctx.options.root).c_str(), 1);
  setenv("CONTAINERS_RUNROOT", (ctx.options.runroot.empty() ? store::DefaultRunRoot() : ctx.options.runroot).c_str(), 1);
  if (command.empty()) {
    const char* shell = std::getenv("SHELL");
    command.push_back(shell && *shell ? shell : "/bin/sh");
  }
  std::vector<char*> argv;
  for (auto& a : command) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(nullptr);
  execvp(argv[0], argv.data());
  return Fail(ErrnoError("exec: \"" + command[0] + "\"", errno));
}

}  // namespace

void RegisterUnshareCommand(Registry& r) {
  CLI::App* cmd = AddCommand(r.root, "unshare", "Run a command in a modified user namespace");
  // Everything from the first word on is the command and its own flags (sh -c '…').
  cmd->prefix_command();
  cmd->allow_extras(true);
  cmd->callback([&r, cmd] { r.exit_code = RunUnshare(r.ctx, cmd->remaining()); });
}

}  // namespace kiln::cli
