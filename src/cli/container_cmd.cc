// Containers: run, create, start, stop, kill, wait, logs, ps, rm, container prune/exists/ls,
// export. The engine is src/runtime/ (which the build's RUN steps use too); this file turns
// flags into a ContainerSpec, keeps the rows in the store, and plays conmon's part: the
// process that waits for a container records its exit status (for -d, a small detached
// monitor process does).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <termios.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "cli/commands.h"
#include "format/report.h"
#include "format/gotime.h"
#include "format/units.h"
#include "format/value.h"
#include "image/reference.h"
#include "runtime/runtime.h"
#include "store/containers.h"
#include "store/layer_tar.h"
#include "store/paths.h"
#include "util/fs.h"
#include "util/io.h"
#include "util/time.h"

namespace kiln::cli {

int RenderAndPrint(std::string_view format, const std::vector<format::Value>& rows, format::ReportOptions options,
                   const std::string& error_prefix);

namespace {

using Json = nlohmann::ordered_json;
using store::ContainerRecord;

// ---------------------------------------------------------------------------------------
// Flags

struct RunOptions {
  bool rm = false, detach = false, interactive = false, tty = false;
  std::string name, workdir, user, entrypoint, hostname, network, isolation, runtime;
  bool entrypoint_set = false;
  std::vector<std::string> env, env_files, volumes, publish;
  std::vector<std::string> positional;  // IMAGE [COMMAND [ARG...]]
};

std::string DefaultIsolation() {
  if (const char* e = getenv("KILN_ISOLATION"); e && *e) return e;
  return "chroot";
}

std::string NetworkName(runtime::Network n) {
  switch (n) {
    case runtime::Network::kHost: return "host";
    case runtime::Network::kNone: return "none";
    default: return "private";
  }
}

Expected<std::vector<std::string>> ReadEnvFile(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status().Wrap("open " + path);
  std::vector<std::string> out;
  std::istringstream in(*text);
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    size_t s = line.find_first_not_of(" \t");
    if (s == std::string::npos || line[s] == '#') continue;
    line = line.substr(s);
    if (line.find('=') == std::string::npos) {
      const char* v = getenv(line.c_str());
      if (v) out.push_back(line + "=" + v);
      continue;
    }
    out.push_back(line);
  }
  return out;
}

// Image env, then --env-file, then -e (later wins), podman's order.
Expected<std::vector<std::string>> MergeEnv(const Json& image_env, const RunOptions& o) {
  std::vector<std::string> order;
  std::map<std::string, std::string> values;
  auto set = [&](const std::string& kv) {
    auto eq = kv.find('=');
    std::string k = kv.substr(0, eq);
    if (!values.count(k)) order.push_back(k);
    values[k] = kv;
  };
  set("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  set("TERM=xterm");
  set("container=kiln");
  if (image_env.is_array())
    for (const auto& e : image_env)
      if (e.is_string()) set(e.get<std::string>());
  for (const auto& f : o.env_files) {
    ASSIGN_OR_RETURN(std::vector<std::string> lines, ReadEnvFile(f));
    for (const auto& l : lines) set(l);
  }
  for (const auto& e : o.env) {
    if (e.find('=') == std::string::npos) {
      const char* v = getenv(e.c_str());
      if (v) set(e + "=" + v);
      continue;
    }
    set(e);
  }
  std::vector<std::string> out;
  for (const auto& k : order) out.push_back(values[k]);
  return out;
}

Expected<std::vector<runtime::BindMount>> ParseVolumes(const std::vector<std::string>& vols) {
  std::vector<runtime::BindMount> out;
  for (const auto& v : vols) {
    std::vector<std::string> parts;
    std::stringstream ss(v);
    for (std::string p; std::getline(ss, p, ':');) parts.push_back(p);
    if (parts.size() < 2 || parts.size() > 3)
      return InvalidArgument("incorrect volume format \"" + v + "\", should be [host-dir:]ctr-dir[:option]");
    runtime::BindMount b;
    b.source = parts[0];
    b.destination = parts[1];
    if (b.source.empty() || b.source[0] != '/')
      return InvalidArgument("named volumes are not supported by kiln yet: use an absolute host path in \"" + v + "\"");
    if (b.destination.empty() || b.destination[0] != '/')
      return InvalidArgument("invalid container path \"" + b.destination + "\", must be an absolute path");
    if (parts.size() == 3) {
      std::stringstream os(parts[2]);
      for (std::string opt; std::getline(os, opt, ',');) {
        if (opt == "ro") b.readonly = true;
        else if (opt == "rw" || opt == "z" || opt == "Z" || opt == "rbind" || opt == "bind") continue;
        else return InvalidArgument("invalid option \"" + opt + "\" in volume \"" + v + "\"");
      }
    }
    struct stat st;
    if (stat(b.source.c_str(), &st) != 0)
      return InvalidArgument("statfs " + b.source + ": " + GoErrnoText(errno));
    out.push_back(b);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Container state and the spec rebuilt from a row

std::string ContainerDir(const std::string& root, const std::string& id) { return root + "/containers/" + id; }

// Brings a row up to date when the process that should have recorded the exit is gone.
void Reconcile(store::Containers& ctrs, ContainerRecord& c) {
  if (c.state != "running") return;
  if (runtime::ProcessAlive(static_cast<pid_t>(c.pid), c.pid_start)) return;
  if (c.monitor_pid && runtime::ProcessAlive(static_cast<pid_t>(c.monitor_pid), 0)) {
    // The monitor is recording the exit right now; give it a moment.
    for (int i = 0; i < 200; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      auto fresh = ctrs.Get(c.id);
      if (!fresh.ok()) return;
      if (fresh->state != "running") {
        c = *fresh;
        return;
      }
      if (!runtime::ProcessAlive(static_cast<pid_t>(c.monitor_pid), 0)) break;
    }
  }
  // Nobody is left to say how it ended — unless the monitor said it after `c` was read.
  (void)ctrs.MarkLost(c.id, c.pid, NowNanos());
  if (auto fresh = ctrs.Get(c.id); fresh.ok()) {
    c = *fresh;
  } else {
    c.state = "exited", c.exit_code = -1, c.finished = NowNanos();
  }
}

// The size of kiln's own terminal (stdin's, else stdout's); false when it has none.
bool TerminalSize(uint16_t* rows, uint16_t* cols) {
  struct winsize ws {};
  if (ioctl(0, TIOCGWINSZ, &ws) != 0 && ioctl(1, TIOCGWINSZ, &ws) != 0) return false;
  *rows = ws.ws_row, *cols = ws.ws_col;
  return true;
}

Expected<runtime::ContainerSpec> SpecFor(store::Store& st, const ContainerRecord& c, const std::string& runroot) {
  runtime::ContainerSpec s;
  s.id = c.id;
  s.dir = ContainerDir(st.root(), c.id);
  ASSIGN_OR_RETURN(std::vector<store::LayerInfo> layers, st.ImageLayers(c.image_id));
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) s.lowers.push_back(st.snapshots().FsPath(it->chain_id));
  if (s.lowers.empty()) {
    RETURN_IF_ERROR(MakeDirs(s.dir + "/empty"));
    s.lowers.push_back(s.dir + "/empty");
  }
  const Json& cfg = c.config;
  for (const auto& a : cfg.value("command", Json::array())) s.args.push_back(a.get<std::string>());
  for (const auto& e : cfg.value("env", Json::array())) s.env.push_back(e.get<std::string>());
  s.cwd = cfg.value("cwd", "/");
  if (s.cwd.empty()) s.cwd = "/";
  s.user = cfg.value("user", "");
  s.hostname = cfg.value("hostname", c.id.substr(0, 12));
  ASSIGN_OR_RETURN(s.network, ParseNetwork(cfg.value("network", "host")));
  for (const auto& b : cfg.value("binds", Json::array()))
    s.binds.push_back({b.value("source", ""), b.value("destination", ""), b.value("ro", false)});
  s.terminal = cfg.value("tty", false);
  if (s.terminal) TerminalSize(&s.terminal_rows, &s.terminal_cols);
  std::string iso = cfg.value("isolation", "chroot");
  if (iso == "oci") {
    s.isolation = runtime::Isolation::kOci;
    ASSIGN_OR_RETURN(s.oci_runtime, runtime::FindOciRuntime(cfg.value("runtime", "")));
    if (s.oci_runtime.empty()) return NotFound("no OCI runtime (runc or crun) found on PATH: use --isolation chroot");
    s.state_root = runroot + "/" + (s.oci_runtime.find("crun") != std::string::npos ? "crun" : "runc");
  } else {
    s.isolation = runtime::Isolation::kChroot;
  }
  return s;
}

// ---------------------------------------------------------------------------------------
// Logs: podman's k8s-file format, "<RFC3339Nano> stdout|stderr F|P <text>".

class LogWriter {
 public:
  explicit LogWriter(int fd) : fd_(fd) {}
  void Write(const char* stream, const char* data, size_t n, std::string& partial) {
    partial.append(data, n);
    size_t pos;
    while ((pos = partial.find('\n')) != std::string::npos) {
      Line(stream, 'F', partial.substr(0, pos));
      partial.erase(0, pos + 1);
    }
    if (partial.size() > 16384) {
      Line(stream, 'P', partial);
      partial.clear();
    }
  }
  void Flush(const char* stream, std::string& partial) {
    if (!partial.empty()) Line(stream, 'P', partial);
    partial.clear();
  }

 private:
  void Line(const char* stream, char tag, const std::string& text) {
    std::string ts = FormatRfc3339Nano(NowNanos());
    if (!ts.empty() && ts.back() == 'Z') ts = ts.substr(0, ts.size() - 1) + "+00:00";
    std::string line = ts + " " + stream + " " + tag + " " + text + "\n";
    (void)WriteAll(fd_, line.data(), line.size());
  }
  int fd_;
};

// Copies the container's stdout/stderr pipes into the log (and to tee fds when >= 0) until
// both reach end of file.
void PumpOutput(int out_r, int err_r, int log_fd, int tee_out, int tee_err) {
  LogWriter log(log_fd);
  std::string pout, perr;
  pollfd fds[2] = {{out_r, POLLIN, 0}, {err_r, POLLIN, 0}};
  int open_count = 2;
  char buf[65536];
  while (open_count > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_count;
        continue;
      }
      int tee = i == 0 ? tee_out : tee_err;
      if (tee >= 0) (void)WriteAll(tee, buf, static_cast<size_t>(n));
      log.Write(i == 0 ? "stdout" : "stderr", buf, static_cast<size_t>(n), i == 0 ? pout : perr);
    }
  }
  log.Flush("stdout", pout);
  log.Flush("stderr", perr);
}

// Raw mode on kiln's terminal while a -t container is attached to it (as podman does when
// its stdin is a terminal, -i or not), restored at the end. Without -i the keyboard does
// not reach the container, so ^C and the like stay signals to kiln (which forwards them).
class RawTerminal {
 public:
  RawTerminal(int fd, bool keep_signals) {
    if (fd < 0 || !isatty(fd) || tcgetattr(fd, &saved_) != 0) return;
    termios raw = saved_;
    cfmakeraw(&raw);
    if (keep_signals) raw.c_lflag |= ISIG;
    if (tcsetattr(fd, TCSADRAIN, &raw) == 0) fd_ = fd;
  }
  ~RawTerminal() {
    if (fd_ >= 0) tcsetattr(fd_, TCSADRAIN, &saved_);
  }
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;

 private:
  int fd_ = -1;
  termios saved_{};
};

// SIGWINCH as a descriptor (blocked in this process, which only copies bytes by now).
UniqueFd WindowChanges() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGWINCH);
  if (sigprocmask(SIG_BLOCK, &set, nullptr) != 0) return UniqueFd();
  return UniqueFd(signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
}

void CopyWindowSize(int from, int to) {
  struct winsize ws {};
  if (ioctl(from, TIOCGWINSZ, &ws) == 0) (void)ioctl(to, TIOCSWINSZ, &ws);
}

// End of input on a terminal: its VEOF character (^D), which the container's side reads as
// end of file when it is in canonical mode.
void SendEof(int master) {
  termios t{};
  char eof = tcgetattr(master, &t) == 0 ? static_cast<char>(t.c_cc[VEOF]) : '\x04';
  (void)WriteAll(master, &eof, 1);
}

// The -t counterpart of PumpOutput: copies the terminal's output (podman logs it as stdout)
// into the log and to tee_out when >= 0, and in_fd's bytes (when >= 0) into it, until every
// process of the container has closed it. Follows size_fd's window size when >= 0.
void PumpTerminal(int master, int in_fd, int log_fd, int tee_out, int size_fd) {
  LogWriter log(log_fd);
  std::string partial;
  UniqueFd winch = size_fd >= 0 ? WindowChanges() : UniqueFd();
  pollfd fds[3] = {{master, POLLIN, 0}, {in_fd, POLLIN, 0}, {winch.get(), POLLIN, 0}};
  char buf[65536];
  for (;;) {
    if (poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[2].revents & POLLIN) {
      signalfd_siginfo info;
      while (read(fds[2].fd, &info, sizeof info) > 0) {
      }
      CopyWindowSize(size_fd, master);
    }
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = read(in_fd, buf, sizeof buf);
      if (n > 0) (void)WriteAll(master, buf, static_cast<size_t>(n));
      if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
        SendEof(master);
        fds[1].fd = -1;
      }
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = read(master, buf, sizeof buf);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) break;  // EIO: the container's side is closed
      if (tee_out >= 0) (void)WriteAll(tee_out, buf, static_cast<size_t>(n));
      if (log_fd >= 0) log.Write("stdout", buf, static_cast<size_t>(n), partial);
    }
  }
  if (log_fd >= 0) log.Flush("stdout", partial);
}

// ---------------------------------------------------------------------------------------
// Running: the caller's process (foreground) or a detached monitor waits and records.

volatile sig_atomic_t g_forward_pid = 0;
void ForwardSignal(int sig) {
  if (g_forward_pid > 0) kill(g_forward_pid, sig);
}

struct RunResult {
  int exit_code = 0;
  std::string error;  // printed as "Error: …" when set
};

// Records the end of a container: removes it (--rm) or marks it exited.
// The run directory of this process's store: exit files of removed (--rm) containers live
// in RUNROOT/exits/<id>, as conmon's do, so that `wait` still learns how they ended.
std::string g_runroot;

std::string ExitFile(const std::string& id) { return g_runroot + "/exits/" + id; }

void RecordExit(const std::string& db_path, const std::string& root, const ContainerRecord& c, int code, bool remove) {
  auto db = store::Db::Open(db_path);
  if (!db.ok()) return;
  store::Containers ctrs(**db);
  if (remove) {
    if (!g_runroot.empty() && MakeDirs(g_runroot + "/exits").ok())
    {
      // Run state, not data: no fsync (runroot is a tmpfs normally), but renamed into place.
      std::string tmp = ExitFile(c.id) + ".tmp", text = std::to_string(code);
      UniqueFd fd(open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
      if (fd.valid() && WriteAll(fd.get(), text.data(), text.size()).ok()) rename(tmp.c_str(), ExitFile(c.id).c_str());
    }
    (void)ctrs.Delete(c.id);
    (void)RemoveTree(ContainerDir(root, c.id));
  } else {
    (void)ctrs.MarkExited(c.id, code, NowNanos());
  }
}

// Runs a container in this process and waits for it. The store is closed (its GC lock
// released) before the wait, so a long-running container never holds up garbage collection.
RunResult RunForeground(std::unique_ptr<store::Store> st, const ContainerRecord& c, const runtime::ContainerSpec& spec,
                        bool interactive, bool tee_logs, bool remove) {
  const std::string root = st->root(), db_path = st->root() + "/kiln.db";
  int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  runtime::Stdio io{interactive ? 0 : devnull, 1, 2};
  int out_p[2] = {-1, -1}, err_p[2] = {-1, -1};
  UniqueFd log_fd, master;
  if (tee_logs) log_fd = UniqueFd(open((spec.dir + "/ctr.log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
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
  std::fflush(nullptr);
  auto proc = spec.terminal ? runtime::StartTerminal(spec, &master) : runtime::Start(spec, io);
  if (devnull >= 0) close(devnull);
  if (tee_logs) close(out_p[1]), close(err_p[1]);
  if (!proc.ok()) {
    RecordExit(db_path, root, c, 125, remove);
    return {125, proc.status().message()};
  }
  if (!proc->done && !proc->reaped) {
    store::Containers ctrs(st->db());
    (void)ctrs.MarkRunning(c.id, proc->init_pid(), proc->init_start(), getpid(), NowNanos());
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
  RecordExit(db_path, root, c, rr.exit_code, remove);
  return rr;
}

// The monitor (conmon's part): runs in a fresh exec of kiln, started by StartDetached with
// the ready pipe as fd 3. Starts the container, says "ok" (closes fd 3) or the error, keeps
// the logs, and records the exit status.
int RunMonitor(const std::string& root, const std::string& id, bool remove) {
  const int ready_w = 3;
  fcntl(ready_w, F_SETFD, FD_CLOEXEC);  // the container and the OCI runtime must not hold it
  const std::string dir = ContainerDir(root, id), db_path = root + "/kiln.db";
  ContainerRecord c;
  c.id = id;
  auto fail = [&](const std::string& msg, int code) {
    (void)!write(ready_w, msg.data(), msg.size());
    RecordExit(db_path, root, c, code, remove);
    return 1;
  };
  auto text = ReadFile(dir + "/spec.json");
  if (!text.ok()) return fail(text.status().message(), 125);
  auto spec = runtime::SpecFromJson(*text);
  if (!spec.ok()) return fail(spec.status().message(), 125);
  int log = open((dir + "/ctr.log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
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
    RecordExit(db_path, root, c, res.ok() ? res->code : 125, remove);
    close(ready_w);
    return 0;
  }
  {
    auto db = store::Db::Open(db_path);
    if (!db.ok()) return fail(db.status().message(), 125);
    store::Containers ctrs(**db);
    (void)ctrs.MarkRunning(c.id, proc->init_pid(), proc->init_start(), getpid(), NowNanos());
  }
  close(ready_w);
  signal(SIGPIPE, SIG_IGN);
  pump();
  auto res = proc->Wait();
  RecordExit(db_path, root, c, res.ok() ? res->code : 125, remove);
  return 0;
}

// Starts a container under a detached monitor (setsid, reparented to init; a fresh exec of
// kiln so no SQLite or lock state crosses the fork). Returns once the container runs.
Status StartDetached(store::Store& st, const ContainerRecord& c, const runtime::ContainerSpec& spec, bool remove) {
  RETURN_IF_ERROR(WriteFileAtomic(spec.dir + "/spec.json", runtime::SpecToJson(spec)));
  int ready[2];
  if (pipe2(ready, O_CLOEXEC) != 0) return ErrnoError("pipe", errno);
  std::string self = "/proc/self/exe";
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) self.assign(exe, static_cast<size_t>(n));
  std::vector<std::string> args = {self, "--root", st.root(), "--runroot", st.runroot(), "__monitor", c.id};
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
  std::string msg;
  char buf[1024];
  for (ssize_t r; (r = read(ready[0], buf, sizeof buf)) != 0;) {
    if (r < 0) {
      if (errno == EINTR) continue;
      break;
    }
    msg.append(buf, static_cast<size_t>(r));
  }
  close(ready[0]);
  if (!msg.empty()) return Status(Code::kInternal, msg);
  return Status::Ok();
}

int ExitCodeFromStartError(const std::string& msg) {
  if (msg.find("OCI runtime attempted to invoke a command that was not found") != std::string::npos) return 127;
  if (msg.find("OCI permission denied") != std::string::npos) return 126;
  return 125;
}

// ---------------------------------------------------------------------------------------
// create

// The name of the image as podman shows it: the stored name the user's words resolve to.
std::string ImageDisplayName(const store::ImageRecord& img, const std::string& typed) {
  auto q = image::ParseQuery(typed);
  if (q.ok()) {
    for (const auto& cand : q->candidates)
      for (const auto& n : img.names)
        if (n == cand) return n;
    for (const auto& n : img.names)
      if (image::NameMatches(n, *q)) return n;
  }
  return img.names.empty() ? img.id : img.names[0];
}

Expected<ContainerRecord> CreateContainer(store::Store& st, const RunOptions& o) {
  if (o.positional.empty()) return InvalidArgument("requires at least 1 arg(s), only received 0");
  const std::string& image_ref = o.positional[0];
  ASSIGN_OR_RETURN(store::ImageRecord img, st.LookupImage(image_ref));
  ASSIGN_OR_RETURN(image::ImageConfig config, st.ReadConfig(img));
  const Json& rc = config.RuntimeConfig();
  std::vector<std::string> entrypoint, cmd;
  if (o.entrypoint_set) {
    if (!o.entrypoint.empty()) {
      auto j = Json::parse(o.entrypoint, nullptr, false);
      if (!j.is_discarded() && j.is_array()) {
        for (const auto& e : j)
          if (e.is_string()) entrypoint.push_back(e.get<std::string>());
      } else {
        entrypoint.push_back(o.entrypoint);
      }
    }
  } else if (rc.contains("Entrypoint") && rc["Entrypoint"].is_array()) {
    for (const auto& e : rc["Entrypoint"]) entrypoint.push_back(e.get<std::string>());
  }
  if (o.positional.size() > 1) {
    cmd.assign(o.positional.begin() + 1, o.positional.end());
  } else if (!o.entrypoint_set && rc.contains("Cmd") && rc["Cmd"].is_array()) {
    for (const auto& e : rc["Cmd"]) cmd.push_back(e.get<std::string>());
  }
  std::vector<std::string> command = entrypoint;
  command.insert(command.end(), cmd.begin(), cmd.end());
  if (command.empty()) return InvalidArgument("no command or entrypoint provided, and no CMD or ENTRYPOINT from image");
  ASSIGN_OR_RETURN(std::vector<std::string> env, MergeEnv(rc.value("Env", Json::array()), o));
  ASSIGN_OR_RETURN(std::vector<runtime::BindMount> binds, ParseVolumes(o.volumes));
  ASSIGN_OR_RETURN(runtime::Network net, ParseNetwork(o.network));
  ASSIGN_OR_RETURN(IsolationChoice choice, ChooseIsolation(o.isolation, o.runtime));
  const std::string& iso = choice.isolation;
  const std::string& runtime_name = choice.runtime;
  ContainerRecord c;
  c.id = store::NewContainerId();
  store::Containers ctrs(st.db());
  if (o.name.empty()) {
    for (int i = 0; i < 10 && (c.name.empty() || ctrs.NameTaken(c.name)); ++i) c.name = store::RandomContainerName();
    if (ctrs.NameTaken(c.name)) c.name = "kiln_" + c.id.substr(0, 12);
  } else {
    static const std::regex kName("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
    if (!std::regex_match(o.name, kName))
      return InvalidArgument("container name must match \"[a-zA-Z0-9][a-zA-Z0-9_.-]*\": invalid argument");
    c.name = o.name;
  }
  c.image_id = img.id;
  c.created = NowNanos();
  Json jbinds = Json::array();
  for (const auto& b : binds) jbinds.push_back({{"source", b.source}, {"destination", b.destination}, {"ro", b.readonly}});
  std::string cwd = o.workdir.empty() ? rc.value("WorkingDir", std::string()) : o.workdir;
  if (cwd.empty()) cwd = "/";
  c.config = {{"image_name", ImageDisplayName(img, image_ref)},
              {"command", command},
              {"env", env},
              {"cwd", cwd},
              {"user", o.user.empty() ? rc.value("User", std::string()) : o.user},
              {"hostname", o.hostname.empty() ? c.id.substr(0, 12) : o.hostname},
              {"network", NetworkName(net)},
              {"binds", jbinds},
              {"isolation", iso},
              {"runtime", runtime_name},
              {"rm", o.rm},
              {"tty", o.tty},
              {"stop_signal", rc.value("StopSignal", std::string())}};
  // Files first: the directory exists before the row that names it.
  RETURN_IF_ERROR(MakeDirs(ContainerDir(st.root(), c.id)));
  Status ins = ctrs.Insert(c);
  if (!ins.ok()) {
    (void)RemoveTree(ContainerDir(st.root(), c.id));
    return ins;
  }
  return c;
}

void AddRunFlags(CLI::App* cmd, RunOptions& o, bool is_run) {
  if (is_run) {
    cmd->add_flag("--rm", o.rm, "Remove container (and pod if created) after exit");
    cmd->add_flag("-d,--detach", o.detach, "Run container in background and print container ID");
  } else {
    cmd->add_flag("--rm", o.rm, "Remove container (and pod if created) after exit");
  }
  cmd->add_flag("-i,--interactive", o.interactive, "Keep STDIN open even if not attached");
  cmd->add_flag("-t,--tty", o.tty, "Allocate a pseudo-TTY for container");
  cmd->add_option("--name", o.name, "Assign a name to the container");
  AddRepeatable(cmd, "-e,--env", o.env, "Set environment variables in container");
  AddRepeatable(cmd, "--env-file", o.env_files, "Read in a file of environment variables");
  AddRepeatable(cmd, "-v,--volume", o.volumes, "Bind mount a volume into the container");
  AddRepeatable(cmd, "-p,--publish", o.publish, "Publish a container's port (not supported: use --network host)");
  cmd->add_option("-w,--workdir", o.workdir, "Working directory inside the container");
  cmd->add_option("-u,--user", o.user, "Username or UID (format: <name|uid>[:<group|gid>])");
  cmd->add_option_function<std::string>(
      "--entrypoint", [&o](const std::string& v) { o.entrypoint = v, o.entrypoint_set = true; },
      "Overwrite the default ENTRYPOINT of the image");
  cmd->set_help_flag("--help", "Print usage");
  cmd->add_option("-h,--hostname", o.hostname, "Set container hostname");
  cmd->add_option("--network,--net", o.network, "Connect a container to a network (host, none, private)");
  cmd->add_option("--isolation", o.isolation, "Isolation: chroot (built-in namespaces) or oci (runc/crun)");
  cmd->add_option("--runtime", o.runtime, "Path or name of the OCI runtime (runc, crun)");
  cmd->prefix_command();
}

std::unique_ptr<store::Store> OpenOwnStore(Context& ctx, Status& err) {
  auto st = store::Store::Open({ctx.options.root, ctx.options.runroot});
  if (!st.ok()) {
    err = st.status();
    return nullptr;
  }
  g_runroot = (*st)->runroot();
  return std::move(st).value();
}

int RunRun(Context& ctx, RunOptions& o, const std::vector<std::string>& rest) {
  o.positional = rest;
  if (!o.publish.empty()) Warn("port publishing is not supported yet; kiln containers use --network host by default, so a port the container listens on is reachable directly");
  Status err;
  auto st = OpenOwnStore(ctx, err);
  if (!st) return Fail(err);
  auto c = CreateContainer(*st, o);
  if (!c.ok()) return Fail(c.status(), 125);  // podman: 125 for an unknown image too
  auto spec = SpecFor(*st, *c, st->runroot());
  if (!spec.ok()) return Fail(spec.status());
  if (Status s = runtime::PrepareBundle(*spec); !s.ok()) return Fail(s);
  if (o.detach) {
    Status s = StartDetached(*st, *c, *spec, o.rm);
    if (!s.ok()) return Fail(s, ExitCodeFromStartError(s.message()));
    std::printf("%s\n", c->id.c_str());
    return 0;
  }
  RunResult r = RunForeground(std::move(st), *c, *spec, o.interactive, !o.rm, o.rm);
  if (!r.error.empty()) return Fail(InvalidArgument(r.error), r.exit_code);
  return r.exit_code;
}

int RunCreate(Context& ctx, RunOptions& o, const std::vector<std::string>& rest) {
  o.positional = rest;
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  auto c = CreateContainer(**st, o);
  if (!c.ok()) return Fail(c.status());
  std::printf("%s\n", c->id.c_str());
  return 0;
}

// ---------------------------------------------------------------------------------------
// start, stop, kill, wait

struct StartOptions {
  bool attach = false, interactive = false;
  std::vector<std::string> names;
};

int RunStart(Context& ctx, StartOptions& o) {
  if (o.names.empty()) return Fail(InvalidArgument("start requires at least one argument"));
  if (o.attach && o.names.size() > 1) return Fail(InvalidArgument("you cannot start and attach multiple containers at once"));
  Status err;
  auto st = OpenOwnStore(ctx, err);
  if (!st) return Fail(err);
  int rc = 0;
  for (const auto& name : o.names) {
    store::Containers ctrs(st->db());
    auto c = ctrs.Lookup(name);
    if (!c.ok()) {
      rc = Fail(c.status(), 125);
      continue;
    }
    Reconcile(ctrs, *c);
    if (c->state == "running") {
      if (!o.attach) std::printf("%s\n", name.c_str());
      continue;
    }
    auto spec = SpecFor(*st, *c, st->runroot());
    if (!spec.ok()) return Fail(spec.status());
    if (Status s = runtime::PrepareBundle(*spec); !s.ok()) return Fail(s);
    bool remove = c->config.value("rm", false);
    if (o.attach) {
      RunResult r = RunForeground(std::move(st), *c, *spec, o.interactive, true, remove);
      if (!r.error.empty()) return Fail(InvalidArgument(r.error), r.exit_code);
      return r.exit_code;
    }
    Status s = StartDetached(*st, *c, *spec, remove);
    if (!s.ok()) {
      rc = Fail(s, ExitCodeFromStartError(s.message()));
      continue;
    }
    std::printf("%s\n", name.c_str());
  }
  return rc;
}

struct StopOptions {
  bool all = false, ignore = false;
  int timeout = 10;
  std::string signal = "KILL";
  std::vector<std::string> names;
};

// Waits until the row says the container is no longer running (the monitor records the
// exit), reconciling if the monitor is gone. Returns the final row.
Expected<ContainerRecord> AwaitExit(store::Containers& ctrs, const std::string& id, int timeout_ms,
                                    bool through_created = false) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  int sleep_ms = 2;
  for (;;) {
    ASSIGN_OR_RETURN(ContainerRecord c, ctrs.Get(id));
    Reconcile(ctrs, c);
    if (c.state != "running" && !(through_created && c.state == "created")) return c;
    if (timeout_ms >= 0 && std::chrono::steady_clock::now() > deadline) return c;
    std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
    sleep_ms = std::min(sleep_ms * 2, 50);
  }
}

// Stops a running container: its stop signal, then SIGKILL after timeout seconds.
Status StopContainer(store::Containers& ctrs, ContainerRecord& c, int timeout) {
  Reconcile(ctrs, c);
  if (c.state != "running") return Status::Ok();
  std::string sig_name = c.config.value("stop_signal", "");
  int sig = sig_name.empty() ? SIGTERM : runtime::ParseSignal(sig_name);
  if (sig <= 0) sig = SIGTERM;
  pid_t pid = static_cast<pid_t>(c.pid);
  if (timeout > 0 && runtime::SignalProcess(pid, c.pid_start, sig)) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout);
    while (runtime::ProcessAlive(pid, c.pid_start) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (runtime::ProcessAlive(pid, c.pid_start)) {
    if (timeout > 0)
      Warn("StopSignal " + std::string(sig == SIGTERM ? "SIGTERM" : sig_name) + " failed to stop container " + c.name +
           " in " + std::to_string(timeout) + " seconds, resorting to SIGKILL");
    runtime::SignalProcess(pid, c.pid_start, SIGKILL);
  }
  ASSIGN_OR_RETURN(c, AwaitExit(ctrs, c.id, 10000));
  return Status::Ok();
}

Expected<std::vector<ContainerRecord>> Targets(store::Containers& ctrs, const std::vector<std::string>& names, bool all,
                                               std::vector<Status>* missing) {
  std::vector<ContainerRecord> out;
  if (all) return ctrs.List();
  for (const auto& n : names) {
    auto c = ctrs.Lookup(n);
    if (!c.ok()) {
      missing->push_back(c.status());
      continue;
    }
    out.push_back(*c);
  }
  return out;
}

int RunStop(Context& ctx, StopOptions& o) {
  if (o.names.empty() && !o.all) return Fail(InvalidArgument("you must provide at least one name or id"));
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  store::Containers ctrs((*st)->db());
  int rc = 0;
  for (size_t i = 0; i < (o.all ? 1 : o.names.size()); ++i) {
    std::vector<Status> missing;
    auto list = Targets(ctrs, o.all ? std::vector<std::string>{} : std::vector<std::string>{o.names[i]}, o.all, &missing);
    if (!list.ok()) return Fail(list.status());
    for (const auto& m : missing)
      if (!o.ignore) rc = Fail(m, 125);
    for (auto& c : *list) {
      if (o.all) Reconcile(ctrs, c);
      if (o.all && c.state != "running") continue;
      Status s = StopContainer(ctrs, c, o.timeout);
      if (!s.ok()) {
        rc = Fail(s);
        continue;
      }
      std::printf("%s\n", o.all ? c.id.c_str() : o.names[i].c_str());
    }
  }
  return rc;
}

int RunKill(Context& ctx, StopOptions& o) {
  if (o.names.empty() && !o.all) return Fail(InvalidArgument("you must provide at least one name or id"));
  int sig = runtime::ParseSignal(o.signal);
  if (sig <= 0) return Fail(InvalidArgument("invalid signal: " + o.signal));
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  store::Containers ctrs((*st)->db());
  int rc = 0;
  std::vector<Status> missing;
  auto list = Targets(ctrs, o.names, o.all, &missing);
  if (!list.ok()) return Fail(list.status());
  for (const auto& m : missing) rc = Fail(m, 125);
  for (size_t i = 0; i < list->size(); ++i) {
    auto& c = (*list)[i];
    Reconcile(ctrs, c);
    if (c.state != "running") {
      if (o.all) continue;
      rc = Fail(InvalidArgument("can only kill running containers. " + c.id + " is in state " + c.state +
                                ": container state improper"),
                125);
      continue;
    }
    runtime::SignalProcess(static_cast<pid_t>(c.pid), c.pid_start, sig);
    if (sig == SIGKILL) (void)AwaitExit(ctrs, c.id, 5000);
    std::printf("%s\n", o.all ? c.id.c_str() : o.names[i].c_str());
  }
  return rc;
}

int RunWait(Context& ctx, const std::vector<std::string>& names) {
  if (names.empty()) return Fail(InvalidArgument("you must provide at least one container name or id"));
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  store::Containers ctrs((*st)->db());
  int rc = 0;
  for (const auto& n : names) {
    auto c = ctrs.Lookup(n);
    if (!c.ok()) {
      rc = Fail(c.status(), 125);
      continue;
    }
    // As podman: a created container is waited for until it has run.
    auto done = AwaitExit(ctrs, c->id, -1, true);
    if (!done.ok()) {
      // Removed when it ended (--rm): its monitor left the status in an exit file.
      auto code = ReadFile((*st)->runroot() + "/exits/" + c->id);
      if (code.ok()) {
        std::printf("%s\n", code->c_str());
        std::fflush(stdout);
        continue;
      }
      done = Status(Code::kNotFound, "no container with name or ID \"" + n + "\" found: no such container");
      // Removed while we waited (--rm): podman reports the container gone.
      rc = Fail(done.status(), 125);
      continue;
    }
    std::printf("%lld\n", static_cast<long long>(done->exit_code));
    std::fflush(stdout);
  }
  return rc;
}

// ---------------------------------------------------------------------------------------
// logs

struct LogsOptions {
  bool follow = false, timestamps = false;
  std::vector<std::string> names;
};

// Prints complete log records from text (which may end in a partial record); returns how
// many bytes were consumed.
size_t PrintLogRecords(const std::string& text, bool timestamps) {
  size_t pos = 0;
  while (true) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) break;
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    size_t a = line.find(' '), b = a == std::string::npos ? a : line.find(' ', a + 1),
           c = b == std::string::npos ? b : line.find(' ', b + 1);
    if (c == std::string::npos) continue;
    std::string stream = line.substr(a + 1, b - a - 1);
    char tag = line[b + 1];
    std::string body = line.substr(c + 1);
    if (tag == 'F') body += "\n";
    if (timestamps) body = line.substr(0, a) + " " + body;
    // Records keep their order across the two streams.
    FILE* f = stream == "stderr" ? stderr : stdout;
    std::fwrite(body.data(), 1, body.size(), f);
    std::fflush(f);
  }
  std::fflush(stdout);
  std::fflush(stderr);
  return pos;
}

int RunLogs(Context& ctx, LogsOptions& o) {
  if (o.names.empty()) return Fail(InvalidArgument("no containers specified"));
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  store::Containers ctrs((*st)->db());
  for (const auto& n : o.names) {
    auto c = ctrs.Lookup(n);
    if (!c.ok()) return Fail(c.status(), 125);
    std::string path = ContainerDir((*st)->root(), c->id) + "/ctr.log";
    std::string pending;
    off_t offset = 0;
    for (;;) {
      UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
      if (fd.valid()) {
        lseek(fd.get(), offset, SEEK_SET);
        char buf[65536];
        ssize_t r;
        while ((r = read(fd.get(), buf, sizeof buf)) > 0) {
          pending.append(buf, static_cast<size_t>(r));
          offset += r;
        }
      }
      size_t used = PrintLogRecords(pending, o.timestamps);
      pending.erase(0, used);
      if (!o.follow) break;
      auto fresh = ctrs.Get(c->id);
      if (!fresh.ok()) break;
      Reconcile(ctrs, *fresh);
      if (fresh->state != "running") {
        // One more read for what was written before the exit was recorded.
        UniqueFd again(open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (again.valid()) {
          lseek(again.get(), offset, SEEK_SET);
          char buf[65536];
          ssize_t r;
          while ((r = read(again.get(), buf, sizeof buf)) > 0) pending.append(buf, static_cast<size_t>(r));
        }
        PrintLogRecords(pending, o.timestamps);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  return 0;
}

// ---------------------------------------------------------------------------------------
// ps

struct PsOptions {
  bool all = false, quiet = false, no_trunc = false, latest = false, noheading = false, size = false;
  int last = -1;
  std::string format;
  std::vector<std::string> filters;
};

std::string Joined(const Json& arr) {
  std::string s;
  for (const auto& a : arr) s += (s.empty() ? "" : " ") + a.get<std::string>();
  return s;
}

std::string StatusText(const ContainerRecord& c, int64_t now) {
  if (c.state == "running") return "Up " + format::TimeAgo(c.started, now);
  if (c.state == "exited") return "Exited (" + std::to_string(c.exit_code) + ") " + format::TimeAgo(c.finished, now);
  if (c.state == "created") return "Created";
  return c.state;
}

format::Value TimeValue(int64_t nanos) {
  return format::Value::Time(nanos / 1000000000, static_cast<int32_t>(nanos % 1000000000));
}

format::Value PsRowValue(const ContainerRecord& c, bool no_trunc, int64_t now) {
  using format::Value;
  const Json& cfg = c.config;
  std::vector<std::string> command;
  for (const auto& a : cfg.value("command", Json::array())) command.push_back(a.get<std::string>());
  std::string cmd = Joined(cfg.value("command", Json::array()));
  if (!no_trunc && cmd.size() > 20) cmd = cmd.substr(0, 17) + "...";
  std::string status = StatusText(c, now);
  Value list = Value::Struct("entities.ListContainer")
                   .Add("AutoRemove", "AutoRemove", Value(cfg.value("rm", false)))
                   .Add("Command", "Command", Value::StringSlice(command))
                   .Add("Created", "Created", TimeValue(c.created))
                   .Add("CreatedAt", "CreatedAt", Value(format::TimeAgo(c.created, now)))
                   .Add("Exited", "Exited", Value(c.state == "exited"))
                   .Add("ExitedAt", "ExitedAt", Value::Int(c.finished ? c.finished / 1000000000 : -62135596800, "int64"))
                   .Add("ExitCode", "ExitCode", Value::Int(c.exit_code, "int32"))
                   .Add("ID", "Id", Value(c.id))
                   .Add("Image", "Image", Value(cfg.value("image_name", c.image_id)))
                   .Add("ImageID", "ImageID", Value(c.image_id))
                   .Add("IsInfra", "IsInfra", Value(false))
                   .Add("Labels", "Labels", Value::NilMap("map[string]string"))
                   .Add("Mounts", "Mounts", Value::StringSlice({}))
                   .Add("Names", "Names", Value::StringSlice({c.name}))
                   .Add("Networks", "Networks", Value::StringSlice({cfg.value("network", "host")}))
                   .Add("Pid", "Pid", Value::Int(c.state == "running" ? c.pid : 0))
                   .Add("Pod", "Pod", Value(std::string()))
                   .Add("PodName", "PodName", Value(std::string()))
                   .Add("Ports", "Ports", Value::NilSlice("[]types.PortMapping"))
                   .Add("StartedAt", "StartedAt", Value::Int(c.started ? c.started / 1000000000 : -62135596800, "int64"))
                   .Add("State", "State", Value(c.state))
                   .Add("Status", "Status", Value(status));
  // podman's psReporter methods (ID(), Image(), Command()…): templates call them like fields,
  // they shadow the embedded ListContainer's fields, and JSON/%v/headers do not see them.
  return Value::Struct("ps.psReporter")
      .Embed(list)
      .AddMethod("ID", Value(no_trunc ? c.id : c.id.substr(0, 12)))
      .AddMethod("Image", Value(cfg.value("image_name", c.image_id)))
      .AddMethod("Command", Value(cmd))
      .AddMethod("CreatedHuman", Value(format::TimeAgo(c.created, now)))
      .AddMethod("CreatedAt", Value(format::GoTimeString(c.created / 1000000000, static_cast<int32_t>(c.created % 1000000000))))
      .AddMethod("Status", Value(status))
      .AddMethod("State", Value(status))
      .AddMethod("RunningFor", Value(format::TimeAgo(c.created, now)))
      .AddMethod("Names", Value(c.name))
      .AddMethod("Ports", Value(std::string()))
      .AddMethod("Networks", Value(cfg.value("network", "host")))
      .AddMethod("Label", Value(std::string()))
      .AddMethod("Size", Value(std::string()))
      .AddMethod("Mounts", Value(std::string()))
      .AddMethod("Pod", Value(std::string()))
      .AddMethod("PodName", Value(std::string()))
      .AddMethod("ExitCode", Value::Int(c.exit_code, "int32"));
}

Json PsJson(const ContainerRecord& c, int64_t now) {
  const Json& cfg = c.config;
  Json j = Json::object();
  j["AutoRemove"] = cfg.value("rm", false);
  j["Command"] = cfg.value("command", Json::array());
  j["CreatedAt"] = format::TimeAgo(c.created, now);
  j["Exited"] = c.state == "exited";
  j["ExitedAt"] = c.finished ? c.finished / 1000000000 : -62135596800;
  j["ExitCode"] = c.exit_code;
  j["Id"] = c.id;
  j["Image"] = cfg.value("image_name", c.image_id);
  j["ImageID"] = c.image_id;
  j["IsInfra"] = false;
  j["Labels"] = nullptr;
  j["Mounts"] = Json::array();
  j["Names"] = Json::array({c.name});
  j["Namespaces"] = Json::object();
  j["Networks"] = Json::array({cfg.value("network", "host")});
  j["Pid"] = c.state == "running" ? c.pid : 0;
  j["Pod"] = "";
  j["PodName"] = "";
  j["Ports"] = nullptr;
  j["Size"] = nullptr;
  j["StartedAt"] = c.started ? c.started / 1000000000 : -62135596800;
  j["State"] = c.state;
  j["Status"] = StatusText(c, now);
  j["Created"] = c.created / 1000000000;
  return j;
}

// Filters: one key's values OR together, different keys AND (podman's rule).
Expected<std::vector<ContainerRecord>> FilterContainers(store::Store& st, std::vector<ContainerRecord> list,
                                                        const std::vector<std::string>& filters) {
  std::map<std::string, std::vector<std::string>> by_key;
  for (const auto& f : filters) {
    auto eq = f.find('=');
    if (eq == std::string::npos) return InvalidArgument("invalid filter \"" + f + "\"");
    std::string k = f.substr(0, eq);
    static const std::set<std::string> kKeys = {"ancestor", "status", "name", "id", "exited"};
    if (!kKeys.count(k)) return InvalidArgument(k + " is an invalid filter");
    by_key[k].push_back(f.substr(eq + 1));
  }
  for (const auto& [k, vals] : by_key) {
    std::vector<ContainerRecord> kept;
    std::set<std::string> ancestor_ids;
    if (k == "ancestor")
      for (const auto& v : vals) {
        // podman 4.3.1 matches only the full stored name or ID; kiln also resolves short
        // names the way every other command does (`ancestor=myapp:1.0`), see compat.md.
        auto img = st.LookupImage(v);
        if (img.ok()) ancestor_ids.insert(img->id);
      }
    if (k == "status")
      for (const auto& v : vals) {
        static const std::set<std::string> kStates = {"created", "exited", "paused", "running", "unknown",
                                                      "configured", "stopped", "removing", "stopping"};
        if (!kStates.count(v))
          return InvalidArgument("invalid argument: " + v + " is not a valid status");
      }
    for (const auto& c : list) {
      bool match = false;
      for (const auto& v : vals) {
        if (k == "ancestor") match = match || ancestor_ids.count(c.image_id) || c.config.value("image_name", "") == v;
        if (k == "status") match = match || c.state == v || (v == "stopped" && c.state == "exited");
        if (k == "id") match = match || c.id.rfind(v, 0) == 0;
        if (k == "exited") match = match || (c.state == "exited" && std::to_string(c.exit_code) == v);
        if (k == "name") {
          try {
            match = match || std::regex_search(c.name, std::regex(v));
          } catch (const std::regex_error&) {
            match = match || c.name.find(v) != std::string::npos;
          }
        }
      }
      if (match) kept.push_back(c);
    }
    list = std::move(kept);
  }
  return list;
}

int RunPs(Context& ctx, PsOptions& o) {
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  store::Containers ctrs((*st)->db());
  auto list = ctrs.List();
  if (!list.ok()) return Fail(list.status());
  for (auto& c : *list) Reconcile(ctrs, c);
  bool all = o.all || !o.filters.empty();
  if (!all) {
    std::vector<ContainerRecord> running;
    for (auto& c : *list)
      if (c.state == "running") running.push_back(c);
    *list = running;
  }
  auto filtered = FilterContainers(**st, *list, o.filters);
  if (!filtered.ok()) return Fail(filtered.status());
  if (o.latest && !filtered->empty()) filtered->erase(filtered->begin(), filtered->end() - 1);
  if (o.last >= 0 && static_cast<size_t>(o.last) < filtered->size())
    filtered->erase(filtered->begin(), filtered->end() - o.last);
  const int64_t now = NowNanos();
  if (o.quiet && o.format.empty()) {
    for (const auto& c : *filtered) std::printf("%s\n", o.no_trunc ? c.id.c_str() : c.id.substr(0, 12).c_str());
    return 0;
  }
  if (format::IsJsonFormat(o.format)) {
    Json out = Json::array();
    for (const auto& c : *filtered) out.push_back(PsJson(c, now));
    std::printf("%s\n", out.dump(4).c_str());
    return 0;
  }
  std::vector<format::Value> rows;
  for (const auto& c : *filtered) rows.push_back(PsRowValue(c, o.no_trunc, now));
  format::ReportOptions opts;
  opts.template_name = "ps";
  opts.header_overrides = {{"ID", "CONTAINER ID"}, {"CreatedHuman", "CREATED"}};
  opts.header_fields = {"AutoRemove", "Command", "Created", "CreatedAt", "Exited", "ExitedAt", "ExitCode", "ID",
                        "Image", "ImageID", "IsInfra", "Labels", "Mounts", "Names", "Networks", "Pid", "Pod",
                        "PodName", "Ports", "StartedAt", "State", "Status"};
  opts.rows_type = "[]ps.psReporter";
  opts.headers = !o.noheading;
  std::string fmt = o.format;
  if (fmt.empty()) {
    fmt = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.CreatedHuman}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";
    opts.origin = format::FormatOrigin::kPodman;
  }
  return RenderAndPrint(fmt, rows, std::move(opts), "");
}

// ---------------------------------------------------------------------------------------
// rm, container prune

struct RmOptions {
  bool force = false, all = false, ignore = false, volumes = false;
  int timeout = 10;
  std::vector<std::string> names;
};

}  // namespace

// Removes a container: stops it first when force, then the row, then its files.
Status RemoveContainer(store::Store& st, ContainerRecord c, bool force, int timeout) {
  store::Containers ctrs(st.db());
  Reconcile(ctrs, c);
  if (c.state == "running") {
    if (!force)
      return InUse("cannot remove container " + c.id +
                   " as it is running - running or paused containers cannot be removed without force: container state improper");
    RETURN_IF_ERROR(StopContainer(ctrs, c, timeout));
  }
  RETURN_IF_ERROR(ctrs.Delete(c.id));
  (void)unlink((st.runroot() + "/exits/" + c.id).c_str());
  return RemoveTree(ContainerDir(st.root(), c.id));
}

// rmi -f: the containers of an image go first (stopped if running).
Status RemoveContainersOfImage(store::Store& st, const std::string& image_id) {
  store::Containers ctrs(st.db());
  ASSIGN_OR_RETURN(std::vector<ContainerRecord> list, ctrs.List());
  for (auto& c : list)
    if (c.image_id == image_id) RETURN_IF_ERROR(RemoveContainer(st, c, true, 10));
  return Status::Ok();
}

namespace {

int RunRm(Context& ctx, RmOptions& o) {
  if (o.names.empty() && !o.all) return Fail(InvalidArgument("must specify at least one container or use --all, or use --latest"));
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  store::Containers ctrs((*st)->db());
  int rc = 0;
  if (o.all) {
    auto list = ctrs.List();
    if (!list.ok()) return Fail(list.status());
    for (auto& c : *list) {
      Status s = RemoveContainer(**st, c, o.force, o.timeout);
      if (!s.ok()) {
        rc = Fail(s);
        continue;
      }
      std::printf("%s\n", c.id.c_str());
    }
    return rc;
  }
  for (const auto& n : o.names) {
    auto c = ctrs.Lookup(n);
    if (!c.ok()) {
      if (o.ignore) continue;
      rc = Fail(c.status(), 1);
      continue;
    }
    Status s = RemoveContainer(**st, *c, o.force, o.timeout);
    if (!s.ok()) {
      rc = Fail(s);
      continue;
    }
    std::printf("%s\n", n.c_str());
  }
  return rc;
}

int RunContainerPrune(Context& ctx, bool force) {
  if (!force) {
    auto yes = Confirm("WARNING! This will remove all non running containers.\n");
    if (!yes.ok()) return Fail(yes.status());
    if (!*yes) return 0;
  }
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  auto pruned = PruneContainers(**st);
  if (!pruned.ok()) return Fail(pruned.status());
  for (const auto& id : pruned->ids) std::printf("%s\n", id.c_str());
  return 0;
}

// The bytes of a container's own changes (its upper dir): what removing it frees.
int64_t ChangesBytes(const std::string& upper) {
  int64_t total = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(upper, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    struct stat sb;
    if (lstat(it->path().c_str(), &sb) == 0 && (S_ISREG(sb.st_mode) || S_ISLNK(sb.st_mode))) total += sb.st_size;
  }
  return total;
}

}  // namespace

Expected<PrunedContainers> PruneContainers(store::Store& st) {
  store::Containers ctrs(st.db());
  ASSIGN_OR_RETURN(std::vector<ContainerRecord> list, ctrs.List());
  PrunedContainers pruned;
  for (auto& c : list) {
    Reconcile(ctrs, c);
    if (c.state == "running") continue;
    int64_t bytes = ChangesBytes(ContainerDir(st.root(), c.id) + "/upper");
    RETURN_IF_ERROR(RemoveContainer(st, c, false, 0));
    pruned.ids.push_back(c.id);
    pruned.bytes += bytes;
  }
  std::sort(pruned.ids.begin(), pruned.ids.end());
  // Directories no row names: left by a create that crashed between making its directory
  // and committing its row. Only old ones, so a create in progress keeps its directory.
  std::set<std::string> known;
  if (auto now_list = ctrs.List(); now_list.ok())
    for (const auto& c : *now_list) known.insert(c.id);
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(st.root() + "/containers", ec)) {
    std::string name = e.path().filename().string();
    struct stat sb;
    if (known.count(name) || lstat(e.path().c_str(), &sb) != 0) continue;
    if (NowNanos() / 1000000000 - sb.st_mtime < 600) continue;
    (void)RemoveTree(e.path().string());
  }
  return pruned;
}

namespace {

// ---------------------------------------------------------------------------------------
// export

struct ExportArg {
  int fd;
};

int ExportInChild(const std::string& rootfs, void* arg) {
  auto* a = static_cast<ExportArg*>(arg);
  FdWriter w = FdWriter::Borrow(a->fd);
  store::TarOptions opts;
  opts.convert_overlay_whiteouts = false;
  // The mount points of a running container's /proc, /sys, /dev are empty directories here.
  Status st = store::WriteLayerTarFromDir(rootfs, w, opts);
  if (!st.ok()) {
    std::fprintf(stderr, "Error: %s\n", st.message().c_str());
    return 1;
  }
  return 0;
}

int RunExport(Context& ctx, const std::string& name, const std::string& output) {
  if (name.empty()) return Fail(InvalidArgument("requires exactly 1 arg(s), only received 0"));
  UniqueFd out;
  if (output.empty()) {
    if (isatty(1)) return Fail(InvalidArgument("refusing to export to terminal. Use -o flag or redirect"));
  } else {
    out = UniqueFd(open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!out.valid()) return Fail(ErrnoError("open " + output, errno));
  }
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  store::Containers ctrs((*st)->db());
  auto c = ctrs.Lookup(name);
  if (!c.ok()) return Fail(c.status(), 125);
  auto spec = SpecFor(**st, *c, (*st)->runroot());
  if (!spec.ok()) return Fail(spec.status());
  for (const char* d : {"upper", "work", "merged"})
    if (Status s = MakeDirs(spec->dir + "/" + d); !s.ok()) return Fail(s);
  ExportArg arg{out.valid() ? out.get() : 1};
  Reconcile(ctrs, *c);
  if (c->state == "running") {
    // Its overlay is in use by the container's own mount: clone that mount instead.
    Status s = runtime::WithRunningRootfs(static_cast<pid_t>(c->pid), ExportInChild, &arg);
    return s.ok() ? 0 : Fail(s);
  }
  Status s = runtime::WithRootfs(*spec, ExportInChild, &arg);
  if (!s.ok()) return Fail(s);
  return 0;
}

}  // namespace

// ---------------------------------------------------------------------------------------

void RegisterContainerCommands(Registry& r) {
  CLI::App* container = AddCommand(r.root, "container", "Manage containers");
  container->require_subcommand(1);

  auto add_run = [&r](CLI::App& parent, const std::string& name, bool is_run) {
    auto o = std::make_shared<RunOptions>();
    CLI::App* cmd = AddCommand(parent, name, is_run ? "Run a command in a new container" : "Create but do not start a container");
    AddRunFlags(cmd, *o, is_run);
    cmd->allow_extras(true);
    cmd->callback([&r, o, cmd, is_run] {
      std::vector<std::string> rest = cmd->remaining();
      r.exit_code = is_run ? RunRun(r.ctx, *o, rest) : RunCreate(r.ctx, *o, rest);
    });
  };
  for (CLI::App* parent : {&r.root, container}) {
    add_run(*parent, "run", true);
    add_run(*parent, "create", false);

    auto so = std::make_shared<StartOptions>();
    CLI::App* start = AddCommand(*parent, "start", "Start one or more containers");
    start->add_flag("-a,--attach", so->attach, "Attach container's STDOUT and STDERR");
    start->add_flag("-i,--interactive", so->interactive, "Keep STDIN open even if not attached");
    start->add_option("containers", so->names, "CONTAINER [CONTAINER...]");
    start->callback([&r, so] { r.exit_code = RunStart(r.ctx, *so); });

    auto stop = std::make_shared<StopOptions>();
    CLI::App* stopc = AddCommand(*parent, "stop", "Stop one or more containers");
    stopc->add_flag("-a,--all", stop->all, "Stop all running containers");
    stopc->add_flag("-i,--ignore", stop->ignore, "Ignore errors when a specified container is missing");
    stopc->add_option("-t,--time", stop->timeout, "Seconds to wait for stop before killing the container");
    stopc->add_option("containers", stop->names, "CONTAINER [CONTAINER...]");
    stopc->callback([&r, stop] { r.exit_code = RunStop(r.ctx, *stop); });

    auto ko = std::make_shared<StopOptions>();
    CLI::App* killc = AddCommand(*parent, "kill", "Kill one or more running containers with a specific signal");
    killc->add_flag("-a,--all", ko->all, "Signal all running containers");
    killc->add_option("-s,--signal", ko->signal, "Signal to send to the container");
    killc->add_option("containers", ko->names, "CONTAINER [CONTAINER...]");
    killc->callback([&r, ko] { r.exit_code = RunKill(r.ctx, *ko); });

    auto wn = std::make_shared<std::vector<std::string>>();
    CLI::App* waitc = AddCommand(*parent, "wait", "Block on one or more containers");
    waitc->add_option("containers", *wn, "CONTAINER [CONTAINER...]");
    waitc->callback([&r, wn] { r.exit_code = RunWait(r.ctx, *wn); });

    auto lo = std::make_shared<LogsOptions>();
    CLI::App* logs = AddCommand(*parent, "logs", "Fetch the logs of one or more containers");
    logs->add_flag("-f,--follow", lo->follow, "Follow log output");
    logs->add_flag("-t,--timestamps", lo->timestamps, "Output the timestamps in the log");
    logs->add_option("containers", lo->names, "CONTAINER [CONTAINER...]");
    logs->callback([&r, lo] { r.exit_code = RunLogs(r.ctx, *lo); });

    auto ro = std::make_shared<RmOptions>();
    CLI::App* rm = AddCommand(*parent, parent == &r.root ? "rm" : "rm", "Remove one or more containers");
    rm->add_flag("-f,--force", ro->force, "Force removal of a running or unusable container");
    rm->add_flag("-a,--all", ro->all, "Remove all containers");
    rm->add_flag("-i,--ignore", ro->ignore, "Ignore errors when a specified container is missing");
    rm->add_flag("-v,--volumes", ro->volumes, "Remove anonymous volumes associated with the container");
    rm->add_option("-t,--time", ro->timeout, "Seconds to wait for stop before killing the container");
    rm->add_option("containers", ro->names, "CONTAINER [CONTAINER...]");
    rm->callback([&r, ro] { r.exit_code = RunRm(r.ctx, *ro); });

    auto eo = std::make_shared<std::pair<std::string, std::string>>();
    CLI::App* exp = AddCommand(*parent, "export", "Export a container's filesystem contents as a tar archive");
    exp->add_option("-o,--output", eo->second, "Write to a specified file (default: stdout, which must be redirected)");
    exp->add_option("container", eo->first, "CONTAINER");
    exp->callback([&r, eo] { r.exit_code = RunExport(r.ctx, eo->first, eo->second); });

    std::vector<std::string> ps_names = parent == &r.root ? std::vector<std::string>{"ps"} : std::vector<std::string>{"ps", "ls", "list"};
    for (const auto& n : ps_names) {
      auto po = std::make_shared<PsOptions>();
      CLI::App* ps = AddCommand(*parent, n, "List containers");
      ps->add_flag("-a,--all", po->all, "Show all the containers, default is only running containers");
      ps->add_flag("-q,--quiet", po->quiet, "Print the numeric IDs of the containers only");
      ps->add_flag("--no-trunc", po->no_trunc, "Display the extended information");
      ps->add_flag("-l,--latest", po->latest, "Act on the latest container podman is aware of");
      ps->add_flag("--noheading", po->noheading, "Do not print headers");
      ps->add_flag("-s,--size", po->size, "Display the total file sizes");
      ps->add_option("-n,--last", po->last, "Print the n last created containers (all states)");
      ps->add_option("--format", po->format, "Pretty-print containers to JSON or using a Go template");
      AddRepeatable(ps, "-f,--filter", po->filters, "Filter output based on conditions given");
      ps->callback([&r, po] { r.exit_code = RunPs(r.ctx, *po); });
    }
  }

  auto mon = std::make_shared<std::pair<std::string, bool>>();
  CLI::App* monitor = AddCommand(r.root, "__monitor", "");
  monitor->group("");  // hidden: kiln's own conmon
  monitor->add_option("id", mon->first)->required();
  monitor->add_flag("--rm", mon->second);
  monitor->callback([&r, mon] {
    std::string root = r.ctx.options.root.empty() ? store::DefaultRoot() : r.ctx.options.root;
    g_runroot = r.ctx.options.runroot.empty() ? store::DefaultRunRoot() : r.ctx.options.runroot;
    r.exit_code = RunMonitor(root, mon->first, mon->second);
  });

  auto force = std::make_shared<bool>(false);
  CLI::App* prune = AddCommand(*container, "prune", "Remove all non running containers");
  prune->add_flag("-f,--force", *force, "Do not prompt for confirmation.  The default is false");
  prune->callback([&r, force] { r.exit_code = RunContainerPrune(r.ctx, *force); });

  auto ex = std::make_shared<std::string>();
  CLI::App* exists = AddCommand(*container, "exists", "Check if a container exists in local storage");
  exists->add_option("container", *ex, "CONTAINER")->required();
  exists->callback([&r, ex] {
    auto st = r.ctx.Store();
    if (!st.ok()) {
      r.exit_code = Fail(st.status());
      return;
    }
    store::Containers ctrs((*st)->db());
    r.exit_code = ctrs.Lookup(*ex).ok() ? 0 : 1;
  });
}


Expected<IsolationChoice> ChooseIsolation(const std::string& isolation, const std::string& runtime_flag) {
  std::string iso = isolation.empty() ? (runtime_flag.empty() ? DefaultIsolation() : "oci") : isolation;
  if (iso == "runc" || iso == "crun" || iso == "default") iso = "oci";
  if (iso != "oci" && iso != "chroot")
    return InvalidArgument("invalid isolation \"" + iso + "\": must be oci or chroot");
  std::string runtime_name = runtime_flag;
  if (iso == "oci") {
    ASSIGN_OR_RETURN(std::string rt, runtime::FindOciRuntime(runtime_name));
    if (rt.empty()) return NotFound("no OCI runtime (runc or crun) found on PATH: use --isolation chroot");
    runtime_name = rt;
    // crun refuses cgroup v1/hybrid hosts ("cgroups in hybrid mode not supported"), even
    // with --cgroup-manager=disabled: run with runc there, as podman users are told to.
    if (rt.size() >= 4 && rt.compare(rt.size() - 4, 4, "crun") == 0 && runtime::CgroupV1OrHybrid()) {
      auto runc = runtime::FindOciRuntime("runc");
      if (runc.ok() && !runc->empty()) {
        Warn("crun does not support this host's cgroup v1/hybrid setup; using " + *runc);
        runtime_name = *runc;
      }
    }
  }
  return IsolationChoice{iso, runtime_name};
}


Expected<runtime::Network> ParseNetwork(const std::string& n) {
  if (n.empty() || n == "host") return runtime::Network::kHost;
  if (n == "none") return runtime::Network::kNone;
  if (n == "private" || n == "bridge" || n == "slirp4netns") return runtime::Network::kPrivate;
  return InvalidArgument("unable to find network with name or ID " + n + ": network not found");
}

}  // namespace kiln::cli
