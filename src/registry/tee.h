// Internal to pull and push: one download or compressed stream going to the store and,
// through a pipe, to a thread that consumes it at the same time.
#pragma once

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

}  // namespace kiln::registry
