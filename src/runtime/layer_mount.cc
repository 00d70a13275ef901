#include "runtime/layer_mount.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "runtime/layer_copy.h"
#include "runtime/runtime.h"
#include "util/fs.h"

namespace kiln::runtime {
namespace {

std::string Join(const std::vector<std::string>& parts, char sep) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

// Waits for a child and returns its exit code (128+signal when killed).
int WaitCode(pid_t pid, int options, bool* ended) {
  int status = 0;
  pid_t r;
  while ((r = waitpid(pid, &status, options)) < 0 && errno == EINTR) {
  }
  *ended = r == pid;
  if (!*ended) return 0;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string ReadAllFrom(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// fuse-overlayfs mounts when it may open /dev/fuse (rootless: in kiln's user namespace, which
// owns the mount). With kCaller it stays in the foreground, killed when the calling process
// ends (PR_SET_PDEATHSIG survives exec, so also when the caller becomes the container's
// process or the OCI runtime); with kPersistent it forks into the background once mounted.
Status MountFuse(const std::string& program, const std::vector<std::string>& lowers, const std::string& upper,
                 const std::string& work, const std::string& target, LayerLifetime lifetime) {
  std::string opts = "lowerdir=" + Join(lowers, ':');
  if (!upper.empty()) opts += ",upperdir=" + upper + ",workdir=" + work;
  std::vector<std::string> args = {program};
  if (lifetime == LayerLifetime::kCaller) args.push_back("-f");
  args.insert(args.end(), {"-o", opts, target});
  int err[2];
  if (pipe2(err, O_CLOEXEC) != 0) return ErrnoError("pipe", errno);
  pid_t parent = getpid();
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) return ErrnoError("fork", errno);
  if (pid == 0) {
    if (lifetime == LayerLifetime::kCaller) {
      prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
      if (getppid() != parent) _exit(125);
    }
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null_fd >= 0) dup2(null_fd, 0), dup2(null_fd, 1);
    dup2(err[1], 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(program.c_str(), argv.data());
    std::fprintf(stderr, "executing %s: %s", program.c_str(), std::strerror(errno));
    _exit(125);
  }
  close(err[1]);
  UniqueFd err_fd(err[0]);
  bool ended = false;
  if (lifetime == LayerLifetime::kPersistent) {
    int code = WaitCode(pid, 0, &ended);
    if (code == 0) return Status::Ok();
    return IoError("mounting " + target + " with " + program + ": " + ReadAllFrom(err_fd.get()));
  }
  // In the foreground the program says nothing once mounted: watch for the mount.
  for (int i = 0; i < 20000; ++i) {
    if (IsMountPoint(target)) return Status::Ok();
    int code = WaitCode(pid, WNOHANG, &ended);
    if (ended)
      return IoError("mounting " + target + " with " + program + " (exit status " + std::to_string(code) +
                     "): " + ReadAllFrom(err_fd.get()));
    usleep(i < 200 ? 500 : 5000);
  }
  kill(pid, SIGKILL);
  WaitCode(pid, 0, &ended);
  return IoError("mounting " + target + " with " + program + ": timed out");
}

// vfs: the stack copied into target, which is then bound onto itself so that it is a mount
// point as the other drivers' targets are (pivot_root and `image mount` want one).
Status MountCopy(const std::vector<std::string>& lowers, const std::string& upper, const std::string& target) {
  RETURN_IF_ERROR(CopyStack(lowers, upper, target));
  if (mount(target.c_str(), target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
    return ErrnoError("bind mounting " + target, errno);
  return Status::Ok();
}

}  // namespace

bool IsMountPoint(const std::string& path) {
  struct statx sx;
  if (statx(AT_FDCWD, path.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx) == 0 &&
      (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
    return (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
  struct stat here, parent;
  if (stat(path.c_str(), &here) != 0 || stat(ParentDir(path).c_str(), &parent) != 0) return false;
  return here.st_dev != parent.st_dev;
}

Status MountLayers(const LayerMount& m, const std::vector<std::string>& lowers, const std::string& upper,
                   const std::string& work, const std::string& target, LayerLifetime lifetime) {
  if (m.driver == "vfs") return MountCopy(lowers, upper, target);
  if (!m.mount_program.empty()) return MountFuse(m.mount_program, lowers, upper, work, target, lifetime);
  return MountOverlay(lowers, upper, work, target);
}

Status FinishLayers(const LayerMount& m, const std::vector<std::string>& lowers, const std::string& upper,
                    const std::string& target) {
  if (upper.empty()) return Status::Ok();
  if (!m.mount_program.empty()) return TidyFuseOpaques(lowers, upper);
  if (m.driver != "vfs") return Status::Ok();
  return WriteChanges(lowers, target, upper);
}

Status UnmountLayers(const LayerMount& m, const std::string& target) {
  if (umount2(target.c_str(), MNT_DETACH) != 0) return ErrnoError("unmounting " + target, errno);
  if (m.driver != "vfs") return Status::Ok();
  RETURN_IF_ERROR(RemoveTree(target));
  RETURN_IF_ERROR(RemoveTree(target + ".copied"));  // CopyStack's marker
  return MakeDirs(target);
}

Status ProbeLayerMount(const LayerMount& m, const std::string& dir) {
  RETURN_IF_ERROR(MakeDirs(dir));
  for (const char* sub : {"/lower", "/upper", "/work", "/merged"}) RETURN_IF_ERROR(MakeDirs(dir + sub));
  int err[2];
  if (pipe2(err, O_CLOEXEC) != 0) return ErrnoError("pipe", errno);
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) return ErrnoError("fork", errno);
  if (pid == 0) {
    close(err[0]);
    Status st = unshare(CLONE_NEWNS) == 0 && mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0
                    ? MountLayers(m, {dir + "/lower"}, dir + "/upper", dir + "/work", dir + "/merged",
                                  LayerLifetime::kCaller)
                    : ErrnoError("creating a mount namespace", errno);
    if (st.ok()) _exit(0);
    (void)WriteAll(err[1], st.message().data(), st.message().size());
    _exit(1);
  }
  close(err[1]);
  UniqueFd err_fd(err[0]);
  std::string message = ReadAllFrom(err_fd.get());
  bool ended = false;
  int code = WaitCode(pid, 0, &ended);
  (void)RemoveTree(dir);
  if (code == 0) return Status::Ok();
  return IoError(message.empty() ? "probe mount failed" : message);
}

Expected<LayerMount> ChooseLayerMount(const std::string& driver, const std::string& mount_program,
                                      const std::string& probe_dir) {
  if (!driver.empty() && driver != "overlay" && driver != "vfs")
    return InvalidArgument("unknown storage driver \"" + driver + "\": kiln has overlay and vfs");
  if (!mount_program.empty()) {
    std::string p = FindProgram(mount_program);
    if (p.empty()) return NotFound("overlay.mount_program \"" + mount_program + "\" not found");
    if (driver != "vfs") return LayerMount{"overlay", p};
  }
  if (!driver.empty()) return LayerMount{driver, ""};
  if (ProbeLayerMount(LayerMount{}, probe_dir).ok()) return LayerMount{};
  if (std::string fuse = FindProgram("fuse-overlayfs"); !fuse.empty()) {
    LayerMount m{"overlay", fuse};
    if (ProbeLayerMount(m, probe_dir).ok()) return m;
  }
  return LayerMount{"vfs", ""};
}

}  // namespace kiln::runtime
