// Running a container and recording how it ended, conmon's part: the process that waits for
// a container writes its log and its exit status. In the foreground that is the calling
// kiln; for -d (and `start` without -a) a small detached monitor, a fresh exec of kiln.
#pragma once

#include <termios.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "runtime/runtime.h"
#include "store/containers.h"
#include "store/store.h"
#include "util/status.h"

namespace kiln::containers {

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

struct RunResult {
  int exit_code = 0;
  std::string error;  // printed as "Error: …" when set
};

// Runs a container in this process and waits for it, forwarding kiln's signals to it. The
// store is closed (its GC lock released) before the wait, so that a long-running container
// never holds up garbage collection. tee_logs: the output goes to the log as well as to
// kiln's stdout/stderr. remove (--rm): the row and files go when it ends.
RunResult RunForeground(std::unique_ptr<store::Store> store, const store::ContainerRecord& c,
                        const runtime::ContainerSpec& spec, bool interactive, bool tee_logs, bool remove);

// Starts a container under a detached monitor (setsid, reparented to init; a fresh exec of
// kiln as `kiln --root R --runroot RR __monitor ID [--rm]`, so that no SQLite or lock state
// crosses the fork). Returns once the container runs, or with the reason it did not start.
Status StartDetached(store::Store& store, const store::ContainerRecord& c, const runtime::ContainerSpec& spec,
                     bool remove);
// The monitor's body (the hidden __monitor command), with the ready pipe as fd 3: starts the
// container from the spec StartDetached left, says "ok" (closes fd 3) or the error, keeps the
// log and records the exit status. Returns the process's exit code.
int RunMonitor(const std::string& root, const std::string& runroot, const std::string& id, bool remove);

// podman's exit code for a container that did not start: 127 command not found,
// 126 not executable, else 125.
int ExitCodeFromStartError(const std::string& message);

}  // namespace kiln::containers
