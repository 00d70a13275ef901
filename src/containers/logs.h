// A container's log in podman's k8s-file format: one record a line,
// "<RFC3339Nano> stdout|stderr F|P <text>" (P: a partial line, continued by the next record).
// The process that runs a container writes it (PumpOutput, PumpTerminal); `logs` reads it.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "store/store.h"
#include "store/containers.h"
#include "util/status.h"

namespace kiln::containers {

struct LogRecord {
  std::string time;    // RFC 3339 with nanoseconds, as written
  std::string stream;  // "stdout" | "stderr"
  bool partial = false;
  std::string text;  // without the newline
};

// Parses the complete records in text (which may end in a partial line); returns how many
// bytes they take.
size_t ParseLogRecords(const std::string& text, std::vector<LogRecord>* out);

// Hands every record of a container's log to emit, in order; with follow, keeps reading
// until the container is no longer running.
Status ReadLog(store::Store& store, const store::ContainerRecord& c, bool follow,
               const std::function<void(const LogRecord&)>& emit);

// Copies a container's stdout/stderr pipes into the log (and to the tee fds when >= 0) until
// both reach end of file.
void PumpOutput(int out_r, int err_r, int log_fd, int tee_out, int tee_err);
// The -t counterpart: copies the terminal's output (podman logs it as stdout) into the log
// (when log_fd >= 0) and to tee_out when >= 0, and in_fd's bytes (when >= 0) into it, until
// every process of the container has closed it. Follows size_fd's window size when >= 0.
void PumpTerminal(int master, int in_fd, int log_fd, int tee_out, int size_fd);

}  // namespace kiln::containers
