// libFuzzer target: reads the input as an image archive's tar stream (every entry and all
// of its data), as `load` does. Hostile headers must end in an error, never a crash, a hang
// or a name that escapes ("..", absolute): every name handed out must be clean.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "archive/tar.h"
#include "util/io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kiln::StringReader in(std::string(reinterpret_cast<const char*>(data), size));
  kiln::archive::TarReader tar(in);
  char buf[4096];
  for (int entries = 0; entries < 10000; ++entries) {
    auto next = tar.Next();
    if (!next.ok() || !next->has_value()) break;
    const std::string& name = (*next)->name;
    if (!name.empty() && (name[0] == '/' || name == ".." || name.rfind("../", 0) == 0)) std::abort();
    for (;;) {
      auto n = tar.Read(buf, sizeof buf);
      if (!n.ok() || *n == 0) break;
    }
  }
  return 0;
}
