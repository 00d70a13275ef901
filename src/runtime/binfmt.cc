#include "runtime/binfmt.h"

#include <unistd.h>

#include <sstream>

#include "util/fs.h"

namespace kiln::runtime {
namespace {

// The handler's "flags: OCF" line, "" when it has none.
std::string HandlerFlags(const std::string& text) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("flags:", 0) == 0) return line.substr(6);
  return "";
}

}  // namespace

std::string QemuArch(std::string_view goarch) {
  const std::string arch = image::NormalizeArch(goarch);
  if (arch == "amd64") return "x86_64";
  if (arch == "arm64") return "aarch64";
  if (arch == "386") return "i386";
  if (arch == "mips64le") return "mips64el";
  if (arch == "mipsle") return "mipsel";
  if (arch == "loong64") return "loongarch64";
  return arch;  // arm, ppc64le, ppc64, s390x, riscv64, mips, mips64 are qemu's names too
}

bool NeedsEmulator(const image::Platform& target, const image::Platform& host) {
  return !target.architecture.empty() &&
         image::NormalizeArch(target.architecture) != image::NormalizeArch(host.architecture);
}

Status CheckEmulator(const image::Platform& target, const std::string& binfmt_dir) {
  const std::string handler = "qemu-" + QemuArch(target.architecture);
  const std::string fix = ": install qemu-user-static (Debian registers " + handler +
                          " from /usr/lib/binfmt.d/" + handler + ".conf) with binfmt_misc mounted at " + binfmt_dir;
  const std::string what = "running " + target.String() + " programs needs an emulator";
  if (::access((binfmt_dir + "/register").c_str(), F_OK) != 0)
    return Unsupported(what + ", and binfmt_misc is not mounted" + fix);
  auto status = ReadFile(binfmt_dir + "/status");
  if (status.ok() && status->rfind("disabled", 0) == 0)
    return Unsupported(what + ", and binfmt_misc is disabled (" + binfmt_dir + "/status)" + fix);
  auto text = ReadFile(binfmt_dir + "/" + handler);
  if (!text.ok()) return Unsupported(what + ", and no " + handler + " handler is registered" + fix);
  if (text->rfind("enabled", 0) != 0)
    return Unsupported(what + ", and the " + handler + " handler is disabled" + fix);
  if (HandlerFlags(*text).find('F') == std::string::npos)
    return Unsupported(what + ", and the " + handler +
                              " handler lacks the F flag, so its emulator cannot be found inside a container" + fix);
  return Status::Ok();
}

}  // namespace kiln::runtime
