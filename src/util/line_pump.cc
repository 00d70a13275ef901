#include "util/line_pump.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace kiln {

Expected<std::unique_ptr<LinePump>> LinePump::Start(FILE* to, std::string prefix, std::mutex& mu) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return ErrnoError("pipe", errno);
  std::unique_ptr<LinePump> p(new LinePump(to, std::move(prefix), mu));
  p->writer_ = ::fdopen(fds[1], "w");
  if (!p->writer_) {
    int err = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    return ErrnoError("fdopen", err);
  }
  ::setvbuf(p->writer_, nullptr, _IOLBF, 0);
  int read_fd = fds[0];
  p->thread_ = std::thread([raw = p.get(), read_fd] { raw->Run(read_fd); });
  return p;
}

LinePump::~LinePump() { Finish(); }

void LinePump::Finish() {
  if (writer_) {
    std::fclose(writer_);
    writer_ = nullptr;
  }
  if (thread_.joinable()) thread_.join();
}

void LinePump::Emit(std::string_view line) {
  std::string out = prefix_;
  out.append(line);
  out.push_back('\n');
  std::lock_guard<std::mutex> lock(mu_);
  std::fwrite(out.data(), 1, out.size(), to_);
  std::fflush(to_);
}

void LinePump::Run(int read_fd) {
  std::string pending;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(read_fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    pending.append(buf, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1)
      Emit(std::string_view(pending).substr(start, nl - start));
    pending.erase(0, start);
  }
  if (!pending.empty()) Emit(pending);
  ::close(read_fd);
}

}  // namespace kiln
