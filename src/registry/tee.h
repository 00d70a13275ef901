// Internal to pull and push: one download or compressed stream going to the store and,
// through a pipe, to a thread that consumes it at the same time; and the cap on what a
// registry may send.
#pragma once

#include <cstdint>
#include <string>

#include "util/io.h"
#include "util/status.h"

namespace kiln::registry {

// Writes everything to `first` (its errors are this writer's) and copies it to `second`
// for as long as `second` accepts it: a consumer that went away (the far end of a pipe
// closed after an error) only ends the copy, the first destination still gets it all.
// Close() closes neither.
class TeeWriter final : public Writer {
 public:
  TeeWriter(Writer& first, Writer& second) : first_(first), second_(second) {}
  Status Write(const void* data, size_t n) override {
    RETURN_IF_ERROR(first_.Write(data, n));
    if (second_ok_) second_ok_ = second_.Write(data, n).ok();
    return Status::Ok();
  }
  Status Close() override { return Status::Ok(); }

 private:
  Writer& first_;
  Writer& second_;
  bool second_ok_ = true;
};

// Passes bytes on to inner until more than `limit` would have been written, then fails
// with kInvalidArgument "<what> is larger than <limit> bytes": a peer sending more than it
// announced is stopped at once instead of filling memory or the disk.
class CappedWriter final : public Writer {
 public:
  CappedWriter(Writer& inner, uint64_t limit, std::string what)
      : inner_(inner), limit_(limit), what_(std::move(what)) {}
  Status Write(const void* data, size_t n) override {
    if (n > limit_ - written_)
      return Status(Code::kInvalidArgument, what_ + " is larger than " + std::to_string(limit_) + " bytes");
    written_ += n;
    return inner_.Write(data, n);
  }
  Status Close() override { return inner_.Close(); }

 private:
  Writer& inner_;
  uint64_t limit_;
  uint64_t written_ = 0;
  std::string what_;
};

}  // namespace kiln::registry
