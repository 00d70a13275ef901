#include "containers/logs.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "containers/containers.h"
#include "util/fs.h"
#include "util/io.h"
#include "util/time.h"

namespace kiln::containers {
namespace {

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

// Appends what the file holds past *offset to pending.
void ReadFrom(const std::string& path, off_t* offset, std::string& pending) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return;
  lseek(fd.get(), *offset, SEEK_SET);
  char buf[65536];
  ssize_t r;
  while ((r = read(fd.get(), buf, sizeof buf)) > 0) {
    pending.append(buf, static_cast<size_t>(r));
    *offset += r;
  }
}

void EmitComplete(std::string& pending, const std::function<void(const LogRecord&)>& emit) {
  std::vector<LogRecord> records;
  pending.erase(0, ParseLogRecords(pending, &records));
  for (const auto& r : records) emit(r);
}

}  // namespace

size_t ParseLogRecords(const std::string& text, std::vector<LogRecord>* out) {
  size_t pos = 0;
  for (;;) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) break;
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    size_t a = line.find(' '), b = a == std::string::npos ? a : line.find(' ', a + 1),
           c = b == std::string::npos ? b : line.find(' ', b + 1);
    if (c == std::string::npos) continue;
    out->push_back({line.substr(0, a), line.substr(a + 1, b - a - 1), line[b + 1] == 'P', line.substr(c + 1)});
  }
  return pos;
}

Status ReadLog(store::Store& st, const store::ContainerRecord& c, bool follow,
               const std::function<void(const LogRecord&)>& emit) {
  const std::string path = LogPath(st.root(), c.id);
  store::Containers rows(st.db());
  std::string pending;
  off_t offset = 0;
  for (;;) {
    ReadFrom(path, &offset, pending);
    EmitComplete(pending, emit);
    if (!follow) return Status::Ok();
    auto fresh = rows.Get(c.id);
    if (!fresh.ok()) return Status::Ok();
    Reconcile(rows, *fresh);
    if (fresh->state != "running") {
      // One more read for what was written before the exit was recorded.
      ReadFrom(path, &offset, pending);
      EmitComplete(pending, emit);
      return Status::Ok();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

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

}  // namespace kiln::containers
