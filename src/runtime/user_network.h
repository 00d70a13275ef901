// A rootless container's private network (`--network private`): podman's user-mode
// networking. kiln creates a network namespace in its user namespace, held open by a small
// child process, and attaches slirp4netns to it, as podman 4 does by default:
//   slirp4netns --configure --mtu=65520 --disable-host-loopback --ready-fd=3 PID tap0
// so the container sees tap0 with 10.0.2.100/24, the gateway 10.0.2.2 and the DNS forwarder
// 10.0.2.3; the host's loopback is not reachable (podman's allow_host_loopback=false), its
// other addresses are. The container's init (chroot) or the OCI runtime (through
// config.json's namespace path) joins that namespace; both helpers end with the container.
#pragma once

#include <sys/types.h>

#include <string>

#include "util/status.h"

namespace kiln::runtime {

struct UserNetwork {
  pid_t holder = -1;  // keeps the namespace: /proc/<holder>/ns/net
  pid_t helper = -1;  // slirp4netns
  std::string NamespacePath() const { return "/proc/" + std::to_string(holder) + "/ns/net"; }
};

// slirp4netns's path, or the error for a rootless private network without it.
Expected<std::string> UserNetworkProgram();

// Starts the namespace and slirp4netns, and returns once slirp4netns says tap0 is
// configured. Both processes are killed if the caller dies first.
Expected<UserNetwork> StartUserNetwork(const std::string& slirp4netns);
// Ends both processes and reaps them (the caller must be their parent).
void StopUserNetwork(UserNetwork& net);

}  // namespace kiln::runtime
