// A pipe whose writes come out on another stream as whole lines, each after a prefix: what
// several builds running at once print (their own lines and their RUN programs' output)
// stays readable, as podman's "[linux/arm64] …" lines. Pumps that share a mutex never mix
// their lines.
#pragma once

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "util/status.h"

namespace kiln {

class LinePump {
 public:
  // Starts the copying thread. The pipe is close-on-exec; a child gets it by dup2.
  static Expected<std::unique_ptr<LinePump>> Start(FILE* to, std::string prefix, std::mutex& mu);
  ~LinePump();
  LinePump(const LinePump&) = delete;
  LinePump& operator=(const LinePump&) = delete;

  // The write end.
  FILE* file() const { return writer_; }
  // Closes the write end and waits until everything written has come out (a last line
  // without a newline gets one).
  void Finish();

 private:
  LinePump(FILE* to, std::string prefix, std::mutex& mu) : to_(to), prefix_(std::move(prefix)), mu_(mu) {}
  void Run(int read_fd);
  void Emit(std::string_view line);

  FILE* to_;
  std::string prefix_;
  std::mutex& mu_;
  FILE* writer_ = nullptr;
  std::thread thread_;
};

}  // namespace kiln
