// `exec`: another process in a running container, as podman's exec session (without the
// session objects: kiln runs it in the foreground and returns its exit status).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "containers/run.h"
#include "store/containers.h"
#include "store/store.h"

namespace kiln::containers {

struct ExecOptions {
  std::vector<std::string> command;  // argv, required
  std::vector<std::string> env;      // -e KEY=VALUE, or KEY for kiln's own value
  std::string user;                  // -u; "" keeps the container's
  std::string workdir;               // -w; "" keeps the container's
  bool interactive = false;          // -i: kiln's stdin, else /dev/null
  bool tty = false;                  // -t: a terminal of the container's as the command's stdio
};

// Runs the command in container c and waits for it. The store is closed (its GC lock
// released) while the command runs. A container that is not running is podman's error.
RunResult Exec(std::unique_ptr<store::Store> store, store::ContainerRecord c, const ExecOptions& options);

// The container's environment with the -e entries applied over it, later ones winning.
std::vector<std::string> ExecEnv(std::vector<std::string> env, const std::vector<std::string>& overrides);

}  // namespace kiln::containers
