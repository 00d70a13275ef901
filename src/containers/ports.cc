#include "containers/ports.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <set>
#include <thread>

#include "util/status.h"

namespace kiln::containers {
namespace {

// podman's texts: "parsing host port: invalid port number: strconv.Atoi: parsing "x": invalid syntax".
Expected<uint16_t> ParsePort(std::string_view text, const std::string& which) {
  if (text.find('-') != std::string_view::npos)
    return Unsupported("port ranges are not supported by kiln (" + std::string(text) + "): publish each port");
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    return InvalidArgument("parsing " + which + ": invalid port number: strconv.Atoi: parsing \"" + std::string(text) +
                           "\": invalid syntax");
  if (value < 1 || value > 65535)
    return InvalidArgument("parsing " + which + ": port numbers must be between 1 and 65535 (inclusive), got " +
                           std::to_string(value));
  return static_cast<uint16_t>(value);
}

Expected<uint16_t> FreeTcpPort(const std::string& ip) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return ErrnoError("socket", errno);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  if (ip.empty() || ::inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) != 1) addr.sin_addr.s_addr = htonl(INADDR_ANY);
  socklen_t len = sizeof addr;
  int rc = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  if (rc == 0) rc = ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int err = errno;
  ::close(fd);
  if (rc != 0) return ErrnoError("choosing a free host port", err);
  return ntohs(addr.sin_port);
}

Expected<PortMapping> ParseOne(std::string spec) {
  PortMapping m;
  if (auto slash = spec.rfind('/'); slash != std::string::npos) {
    m.protocol = spec.substr(slash + 1);
    spec.resize(slash);
    if (m.protocol != "tcp")
      return Unsupported("publishing " + m.protocol + " ports is not supported by kiln (only tcp)");
  }
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    size_t colon = spec.find(':', start);
    parts.push_back(spec.substr(start, colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  if (parts.size() > 3) return InvalidArgument("invalid port format " + spec);
  ASSIGN_OR_RETURN(m.container_port, ParsePort(parts.back(), "container port"));
  if (parts.size() == 3) {
    in_addr a;
    if (::inet_pton(AF_INET, parts[0].c_str(), &a) != 1)
      return InvalidArgument("cannot parse \"" + parts[0] + "\" as an IP address");
    if (parts[0] != "0.0.0.0") m.host_ip = parts[0];
  }
  std::string host = parts.size() >= 2 ? parts[parts.size() - 2] : "";
  if (!host.empty()) {
    ASSIGN_OR_RETURN(m.host_port, ParsePort(host, "host port"));
  } else {
    ASSIGN_OR_RETURN(m.host_port, FreeTcpPort(m.host_ip));
  }
  return m;
}

// Copies one direction of a connection until EOF, then half-closes the other side.
void Pump(int from, int to) {
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = ::read(from, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = ::write(to, buf + off, static_cast<size_t>(n - off));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return (void)::shutdown(from, SHUT_RD);
      off += w;
    }
  }
  ::shutdown(to, SHUT_WR);
}

// Runs in the container's network namespace: connects to the container's port on loopback
// and relays both ways.
void Relay(int client, uint16_t port) {
  int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (server < 0 || ::connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (server >= 0) ::close(server);
    ::close(client);
    return;
  }
  std::thread back(Pump, server, client);
  Pump(client, server);
  back.join();
  ::close(server);
  ::close(client);
}

[[noreturn]] void ForwarderMain(int netns, const std::vector<int>& listeners, const std::vector<PortMapping>& ports) {
  int null_fd = ::open("/dev/null", O_RDWR);
  ::dup2(null_fd, 0), ::dup2(null_fd, 1), ::dup2(null_fd, 2);
  // Nothing else of the parent's stays open here: a pipe end kept would hold off its EOF.
  std::set<int> keep(listeners.begin(), listeners.end());
  keep.insert(netns);
  for (int fd = 3; fd < 4096; ++fd)
    if (!keep.count(fd)) ::close(fd);
  // Listening sockets stay in kiln's namespace; every socket made from here on is the container's.
  if (::setns(netns, CLONE_NEWNET) != 0) _exit(1);
  ::close(netns);
  ::signal(SIGPIPE, SIG_IGN);
  std::vector<pollfd> fds;
  for (int l : listeners) fds.push_back({l, POLLIN, 0});
  for (;;) {
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      _exit(1);
    }
    for (size_t i = 0; i < fds.size(); ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      int client = ::accept4(fds[i].fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (client >= 0) std::thread(Relay, client, ports[i].container_port).detach();
    }
  }
}

}  // namespace

Expected<std::vector<PortMapping>> ParsePublish(const std::vector<std::string>& specs) {
  std::vector<PortMapping> out;
  for (const std::string& s : specs) {
    ASSIGN_OR_RETURN(PortMapping m, ParseOne(s));
    out.push_back(std::move(m));
  }
  return out;
}

nlohmann::ordered_json PortsToJson(const std::vector<PortMapping>& ports) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& p : ports)
    out.push_back({{"host_ip", p.host_ip}, {"host_port", p.host_port}, {"container_port", p.container_port},
                   {"protocol", p.protocol}});
  return out;
}

std::vector<PortMapping> PortsFromJson(const nlohmann::ordered_json& ports) {
  std::vector<PortMapping> out;
  if (!ports.is_array()) return out;
  for (const auto& p : ports)
    out.push_back({p.value("host_ip", ""), p.value<uint16_t>("host_port", 0), p.value<uint16_t>("container_port", 0),
                   p.value("protocol", "tcp")});
  return out;
}

std::string FormatPorts(const std::vector<PortMapping>& ports) {
  std::string out;
  for (const auto& p : ports) {
    if (!out.empty()) out += ", ";
    out += (p.host_ip.empty() ? "0.0.0.0" : p.host_ip) + ":" + std::to_string(p.host_port) + "->" +
           std::to_string(p.container_port) + "/" + p.protocol;
  }
  return out;
}

PortForwarder::~PortForwarder() {
  if (child_ > 0) {
    ::kill(child_, SIGKILL);
    ::waitpid(child_, nullptr, 0);
  }
  for (int fd : listeners_) ::close(fd);
}

PortForwarder::PortForwarder(PortForwarder&& o) noexcept
    : ports_(std::move(o.ports_)), listeners_(std::move(o.listeners_)), child_(o.child_) {
  o.listeners_.clear();
  o.child_ = -1;
}

Expected<PortForwarder> PortForwarder::Listen(const std::vector<PortMapping>& ports) {
  PortForwarder f;
  f.ports_ = ports;
  for (const PortMapping& p : ports) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return ErrnoError("socket", errno);
    f.listeners_.push_back(fd);
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(p.host_port);
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    if (!p.host_ip.empty()) ::inet_pton(AF_INET, p.host_ip.c_str(), &addr.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 128) != 0)
      return IoError("cannot listen on the TCP port: listen tcp4 " + p.host_ip + ":" + std::to_string(p.host_port) +
                     ": bind: " + GoErrnoText(errno));
  }
  return f;
}

Status PortForwarder::Forward(pid_t container_pid) {
  if (listeners_.empty()) return Status::Ok();
  std::string ns = "/proc/" + std::to_string(container_pid) + "/ns/net";
  int netns = ::open(ns.c_str(), O_RDONLY | O_CLOEXEC);
  if (netns < 0 && (errno == ENOENT || errno == ESRCH)) return Status::Ok();  // it has ended already
  if (netns < 0) return ErrnoError("opening the container's network namespace " + ns, errno);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    int err = errno;
    ::close(netns);
    return ErrnoError("fork", err);
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) _exit(0);
    ForwarderMain(netns, listeners_, ports_);
  }
  ::close(netns);
  child_ = pid;
  return Status::Ok();
}

}  // namespace kiln::containers
