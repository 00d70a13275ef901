// Published ports (`run -p`): parsing podman's forms, and forwarding host TCP connections into
// a container's private network namespace.
//
// podman publishes through a bridge network and iptables (rootful) or rootlessport. kiln has
// no bridge: a container with published ports gets a private network namespace (loopback
// only), and a small forwarder process accepts on the host's port and connects, from inside
// that namespace, to 127.0.0.1:CONTAINER_PORT. The container sees connections from 127.0.0.1.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/status.h"

namespace kiln::containers {

struct PortMapping {
  std::string host_ip;  // empty: every address (podman shows 0.0.0.0)
  uint16_t host_port = 0;
  uint16_t container_port = 0;
  std::string protocol = "tcp";

  bool operator==(const PortMapping&) const = default;
};

// -p [[IP:][HOST_PORT]:]CONTAINER_PORT[/tcp], each as podman parses it. A missing host port is
// chosen now, a free one, as podman chooses it at create. udp/sctp and port ranges are refused.
Expected<std::vector<PortMapping>> ParsePublish(const std::vector<std::string>& specs);

nlohmann::ordered_json PortsToJson(const std::vector<PortMapping>& ports);
std::vector<PortMapping> PortsFromJson(const nlohmann::ordered_json& ports);
// ps's PORTS: "127.0.0.1:8081->80/tcp, 0.0.0.0:39525->9090/tcp".
std::string FormatPorts(const std::vector<PortMapping>& ports);

// Listening sockets for the mappings, bound in kiln's network namespace before the container
// starts (a port in use fails the start); Forward then serves them until the object goes.
class PortForwarder {
 public:
  PortForwarder() = default;
  ~PortForwarder();
  PortForwarder(PortForwarder&& o) noexcept;
  PortForwarder& operator=(PortForwarder&&) = delete;
  PortForwarder(const PortForwarder&) = delete;

  static Expected<PortForwarder> Listen(const std::vector<PortMapping>& ports);
  // Starts the forwarding process for the container whose init is pid; it ends with the
  // object (or with its parent, should kiln be killed).
  Status Forward(pid_t container_pid);

 private:
  std::vector<PortMapping> ports_;
  std::vector<int> listeners_;
  pid_t child_ = -1;
};

}  // namespace kiln::containers
