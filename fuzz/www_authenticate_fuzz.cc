// libFuzzer target: a registry's WWW-Authenticate header (`Bearer realm="…",service="…"`),
// and the base64 that Basic credentials and auth.json entries use.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "registry/client.h"
#include "registry/curl.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  kiln::registry::Challenge c = kiln::registry::ParseChallenge(in);
  for (const auto& [k, v] : c.params)
    if (k.size() > size || v.size() > size) std::abort();
  if (auto decoded = kiln::registry::Base64Decode(in); decoded.ok()) {
    // Whatever decodes must encode back to something that decodes to the same bytes.
    auto again = kiln::registry::Base64Decode(kiln::registry::Base64Encode(*decoded));
    if (!again.ok() || *again != *decoded) std::abort();
  }
  (void)kiln::registry::UrlEscape(in);
  return 0;
}
