#include "runtime/user_network.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "runtime/runtime.h"
#include "util/fs.h"

namespace kiln::runtime {
namespace {

void Reap(pid_t pid) {
  if (pid <= 0) return;
  kill(pid, SIGTERM);
  while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

// Reads until EOF; what a failed helper said.
std::string Drain(int fd) {
  std::string out;
  char buf[1024];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// A child in a new network namespace that waits to be killed.
Expected<pid_t> StartHolder() {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return ErrnoError("pipe", errno);
  pid_t parent = getpid();
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) return ErrnoError("fork", errno);
  if (pid == 0) {
    close(p[0]);
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (getppid() != parent) _exit(1);
    char ok = unshare(CLONE_NEWNET) == 0 ? 1 : 0;
    int e = errno;
    (void)!write(p[1], &ok, 1);
    if (!ok) (void)!write(p[1], &e, sizeof e);
    close(p[1]);
    for (;;) pause();
  }
  close(p[1]);
  char ok = 0;
  int e = EIO;
  ssize_t n = read(p[0], &ok, 1);
  if (n == 1 && !ok) (void)!read(p[0], &e, sizeof e);
  close(p[0]);
  if (n == 1 && ok) return pid;
  Reap(pid);
  return ErrnoError("creating a network namespace", e);
}

}  // namespace

Expected<std::string> UserNetworkProgram() {
  std::string slirp = FindProgram("slirp4netns");
  if (slirp.empty())
    return Unsupported("rootless private network needs slirp4netns, and it is not installed "
                       "(install slirp4netns, or use --network host or none)");
  return slirp;
}

Expected<UserNetwork> StartUserNetwork(const std::string& slirp4netns) {
  UserNetwork net;
  ASSIGN_OR_RETURN(net.holder, StartHolder());
  int ready[2], err[2];
  if (pipe2(ready, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    StopUserNetwork(net);
    return ErrnoError("pipe", errno);
  }
  std::vector<std::string> args = {slirp4netns, "--configure", "--mtu=65520", "--disable-host-loopback",
                                   "--ready-fd=3", std::to_string(net.holder), "tap0"};
  pid_t parent = getpid();
  std::fflush(nullptr);
  net.helper = fork();
  if (net.helper == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (getppid() != parent) _exit(1);
    int null_fd = open("/dev/null", O_RDWR);
    dup2(null_fd, 0), dup2(null_fd, 1), dup2(err[1], 2), dup2(ready[1], 3);  // dup2 clears close-on-exec
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    std::fprintf(stderr, "executing %s: %s", argv[0], std::strerror(errno));
    _exit(127);
  }
  close(ready[1]), close(err[1]);
  UniqueFd ready_fd(ready[0]), err_fd(err[0]);
  if (net.helper < 0) {
    net.helper = -1;
    StopUserNetwork(net);
    return ErrnoError("fork", errno);
  }
  // slirp4netns writes "1" once tap0 is up and configured; EOF means it ended.
  char c = 0;
  ssize_t n;
  while ((n = read(ready_fd.get(), &c, 1)) < 0 && errno == EINTR) {
  }
  if (n == 1) return net;
  std::string why = Drain(err_fd.get());
  StopUserNetwork(net);
  return IoError("setting up the private network with " + slirp4netns + ": " +
                     (why.empty() ? std::string("it exited before it was ready") : why));
}

void StopUserNetwork(UserNetwork& net) {
  Reap(net.helper);
  Reap(net.holder);
  net.helper = net.holder = -1;
}

}  // namespace kiln::runtime
