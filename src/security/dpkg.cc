// dpkg: /var/lib/dpkg/status (Debian, Ubuntu), and /var/lib/dpkg/status.d/ with one
// paragraph per file (distroless). Owned files from info/NAME[:ARCH].list (or .md5sums),
// licenses from the machine-readable /usr/share/doc/NAME/copyright.
#include <algorithm>

#include "security/catalog.h"
#include "security/control.h"
#include "util/fs.h"

namespace kiln::security {
namespace {

constexpr char kStatus[] = "/var/lib/dpkg/status";
constexpr char kStatusDir[] = "/var/lib/dpkg/status.d";
constexpr char kInfoDir[] = "/var/lib/dpkg/info";

// "install ok installed" and the other states in which the package's files are on disk;
// not "config-files" or "not-installed".
bool IsInstalled(const std::string& status) {
  std::string state = status.substr(status.rfind(' ') + 1);
  return state == "installed" || state == "half-configured" || state == "unpacked" || state == "half-installed" ||
         state == "triggers-awaited" || state == "triggers-pending";
}

Package FromParagraph(const ControlParagraph& p, const std::string& location) {
  Package pkg;
  pkg.type = kTypeDeb;
  pkg.name = p.Get("Package");
  pkg.version = p.Get("Version");
  pkg.arch = p.Get("Architecture");
  pkg.location = location;
  // "Source: bash (5.2.15-2)": the source package and, when it differs, its version.
  std::string source = p.Get("Source");
  size_t paren = source.find(" (");
  if (paren != std::string::npos) {
    pkg.source_version = source.substr(paren + 2, source.find(')', paren) - paren - 2);
    source.resize(paren);
  }
  pkg.source_name = source;
  return pkg;
}

Expected<std::vector<Package>> ParseStatusFile(const std::string& host_path, const std::string& location,
                                               bool require_status) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(host_path));
  std::vector<Package> out;
  for (const auto& p : ParseControl(text)) {
    if (!p.Has("Package") || !p.Has("Version")) continue;
    // status.d/ entries (distroless) carry no Status field: being there means installed.
    if ((require_status || p.Has("Status")) && !IsInstalled(p.Get("Status"))) continue;
    out.push_back(FromParagraph(p, location));
  }
  return out;
}

std::vector<std::string> ReadLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    if (eol > pos) lines.push_back(text.substr(pos, eol - pos));
    pos = eol + 1;
  }
  return lines;
}

// The files dpkg lists for the package: info/NAME:ARCH.list or info/NAME.list; failing
// those, the paths of an md5sums file (which lists regular files only, without '/').
std::vector<std::string> OwnedFiles(const LayeredFs& fs, const Package& p) {
  for (const std::string& base : {p.name + ":" + p.arch, p.name}) {
    auto list = fs.ReadFile(std::string(kInfoDir) + "/" + base + ".list");
    if (list.ok() && *list) {
      auto lines = ReadLines(**list);
      lines.erase(std::remove(lines.begin(), lines.end(), "/."), lines.end());
      return lines;
    }
  }
  for (const std::string& md5 : {std::string(kInfoDir) + "/" + p.name + ":" + p.arch + ".md5sums",
                                 std::string(kInfoDir) + "/" + p.name + ".md5sums",
                                 std::string(kStatusDir) + "/" + p.name + ".md5sums"}) {
    auto sums = fs.ReadFile(md5);
    if (!sums.ok() || !*sums) continue;
    std::vector<std::string> files;
    for (const auto& line : ReadLines(**sums)) {
      size_t sep = line.find("  ");
      if (sep != std::string::npos) files.push_back("/" + line.substr(sep + 2));
    }
    return files;
  }
  return {};
}

std::vector<std::string> Licenses(const LayeredFs& fs, const Package& p) {
  auto text = fs.ReadFile("/usr/share/doc/" + p.name + "/copyright");
  if (!text.ok() || !*text) return {};
  return CopyrightLicenses(**text);
}

}  // namespace

Status CatalogDpkg(const LayeredFs& fs, std::vector<Package>& out) {
  std::vector<Package> found;
  ASSIGN_OR_RETURN(found, ReadDatabaseWithOrigins(fs, kStatus, [](const std::string& host) {
                     return ParseStatusFile(host, kStatus, true);
                   }));
  for (const auto& name : fs.ListDir(kStatusDir)) {
    if (name.find(".md5sums") != std::string::npos) continue;
    const std::string path = std::string(kStatusDir) + "/" + name;
    ASSIGN_OR_RETURN(auto entries, ReadDatabaseWithOrigins(fs, path, [&path](const std::string& host) {
                       return ParseStatusFile(host, path, false);
                     }));
    found.insert(found.end(), entries.begin(), entries.end());
  }
  for (auto& p : found) {
    p.files = OwnedFiles(fs, p);
    p.licenses = Licenses(fs, p);
    out.push_back(std::move(p));
  }
  return Status::Ok();
}

}  // namespace kiln::security
