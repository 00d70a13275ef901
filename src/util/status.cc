#include "util/status.h"

#include <cstring>

namespace kiln {

std::string GoErrnoText(int err) {
  std::string text = std::strerror(err);
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') text[0] = static_cast<char>(text[0] - 'A' + 'a');
  return text;
}

Status ErrnoError(const std::string& what, int err) {
  Code code = err == ENOENT ? Code::kNotFound : Code::kIo;
  return Status(code, what + ": " + GoErrnoText(err));
}

}  // namespace kiln
