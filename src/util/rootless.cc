#include "util/rootless.h"

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>

namespace kiln {
namespace {

// The ID recorded when the namespace was entered, or -1.
long RecordedId(const char* env) {
  const char* v = std::getenv(env);
  if (!v || !*v) return -1;
  char* end = nullptr;
  long id = std::strtol(v, &end, 10);
  return end && *end == '\0' && id >= 0 ? id : -1;
}

}  // namespace

bool Rootless() { return ::geteuid() != 0 || RecordedId(kRootlessUidEnv) >= 0; }

uid_t CallerUid() {
  long id = RecordedId(kRootlessUidEnv);
  return id >= 0 ? static_cast<uid_t>(id) : ::getuid();
}

gid_t CallerGid() {
  long id = RecordedId(kRootlessGidEnv);
  return id >= 0 ? static_cast<gid_t>(id) : ::getgid();
}

bool SingleIdUserNamespace() {
  std::ifstream in("/proc/self/uid_map");
  uint64_t inside, outside, count, total = 0;
  while (in >> inside >> outside >> count) total += count;
  return total == 1;
}

std::string RootlessRuntimeDir() {
  const char* v = std::getenv("XDG_RUNTIME_DIR");
  if (v && *v) return v;
  return "/tmp/kiln-" + std::to_string(CallerUid());
}

}  // namespace kiln
