#include "util/status.h"

#include <cstring>

namespace kiln {

Status ErrnoError(const std::string& what, int err) {
  Code code = err == ENOENT ? Code::kNotFound : Code::kIo;
  return Status(code, what + ": " + std::strerror(err));
}

}  // namespace kiln
