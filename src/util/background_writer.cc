#include "util/background_writer.h"

namespace kiln {

BackgroundWriter::BackgroundWriter(Writer& inner, size_t max_pending)
    : inner_(inner), max_pending_(max_pending), thread_([this] { Drain(); }) {}

BackgroundWriter::~BackgroundWriter() { (void)Finish(); }

Status BackgroundWriter::Write(const void* data, size_t n) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return !status_.ok() || pending_ == 0 || pending_ + n <= max_pending_; });
  if (!status_.ok()) return status_;
  queue_.emplace_back(static_cast<const char*>(data), n);
  pending_ += n;
  cv_.notify_all();
  return Status::Ok();
}

Status BackgroundWriter::Finish() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closing_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  return status_;
}

void BackgroundWriter::Drain() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return closing_ || !queue_.empty(); });
    if (queue_.empty()) return;  // closing, and all written
    std::string chunk = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    Status st = status_.ok() ? inner_.Write(chunk.data(), chunk.size()) : Status::Ok();
    lock.lock();
    pending_ -= chunk.size();
    if (!st.ok() && status_.ok()) status_ = st;
    cv_.notify_all();
  }
}

}  // namespace kiln
