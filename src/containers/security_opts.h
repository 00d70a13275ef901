// --security-opt of run, create and build, podman's forms: seccomp=unconfined|PROFILE,
// no-new-privileges[=BOOL], label=… and apparmor=… (accepted; kiln has neither SELinux nor
// AppArmor labelling). Without seccomp=, containers-common's default profile applies when
// it is installed, else none (said at --log-level debug), as podman does.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "util/status.h"

namespace kiln::containers {

struct SecurityOptions {
  std::string seccomp_profile;  // the profile's path, "" for no filter
  bool no_new_privileges = false;
};

// Checks the profile too (read and resolved), so that a bad one fails before anything is
// made. debug receives the "no default profile" note.
Expected<SecurityOptions> ParseSecurityOpts(const std::vector<std::string>& opts,
                                            const std::function<void(const std::string&)>& debug);

}  // namespace kiln::containers
