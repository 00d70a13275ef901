// libFuzzer target: a Java archive as an image hands it to `image sbom` — any bytes read as a
// .jar (zip), with its pom.properties, MANIFEST.MF and nested archives, and every version
// it yields compared in Maven's order against a few real ones.
#include <cstdint>
#include <string_view>

#include "security/catalog.h"
#include "security/version.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kiln::security;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  for (const auto& p : JavaArchivePackagesInMemory(in, "/fuzz.jar")) {
    for (const char* v : {"0", "1.0", "2.0-beta9", "2.9.10.1", "1.0.0.Final"}) (void)CompareMaven(p.version, v);
    (void)AdvisoryName(p);
  }
  // The input as a version string too.
  (void)CompareMaven(in, "1.0-SNAPSHOT");
  return 0;
}
