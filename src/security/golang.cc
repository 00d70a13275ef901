// Go binaries: the module build information the linker embeds in the .go.buildinfo ELF
// section (what `go version -m` prints), Go 1.18 and later (inline, length-prefixed strings).
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <memory>

#include "security/catalog.h"

namespace kiln::security {
namespace {

constexpr std::string_view kMagic = "\xff Go buildinf:";

uint64_t Le(const std::string& b, size_t off, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= uint64_t(static_cast<unsigned char>(b[off + i])) << (8 * i);
  return v;
}

bool ReadAt(int fd, uint64_t off, size_t n, std::string& out) {
  if (n > (64u << 20)) return false;
  out.resize(n);
  return ::pread(fd, out.data(), n, static_cast<off_t>(off)) == static_cast<ssize_t>(n);
}

// The bytes of the .go.buildinfo section of a 64-bit little-endian ELF file; "" when none.
std::string BuildInfoSection(int fd) {
  std::string eh, sh, names;
  if (!ReadAt(fd, 0, 64, eh) || eh.compare(0, 4, "\x7f" "ELF") != 0 || eh[4] != 2 || eh[5] != 1) return "";
  const uint64_t shoff = Le(eh, 0x28, 8), shentsize = Le(eh, 0x3a, 2), shnum = Le(eh, 0x3c, 2), shstrndx = Le(eh, 0x3e, 2);
  if (shentsize != 64 || shnum == 0 || shstrndx >= shnum || !ReadAt(fd, shoff, shnum * 64, sh)) return "";
  if (!ReadAt(fd, Le(sh, shstrndx * 64 + 0x18, 8), Le(sh, shstrndx * 64 + 0x20, 8), names)) return "";
  for (uint64_t i = 0; i < shnum; ++i) {
    const uint64_t name = Le(sh, i * 64, 4);
    if (name >= names.size() || std::strcmp(names.c_str() + name, ".go.buildinfo") != 0) continue;
    std::string section;
    return ReadAt(fd, Le(sh, i * 64 + 0x18, 8), Le(sh, i * 64 + 0x20, 8), section) ? section : "";
  }
  return "";
}

// A uvarint-length-prefixed string at *pos.
std::optional<std::string> VarString(const std::string& b, size_t* pos) {
  uint64_t n = 0;
  for (int shift = 0; *pos < b.size() && shift < 64; shift += 7) {
    unsigned char c = static_cast<unsigned char>(b[(*pos)++]);
    n |= uint64_t(c & 0x7f) << shift;
    if (!(c & 0x80)) {
      if (n > b.size() - *pos) return std::nullopt;
      std::string s = b.substr(*pos, n);
      *pos += n;
      return s;
    }
  }
  return std::nullopt;
}

Package GoModule(const std::string& path, const std::string& version, const std::string& location) {
  Package p;
  p.type = kTypeGo;
  p.name = path;
  p.version = version;
  p.location = location;
  size_t slash = path.rfind('/');
  if (slash != std::string::npos) p.namespace_ = path.substr(0, slash);
  return p;
}

}  // namespace

std::vector<Package> ParseGoBuildInfo(const std::string& section, const std::string& location) {
  std::vector<Package> out;
  if (section.size() < 32 || section.compare(0, kMagic.size(), kMagic) != 0 || !(section[15] & 2)) return out;
  size_t pos = 32;
  auto go_version = VarString(section, &pos);
  auto modinfo = VarString(section, &pos);
  if (!go_version || !modinfo) return out;
  if (go_version->rfind("go", 0) == 0) out.push_back(GoModule("stdlib", go_version->substr(2), location));
  std::string mi = *modinfo;
  if (mi.size() >= 33 && mi[mi.size() - 17] == '\n') mi = mi.substr(16, mi.size() - 32);  // the sentinels
  size_t start = 0;
  while (start < mi.size()) {
    size_t eol = mi.find('\n', start);
    if (eol == std::string::npos) eol = mi.size();
    std::vector<std::string> f;
    for (size_t a = start; a <= eol;) {
      size_t tab = std::min(mi.find('\t', a), eol);
      f.push_back(mi.substr(a, tab - a));
      a = tab + 1;
    }
    start = eol + 1;
    if (f.size() < 3) continue;
    if (f[0] == "=>" && !out.empty() && out.back().name != "stdlib") out.back() = GoModule(f[1], f[2], location);
    else if ((f[0] == "mod" && f[2] != "(devel)") || f[0] == "dep") out.push_back(GoModule(f[1], f[2], location));
  }
  return out;
}

std::vector<Package> GoBinaryPackages(const std::string& host_path, const std::string& location) {
  int fd = ::open(host_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return {};
  std::string section = BuildInfoSection(fd);
  ::close(fd);
  return section.empty() ? std::vector<Package>{} : ParseGoBuildInfo(section, location);
}

}  // namespace kiln::security
