// libFuzzer target: the image JSON a registry or an archive hands kiln — a manifest, an
// image index / manifest list, an image config — parsed as pull and load parse them, with
// every accessor the store calls afterwards. A parsed manifest must survive a round trip
// through Serialize (what push and save write back).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "image/config.h"
#include "image/index.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto m = kiln::image::ParseManifest(in); m.ok()) {
    std::string out = m->Serialize();
    auto again = kiln::image::ParseManifest(out);
    if (!again.ok() || again->Serialize() != out) std::abort();
  }
  if (auto idx = kiln::image::ParseIndex(in); idx.ok()) {
    for (const auto& e : idx->manifests)
      if (e.size < 0 || e.digest.empty()) std::abort();
    auto again = kiln::image::ParseIndex(kiln::image::SerializeOciIndex(*idx));
    if (!again.ok() || kiln::image::SerializeOciIndex(*again) != kiln::image::SerializeOciIndex(*idx)) std::abort();
  }
  if (auto c = kiln::image::ParseConfig(in); c.ok()) {
    (void)c->Created();
    auto diffs = c->DiffIds();
    (void)kiln::image::ChainIds(diffs);
    for (const auto& h : c->History()) (void)kiln::image::HistoryToJson(h);
    (void)c->RuntimeConfig();
    (void)c->Architecture();
    (void)c->Os();
    (void)c->Author();
    (void)c->Serialize();
  }
  return 0;
}
