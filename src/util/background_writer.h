// A Writer that hands what it is given to a thread of its own, which writes it to the inner
// writer: the caller goes on while the inner writer hashes and stores (a pull decompresses
// and extracts a layer on one thread while another hashes and writes its tar to the store).
// At most `max_pending` bytes wait in memory; Write blocks beyond that.
//
//   BackgroundWriter bg(ingest);
//   ... bg.Write(...) ...
//   RETURN_IF_ERROR(bg.Finish());   // waits for the thread; the inner writer's first error
//
// The inner writer is not closed. After the inner writer fails, Write returns its error.
// Destroying it without Finish() waits for the thread and drops the error.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "util/io.h"
#include "util/status.h"

namespace kiln {

class BackgroundWriter final : public Writer {
 public:
  explicit BackgroundWriter(Writer& inner, size_t max_pending = 8u << 20);
  ~BackgroundWriter() override;
  BackgroundWriter(const BackgroundWriter&) = delete;
  BackgroundWriter& operator=(const BackgroundWriter&) = delete;

  Status Write(const void* data, size_t n) override;
  // Waits until everything was written; returns the inner writer's status.
  Status Finish();

 private:
  void Drain();

  Writer& inner_;
  const size_t max_pending_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  size_t pending_ = 0;
  bool closing_ = false;
  Status status_;
  std::thread thread_;
};

}  // namespace kiln
