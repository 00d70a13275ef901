#include "store/paths.h"

#include <cstdlib>

#include "util/rootless.h"

namespace kiln::store {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

}  // namespace

std::string DefaultRoot() {
  if (auto root = Env("KILN_ROOT"); !root.empty()) return root;
  if (!Rootless()) return "/var/lib/kiln";
  if (auto xdg = Env("XDG_DATA_HOME"); !xdg.empty()) return xdg + "/kiln";
  return Env("HOME") + "/.local/share/kiln";
}

std::string DefaultRunRoot() {
  if (!Rootless()) return "/run/kiln";
  // Without $XDG_RUNTIME_DIR the fallback directory is kiln's own already.
  if (auto xdg = Env("XDG_RUNTIME_DIR"); !xdg.empty()) return xdg + "/kiln";
  return RootlessRuntimeDir();
}

}  // namespace kiln::store
