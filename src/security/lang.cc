// Language packages found by walking the image's final view once: Python distributions
// (*.dist-info/METADATA, *.egg-info/PKG-INFO), npm packages (node_modules/**/package.json),
// the modules built into Go executables and the Maven artifacts in Java archives.
#include <nlohmann/json.hpp>

#include "security/catalog.h"
#include "util/fs.h"

namespace kiln::security {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The directories a walk never needs: kernel filesystems and the package managers' own data.
bool Enter(const std::string& dir) {
  return dir != "/proc" && dir != "/sys" && dir != "/dev" && dir != "/var/lib/dpkg" && dir != "/var/cache" &&
         dir != "/usr/share/doc" && dir != "/usr/share/man" && dir != "/usr/share/locale";
}

// "/usr/lib/node_modules/@scope/name/package.json" -> true; nested node_modules count too.
bool IsNpmManifest(const std::string& path) {
  if (!EndsWith(path, "/package.json")) return false;
  const std::string dir = path.substr(0, path.size() - 13);
  size_t nm = dir.rfind("/node_modules/");
  if (nm == std::string::npos) return false;
  std::string rest = dir.substr(nm + 14);  // "name" or "@scope/name"
  size_t slash = rest.find('/');
  return rest[0] == '@' ? slash != std::string::npos && rest.find('/', slash + 1) == std::string::npos
                        : slash == std::string::npos;
}

std::optional<Package> NpmPackage(const std::string& text, const std::string& path) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("name") || !j["name"].is_string() || !j.contains("version") || !j["version"].is_string())
    return std::nullopt;
  Package p;
  p.type = kTypeNpm;
  std::string name = j["name"].get<std::string>();
  size_t slash = name.find('/');
  if (name[0] == '@' && slash != std::string::npos) p.namespace_ = name.substr(0, slash);
  p.name = name;  // advisories name scoped packages in full ("@scope/name")
  p.version = j["version"].get<std::string>();
  if (j.contains("license") && j["license"].is_string()) p.licenses = {j["license"].get<std::string>()};
  p.location = path;
  return p;
}

// The RFC 822 header of a Python distribution's METADATA or PKG-INFO.
std::optional<Package> PythonPackage(const std::string& text, const std::string& path) {
  Package p;
  p.type = kTypePython;
  p.location = path;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::string line = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (line.empty() || line == "\r") break;  // the body (the description) follows
    size_t colon = line.find(": ");
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, colon), value = line.substr(colon + 2);
    if (key == "Name") p.name = value;
    else if (key == "Version") p.version = value;
    else if ((key == "License-Expression" || key == "License") && p.licenses.empty() && value != "UNKNOWN") p.licenses = {value};
  }
  if (p.name.empty() || p.version.empty()) return std::nullopt;
  return p;
}

}  // namespace

Status CatalogLanguagePackages(const LayeredFs& fs, std::vector<Package>& out) {
  Status status = Status::Ok();
  fs.Walk(Enter, [&](const std::string& path, const LayeredFs::Entry& e) {
    if (!status.ok() || !S_ISREG(e.st.st_mode)) return;
    if (IsJavaArchive(path)) {
      for (auto& p : JavaArchivePackages(e.host_path, path)) out.push_back(std::move(p)), out.back().layer = e.layer;
      return;
    }
    if ((e.st.st_mode & 0111) && e.st.st_size > 64) {  // a Go binary's build information
      for (auto& p : GoBinaryPackages(e.host_path, path)) out.push_back(std::move(p)), out.back().layer = e.layer;
      return;
    }
    const bool python = EndsWith(path, ".dist-info/METADATA") || EndsWith(path, ".egg-info/PKG-INFO");
    if (!python && !IsNpmManifest(path)) return;
    auto text = ReadFile(e.host_path);
    if (!text.ok()) {
      status = text.status();
      return;
    }
    auto p = python ? PythonPackage(*text, path) : NpmPackage(*text, path);
    if (!p) return;
    p->layer = e.layer;
    out.push_back(std::move(*p));
  });
  return status;
}

}  // namespace kiln::security
