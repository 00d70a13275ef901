// libFuzzer target: what an image and an advisory database hand `image sbom` and `image scan`
// — deb822 paragraphs (dpkg's status, status.d/, copyright files) and OSV advisory JSON —
// parsed as the scanner parses them, then matched against packages made from the paragraphs
// in every ecosystem, so that each version comparator sees hostile versions and ranges.
#include <cstdint>
#include <string>
#include <string_view>

#include "security/control.h"
#include "security/osv.h"
#include "security/package.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kiln::security;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  Sbom sbom;
  for (const auto& p : ParseControl(in)) {
    for (const char* type : {kTypeDeb, kTypeApk, kTypeRpm, kTypePython, kTypeNpm, kTypeGo, kTypeMaven}) {
      Package pkg;
      pkg.name = p.Get("Package");
      pkg.version = p.Get("Version");
      pkg.source_name = p.Get("Source");
      pkg.type = type;
      sbom.packages.push_back(pkg);
    }
  }
  (void)CopyrightLicenses(in);
  OsvDatabase db;
  if (db.Add(in, "fuzz.json").ok()) {
    // The advisory's own names and versions as packages too, so that ranges meet versions.
    Package p;
    p.name = "x";
    p.version = "1.0";
    for (const char* type : {kTypeDeb, kTypeApk, kTypeRpm, kTypePython, kTypeNpm, kTypeGo, kTypeMaven}) {
      p.type = type;
      sbom.packages.push_back(p);
    }
    (void)db.Match(sbom);
  }
  return 0;
}
