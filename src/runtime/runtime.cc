#include "runtime/runtime.h"
#include "runtime/user_network.h"
#include "runtime/userns.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <grp.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "runtime/seccomp.h"
#include "util/fs.h"
#include "util/json_text.h"
#include "util/rootless.h"

namespace kiln::runtime {
namespace {

using Json = nlohmann::ordered_json;


std::vector<std::string> FinalEnv(const ContainerSpec& spec, const User& u) {
  std::vector<std::string> env = spec.env;
  auto has = [&](const char* key) {
    std::string k = std::string(key) + "=";
    for (const auto& e : env)
      if (e.rfind(k, 0) == 0) return true;
    return false;
  };
  if (!has("PATH")) env.push_back("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  if (!has("HOME")) env.push_back("HOME=" + u.home);
  if (!has("HOSTNAME")) env.push_back("HOSTNAME=" + spec.hostname);
  return env;
}

// --add-host entries first (as podman writes them), then the defaults.
std::string HostsFile(const std::string& hostname, const std::vector<std::string>& extra_hosts) {
  std::string extra;
  for (const auto& h : extra_hosts) {
    const size_t colon = h.find(':');
    extra += h.substr(colon + 1) + "\t" + h.substr(0, colon) + "\n";
  }
  return extra + "127.0.0.1\tlocalhost localhost.localdomain localhost4 localhost4.localdomain4\n"
         "::1\tlocalhost localhost.localdomain localhost6 localhost6.localdomain6\n"
         "127.0.1.1\t" + hostname + "\n";
}

Status WriteSmall(const std::string& path, const std::string& data) {
  // Regenerated on every start; a torn file after a crash is rewritten next time.
  UniqueFd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid()) return ErrnoError("creating " + path, errno);
  return WriteAll(fd.get(), data.data(), data.size());
}

// ---- the container side of the built-in isolation (runs in the init; never returns) ----

struct ChildError {
  int code;
  char msg[500];
};

[[noreturn]] void ChildFail(int fd, int code, const std::string& msg) {
  ChildError e{};
  e.code = code;
  std::snprintf(e.msg, sizeof e.msg, "%s", msg.c_str());
  (void)!write(fd, &e, sizeof e);
  _exit(code);
}

std::string Errno(const std::string& what) { return what + ": " + GoErrnoText(errno); }

void MkdirP(const std::string& path, mode_t mode = 0755) {
  std::string cur;
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      cur = path.substr(0, i);
      mkdir(cur.c_str(), mode);
    }
  }
}

void TouchFile(const std::string& path) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd >= 0) close(fd);
}

// The scratch upper and work dirs of the spec's i-th discard_writes overlay.
std::string DiscardDir(const ContainerSpec& spec, size_t i) { return spec.dir + "/discard-" + std::to_string(i); }

// The scratch dirs of the spec's i-th image mount: upper/ and work/ (rw), empty/ (the bottom
// lower that lets a read-only overlay of a one-layer image mount).
std::string ImageMountDir(const ContainerSpec& spec, size_t i) { return spec.dir + "/image-mount-" + std::to_string(i); }

// The overlay's lowerdirs, upperdir and workdir of the spec's i-th image mount.
struct OverlayDirs {
  std::vector<std::string> lowers;
  std::string upper, work;
};
OverlayDirs ImageMountOverlay(const ContainerSpec& spec, size_t i) {
  const ImageMount& m = spec.image_mounts[i];
  const std::string d = ImageMountDir(spec, i);
  OverlayDirs o{m.lowers, "", ""};
  if (m.rw) {
    o.upper = d + "/upper", o.work = d + "/work";
  } else {
    o.lowers.push_back(d + "/empty");
  }
  return o;
}

Status BindInto(const std::string& root, const BindMount& b) {
  struct stat st;
  if (stat(b.source.c_str(), &st) != 0) return ErrnoError("statfs " + b.source, errno);
  std::string target = PathInRoot(root, b.destination);
  if (S_ISDIR(st.st_mode)) {
    MkdirP(target);
  } else {
    MkdirP(ParentDir(target));
    TouchFile(target);
  }
  if (mount(b.source.c_str(), target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
    return ErrnoError("bind mounting " + b.source + " on " + b.destination, errno);
  if (b.readonly &&
      mount(nullptr, target.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, nullptr) != 0)
    return ErrnoError("remounting " + b.destination + " read-only", errno);
  return Status::Ok();
}

void LoopbackUp() {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return;
  struct ifreq ifr {};
  std::strcpy(ifr.ifr_name, "lo");
  if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    (void)ioctl(s, SIOCSIFFLAGS, &ifr);
  }
  close(s);
}

// Passes a descriptor over a unix socket (SCM_RIGHTS), as runc's --console-socket does.
bool SendFd(int sock, int fd) {
  char byte = 0;
  iovec iov{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov, msg.msg_iovlen = 1, msg.msg_control = control, msg.msg_controllen = sizeof control;
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET, c->cmsg_type = SCM_RIGHTS, c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
  ssize_t n;
  do n = sendmsg(sock, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  return n == 1;
}

// The descriptor sent over sock; invalid when the peer closed it without sending one.
UniqueFd RecvFd(int sock) {
  char buf[512];  // runc sends the terminal's name along with it
  iovec iov{buf, sizeof buf};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov, msg.msg_iovlen = 1, msg.msg_control = control, msg.msg_controllen = sizeof control;
  ssize_t n;
  do n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n <= 0) return UniqueFd();
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    int fd;
    std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
    return UniqueFd(fd);
  }
  return UniqueFd();
}

void SetWindowSize(int fd, const ContainerSpec& spec) {
  if (spec.terminal_rows == 0 || spec.terminal_cols == 0) return;
  struct winsize ws {};
  ws.ws_row = spec.terminal_rows, ws.ws_col = spec.terminal_cols;
  (void)ioctl(fd, TIOCSWINSZ, &ws);
}

// In the chroot child, once root/dev/pts is the container's devpts: opens a new terminal
// there, sends its master over console_fd and makes the slave stdin/stdout/stderr and the
// controlling terminal of a new session.
void ChildTerminal(const std::string& root, const ContainerSpec& spec, const User& u, int console_fd, int err_fd) {
  int master = open((root + "/dev/pts/ptmx").c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  int unlock = 0, n = -1;
  if (master < 0 || ioctl(master, TIOCSPTLCK, &unlock) != 0 || ioctl(master, TIOCGPTN, &n) != 0)
    ChildFail(err_fd, 125, Errno("allocating a terminal"));
  int slave = open((root + "/dev/pts/" + std::to_string(n)).c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) ChildFail(err_fd, 125, Errno("opening the terminal"));
  (void)!fchown(slave, u.uid, static_cast<gid_t>(-1));
  SetWindowSize(slave, spec);
  if (!SendFd(console_fd, master)) ChildFail(err_fd, 125, Errno("sending the terminal"));
  close(master), close(console_fd);
  if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) != 0) ChildFail(err_fd, 125, Errno("setting the controlling terminal"));
  if (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0) ChildFail(err_fd, 125, Errno("setting up stdio"));
  close(slave);
}

bool SetgroupsDenied() {
  auto text = ReadFile("/proc/self/setgroups");
  return text.ok() && text->rfind("deny", 0) == 0;
}

[[noreturn]] void BecomeUserAndExec(const ContainerSpec& spec, const User& u, const std::vector<std::string>& env,
                                    const SeccompProgram& seccomp, int err_fd);

// The namespaces the container shares with another (its pod's infra container), joined
// while the host's /proc is still this process's: before its mounts (mqueue belongs to the
// ipc namespace) and the hostname.
void JoinNamespaces(const ContainerSpec& spec, int err_fd) {
  for (const auto& n : spec.join_namespaces) {
    int type = n.type == "network" ? CLONE_NEWNET : n.type == "ipc" ? CLONE_NEWIPC : n.type == "uts" ? CLONE_NEWUTS : -1;
    if (type < 0) ChildFail(err_fd, 125, "joining namespace " + n.path + ": unknown type " + n.type);
    UniqueFd fd(open(n.path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid() || setns(fd.get(), type) != 0) ChildFail(err_fd, 125, Errno("joining the " + n.type + " namespace " + n.path));
  }
}

// Everything below runs in the container's init (kiln re-executed by StartChroot): pid 1 of
// new pid, mount, ipc, uts (and net) namespaces. Reports failures through err_fd and exits.
[[noreturn]] void ChrootChild(const ContainerSpec& spec, const User& u, const std::vector<std::string>& env,
                              const SeccompProgram& seccomp, const Stdio& stdio, int err_fd, int console_fd,
                              int netns_fd) {
  // A rootless private network: the namespace slirp4netns serves (runtime/user_network.h).
  if (netns_fd >= 0 && setns(netns_fd, CLONE_NEWNET) != 0) ChildFail(err_fd, 125, Errno("joining the network namespace"));
  if (netns_fd >= 0) close(netns_fd);
  // stdio first, through high numbers so that overlapping descriptors survive (a terminal
  // replaces them once /dev/pts is mounted).
  if (console_fd < 0) {
    int in = fcntl(stdio.in, F_DUPFD_CLOEXEC, 100), out = fcntl(stdio.out, F_DUPFD_CLOEXEC, 100),
        err = fcntl(stdio.err, F_DUPFD_CLOEXEC, 100);
    if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
      ChildFail(err_fd, 125, Errno("setting up stdio"));
    close(in), close(out), close(err);
  }
  JoinNamespaces(spec, err_fd);
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    ChildFail(err_fd, 125, Errno("making / private"));
  const std::string root = spec.dir + "/merged";
  if (Status st = MountRootfs(spec); !st.ok()) ChildFail(err_fd, 125, st.message());
  for (size_t i = 0; i < spec.discard_writes.size(); ++i) {
    const std::string scratch = DiscardDir(spec, i), target = root + spec.discard_writes[i];
    // vfs: a copy of the directory in the scratch dir, bound over it.
    Status st = spec.layer_mount.driver == "vfs"
                    ? MountLayers(spec.layer_mount, {target}, "", "", scratch + "/upper", LayerLifetime::kCaller)
                    : MountLayers(spec.layer_mount, {target}, scratch + "/upper", scratch + "/work", target,
                                  LayerLifetime::kCaller);
    if (st.ok() && spec.layer_mount.driver == "vfs" &&
        mount((scratch + "/upper").c_str(), target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
      st = ErrnoError("bind mounting " + target, errno);
    if (!st.ok()) ChildFail(err_fd, 125, st.message());
  }
  for (size_t i = 0; i < spec.image_mounts.size(); ++i) {
    const std::string target = PathInRoot(root, spec.image_mounts[i].destination);
    MkdirP(target);
    OverlayDirs o = ImageMountOverlay(spec, i);
    if (Status st = MountOverlay(o.lowers, o.upper, o.work, target); !st.ok()) ChildFail(err_fd, 125, st.message());
  }
  auto must = [&](const char* src, const std::string& dst, const char* type, unsigned long flags, const char* data) {
    MkdirP(root + dst);
    if (mount(src, (root + dst).c_str(), type, flags, data) != 0) ChildFail(err_fd, 125, Errno("mounting " + dst));
  };
  must("proc", "/proc", "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, nullptr);
  must("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
  struct Dev {
    const char* name;
    unsigned maj, min;
  };
  for (Dev d : {Dev{"null", 1, 3}, Dev{"zero", 1, 5}, Dev{"full", 1, 7}, Dev{"random", 1, 8}, Dev{"urandom", 1, 9},
                Dev{"tty", 5, 0}}) {
    std::string p = root + "/dev/" + d.name;
    if (mknod(p.c_str(), S_IFCHR | 0666, makedev(d.maj, d.min)) == 0) {
      chmod(p.c_str(), 0666);
    } else {
      TouchFile(p);
      mount((std::string("/dev/") + d.name).c_str(), p.c_str(), nullptr, MS_BIND, nullptr);
    }
  }
  for (auto [l, t] : {std::pair{"fd", "/proc/self/fd"}, {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"},
                      {"stderr", "/proc/self/fd/2"}, {"ptmx", "pts/ptmx"}, {"core", "/proc/kcore"}})
    (void)!symlink(t, (root + "/dev/" + l).c_str());
  // Group 5 (tty) does not exist in a single-ID user namespace (rootless without subgids).
  must("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
       SingleIdUserNamespace() ? "newinstance,ptmxmode=0666,mode=0620" : "newinstance,ptmxmode=0666,mode=0620,gid=5");
  if (console_fd >= 0) ChildTerminal(root, spec, u, console_fd, err_fd);
  must("shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NOEXEC | MS_NODEV, "mode=1777,size=65536k");
  must("mqueue", "/dev/mqueue", "mqueue", MS_NOSUID | MS_NOEXEC | MS_NODEV, nullptr);
  MkdirP(root + "/sys");
  if (mount("sysfs", (root + "/sys").c_str(), "sysfs", MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY, nullptr) != 0) {
    if (mount("/sys", (root + "/sys").c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0 ||
        mount(nullptr, (root + "/sys").c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr) != 0)
      ChildFail(err_fd, 125, Errno("mounting /sys"));
  }
  std::vector<BindMount> binds = {{spec.dir + "/hostname", "/etc/hostname", false},
                                  {spec.dir + "/resolv.conf", "/etc/resolv.conf", false}};
  if (!spec.no_hosts) binds.insert(binds.begin(), {spec.dir + "/hosts", "/etc/hosts", false});
  binds.insert(binds.end(), spec.binds.begin(), spec.binds.end());
  for (const auto& b : binds)
    if (Status st = BindInto(root, b); !st.ok()) ChildFail(err_fd, 125, st.message());
  if (!spec.Joins("uts") && sethostname(spec.hostname.data(), spec.hostname.size()) != 0)
    ChildFail(err_fd, 125, Errno("sethostname"));
  if (spec.network == Network::kPrivate && !spec.Joins("network")) LoopbackUp();
  // pivot_root moves the root of every process of the mount namespace that has the old
  // one, fuse-overlayfs included: its own lookups (of /proc/self/fd/N) would then go through
  // the mount it serves, and hang. With a mount program the container is chroot()ed instead.
  if (!spec.layer_mount.mount_program.empty()) {
    if (chdir(root.c_str()) != 0 || chroot(".") != 0 || chdir("/") != 0) ChildFail(err_fd, 125, Errno("chroot"));
  } else if (chdir(root.c_str()) != 0 || syscall(SYS_pivot_root, ".", ".") != 0 || umount2(".", MNT_DETACH) != 0 ||
             chdir("/") != 0) {
    ChildFail(err_fd, 125, Errno("pivot_root"));
  }
  // The working directory: podman creates a missing one.
  if (chdir(spec.cwd.c_str()) != 0) {
    MkdirP(spec.cwd);
    if (chdir(spec.cwd.c_str()) != 0) ChildFail(err_fd, 125, Errno("chdir to `" + spec.cwd + "`"));
  }
  BecomeUserAndExec(spec, u, env, seccomp, err_fd);
}

// The last steps of every process kiln starts in a container (its init, or `exec`), once
// the namespaces, root and working directory are the container's: limits, capabilities,
// the user, then exec of spec.args[0] looked up in the container's PATH. The seccomp filter
// goes on in runc's order: without no_new_privs while kiln still has CAP_SYS_ADMIN (before
// the capabilities and the user change), with it as late as possible, right before exec.
[[noreturn]] void BecomeUserAndExec(const ContainerSpec& spec, const User& u, const std::vector<std::string>& env,
                                    const SeccompProgram& seccomp, int err_fd) {
  // --ulimit, while kiln may still raise hard limits.
  for (const Rlimit& r : spec.rlimits) {
    struct rlimit lim {r.soft, r.hard};
    if (setrlimit(r.resource, &lim) != 0) ChildFail(err_fd, 125, Errno("setting " + r.name));
  }
  if (!spec.no_new_privileges && InstallSeccompProgram(seccomp) != 0) ChildFail(err_fd, 125, Errno("loading seccomp filter"));
  // Capabilities: podman's default set (or as --cap-add/--cap-drop made it), in the bounding
  // set and (for root) permitted.
  auto kept = [&](int cap) { return std::find(spec.capabilities.begin(), spec.capabilities.end(), cap) != spec.capabilities.end(); };
  for (int cap = 0; cap <= 63; ++cap)
    if (!kept(cap) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno == EINVAL) break;
  std::vector<gid_t> groups(u.groups.begin(), u.groups.end());
  // A user namespace mapped without newgidmap denies setgroups: the (empty) list stays.
  if ((setgroups(groups.size(), groups.data()) != 0 && !(errno == EPERM && SetgroupsDenied())) ||
      setgid(u.gid) != 0 || setuid(u.uid) != 0) {
    if (errno == EINVAL)  // the ID has no mapping in kiln's user namespace
      ChildFail(err_fd, 125, "setting user " + std::to_string(u.uid) + ":" + std::to_string(u.gid) +
                                 ": the ID is not mapped in the rootless user namespace (check /etc/subuid and /etc/subgid)");
    ChildFail(err_fd, 125, Errno("setting user"));
  }
  if (u.uid == 0) {
    __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2]{};
    for (int k : spec.capabilities) {
      data[k / 32].effective |= 1u << (k % 32);
      data[k / 32].permitted |= 1u << (k % 32);
    }
    if (syscall(SYS_capset, &hdr, data) != 0) ChildFail(err_fd, 125, Errno("capset"));
  }
  if (spec.no_new_privileges) {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) ChildFail(err_fd, 125, Errno("setting no_new_privs"));
    if (InstallSeccompProgram(seccomp) != 0) ChildFail(err_fd, 125, Errno("loading seccomp filter"));
  }
  signal(SIGPIPE, SIG_DFL);
  umask(022);  // podman's default for every container, whatever kiln's caller has (the OCI path sets 18)
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);

  std::vector<char*> argv, envp;
  for (const auto& a : spec.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::string path_var = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (const auto& e : env) {
    envp.push_back(const_cast<char*>(e.c_str()));
    if (e.rfind("PATH=", 0) == 0) path_var = e.substr(5);
  }
  envp.push_back(nullptr);
  // Only stdio (and the error pipe, close-on-exec) may pass into the container.
  // (one close_range call: a loop of close() is a thousand syscalls on every start)
  if (syscall(SYS_close_range, 3u, ~0u, 4u /* CLOSE_RANGE_CLOEXEC */) != 0)
    for (int fd = 3; fd < 1024; ++fd)
      if (fd != err_fd) close(fd);
  const std::string& cmd = spec.args[0];
  if (cmd.find('/') != std::string::npos) {
    execve(cmd.c_str(), argv.data(), envp.data());
  } else {
    int saved = ENOENT;
    std::istringstream dirs(path_var);
    for (std::string d; std::getline(dirs, d, ':');) {
      std::string candidate = (d.empty() ? "." : d) + "/" + cmd;
      struct stat st;
      if (stat(candidate.c_str(), &st) != 0 || S_ISDIR(st.st_mode)) continue;
      execve(candidate.c_str(), argv.data(), envp.data());
      saved = errno;
      if (saved != EACCES && saved != ENOENT) break;
    }
    if (saved == ENOENT)
      ChildFail(err_fd, 127, "exec: \"" + cmd + "\": executable file not found in $PATH: OCI runtime attempted to invoke a command that was not found");
    errno = saved;
  }
  if (errno == ENOENT)
    ChildFail(err_fd, 127, "exec: \"" + cmd + "\": no such file or directory: OCI runtime attempted to invoke a command that was not found");
  if (errno == EACCES || errno == ENOEXEC || errno == EISDIR)
    ChildFail(err_fd, 126, "exec: \"" + cmd + "\": permission denied: OCI permission denied");
  ChildFail(err_fd, 125, Errno("exec: \"" + cmd + "\""));
}

std::string RuntimeBaseName(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}


}  // namespace

// ---------------------------------------------------------------------------

std::string FindProgram(const std::string& name) {
  if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  for (std::string d; std::getline(dirs, d, ':');) {
    std::string c = d + "/" + name;
    if (access(c.c_str(), X_OK) == 0) return c;
  }
  for (const char* d : {"/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/bin"}) {
    std::string c = std::string(d) + "/" + name;
    if (access(c.c_str(), X_OK) == 0) return c;
  }
  return "";
}

bool CgroupV1OrHybrid() {
  struct stat st;
  // A pure v2 host has cgroup.controllers at the top of /sys/fs/cgroup.
  return stat("/sys/fs/cgroup/cgroup.controllers", &st) != 0;
}

Expected<std::string> FindOciRuntime(const std::string& name) {
  if (!name.empty()) {
    std::string p = FindProgram(name);
    if (p.empty()) return NotFound("default OCI runtime \"" + name + "\" not found: invalid argument");  // podman's words
    return p;
  }
  if (!CgroupV1OrHybrid()) {
    if (std::string p = FindProgram("crun"); !p.empty()) return p;
  }
  if (std::string p = FindProgram("runc"); !p.empty()) return p;
  return std::string();
}

Status MountOverlay(const std::vector<std::string>& lowers, const std::string& upper, const std::string& work,
                    const std::string& target) {
  std::vector<UniqueFd> fds;
  std::string opts = "lowerdir=";
  for (size_t i = 0; i < lowers.size(); ++i) {
    UniqueFd fd(open(lowers[i].c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid()) return ErrnoError("opening layer " + lowers[i], errno);
    if (i) opts += ':';
    opts += "/proc/self/fd/" + std::to_string(fd.get());
    fds.push_back(std::move(fd));
  }
  if (!upper.empty()) opts += ",upperdir=" + upper + ",workdir=" + work;
  // In a user namespace overlayfs cannot write trusted.* xattrs: without "userxattr" it runs
  // with none, and a directory made where a lower one was deleted (which needs the opaque
  // xattr) fails with EIO. With it, it reads and writes user.overlay.* (as the layers
  // extracted in the namespace carry them: store/layer_apply.h).
  if (!InInitialUserNamespace()) opts += ",userxattr";
  if (mount("overlay", target.c_str(), "overlay", 0, opts.c_str()) != 0)
    return ErrnoError("mounting overlay at " + target, errno);
  return Status::Ok();
}

// In kiln's user namespace (as in rootless podman's config): sysfs can only be mounted in a
// network namespace of the container's own, so with the host's network /sys is the host's,
// bound read-only; devpts cannot name group 5 in a single-ID namespace.
namespace {

void RootlessMounts(const ContainerSpec& spec, Json& mounts) {
  for (auto& m : mounts) {
    if (m["destination"] == "/sys" && spec.network == Network::kHost)
      m = {{"destination", "/sys"}, {"type", "bind"}, {"source", "/sys"},
           {"options", {"rprivate", "nosuid", "noexec", "nodev", "ro", "rbind"}}};
    if (m["destination"] == "/dev/pts" && SingleIdUserNamespace())
      m["options"] = {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"};
  }
}

}  // namespace

std::string OciConfig(const ContainerSpec& spec, uint32_t uid, uint32_t gid, const std::vector<uint32_t>& groups,
                      const std::vector<std::string>& env, const Json& seccomp) {
  Json caps = Json::array();
  for (int c : spec.capabilities) caps.push_back(CapabilityName(c));
  Json user = {{"uid", uid}, {"gid", gid}, {"umask", 18}};
  if (!groups.empty()) user["additionalGids"] = groups;
  Json process = {{"terminal", spec.terminal}, {"user", user},      {"args", spec.args},
                  {"env", env},        {"cwd", spec.cwd},   {"capabilities", {{"bounding", caps}, {"effective", caps}, {"permitted", caps}}},
                  {"noNewPrivileges", spec.no_new_privileges}};
  for (const Rlimit& r : spec.rlimits) process["rlimits"].push_back({{"type", r.name}, {"hard", r.hard}, {"soft", r.soft}});
  if (spec.terminal && spec.terminal_rows && spec.terminal_cols)
    process["consoleSize"] = {{"height", spec.terminal_rows}, {"width", spec.terminal_cols}};
  Json mounts = Json::array({
      {{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"}, {"options", {"nosuid", "noexec", "nodev"}}},
      {{"destination", "/dev"}, {"type", "tmpfs"}, {"source", "tmpfs"}, {"options", {"nosuid", "strictatime", "mode=755", "size=65536k"}}},
      {{"destination", "/sys"}, {"type", "sysfs"}, {"source", "sysfs"}, {"options", {"nosuid", "noexec", "nodev", "ro"}}},
      {{"destination", "/dev/pts"}, {"type", "devpts"}, {"source", "devpts"},
       {"options", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}}},
      {{"destination", "/dev/mqueue"}, {"type", "mqueue"}, {"source", "mqueue"}, {"options", {"nosuid", "noexec", "nodev"}}},
      {{"destination", "/dev/shm"}, {"type", "tmpfs"}, {"source", "shm"}, {"options", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}}},
      {{"destination", "/etc/resolv.conf"}, {"type", "bind"}, {"source", spec.dir + "/resolv.conf"}, {"options", {"bind", "rprivate"}}},
      {{"destination", "/etc/hostname"}, {"type", "bind"}, {"source", spec.dir + "/hostname"}, {"options", {"bind", "rprivate"}}},
  });
  if (!spec.no_hosts)
    mounts.push_back({{"destination", "/etc/hosts"}, {"type", "bind"}, {"source", spec.dir + "/hosts"}, {"options", {"bind", "rprivate"}}});
  if (Rootless()) RootlessMounts(spec, mounts);
  for (size_t i = 0; i < spec.discard_writes.size(); ++i) {
    const std::string& path = spec.discard_writes[i];
    Json o = {"lowerdir=" + spec.dir + "/merged" + path, "upperdir=" + DiscardDir(spec, i) + "/upper",
              "workdir=" + DiscardDir(spec, i) + "/work"};
    mounts.push_back({{"destination", path}, {"type", "overlay"}, {"source", "overlay"}, {"options", o}});
  }
  for (size_t i = 0; i < spec.image_mounts.size(); ++i) {
    OverlayDirs d = ImageMountOverlay(spec, i);
    std::string lowers;
    for (const auto& l : d.lowers) lowers += (lowers.empty() ? "" : ":") + l;
    Json o = {"lowerdir=" + lowers};
    if (!d.upper.empty()) o.push_back("upperdir=" + d.upper), o.push_back("workdir=" + d.work);
    mounts.push_back({{"destination", spec.image_mounts[i].destination}, {"type", "overlay"}, {"source", "overlay"}, {"options", o}});
  }
  for (const auto& b : spec.binds) {
    Json o = {"rbind", "rprivate"};
    if (b.readonly) o.push_back("ro");
    mounts.push_back({{"destination", b.destination}, {"type", "bind"}, {"source", b.source}, {"options", o}});
  }
  Json ns = Json::array({{{"type", "pid"}}, {{"type", "ipc"}}, {{"type", "uts"}}, {{"type", "mount"}}});
  if (spec.network != Network::kHost || spec.Joins("network")) ns.push_back({{"type", "network"}});
  for (auto& n : ns)
    for (const auto& j : spec.join_namespaces)
      if (n["type"] == j.type) n["path"] = j.path;
  Json linux_ = {{"namespaces", ns},
                 {"maskedPaths", {"/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                                  "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/fs/selinux",
                                  "/sys/dev/block"}},
                 {"readonlyPaths", {"/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}}};
  if (!seccomp.is_null()) linux_["seccomp"] = seccomp;
  Json cfg = {{"ociVersion", "1.0.2-dev"},
              {"process", process},
              {"root", {{"path", spec.dir + "/merged"}, {"readonly", false}}},
              {"hostname", spec.hostname},
              {"mounts", mounts},
              {"annotations", {{"io.container.manager", "kiln"}}},
              {"linux", linux_}};
  return JsonText(cfg, 1);
}

Json RlimitsJson(const std::vector<Rlimit>& rlimits) {
  Json out = Json::array();
  for (const Rlimit& r : rlimits) out.push_back({{"resource", r.resource}, {"name", r.name}, {"soft", r.soft}, {"hard", r.hard}});
  return out;
}

Json ImageMountsJson(const std::vector<ImageMount>& mounts) {
  Json out = Json::array();
  for (const auto& m : mounts) out.push_back({{"lowers", m.lowers}, {"destination", m.destination}, {"rw", m.rw}});
  return out;
}

std::string SpecToJson(const ContainerSpec& s) {
  Json binds = Json::array();
  for (const auto& b : s.binds) binds.push_back({{"source", b.source}, {"destination", b.destination}, {"ro", b.readonly}});
  Json j = {{"id", s.id}, {"lowers", s.lowers}, {"dir", s.dir}, {"args", s.args}, {"env", s.env}, {"cwd", s.cwd},
            {"user", s.user}, {"hostname", s.hostname}, {"network", static_cast<int>(s.network)}, {"binds", binds},
            {"isolation", static_cast<int>(s.isolation)}, {"oci_runtime", s.oci_runtime}, {"state_root", s.state_root},
            {"runtime_flags", s.runtime_flags}, {"terminal", s.terminal}, {"terminal_rows", s.terminal_rows}, {"terminal_cols", s.terminal_cols},
            {"discard_writes", s.discard_writes}, {"extra_hosts", s.extra_hosts}, {"no_hosts", s.no_hosts},
            {"capabilities", s.capabilities}, {"rlimits", RlimitsJson(s.rlimits)},
            {"seccomp_profile", s.seccomp_profile}, {"no_new_privileges", s.no_new_privileges},
            {"image_mounts", ImageMountsJson(s.image_mounts)},
            {"layer_driver", s.layer_mount.driver}, {"mount_program", s.layer_mount.mount_program}};
  for (const auto& n : s.join_namespaces) j["join_namespaces"].push_back({{"type", n.type}, {"path", n.path}});
  return JsonText(j);
}

Expected<ContainerSpec> SpecFromJson(const std::string& text) {
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Corrupt("container spec: not a JSON object");
  ContainerSpec s;
  try {
    s.id = j.at("id").get<std::string>();
    s.lowers = j.at("lowers").get<std::vector<std::string>>();
    s.dir = j.at("dir").get<std::string>();
    s.args = j.at("args").get<std::vector<std::string>>();
    s.env = j.at("env").get<std::vector<std::string>>();
    s.cwd = j.at("cwd").get<std::string>();
    s.user = j.at("user").get<std::string>();
    s.hostname = j.at("hostname").get<std::string>();
    s.network = static_cast<Network>(j.at("network").get<int>());
    for (const auto& b : j.at("binds"))
      s.binds.push_back({b.at("source").get<std::string>(), b.at("destination").get<std::string>(), b.at("ro").get<bool>()});
    s.isolation = static_cast<Isolation>(j.at("isolation").get<int>());
    s.oci_runtime = j.at("oci_runtime").get<std::string>();
    s.state_root = j.at("state_root").get<std::string>();
    s.runtime_flags = j.value("runtime_flags", std::vector<std::string>{});
    s.terminal = j.value("terminal", false);
    if (j.contains("discard_writes")) s.discard_writes = j.at("discard_writes").get<std::vector<std::string>>();
    s.extra_hosts = j.value("extra_hosts", std::vector<std::string>{});
    s.no_hosts = j.value("no_hosts", false);
    if (j.contains("capabilities")) s.capabilities = j.at("capabilities").get<std::vector<int>>();
    for (const auto& r : j.value("rlimits", Json::array()))
      s.rlimits.push_back({r.at("resource").get<int>(), r.at("name").get<std::string>(), r.at("soft").get<uint64_t>(),
                           r.at("hard").get<uint64_t>()});
    for (const auto& m : j.value("image_mounts", Json::array()))
      s.image_mounts.push_back({m.at("lowers").get<std::vector<std::string>>(), m.at("destination").get<std::string>(),
                                m.at("rw").get<bool>()});
    s.seccomp_profile = j.value("seccomp_profile", std::string());
    s.no_new_privileges = j.value("no_new_privileges", false);
    for (const auto& n : j.value("join_namespaces", Json::array()))
      s.join_namespaces.push_back({n.at("type").get<std::string>(), n.at("path").get<std::string>()});
    s.terminal_rows = j.value("terminal_rows", uint16_t{0});
    s.terminal_cols = j.value("terminal_cols", uint16_t{0});
    s.layer_mount.driver = j.value("layer_driver", std::string("overlay"));
    s.layer_mount.mount_program = j.value("mount_program", std::string());
  } catch (const std::exception& e) {
    return Corrupt(std::string("container spec: ") + e.what());
  }
  return s;
}

// Components of a container path, resolved by hand: the image's own symlinks (an absolute
// target means the container's root) and ".." never leave root, as podman's securejoin.
std::string PathInRoot(const std::string& root, const std::string& path) {
  auto split = [](const std::string& p) {
    std::vector<std::string> parts;
    std::stringstream in(p);
    for (std::string c; std::getline(in, c, '/');)
      if (!c.empty() && c != ".") parts.push_back(c);
    return parts;
  };
  auto join = [&](const std::vector<std::string>& parts) {
    std::string out = root;
    for (const auto& c : parts) out += "/" + c;
    return out;
  };
  std::vector<std::string> done, todo = split(path);
  std::reverse(todo.begin(), todo.end());  // a stack: the next component last
  int links = 0;
  while (!todo.empty()) {
    std::string c = todo.back();
    todo.pop_back();
    if (c == "..") {
      if (!done.empty()) done.pop_back();
      continue;
    }
    done.push_back(c);
    char buf[4096];
    ssize_t n = readlink(join(done).c_str(), buf, sizeof buf);
    if (n <= 0 || ++links > 40) continue;  // not a link (or a loop: left as it is)
    done.pop_back();
    std::string target(buf, static_cast<size_t>(n));
    if (target[0] == '/') done.clear();
    std::vector<std::string> more = split(target);
    todo.insert(todo.end(), more.rbegin(), more.rend());
  }
  return join(done);
}

Status PrepareBundle(const ContainerSpec& spec) {
  for (const char* d : {"upper", "work", "merged"}) RETURN_IF_ERROR(MakeDirs(spec.dir + "/" + d));
  for (size_t i = 0; i < spec.discard_writes.size(); ++i)
    for (const char* d : {"/upper", "/work"}) RETURN_IF_ERROR(MakeDirs(DiscardDir(spec, i) + d));
  // An image mount's writes last one run: its scratch dirs start empty.
  for (size_t i = 0; i < spec.image_mounts.size(); ++i) {
    RETURN_IF_ERROR(RemoveTree(ImageMountDir(spec, i)));
    for (const char* d : {"/upper", "/work", "/empty"}) RETURN_IF_ERROR(MakeDirs(ImageMountDir(spec, i) + d));
  }
  RETURN_IF_ERROR(WriteSmall(spec.dir + "/hostname", spec.hostname + "\n"));
  RETURN_IF_ERROR(WriteSmall(spec.dir + "/hosts", HostsFile(spec.hostname, spec.extra_hosts)));
  std::string resolv;
  if (spec.network == Network::kHost) {
    auto host = ReadFile("/etc/resolv.conf");
    if (host.ok()) resolv = *host;
  } else if (spec.network == Network::kPrivate && Rootless()) {
    resolv = "nameserver 10.0.2.3\n";  // slirp4netns' DNS forwarder (runtime/user_network.h)
  }
  RETURN_IF_ERROR(WriteSmall(spec.dir + "/resolv.conf", resolv));
  if (spec.isolation == Isolation::kOci) {
    ASSIGN_OR_RETURN(User u, ResolveUser(spec.lowers, spec.user));
    ASSIGN_OR_RETURN(std::optional<SeccompFilter> seccomp, ReadSeccompFilter(spec.seccomp_profile, spec.capabilities));
    Json oci_seccomp = seccomp ? SeccompFilterToOci(*seccomp) : Json();
    RETURN_IF_ERROR(WriteSmall(spec.dir + "/config.json", OciConfig(spec, u.uid, u.gid, u.groups, FinalEnv(spec, u), oci_seccomp)));
  }
  return Status::Ok();
}

namespace {

// The runtime's mount points make overlayfs copy their parent directories (/etc for
// /etc/hosts) up into the upper dir. Once the mount points are gone, a parent left empty,
// not opaque and with the image's own owner and permissions holds no change of the
// command's: remove it, so that the layer does not carry it.
void RemoveEmptyCopiedUpParents(const ContainerSpec& spec, std::string path) {
  for (;;) {
    auto slash = path.rfind('/');
    if (slash == std::string::npos || slash == 0) return;
    path.resize(slash);
    std::string upper = spec.dir + "/upper" + path;
    struct stat up;
    if (lstat(upper.c_str(), &up) != 0 || !S_ISDIR(up.st_mode)) return;
    char opaque[2];
    if (lgetxattr(upper.c_str(), "trusted.overlay.opaque", opaque, sizeof opaque) > 0 ||
        lgetxattr(upper.c_str(), "user.overlay.opaque", opaque, sizeof opaque) > 0)
      return;
    bool same_as_image = true;
    for (const auto& l : spec.lowers) {
      struct stat low;
      if (lstat((l + path).c_str(), &low) != 0) continue;
      same_as_image = S_ISDIR(low.st_mode) && (low.st_mode & 07777) == (up.st_mode & 07777) &&
                      low.st_uid == up.st_uid && low.st_gid == up.st_gid;
      break;
    }
    if (!same_as_image || rmdir(upper.c_str()) != 0) return;  // ENOTEMPTY: it holds real changes
  }
}

}  // namespace

Status CleanMountPoints(const ContainerSpec& spec) {
  std::vector<std::string> targets = {"/proc", "/dev", "/sys", "/etc/hostname", "/etc/resolv.conf"};
  if (!spec.no_hosts) targets.push_back("/etc/hosts");  // else a RUN's own /etc/hosts is a real change
  for (const auto& b : spec.binds) targets.push_back(b.destination);
  for (const auto& t : targets) {
    bool in_image = false;
    for (const auto& l : spec.lowers) {
      struct stat st;
      if (lstat((l + t).c_str(), &st) == 0) {
        in_image = !(S_ISCHR(st.st_mode) && st.st_rdev == 0);
        break;
      }
    }
    if (in_image) continue;
    std::string p = spec.dir + "/upper" + t;
    struct stat st;
    if (lstat(p.c_str(), &st) != 0) continue;
    if (S_ISREG(st.st_mode) && st.st_size == 0) {
      if (unlink(p.c_str()) != 0) return ErrnoError("removing " + p, errno);
    } else if (S_ISDIR(st.st_mode)) {
      if (rmdir(p.c_str()) != 0 && errno != ENOTEMPTY && errno != EEXIST) return ErrnoError("removing " + p, errno);
    }
  }
  for (const auto& t : targets) RemoveEmptyCopiedUpParents(spec, t);
  return Status::Ok();
}

int64_t ProcessStartTicks(pid_t pid) {
  auto stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  if (!stat.ok()) return 0;
  // Field 22, counted after the command name's closing parenthesis (which may hold spaces).
  auto close = stat->rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream in(stat->substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && in >> field; ++i)
    if (i == 22) return std::stoll(field);
  return 0;
}

bool ProcessAlive(pid_t pid, int64_t start_ticks) {
  if (pid <= 0) return false;
  int64_t now = ProcessStartTicks(pid);
  if (now == 0) return false;
  if (start_ticks != 0 && now != start_ticks) return false;
  // A zombie has finished.
  auto stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  if (stat.ok()) {
    auto close = stat->rfind(')');
    if (close != std::string::npos && close + 2 < stat->size() && (*stat)[close + 2] == 'Z') return false;
  }
  return true;
}

bool SignalProcess(pid_t pid, int64_t start_ticks, int sig) {
  if (!ProcessAlive(pid, start_ticks)) return false;
  return kill(pid, sig) == 0;
}

int ParseSignal(const std::string& text) {
  static const std::pair<const char*, int> kNames[] = {
      {"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"ILL", SIGILL},   {"TRAP", SIGTRAP}, {"ABRT", SIGABRT},
      {"BUS", SIGBUS},   {"FPE", SIGFPE},   {"KILL", SIGKILL}, {"USR1", SIGUSR1}, {"SEGV", SIGSEGV}, {"USR2", SIGUSR2},
      {"PIPE", SIGPIPE}, {"ALRM", SIGALRM}, {"TERM", SIGTERM}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT}, {"STOP", SIGSTOP},
      {"TSTP", SIGTSTP}, {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU}, {"URG", SIGURG},   {"WINCH", SIGWINCH}};
  std::string t = text;
  for (auto& c : t) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
  if (t.rfind("SIG", 0) == 0) t = t.substr(3);
  if (!t.empty() && std::all_of(t.begin(), t.end(), ::isdigit)) {
    int n = std::stoi(t);
    return n > 0 && n < 65 ? n : -1;
  }
  for (auto [n, s] : kNames)
    if (t == n) return s;
  return -1;
}

namespace {

// A socket pair for handing the terminal's master from the container's side to the caller.
struct ConsolePair {
  UniqueFd parent, child;
};

Expected<ConsolePair> MakeConsolePair() {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return ErrnoError("socketpair", errno);
  return ConsolePair{UniqueFd(sv[0]), UniqueFd(sv[1])};
}

// What the re-executed init needs to set the container up: the spec, the resolved user and
// the final environment, as JSON in a memfd (not in argv, where one string may not exceed
// 128 KiB: E2BIG).
// The seccomp filter goes resolved (its profile read here, errors before any clone).
Expected<UniqueFd> InitPayload(const ContainerSpec& spec, const User& u, const std::vector<std::string>& env) {
  ASSIGN_OR_RETURN(std::optional<SeccompFilter> seccomp, ReadSeccompFilter(spec.seccomp_profile, spec.capabilities));
  Json user = {{"uid", u.uid}, {"gid", u.gid}, {"groups", u.groups}, {"home", u.home}};
  std::string text = JsonText(Json{{"spec", Json::parse(SpecToJson(spec))}, {"user", user}, {"env", env},
                                   {"seccomp", seccomp ? SeccompFilterToOci(*seccomp) : Json()}});
  UniqueFd fd(memfd_create("kiln-container-init", MFD_CLOEXEC));
  if (!fd.valid()) return ErrnoError("memfd_create", errno);
  RETURN_IF_ERROR(WriteAll(fd.get(), text.data(), text.size()));
  return fd;
}

// The container's first process is cloned straight into its new namespaces, and a raw
// clone(2) skips glibc's fork handlers: with other threads running (parallel build stages),
// a malloc lock one of them holds stays held in the child forever. So the child only clears
// close-on-exec on the descriptors it hands on and re-executes kiln (kInitArg), which sets
// the container up in a fresh, single-threaded process. Everything it touches before that
// exec was prepared here.
[[noreturn]] void ExecInit(char* const* argv, const int* fds, size_t nfds, int err_fd, const ChildError& failure) {
  for (size_t i = 0; i < nfds; ++i)
    if (fds[i] >= 0) fcntl(fds[i], F_SETFD, 0);
  char* const no_env[] = {nullptr};
  execve("/proc/self/exe", argv, no_env);
  (void)!write(err_fd, &failure, sizeof failure);
  _exit(failure.code);
}

Expected<Process> StartChroot(const ContainerSpec& spec, const Stdio& stdio, UniqueFd* master, const UserNetwork* net) {
  ASSIGN_OR_RETURN(User u, ResolveUser(spec.lowers, spec.user));
  std::vector<std::string> env = FinalEnv(spec, u);
  ConsolePair console;
  if (master) {
    ASSIGN_OR_RETURN(console, MakeConsolePair());
  }
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return ErrnoError("pipe", errno);
  auto payload = InitPayload(spec, u, env);
  if (!payload.ok()) {
    close(p[0]), close(p[1]);
    return payload.status();
  }
  UniqueFd netns;
  if (net) {
    netns = UniqueFd(open(net->NamespacePath().c_str(), O_RDONLY | O_CLOEXEC));
    if (!netns.valid()) {
      int e = errno;
      close(p[0]), close(p[1]);
      return ErrnoError("opening " + net->NamespacePath(), e);
    }
  }
  const int fds[] = {payload->get(), stdio.in, stdio.out, stdio.err, p[1], console.child.get(), netns.get()};
  std::vector<std::string> args = {"kiln", kInitArg};
  for (int fd : fds) args.push_back(std::to_string(fd));
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  ChildError failure{};
  failure.code = 125;
  std::snprintf(failure.msg, sizeof failure.msg, "re-executing /proc/self/exe as the container's init failed");
  int flags = CLONE_NEWNS | CLONE_NEWPID;
  if (!spec.Joins("ipc")) flags |= CLONE_NEWIPC;
  if (!spec.Joins("uts")) flags |= CLONE_NEWUTS;
  if (spec.network != Network::kHost && !spec.Joins("network") && !net) flags |= CLONE_NEWNET;
  long pid = syscall(SYS_clone, flags | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
  if (pid < 0) {
    int e = errno;
    close(p[0]), close(p[1]);
    return ErrnoError("creating the container's namespaces", e);
  }
  if (pid == 0) ExecInit(argv.data(), fds, std::size(fds), p[1], failure);
  close(p[1]);
  console.child.reset();
  netns.reset();
  // Sent before exec; nothing comes when the child fails first (then the error pipe says why).
  if (master) *master = RecvFd(console.parent.get());
  Process proc(static_cast<pid_t>(pid), static_cast<pid_t>(pid), ProcessStartTicks(static_cast<pid_t>(pid)),
               Isolation::kChroot, spec.dir, "chroot");
  ChildError e{};
  ssize_t n;
  do n = read(p[0], &e, sizeof e);
  while (n < 0 && errno == EINTR);
  close(p[0]);
  if (n == static_cast<ssize_t>(sizeof e)) {
    int status;
    while (waitpid(static_cast<pid_t>(pid), &status, 0) < 0 && errno == EINTR) {
    }
    e.msg[sizeof e.msg - 1] = 0;
    proc.done = true;
    proc.result = {e.code, false, std::string("chroot: ") + e.msg};
    if (master) master->reset();
  }
  return proc;
}

// The OCI runtime's argv: its path, --root, the global --runtime-flag values, then rest.
std::vector<std::string> RuntimeArgs(const ContainerSpec& spec, std::initializer_list<std::string> rest) {
  std::vector<std::string> args = {spec.oci_runtime, "--root", spec.state_root};
  args.insert(args.end(), spec.runtime_flags.begin(), spec.runtime_flags.end());
  args.insert(args.end(), rest.begin(), rest.end());
  return args;
}

std::vector<char*> Argv(std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return argv;
}

void RunQuietly(const std::vector<std::string>& args) {
  pid_t d = fork();
  if (d == 0) {
    int null_fd = open("/dev/null", O_RDWR);
    dup2(null_fd, 0), dup2(null_fd, 1), dup2(null_fd, 2);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  if (d > 0)
    while (waitpid(d, nullptr, 0) < 0 && errno == EINTR) {
    }
}

int WaitStatusCode(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

// Listens on DIR/console.sock for runc's --console-socket. The address goes through
// /proc/PID/fd/N of the directory: a container directory's path may not fit sun_path.
struct ConsoleListener {
  UniqueFd dir, sock;
  std::string address;  // for the runtime, a child of this process
};

Expected<ConsoleListener> ListenForConsole(const std::string& dir) {
  ConsoleListener l;
  l.dir = UniqueFd(open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  l.sock = UniqueFd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!l.dir.valid() || !l.sock.valid()) return ErrnoError("console socket", errno);
  unlinkat(l.dir.get(), "console.sock", 0);
  std::string fd_path = "/fd/" + std::to_string(l.dir.get()) + "/console.sock";
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "/proc/self%s", fd_path.c_str());
  if (bind(l.sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(l.sock.get(), 1) != 0)
    return ErrnoError("console socket", errno);
  l.address = "/proc/" + std::to_string(getpid()) + fd_path;
  return l;
}

// Accepts the runtime's connection and receives the master, unless the runtime (rt) ends
// first; then *rt_status holds its status and *rt_done is set.
UniqueFd AcceptConsole(const ConsoleListener& l, pid_t rt, int* rt_status, bool* rt_done) {
  UniqueFd master;
  for (;;) {
    pollfd p{l.sock.get(), POLLIN, 0};
    if (poll(&p, 1, 20) > 0) {
      UniqueFd conn(accept4(l.sock.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (conn.valid()) master = RecvFd(conn.get());
      break;
    }
    if (waitpid(rt, rt_status, WNOHANG) == rt) {
      *rt_done = true;
      break;
    }
  }
  unlinkat(l.dir.get(), "console.sock", 0);
  return master;
}

// Reaps children (this process is a subreaper) until the container's init ends.
int WaitForInit(pid_t init) {
  for (;;) {
    int status;
    pid_t r = waitpid(-1, &status, 0);
    if (r == init) return WaitStatusCode(status);
    if (r < 0 && errno != EINTR) return 0;  // already reaped by the runtime
  }
}

// The child of an OCI terminal start (see StartTerminal, in the mount namespace that holds
// the rootfs) or exec -t: the runtime detached with a console socket in dir (args_for gets
// its address: `run -d`/`exec -d --console-socket`), the master to sock, then, as the
// subreaper of the process the pidfile names, its exit; after() runs before that is returned.
[[noreturn]] void OciTerminalChild(const std::string& dir, const std::string& pidfile, int sock,
                                   const std::function<std::vector<std::string>(const std::string&)>& args_for,
                                   const std::function<void()>& after) {
  int null_fd = open("/dev/null", O_RDWR);
  dup2(null_fd, 0), dup2(null_fd, 1), dup2(null_fd, 2);
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  auto listener = ListenForConsole(dir);
  if (!listener.ok()) _exit(125);
  std::vector<std::string> args = args_for(listener->address);
  std::vector<char*> argv = Argv(args);
  pid_t run = fork();
  if (run == 0) {
    execv(argv[0], argv.data());
    _exit(125);
  }
  int status = 0;
  bool done = false;
  UniqueFd master = run > 0 ? AcceptConsole(*listener, run, &status, &done) : UniqueFd();
  if (master.valid()) (void)SendFd(sock, master.get());
  master.reset();
  close(sock);
  while (run > 0 && !done && waitpid(run, &status, 0) < 0 && errno == EINTR) {
  }
  if (run < 0 || WaitStatusCode(status) != 0) _exit(run < 0 ? 125 : WaitStatusCode(status));
  auto text = ReadFile(pidfile);
  int code = WaitForInit(text.ok() ? static_cast<pid_t>(std::atol(text->c_str())) : -1);
  after();
  _exit(code);
}

// The child of an OCI start without a terminal: the runtime in the foreground forwards
// signals and exits with the container's status.
[[noreturn]] void OciForegroundChild(const ContainerSpec& spec, const std::string& pidfile, const std::string& log) {
  const std::string& rt = spec.oci_runtime;
  std::vector<std::string> args =
      RuntimeArgs(spec, {"--log", log, "--log-format", "json", "run", "--bundle", spec.dir, "--pid-file", pidfile, spec.id});
  std::vector<char*> argv = Argv(args);
  execv(rt.c_str(), argv.data());
  std::fprintf(stderr, "Error: executing %s: %s\n", rt.c_str(), GoErrnoText(errno).c_str());
  _exit(125);
}

// OCI runtime: runc/crun run in a private mount namespace of a child that holds the rootfs
// mount.
// A rootless private network: the runtime joins the namespace slirp4netns serves.
Status JoinNetworkInConfig(const ContainerSpec& spec, const UserNetwork& net) {
  const std::string path = spec.dir + "/config.json";
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  Json cfg = Json::parse(text, nullptr, false);
  if (cfg.is_discarded()) return Corrupt(path + ": not JSON");
  for (auto& ns : cfg["linux"]["namespaces"])
    if (ns.value("type", "") == "network") ns["path"] = net.NamespacePath();
  return WriteSmall(path, JsonText(cfg));
}

Expected<Process> StartOci(const ContainerSpec& spec, const Stdio& stdio, UniqueFd* master, const UserNetwork* net) {
  if (net) RETURN_IF_ERROR(JoinNetworkInConfig(spec, *net));
  std::string pidfile = spec.dir + "/pidfile", log = spec.dir + "/runtime.log";
  // A runtime killed with -9 leaves its state behind, and would refuse the ID next time.
  if (PathExists(spec.state_root + "/" + spec.id))
    RunQuietly(RuntimeArgs(spec, {"delete", "--force", spec.id}));
  unlink(pidfile.c_str());
  unlink(log.c_str());
  ConsolePair console;
  if (master) {
    ASSIGN_OR_RETURN(console, MakeConsolePair());
  }
  pid_t pid = fork();
  if (pid < 0) return ErrnoError("fork", errno);
  if (pid == 0) {
    if (!master) {
      int in = fcntl(stdio.in, F_DUPFD_CLOEXEC, 100), out = fcntl(stdio.out, F_DUPFD_CLOEXEC, 100),
          err = fcntl(stdio.err, F_DUPFD_CLOEXEC, 100);
      if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(125);
    }
    if (unshare(CLONE_NEWNS) != 0 || mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
      std::fprintf(stderr, "Error: creating a mount namespace: %s\n", GoErrnoText(errno).c_str());
      _exit(125);
    }
    if (Status st = MountRootfs(spec); !st.ok()) {
      std::fprintf(stderr, "Error: %s\n", st.message().c_str());
      _exit(125);
    }
    signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    if (master) {
      auto run_detached = [&](const std::string& console_address) {
        return RuntimeArgs(spec, {"--log", log, "--log-format", "json", "run", "-d", "--console-socket", console_address,
                                  "--bundle", spec.dir, "--pid-file", pidfile, spec.id});
      };
      OciTerminalChild(spec.dir, pidfile, console.child.get(), run_detached,
                       [&] { RunQuietly(RuntimeArgs(spec, {"delete", "--force", spec.id})); });
    }
    OciForegroundChild(spec, pidfile, log);
  }
  console.child.reset();
  if (master) *master = RecvFd(console.parent.get());
  const std::string name = RuntimeBaseName(spec.oci_runtime);
  // Wait until the runtime has written the container's pid (or has ended).
  for (int i = 0;; ++i) {
    auto text = ReadFile(pidfile);
    if (text.ok() && !text->empty()) {
      pid_t init = static_cast<pid_t>(std::atol(text->c_str()));
      if (init > 0) return Process(pid, init, ProcessStartTicks(init), Isolation::kOci, spec.dir, name);
    }
    int status;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      Process ended(pid, -1, 0, Isolation::kOci, spec.dir, name);
      ended.reaped = true;
      ended.result.code = WaitStatusCode(status);
      return ended;
    }
    usleep(i < 100 ? 500 : 5000);
  }
}

// Opens the container's namespaces first (its /proc is not ours once its mount namespace is
// joined), then joins them: only those that are not already ours (rootless kiln runs in the
// user namespace its containers use, and a container with the host's network, or in a pod
// that has it, is in the host's network namespace: a rootless setns into one's own user
// namespace, or into a namespace the host's user namespace owns, fails).
Status JoinNamespaces(pid_t init) {
  std::vector<std::pair<std::string, UniqueFd>> fds;
  for (const char* ns : {"user", "ipc", "uts", "net", "pid", "mnt"}) {
    std::string path = "/proc/" + std::to_string(init) + "/ns/" + ns;
    UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return ErrnoError("opening " + path, errno);
    fds.emplace_back(ns, std::move(fd));
  }
  for (auto& [ns, fd] : fds) {
    struct stat theirs {}, ours {};
    if (fstat(fd.get(), &theirs) == 0 && stat(("/proc/self/ns/" + ns).c_str(), &ours) == 0 &&
        theirs.st_ino == ours.st_ino && theirs.st_dev == ours.st_dev)
      continue;
    if (setns(fd.get(), 0) != 0) return ErrnoError("joining the container's " + ns + " namespace", errno);
  }
  return Status::Ok();
}

Expected<Process> StartChrootExec(const ContainerSpec& spec, pid_t init, const Stdio& stdio, UniqueFd* master) {
  ASSIGN_OR_RETURN(User u, ResolveUser(spec.lowers, spec.user));
  std::vector<std::string> env = FinalEnv(spec, u);
  // Compiled here: the forked child only installs it.
  ASSIGN_OR_RETURN(std::optional<SeccompFilter> filter, ReadSeccompFilter(spec.seccomp_profile, spec.capabilities));
  SeccompProgram seccomp;
  if (filter) {
    ASSIGN_OR_RETURN(seccomp, CompileSeccompFilter(*filter));
  }
  ConsolePair console;
  if (master) {
    ASSIGN_OR_RETURN(console, MakeConsolePair());
  }
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return ErrnoError("pipe", errno);
  std::fflush(nullptr);
  pid_t joiner = fork();
  if (joiner < 0) {
    int e = errno;
    close(p[0]), close(p[1]);
    return ErrnoError("fork", e);
  }
  if (joiner == 0) {
    close(p[0]);
    int in = fcntl(stdio.in, F_DUPFD_CLOEXEC, 100), out = fcntl(stdio.out, F_DUPFD_CLOEXEC, 100),
        err = fcntl(stdio.err, F_DUPFD_CLOEXEC, 100);
    if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
      ChildFail(p[1], 125, Errno("setting up stdio"));
    if (Status st = JoinNamespaces(init); !st.ok()) ChildFail(p[1], 125, st.message());
    pid_t cmd = fork();  // the first process that is in the container's pid namespace
    if (cmd < 0) ChildFail(p[1], 125, Errno("fork"));
    if (cmd == 0) {
      if (master) ChildTerminal("", spec, u, console.child.get(), p[1]);  // "": / is the container's now
      if (chdir(spec.cwd.c_str()) != 0) ChildFail(p[1], 127, Errno("chdir to `" + spec.cwd + "`"));
      BecomeUserAndExec(spec, u, env, seccomp, p[1]);
    }
    close(p[1]);
    console.child.reset();
    int status = 0;
    while (waitpid(cmd, &status, 0) < 0 && errno == EINTR) {
    }
    _exit(WaitStatusCode(status));
  }
  close(p[1]);
  console.child.reset();
  // Sent before exec; nothing comes when the command fails first (the error pipe says why).
  if (master) *master = RecvFd(console.parent.get());
  Process proc(joiner, joiner, ProcessStartTicks(joiner), Isolation::kChroot, spec.dir, "chroot");
  ChildError e{};
  ssize_t n;
  do n = read(p[0], &e, sizeof e);
  while (n < 0 && errno == EINTR);
  close(p[0]);
  if (n == static_cast<ssize_t>(sizeof e)) {
    int status;
    while (waitpid(joiner, &status, 0) < 0 && errno == EINTR) {
    }
    e.msg[sizeof e.msg - 1] = 0;
    proc.done = true;
    proc.result = {e.code, false, std::string("chroot: ") + e.msg};
    if (master) master->reset();
  }
  return proc;
}

// The runtime's `exec` in the foreground; its errors go to DIR/exec/runtime.log, which
// Process::Wait reads as it reads a start's.
Expected<Process> StartOciExec(const ContainerSpec& spec, const Stdio& stdio, UniqueFd* master) {
  ASSIGN_OR_RETURN(User u, ResolveUser(spec.lowers, spec.user));
  const std::string dir = spec.dir + "/exec", log = dir + "/runtime.log", pidfile = dir + "/pidfile";
  MkdirP(dir);
  unlink(log.c_str());
  unlink(pidfile.c_str());
  std::vector<std::string> args = RuntimeArgs(spec, {"--log", log, "--log-format", "json", "exec", "--cwd", spec.cwd,
                                                      "--user", std::to_string(u.uid) + ":" + std::to_string(u.gid)});
  for (uint32_t g : u.groups) args.insert(args.end(), {"--additional-gids", std::to_string(g)});
  for (const std::string& e : FinalEnv(spec, u)) args.insert(args.end(), {"--env", e});
  args.push_back(spec.id);
  args.insert(args.end(), spec.args.begin(), spec.args.end());
  const std::string name = RuntimeBaseName(spec.oci_runtime);
  if (master) {  // exec -t: the runtime hands the terminal's master over a console socket
    ASSIGN_OR_RETURN(ConsolePair console, MakeConsolePair());
    auto exec_detached = [&](const std::string& console_address) {
      std::vector<std::string> a = args;
      a.insert(a.begin() + static_cast<long>(a.size() - spec.args.size() - 1),
               {"-d", "--tty", "--console-socket", console_address, "--pid-file", pidfile});
      return a;
    };
    std::fflush(nullptr);
    pid_t pid = fork();
    if (pid < 0) return ErrnoError("fork", errno);
    if (pid == 0) OciTerminalChild(dir, pidfile, console.child.get(), exec_detached, [] {});
    console.child.reset();
    *master = RecvFd(console.parent.get());
    return Process(pid, pid, ProcessStartTicks(pid), Isolation::kOci, dir, name);
  }
  std::vector<char*> argv = Argv(args);
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) return ErrnoError("fork", errno);
  if (pid == 0) {
    int in = fcntl(stdio.in, F_DUPFD_CLOEXEC, 100), out = fcntl(stdio.out, F_DUPFD_CLOEXEC, 100),
        err = fcntl(stdio.err, F_DUPFD_CLOEXEC, 100);
    if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(125);
    execv(argv[0], argv.data());
    std::fprintf(stderr, "Error: executing %s: %s\n", argv[0], GoErrnoText(errno).c_str());
    _exit(125);
  }
  return Process(pid, pid, ProcessStartTicks(pid), Isolation::kOci, dir, name);
}

// Rootless --network private: user-mode networking around the container (StartUserNetwork),
// ended by Wait. As root, a private network is a namespace with a loopback only.
Expected<Process> StartWithNetwork(const ContainerSpec& spec, const Stdio& stdio, UniqueFd* master) {
  std::optional<UserNetwork> net;
  if (Rootless() && spec.network == Network::kPrivate) {
    ASSIGN_OR_RETURN(std::string slirp, UserNetworkProgram());
    ASSIGN_OR_RETURN(net, StartUserNetwork(slirp));
  }
  const UserNetwork* n = net ? &*net : nullptr;
  auto p = spec.isolation == Isolation::kChroot ? StartChroot(spec, stdio, master, n) : StartOci(spec, stdio, master, n);
  if (!p.ok() || p->done) {
    if (net) StopUserNetwork(*net);
    return p;
  }
  p->SetLayers(spec);
  if (net) p->SetNetwork(*net);
  return p;
}

}  // namespace

Expected<Process> Start(const ContainerSpec& spec, const Stdio& stdio) {
  if (spec.args.empty()) return InvalidArgument("no command or entrypoint provided, and no CMD or ENTRYPOINT from image");
  if (spec.terminal) return InvalidArgument("a container with a terminal starts through StartTerminal");
  return StartWithNetwork(spec, stdio, nullptr);
}

Expected<Process> StartTerminal(const ContainerSpec& spec, UniqueFd* master) {
  if (spec.args.empty()) return InvalidArgument("no command or entrypoint provided, and no CMD or ENTRYPOINT from image");
  if (!spec.terminal) return InvalidArgument("StartTerminal: the spec has no terminal");
  return StartWithNetwork(spec, Stdio{}, master);
}

Expected<Process> StartExec(const ContainerSpec& spec, pid_t init, const Stdio& stdio, UniqueFd* master) {
  if (spec.args.empty()) return InvalidArgument("must provide a non-empty command to start an exec session");
  if (spec.isolation == Isolation::kChroot) return StartChrootExec(spec, init, stdio, spec.terminal ? master : nullptr);
  return StartOciExec(spec, stdio, spec.terminal ? master : nullptr);
}

Expected<ExitResult> Process::Wait() {
  if (done) return result;
  int code;
  if (reaped) {
    code = result.code;
  } else {
    int status;
    while (waitpid(waiter_, &status, 0) < 0) {
      if (errno != EINTR) return ErrnoError("waiting for the container", errno);
    }
    code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  ExitResult r;
  r.code = code;
  StopUserNetwork(net_);
  RETURN_IF_ERROR(FinishLayers(layer_mount_, lowers_, dir_ + "/upper", dir_ + "/merged"));
  if (iso_ == Isolation::kOci && code != 0) {
    // The runtime's own failure (as opposed to the container's exit status) is in its log.
    auto log = ReadFile(dir_ + "/runtime.log");
    if (log.ok()) {
      std::istringstream in(*log);
      for (std::string line; std::getline(in, line);) {
        auto j = Json::parse(line, nullptr, false);
        if (j.is_discarded() || !j.is_object() || j.value("level", "") != "error") continue;
        std::string msg = j.value("msg", "");
        if (auto p = msg.find(" run failed: "); p != std::string::npos)
          msg = msg.substr(0, p) + " create failed: " + msg.substr(p + 13);
        r.started = false;
        if (msg.find("executable file not found") != std::string::npos ||
            msg.find("no such file or directory") != std::string::npos) {
          r.code = 127;
          r.error = runtime_name_ + ": " + msg + ": OCI runtime attempted to invoke a command that was not found";
        } else if (msg.find("permission denied") != std::string::npos) {
          r.code = 126;
          r.error = runtime_name_ + ": " + msg + ": OCI permission denied";
        } else {
          r.code = 125;
          r.error = runtime_name_ + ": " + msg + ": OCI runtime error";
        }
        break;
      }
    }
  }
  return r;
}

Status WithRunningRootfs(pid_t pid, int (*fn)(const std::string& rootfs, void* arg), void* arg) {
#ifndef SYS_open_tree
  (void)pid, (void)fn, (void)arg;
  return Unsupported("exporting a running container needs open_tree (Linux 5.2)");
#else
  std::fflush(nullptr);
  pid_t child = fork();
  if (child < 0) return ErrnoError("fork", errno);
  if (child == 0) {
    int self_ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
    int ctr_ns = open(("/proc/" + std::to_string(pid) + "/ns/mnt").c_str(), O_RDONLY | O_CLOEXEC);
    if (self_ns < 0 || ctr_ns < 0 || setns(ctr_ns, CLONE_NEWNS) != 0) _exit(120);
    long tree = syscall(SYS_open_tree, AT_FDCWD, "/", 1 /* OPEN_TREE_CLONE */ | O_CLOEXEC);
    if (tree < 0 || setns(self_ns, CLONE_NEWNS) != 0) _exit(121);
    int rc = fn("/proc/self/fd/" + std::to_string(tree), arg);
    std::fflush(nullptr);
    _exit(rc);
  }
  int status;
  while (waitpid(child, &status, 0) < 0)
    if (errno != EINTR) return ErrnoError("waiting", errno);
  if (!WIFEXITED(status)) return Internal("reading the container's rootfs failed");
  int rc = WEXITSTATUS(status);
  if (rc == 120 || rc == 121) return IoError("opening the running container's root filesystem failed");
  if (rc != 0) return IoError("writing the container's root filesystem failed");
  return Status::Ok();
#endif
}

Status MountRootfs(const ContainerSpec& spec) {
  const std::string merged = spec.dir + "/merged";
  if (IsMountPoint(merged)) return Status::Ok();
  return MountLayers(spec.layer_mount, spec.lowers, spec.dir + "/upper", spec.dir + "/work", merged,
                     LayerLifetime::kCaller);
}

Status AttachRunningRootfs(pid_t pid, const std::string& target) {
#if !defined(SYS_open_tree) || !defined(SYS_move_mount)
  (void)pid, (void)target;
  return Unsupported("mounting a running container needs open_tree and move_mount (Linux 5.2)");
#else
  int self_ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
  int ctr_ns = open(("/proc/" + std::to_string(pid) + "/ns/mnt").c_str(), O_RDONLY | O_CLOEXEC);
  if (self_ns < 0 || ctr_ns < 0) {
    int e = errno;
    if (self_ns >= 0) close(self_ns);
    if (ctr_ns >= 0) close(ctr_ns);
    return ErrnoError("opening the container's mount namespace", e);
  }
  // setns(CLONE_NEWNS) needs a single-threaded caller: a child does the work.
  std::fflush(nullptr);
  pid_t child = fork();
  if (child < 0) return ErrnoError("fork", errno);
  if (child == 0) {
    if (setns(ctr_ns, CLONE_NEWNS) != 0) _exit(120);
    long tree = syscall(SYS_open_tree, AT_FDCWD, "/", 1 /* OPEN_TREE_CLONE */ | O_CLOEXEC);
    if (tree < 0 || setns(self_ns, CLONE_NEWNS) != 0) _exit(121);
    if (syscall(SYS_move_mount, static_cast<int>(tree), "", AT_FDCWD, target.c_str(), 0x4 /* MOVE_MOUNT_F_EMPTY_PATH */) != 0)
      _exit(122);
    _exit(0);
  }
  close(self_ns), close(ctr_ns);
  int status;
  while (waitpid(child, &status, 0) < 0)
    if (errno != EINTR) return ErrnoError("waiting", errno);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return IoError("attaching the running container's root filesystem at " + target + " failed");
  return Status::Ok();
#endif
}

Status WithRootfs(const ContainerSpec& spec, int (*fn)(const std::string& rootfs, void* arg), void* arg) {
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) return ErrnoError("fork", errno);
  if (pid == 0) {
    umask(022);  // what a build writes into a rootfs must not depend on the caller's umask
    if (unshare(CLONE_NEWNS) != 0 || mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) _exit(120);
    if (!MountRootfs(spec).ok()) _exit(121);
    int rc = fn(spec.dir + "/merged", arg);
    std::fflush(nullptr);
    _exit(rc);
  }
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return ErrnoError("waiting", errno);
  if (!WIFEXITED(status)) return Internal("mounting the container's rootfs failed");
  int rc = WEXITSTATUS(status);
  if (rc != 120 && rc != 121)
    RETURN_IF_ERROR(FinishLayers(spec.layer_mount, spec.lowers, spec.dir + "/upper", spec.dir + "/merged"));
  if (rc == 120 || rc == 121) return IoError("mounting the container's root filesystem failed");
  if (rc != 0) return IoError("writing the container's root filesystem failed");
  return Status::Ok();
}

int ChrootInitMain(int argc, char** argv) {
  constexpr int kArgs = 9;  // kiln, kInitArg, then descriptors: spec memfd, stdin, stdout, stderr, error pipe, console, netns
  if (argc != kArgs || std::strcmp(argv[1], kInitArg) != 0) {
    std::fprintf(stderr, "Error: %s is kiln's internal container init, not a command\n", kInitArg);
    return 125;
  }
  int fd[6];
  for (int i = 0; i < 6; ++i) fd[i] = std::atoi(argv[3 + i]);
  const int err_fd = fd[3], console_fd = fd[4], netns_fd = fd[5];
  // A new open of the memfd reads from its start (the writer's offset is at its end).
  auto text = ReadFile(std::string("/proc/self/fd/") + argv[2]);
  if (!text.ok()) ChildFail(err_fd, 125, "container init: reading its spec: " + text.status().message());
  close(std::atoi(argv[2]));
  Json j = Json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.contains("spec")) ChildFail(err_fd, 125, "container init: malformed payload");
  auto spec = SpecFromJson(JsonText(j["spec"]));
  if (!spec.ok()) ChildFail(err_fd, 125, spec.status().message());
  User u;
  try {
    u.uid = j.at("user").at("uid").get<uint32_t>();
    u.gid = j.at("user").at("gid").get<uint32_t>();
    u.groups = j.at("user").at("groups").get<std::vector<uint32_t>>();
    u.home = j.at("user").at("home").get<std::string>();
    auto env = j.at("env").get<std::vector<std::string>>();
    SeccompProgram seccomp;
    if (j.contains("seccomp") && !j["seccomp"].is_null()) {
      auto filter = SeccompFilterFromOci(j["seccomp"]);
      if (!filter.ok()) ChildFail(err_fd, 125, filter.status().message());
      auto prog = CompileSeccompFilter(*filter);
      if (!prog.ok()) ChildFail(err_fd, 125, prog.status().message());
      seccomp = std::move(*prog);
    }
    ChrootChild(*spec, u, env, seccomp, Stdio{fd[0], fd[1], fd[2]}, err_fd, console_fd, netns_fd);
  } catch (const std::exception& e) {
    ChildFail(err_fd, 125, std::string("container init: ") + e.what());
  }
}

}  // namespace kiln::runtime
