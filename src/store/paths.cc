#include "store/paths.h"

#include <unistd.h>

#include <cstdlib>

namespace kiln::store {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

}  // namespace

std::string DefaultRoot() {
  if (auto root = Env("KILN_ROOT"); !root.empty()) return root;
  if (::geteuid() == 0) return "/var/lib/kiln";
  if (auto xdg = Env("XDG_DATA_HOME"); !xdg.empty()) return xdg + "/kiln";
  return Env("HOME") + "/.local/share/kiln";
}

std::string DefaultRunRoot() {
  if (::geteuid() == 0) return "/run/kiln";
  if (auto xdg = Env("XDG_RUNTIME_DIR"); !xdg.empty()) return xdg + "/kiln";
  return "/tmp/kiln-" + std::to_string(::geteuid());
}

}  // namespace kiln::store
