// libFuzzer target: auth.json / ~/.docker/config.json / ~/.dockercfg text, looked up as
// every pull and push does (base64 "user:password" entries under most-specific keys).
#include <cstdint>
#include <string_view>

#include "registry/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (bool legacy : {false, true}) {
    (void)kiln::registry::LookupCredentials(text, "/fuzz/auth.json", legacy, "docker.io", "library/busybox");
    (void)kiln::registry::LookupCredentials(text, "/fuzz/auth.json", legacy, "localhost:5000", "a/b/c");
  }
  return 0;
}
