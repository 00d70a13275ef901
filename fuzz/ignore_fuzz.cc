// libFuzzer target: any bytes as an ignore file, then the matcher asked about paths taken
// from the input itself. Must neither crash nor hang.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "containerfile/ignore.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto m = kiln::build::IgnoreMatcher::Parse(text);
  size_t nl = text.find('\n');
  std::string_view first = text.substr(0, nl);
  std::string_view rest = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  (void)kiln::build::GlobMatch(first, rest.substr(0, 256));
  if (!m.ok()) return 0;
  std::string paths[] = {"a", "a/b/c", std::string(text.substr(0, 64)), std::string(text.substr(size / 2)),
                         std::string(first)};
  for (const std::string& p : paths) {
    (void)m->Excluded(p);
    (void)m->MayReincludeBelow(p);
  }
  return 0;
}
