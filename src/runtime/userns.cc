#include "runtime/userns.h"

#include <fcntl.h>
#include <pwd.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <climits>

#include <charconv>
#include <cstdlib>
#include <sstream>

#include "runtime/runtime.h"
#include "store/paths.h"
#include "util/fs.h"
#include "util/rootless.h"

namespace kiln::runtime {
namespace {

constexpr char kPauseName[] = "kiln-pause";

bool ParseU32(std::string_view s, uint32_t& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::string UserName(uid_t uid) {
  struct passwd pw, *found = nullptr;
  char buf[4096];
  if (getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found) return found->pw_name;
  return std::to_string(uid);
}

// The run directory holding pause.pid: the user's own, refused when it is not (a
// directory under /tmp that someone else made, or a symlink).
Expected<std::string> StateDir(uid_t uid) {
  std::string dir = store::DefaultRunRoot();
  RETURN_IF_ERROR(MakeDirs(dir));
  struct stat st;
  if (lstat(dir.c_str(), &st) != 0) return ErrnoError("stat " + dir, errno);
  if (!S_ISDIR(st.st_mode) || st.st_uid != uid)
    return InvalidArgument("run directory " + dir + " is not a directory owned by uid " + std::to_string(uid));
  if ((st.st_mode & 077) != 0) (void)chmod(dir.c_str(), 0700);
  return dir;
}

// A live pause process of ours: its pid and start time, as pause.pid records them.
bool IsOurPause(pid_t pid, int64_t start_ticks, uid_t uid) {
  if (pid <= 0 || ProcessStartTicks(pid) != start_ticks) return false;
  auto comm = ReadFile("/proc/" + std::to_string(pid) + "/comm");
  if (!comm.ok() || *comm != std::string(kPauseName) + "\n") return false;
  struct stat st;
  return stat(("/proc/" + std::to_string(pid)).c_str(), &st) == 0 && st.st_uid == uid;
}

pid_t ReadPause(const std::string& pid_file, uid_t uid) {
  auto text = ReadFile(pid_file);
  if (!text.ok()) return -1;
  std::istringstream in(*text);
  long long pid = -1, start = -1;
  in >> pid >> start;
  return IsOurPause(static_cast<pid_t>(pid), start, uid) ? static_cast<pid_t>(pid) : -1;
}

// Runs a program and waits for it; its stderr becomes the error's text.
Status RunTool(const std::vector<std::string>& args) {
  int err[2];
  if (pipe2(err, O_CLOEXEC) != 0) return ErrnoError("pipe", errno);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) return ErrnoError("fork", errno);
  if (pid == 0) {
    dup2(err[1], 2);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(err[1]);
  std::string msg;
  char buf[512];
  for (ssize_t n; (n = read(err[0], buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    msg.append(buf, static_cast<size_t>(n));
  }
  close(err[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Status::Ok();
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  return Internal(args[0] + " failed: " + (msg.empty() ? "exit status " + std::to_string(WEXITSTATUS(status)) : msg));
}

std::vector<std::string> ToolArgs(const std::string& tool, pid_t pid, const std::vector<IdMapping>& map) {
  std::vector<std::string> args = {tool, std::to_string(pid)};
  for (const auto& m : map) {
    args.push_back(std::to_string(m.container_id));
    args.push_back(std::to_string(m.host_id));
    args.push_back(std::to_string(m.size));
  }
  return args;
}

// Without newuidmap/newgidmap a process may map its own IDs only, and must deny setgroups
// to map its group.
Status WriteOwnMaps(pid_t pid, uid_t uid, gid_t gid) {
  std::string proc = "/proc/" + std::to_string(pid);
  auto write = [](const std::string& path, const std::string& text) -> Status {
    UniqueFd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd.valid()) return ErrnoError("open " + path, errno);
    return WriteAll(fd.get(), text.data(), text.size()).Wrap("writing " + path);
  };
  RETURN_IF_ERROR(write(proc + "/uid_map", "0 " + std::to_string(uid) + " 1\n"));
  RETURN_IF_ERROR(write(proc + "/setgroups", "deny"));
  return write(proc + "/gid_map", "0 " + std::to_string(gid) + " 1\n");
}

struct Plan {
  std::vector<IdMapping> uids, gids;
  std::string newuidmap, newgidmap;  // "" when not installed
  std::string warning;
};

Plan MakePlan(uid_t uid, gid_t gid) {
  Plan p;
  const std::string name = UserName(uid);
  auto subuid = ReadFile("/etc/subuid"), subgid = ReadFile("/etc/subgid");
  auto uranges = SubordinateRanges(subuid.ok() ? *subuid : "", name, uid);
  auto granges = SubordinateRanges(subgid.ok() ? *subgid : "", name, gid);
  p.newuidmap = FindProgram("newuidmap");
  p.newgidmap = FindProgram("newgidmap");
  if (uranges.empty() || granges.empty()) {
    p.warning = "user " + name + " has no range in /etc/subuid and /etc/subgid: kiln runs in a single-ID user namespace, "
                "and files that images give to other users than root are stored as root's "
                "(add ranges with: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 " + name + ")";
    uranges.clear(), granges.clear();
  } else if (p.newuidmap.empty() || p.newgidmap.empty()) {
    p.warning = "newuidmap/newgidmap not found (install the uidmap package): kiln runs in a single-ID user namespace, "
                "and files that images give to other users than root are stored as root's";
    uranges.clear(), granges.clear();
  }
  p.uids = NamespaceMappings(uid, uranges);
  p.gids = NamespaceMappings(gid, granges);
  return p;
}

// The pause process: a grandchild (so nobody has to reap it) in a new session, user
// namespace and mount namespace (owned by that user namespace, as podman's pause holds: the
// user's kiln may mount there, and what `kiln mount` mounts stays there for `kiln unshare`;
// host mounts still propagate in, as slaves), holding no descriptor and no directory,
// waiting for ever. Sends its pid (or an errno) over `report` once the namespaces exist.
[[noreturn]] void PauseMain(int report) {
  setsid();
  if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) {
    int32_t e = -errno;
    (void)!write(report, &e, sizeof e);
    _exit(1);
  }
  int32_t me = getpid();
  (void)!write(report, &me, sizeof me);
  prctl(PR_SET_NAME, kPauseName);
  (void)!chdir("/");
  if (syscall(SYS_close_range, 0u, ~0u, 0u) != 0)
    for (int fd = 0; fd < 1024; ++fd) close(fd);
  for (int sig : {SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGUSR1, SIGUSR2}) signal(sig, SIG_IGN);
  for (;;) pause();
}

// Starts the pause process and maps its namespace; returns its pid.
Expected<pid_t> CreatePause(const Plan& plan, uid_t uid, gid_t gid) {
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) return ErrnoError("pipe", errno);
  pid_t child = fork();
  if (child < 0) return ErrnoError("fork", errno);
  if (child == 0) {
    close(report[0]);
    pid_t pause_pid = fork();
    if (pause_pid == 0) PauseMain(report[1]);
    _exit(pause_pid < 0 ? 1 : 0);
  }
  close(report[1]);
  while (waitpid(child, nullptr, 0) < 0 && errno == EINTR) {
  }
  int32_t got = 0;
  ssize_t n;
  do n = read(report[0], &got, sizeof got);
  while (n < 0 && errno == EINTR);
  close(report[0]);
  if (n != sizeof got) return Internal("starting the user namespace's pause process failed");
  if (got < 0)
    return Unsupported("cannot create a user namespace: " + GoErrnoText(-got) +
                       " (rootless kiln needs unprivileged user namespaces: sysctl user.max_user_namespaces)");
  pid_t pid = got;
  const bool tools = !plan.newuidmap.empty() && !plan.newgidmap.empty();
  Status mapped = tools ? RunTool(ToolArgs(plan.newuidmap, pid, plan.uids)) : WriteOwnMaps(pid, uid, gid);
  if (mapped.ok() && tools) mapped = RunTool(ToolArgs(plan.newgidmap, pid, plan.gids));
  if (!mapped.ok()) {
    kill(pid, SIGKILL);
    return mapped.Wrap("setting up the user namespace");
  }
  return pid;
}

Status Join(pid_t pid) {
  UniqueFd ns(open(("/proc/" + std::to_string(pid) + "/ns/user").c_str(), O_RDONLY | O_CLOEXEC));
  if (!ns.valid()) return ErrnoError("opening the user namespace of process " + std::to_string(pid), errno);
  if (setns(ns.get(), CLONE_NEWUSER) != 0) return ErrnoError("joining the user namespace", errno);
  // The user is 0 in there; supplementary groups of the host mean nothing inside.
  (void)setgroups(0, nullptr);
  // Its mount namespace, unless it has none of its own (a pause made by an older kiln).
  std::string mnt = "/proc/" + std::to_string(pid) + "/ns/mnt";
  struct stat theirs, ours;
  if (stat(mnt.c_str(), &theirs) != 0 || stat("/proc/self/ns/mnt", &ours) != 0)
    return ErrnoError("reading the mount namespace of process " + std::to_string(pid), errno);
  if (theirs.st_ino == ours.st_ino && theirs.st_dev == ours.st_dev) return Status::Ok();
  UniqueFd mns(open(mnt.c_str(), O_RDONLY | O_CLOEXEC));
  // Joining a mount namespace moves the caller to its root: relative paths stay the user's.
  // The directory is entered again by name, in the joined namespace's own mounts: a
  // descriptor kept from before would stay on the host namespace's mount, where overlayfs
  // refuses relative upper and lower dirs ("failed to clone upperpath", EINVAL). Only where
  // the name is not there (a path that exists in neither) is that descriptor used.
  char buf[PATH_MAX];
  const char* cwd_name = getcwd(buf, sizeof buf);
  UniqueFd cwd(open(".", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!mns.valid() || setns(mns.get(), CLONE_NEWNS) != 0) return ErrnoError("joining the mount namespace", errno);
  if (cwd_name && chdir(cwd_name) == 0) return Status::Ok();
  if (cwd.valid() && fchdir(cwd.get()) != 0) return ErrnoError("returning to the working directory", errno);
  return Status::Ok();
}

}  // namespace

std::vector<IdMapping> SubordinateRanges(const std::string& text, const std::string& user, uint32_t id) {
  std::vector<IdMapping> out;
  std::istringstream in(text);
  const std::string id_text = std::to_string(id);
  uint32_t next = 1;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    auto a = line.find(':'), b = a == std::string::npos ? a : line.find(':', a + 1);
    if (b == std::string::npos) continue;
    std::string who = line.substr(0, a);
    if (who != user && who != id_text) continue;
    uint32_t start, count;
    if (!ParseU32(line.substr(a + 1, b - a - 1), start) || !ParseU32(line.substr(b + 1), count) || count == 0) continue;
    out.push_back({next, start, count});
    next += count;
  }
  return out;
}

std::vector<IdMapping> NamespaceMappings(uint32_t own_id, const std::vector<IdMapping>& ranges) {
  std::vector<IdMapping> out = {{0, own_id, 1}};
  uint32_t next = 1;
  for (const auto& r : ranges) {
    out.push_back({next, r.host_id, r.size});
    next += r.size;
  }
  return out;
}

std::vector<IdMapping> ParseIdMap(const std::string& text) {
  std::vector<IdMapping> out;
  std::istringstream in(text);
  uint64_t inside, outside, count;
  while (in >> inside >> outside >> count)
    out.push_back({static_cast<uint32_t>(inside), static_cast<uint32_t>(outside), static_cast<uint32_t>(count)});
  return out;
}

Expected<UserNamespaceNotes> EnterUserNamespace() {
  if (geteuid() == 0) return UserNamespaceNotes{};
  const uid_t uid = getuid();
  const gid_t gid = getgid();
  ASSIGN_OR_RETURN(std::string dir, StateDir(uid));
  // One kiln at a time looks for the pause process or makes it.
  const std::string lock_path = dir + "/pause.lock", pid_file = dir + "/pause.pid";
  UniqueFd lock(open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!lock.valid()) return ErrnoError("open " + lock_path, errno);
  while (flock(lock.get(), LOCK_EX) != 0)
    if (errno != EINTR) return ErrnoError("lock " + lock_path, errno);
  Plan plan = MakePlan(uid, gid);
  pid_t pause_pid = ReadPause(pid_file, uid);
  if (pause_pid < 0) {
    ASSIGN_OR_RETURN(pause_pid, CreatePause(plan, uid, gid));
    std::string record = std::to_string(pause_pid) + " " + std::to_string(ProcessStartTicks(pause_pid)) + "\n";
    RETURN_IF_ERROR(WriteFileAtomic(pid_file, record, 0600));
  }
  RETURN_IF_ERROR(Join(pause_pid));
  // Every kiln started from here on (monitors, `kiln unshare`) knows whom it acts for.
  setenv(kRootlessUidEnv, std::to_string(uid).c_str(), 1);
  setenv(kRootlessGidEnv, std::to_string(gid).c_str(), 1);
  UserNamespaceNotes notes;
  notes.joined = true;
  if (SingleIdUserNamespace()) notes.warning = plan.warning;
  return notes;
}

Status StopPauseProcess() {
  if (!Rootless()) return Status::Ok();
  std::string pid_file = store::DefaultRunRoot() + "/pause.pid";
  // Our own uid as this process sees it: inside the namespace the user is 0.
  pid_t pid = ReadPause(pid_file, geteuid());
  if (pid > 0) kill(pid, SIGKILL);
  (void)unlink(pid_file.c_str());
  return Status::Ok();
}

IdMappings CurrentIdMappings() {
  auto u = ReadFile("/proc/self/uid_map"), g = ReadFile("/proc/self/gid_map");
  return {ParseIdMap(u.ok() ? *u : ""), ParseIdMap(g.ok() ? *g : "")};
}

bool InInitialUserNamespace() {
  auto u = ReadFile("/proc/self/uid_map");
  if (!u.ok()) return true;  // no user namespaces in this kernel
  std::vector<IdMapping> m = ParseIdMap(*u);
  return m.size() == 1 && m[0].container_id == 0 && m[0].host_id == 0 && m[0].size == 4294967295u;
}

}  // namespace kiln::runtime
