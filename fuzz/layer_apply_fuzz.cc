// libFuzzer target: applies the input as a layer tar into a fresh directory and checks
// that nothing appeared beside it. The destination lives in its own temporary parent, so
// "beside it" is that parent's listing, which must be exactly {"dest"}.
//
//   cmake -B build-fuzz -DKILN_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ && cmake --build build-fuzz
//   build-fuzz/layer_apply_fuzz -max_total_time=60 corpus/
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "store/layer_apply.h"
#include "util/fs.h"
#include "util/io.h"

namespace {

bool OnlyDestIn(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return false;
  bool only_dest = true;
  while (dirent* de = ::readdir(d)) {
    std::string name = de->d_name;
    if (name != "." && name != ".." && name != "dest") only_dest = false;
  }
  ::closedir(d);
  return only_dest;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  char tmpl[] = "/tmp/kiln-fuzz-XXXXXX";
  if (!::mkdtemp(tmpl)) std::abort();
  std::string outer = tmpl;
  std::string dest = outer + "/dest";
  if (::mkdir(dest.c_str(), 0755) != 0) std::abort();

  kiln::StringReader input(std::string(reinterpret_cast<const char*>(data), size));
  kiln::store::ApplyStats stats;
  kiln::Status st = kiln::store::ApplyLayer(input, dest, {}, &stats);
  (void)st;  // bad archives are expected; escaping the destination is not

  if (!OnlyDestIn(outer)) {
    std::fprintf(stderr, "layer wrote outside its destination: see %s\n", outer.c_str());
    std::abort();
  }
  if (!kiln::RemoveTree(outer).ok()) std::abort();
  return 0;
}
