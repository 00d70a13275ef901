// A container process's privileges and limits: its capability set (podman's default set,
// --cap-add, --cap-drop) and its rlimits (--ulimit). Pure parsing; runtime.cc applies them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/status.h"

namespace kiln::runtime {

// podman's default capabilities for a container, in capability-number order.
std::vector<int> DefaultCapabilities();

// The default set with `add` then `drop` applied ("NET_ADMIN" or "CAP_NET_ADMIN", any case;
// "ALL" for every capability). Unknown names: podman's `unknown capability "CAP_X"`.
Expected<std::vector<int>> Capabilities(const std::vector<std::string>& add, const std::vector<std::string>& drop);

// "CAP_CHOWN" for 0, …; "" for a number the table does not know.
std::string CapabilityName(int cap);

struct Rlimit {
  int resource = 0;  // RLIMIT_*
  std::string name;  // "RLIMIT_NOFILE", as the OCI spec names it
  uint64_t soft = 0, hard = 0;
};

// --ulimit TYPE=SOFT[:HARD] (hard defaults to soft; -1 is unlimited), e.g. nofile=1024:2048.
Expected<Rlimit> ParseUlimit(const std::string& value);

}  // namespace kiln::runtime
