// libFuzzer target: image references as users and registries.conf aliases type them,
// through every parser the commands use. A reference that parses must print (String())
// as something that parses back to the same reference.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "image/reference.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  namespace img = kiln::image;
  if (auto r = img::Parse(in); r.ok()) {
    auto again = img::Parse(r->String());
    if (!again.ok() || again->String() != r->String()) std::abort();
  }
  if (auto r = img::ParseDockerRef(in); r.ok()) {
    auto again = img::ParseDockerRef(r->String());
    if (!again.ok() || !(*again == *r)) std::abort();
  }
  (void)img::ParseNormalizedPull(in);
  (void)img::IsShortName(in);
  (void)img::ParseTagTarget(in);
  (void)img::ParseUntagTarget(in);
  (void)img::ValidateBuildTag(in);
  img::ShortNameConfig conf;
  conf.aliases = {{"busybox", "docker.io/library/busybox"}};
  conf.unqualified_search_registries = {"quay.io", "docker.io"};
  if (auto q = img::ParseQuery(in, conf); q.ok()) {
    (void)img::NameMatches("quay.io/example/demo:v2", *q);
    (void)q->NotKnown();
  }
  // The first line as a glob pattern, the rest as a stored name.
  auto nl = in.find('\n');
  if (nl != std::string_view::npos) {
    (void)img::GlobMatch(in.substr(0, nl), in.substr(nl + 1));
    (void)img::MatchesImagesFilter(in.substr(nl + 1), in.substr(0, nl));
  }
  return 0;
}
