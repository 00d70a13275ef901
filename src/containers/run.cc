#include "containers/run.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

#include "containers/containers.h"
#include "containers/volumes.h"
#include "containers/logs.h"
#include "containers/mount.h"
#include "containers/ports.h"
#include "util/fs.h"
#include "util/io.h"
#include "util/time.h"

namespace kiln::containers {
namespace {

using store::ContainerRecord;

// The one process-wide state here: a signal handler can only reach a global. Set while a
// foreground container runs, to the pid its signals are forwarded to.
volatile sig_atomic_t g_forward_pid = 0;
void ForwardSignal(int sig) {
  if (g_forward_pid > 0) kill(g_forward_pid, sig);
}

// Where the process that saw a container end records it. A monitor opens the database
// itself: it outlives the kiln that started it and must not hold the store's GC lock.
struct RecordPlace {
  std::string root, runroot;
};

// Records the end of a container: removes it (--rm) or marks it exited. A removed
// container's status stays in RUNROOT/exits/<id>, as conmon's does, so that `wait` still
// learns how it ended.
void RecordExit(const RecordPlace& at, const std::string& id, int code, bool remove) {
  auto db = store::Db::Open(at.root + "/kiln.db");
  if (!db.ok()) return;
  store::Containers rows(**db);
  if (!remove) {
    (void)rows.MarkExited(id, code, NowNanos());
    return;
  }
  if (!at.runroot.empty() && MakeDirs(at.runroot + "/exits").ok()) {
    // Run state, not data: no fsync (runroot is a tmpfs normally), but renamed into place.
    std::string path = ExitFile(at.runroot, id), tmp = path + ".tmp", text = std::to_string(code);
    UniqueFd fd(open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (fd.valid() && WriteAll(fd.get(), text.data(), text.size()).ok()) rename(tmp.c_str(), path.c_str());
  }
  auto removed = rows.Get(id);
  (void)rows.Delete(id);
  // --rm takes the container's anonymous volumes with it, as podman's does.
  if (removed.ok()) RemoveAnonymousVolumes(**db, at.root, *removed);
  ReleaseImageMounts(at.root, id);
  // Mounted meanwhile (`kiln mount`): unmounted first, never deleted through the mount.
  if (UnmountContainer(at.root, id, /*force=*/true).ok()) (void)RemoveTree(ContainerDir(at.root, id));
}

std::string SelfExe() {
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  return n > 0 ? std::string(exe, static_cast<size_t>(n)) : "/proc/self/exe";
}

// Reads the ready pipe to its end: empty when the container runs, else the error.
std::string ReadAllFrom(int fd) {
  std::string msg;
  char buf[1024];
  for (ssize_t r; (r = read(fd, buf, sizeof buf)) != 0;) {
    if (r < 0) {
      if (errno == EINTR) continue;
      break;
    }
    msg.append(buf, static_cast<size_t>(r));
  }
  return msg;
}

}  // namespace

RunResult RunForeground(std::unique_ptr<store::Store> st, const ContainerRecord& c, const runtime::ContainerSpec& spec,
                        bool interactive, bool tee_logs, bool remove) {
  const RecordPlace at{st->root(), st->runroot()};
  int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  runtime::Stdio io{interactive ? 0 : devnull, 1, 2};
  int out_p[2] = {-1, -1}, err_p[2] = {-1, -1};
  UniqueFd log_fd, master;
  if (tee_logs) log_fd = UniqueFd(open(LogPath(at.root, c.id).c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (spec.terminal) {
    tee_logs = false;  // the terminal's output goes through PumpTerminal
  } else if (tee_logs) {
    if (log_fd.valid() && pipe2(out_p, O_CLOEXEC) == 0 && pipe2(err_p, O_CLOEXEC) == 0) {
      io.out = out_p[1];
      io.err = err_p[1];
    } else {
      tee_logs = false;
    }
  }
  auto ports = PortForwarder::Listen(PortsFromJson(c.config.value("ports", nlohmann::ordered_json::array())));
  if (!ports.ok()) {
    RecordExit(at, c.id, 125, remove);
    return {125, ports.status().message()};
  }
  std::fflush(nullptr);
  if (Status held = HoldImageMounts(*st, c); !held.ok()) {
    RecordExit(at, c.id, 125, remove);
    return {125, held.message()};
  }
  auto proc = spec.terminal ? runtime::StartTerminal(spec, &master) : runtime::Start(spec, io);
  if (devnull >= 0) close(devnull);
  if (tee_logs) close(out_p[1]), close(err_p[1]);
  if (!proc.ok()) {
    RecordExit(at, c.id, 125, remove);
    return {125, proc.status().message()};
  }
  if (!proc->done && !proc->reaped) {
    if (Status s = ports->Forward(proc->init_pid()); !s.ok()) {
      ::kill(proc->init_pid(), SIGKILL);
      (void)proc->Wait();
      RecordExit(at, c.id, 125, remove);
      return {125, s.message()};
    }
  }
  if (!proc->done && !proc->reaped) {
    store::Containers rows(st->db());
    (void)rows.MarkRunning(c.id, proc->init_pid(), proc->init_start(), getpid(), NowNanos());
  }
  st.reset();  // releases the GC lock while the container runs
  g_forward_pid = proc->init_pid();
  struct sigaction sa {};
  sa.sa_handler = ForwardSignal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2}) sigaction(sig, &sa, nullptr);
  if (tee_logs) PumpOutput(out_p[0], err_p[0], log_fd.get(), 1, 2);
  if (master.valid()) {
    RawTerminal raw(0, !interactive);
    PumpTerminal(master.get(), interactive ? 0 : -1, log_fd.get(), 1, isatty(0) ? 0 : isatty(1) ? 1 : -1);
  }
  auto res = proc->Wait();
  g_forward_pid = 0;
  RunResult rr;
  if (!res.ok()) {
    rr = {125, res.status().message()};
  } else {
    rr.exit_code = res->code;
    if (!res->started) rr.error = res->error;
  }
  RecordExit(at, c.id, rr.exit_code, remove);
  return rr;
}

int RunMonitor(const std::string& root, const std::string& runroot, const std::string& id, bool remove) {
  const int ready_w = 3;
  fcntl(ready_w, F_SETFD, FD_CLOEXEC);  // the container and the OCI runtime must not hold it
  const RecordPlace at{root, runroot};
  const std::string dir = ContainerDir(root, id);
  auto fail = [&](const std::string& msg, int code) {
    (void)!write(ready_w, msg.data(), msg.size());
    RecordExit(at, id, code, remove);
    return 1;
  };
  auto text = ReadFile(dir + "/spec.json");
  if (!text.ok()) return fail(text.status().message(), 125);
  auto spec = runtime::SpecFromJson(*text);
  if (!spec.ok()) return fail(spec.status().message(), 125);
  auto db = store::Db::Open(root + "/kiln.db");
  if (!db.ok()) return fail(db.status().message(), 125);
  store::Containers rows(**db);
  auto record = rows.Get(id);
  if (!record.ok()) return fail(record.status().message(), 125);
  auto ports = PortForwarder::Listen(PortsFromJson(record->config.value("ports", nlohmann::ordered_json::array())));
  if (!ports.ok()) return fail(ports.status().message(), 125);
  int log = open(LogPath(root, id).c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  int out_p[2], err_p[2];
  if (log < 0 || pipe2(out_p, O_CLOEXEC) != 0 || pipe2(err_p, O_CLOEXEC) != 0)
    return fail("setting up the container's log: " + GoErrnoText(errno), 125);
  int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  UniqueFd master;
  auto proc = spec->terminal ? runtime::StartTerminal(*spec, &master)
                             : runtime::Start(*spec, {devnull, out_p[1], err_p[1]});
  close(out_p[1]);
  close(err_p[1]);
  if (!proc.ok()) return fail(proc.status().message(), 125);
  // -t: the monitor holds the terminal's master and logs what comes out of it.
  auto pump = [&] {
    if (master.valid()) {
      close(out_p[0]), close(err_p[0]);
      PumpTerminal(master.get(), -1, log, -1, -1);
    } else {
      PumpOutput(out_p[0], err_p[0], log, -1, -1);
    }
  };
  if (proc->done || proc->reaped) {
    // Ended before it was seen running: a start failure is reported like a foreground run's.
    auto res = proc->Wait();
    if (res.ok() && !res->started) return fail(res->error, res->code);
    pump();
    RecordExit(at, id, res.ok() ? res->code : 125, remove);
    close(ready_w);
    return 0;
  }
  if (Status s = ports->Forward(proc->init_pid()); !s.ok()) {
    ::kill(proc->init_pid(), SIGKILL);
    (void)proc->Wait();
    return fail(s.message(), 125);
  }
  (void)rows.MarkRunning(id, proc->init_pid(), proc->init_start(), getpid(), NowNanos());
  db->reset();  // the container may run for days: no connection held meanwhile
  close(ready_w);
  signal(SIGPIPE, SIG_IGN);
  pump();
  auto res = proc->Wait();
  RecordExit(at, id, res.ok() ? res->code : 125, remove);
  return 0;
}

Status StartDetached(store::Store& st, const ContainerRecord& c, const runtime::ContainerSpec& spec, bool remove) {
  RETURN_IF_ERROR(HoldImageMounts(st, c));
  RETURN_IF_ERROR(WriteFileAtomic(spec.dir + "/spec.json", runtime::SpecToJson(spec)));
  int ready[2];
  if (pipe2(ready, O_CLOEXEC) != 0) return ErrnoError("pipe", errno);
  std::vector<std::string> args = {SelfExe(), "--root", st.root(), "--runroot", st.runroot(), "__monitor", c.id};
  if (remove) args.push_back("--rm");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) return ErrnoError("fork", errno);
  if (pid == 0) {
    setsid();
    if (fork() != 0) _exit(0);
    int null_fd = open("/dev/null", O_RDWR);
    if (dup2(ready[1], 3) < 0) _exit(1);  // dup2 clears close-on-exec
    dup2(null_fd, 0), dup2(null_fd, 1), dup2(null_fd, 2);
    if (syscall(SYS_close_range, 4u, ~0u, 0u) != 0)
      for (int fd = 4; fd < 1024; ++fd) close(fd);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(ready[1]);
  int status;
  waitpid(pid, &status, 0);
  std::string msg = ReadAllFrom(ready[0]);
  close(ready[0]);
  if (!msg.empty()) return Status(Code::kInternal, msg);
  return Status::Ok();
}

int ExitCodeFromStartError(const std::string& msg) {
  if (msg.find("OCI runtime attempted to invoke a command that was not found") != std::string::npos) return 127;
  if (msg.find("OCI permission denied") != std::string::npos) return 126;
  return 125;
}

}  // namespace kiln::containers
