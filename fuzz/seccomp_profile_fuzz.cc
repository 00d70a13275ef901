// libFuzzer target: a seccomp profile (containers-common's JSON, or --security-opt
// seccomp=FILE) resolved for a container, and the result's OCI form read back.
#include <cstdint>
#include <string>

#include "runtime/seccomp_profile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  for (const char* arch : {"amd64", "arm64"}) {
    kiln::runtime::SeccompHost host{arch, {"CAP_SYS_ADMIN", "CAP_CHOWN"}, 5, 10};
    auto f = kiln::runtime::ResolveSeccompProfile(text, host);
    if (f.ok()) (void)kiln::runtime::SeccompFilterFromOci(kiln::runtime::SeccompFilterToOci(*f));
  }
  return 0;
}
