// libFuzzer target: registries.conf (TOML) as pull reads it — parsed into the
// configuration, then a few references resolved through prefixes, mirrors and aliases.
// Hostile files must end in an error, never a crash or a hang.
#include <cstdint>
#include <string>

#include "image/reference.h"
#include "registry/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  kiln::registry::RegistriesConf conf;
  if (!kiln::registry::MergeRegistriesConf(conf, text, "/fuzz/registries.conf").ok()) return 0;
  for (const char* name : {"docker.io/library/busybox:latest", "quay.io/a/b@sha256:"
                                                                "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                           "localhost:5000/x/y:1", "example.com/ns/app:v2"}) {
    auto ref = kiln::image::ParseDockerRef(name);
    if (!ref.ok()) continue;
    (void)conf.Find(ref->Repository());
    (void)kiln::registry::PullSources(conf, *ref);
  }
  for (const auto& [alias, target] : conf.short_names.aliases) (void)kiln::image::ParseQuery(alias, conf.short_names);
  return 0;
}
