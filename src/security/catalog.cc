#include "security/catalog.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "security/control.h"
#include "security/purl.h"

namespace kiln::security {
namespace {

std::string Unquote(std::string v) {
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) v = v.substr(1, v.size() - 2);
  return v;
}

std::string PackageKey(const Package& p) { return p.type + "\n" + p.name + "\n" + p.arch; }

// True when the package's files were there in the layer that added it and a later layer
// deleted every one of them. Only asked when some later layer deletes anything.
bool FilesDeletedLater(const LayeredFs& fs, const Package& p) {
  bool had_file = false;
  for (const auto& f : p.files) {
    auto then = fs.Lookup(f, p.layer);
    if (!then || S_ISDIR(then->st.st_mode)) continue;
    had_file = true;
    if (fs.Lookup(f)) return false;
  }
  return had_file;
}

bool AnyLaterLayerDeletes(const LayeredFs& fs, size_t layer) {
  for (size_t i = layer + 1; i < fs.size(); ++i)
    if (fs.LayerDeletes(i)) return true;
  return false;
}

}  // namespace

OsRelease ReadOsRelease(const LayeredFs& fs) {
  OsRelease os;
  for (const char* path : {"/etc/os-release", "/usr/lib/os-release"}) {
    auto text = fs.ReadFile(path);
    if (!text.ok() || !*text) continue;
    size_t pos = 0;
    const std::string& s = **text;
    while (pos < s.size()) {
      size_t eol = s.find('\n', pos);
      if (eol == std::string::npos) eol = s.size();
      std::string line = s.substr(pos, eol - pos);
      pos = eol + 1;
      size_t eq = line.find('=');
      if (eq == std::string::npos || line[0] == '#') continue;
      std::string key = line.substr(0, eq), value = Unquote(line.substr(eq + 1));
      if (key == "ID") os.id = value;
      else if (key == "VERSION_ID") os.version_id = value;
      else if (key == "PRETTY_NAME") os.pretty_name = value;
      else if (key == "VERSION_CODENAME") os.version_codename = value;
    }
    break;
  }
  return os;
}

Expected<std::vector<Package>> ReadDatabaseWithOrigins(const LayeredFs& fs, const std::string& path,
                                                      const DatabaseParser& parse) {
  std::map<std::string, Package> current;
  for (size_t layer : fs.LayersChanging(path)) {
    std::map<std::string, Package> next;
    auto entry = fs.Lookup(path, layer);
    if (entry && S_ISREG(entry->st.st_mode)) {
      ASSIGN_OR_RETURN(std::vector<Package> parsed, parse(entry->host_path));
      for (auto& p : parsed) {
        auto before = current.find(PackageKey(p));
        p.layer = before != current.end() && before->second.version == p.version ? before->second.layer : layer;
        next[PackageKey(p)] = std::move(p);
      }
    }
    current = std::move(next);
  }
  std::vector<Package> out;
  for (auto& [key, p] : current) out.push_back(std::move(p));
  return out;
}

Expected<Sbom> CatalogImage(const LayeredFs& fs) {
  Sbom sbom;
  sbom.os = ReadOsRelease(fs);
  for (size_t i = 0; i < fs.size(); ++i) sbom.layers.push_back({fs.layer(i).diff_id, fs.layer(i).created_by});
  std::vector<Package> found;
  RETURN_IF_ERROR(CatalogDpkg(fs, found));
  RETURN_IF_ERROR(CatalogApk(fs, found));
  RETURN_IF_ERROR(CatalogRpm(fs, found));
  RETURN_IF_ERROR(CatalogLanguagePackages(fs, found));
  for (auto& p : found) {
    if (AnyLaterLayerDeletes(fs, p.layer) && FilesDeletedLater(fs, p)) continue;
    if (p.namespace_.empty() && (p.type == kTypeDeb || p.type == kTypeApk || p.type == kTypeRpm)) p.namespace_ = sbom.os.id;
    p.purl = PackagePurl(p, sbom.os);
    sbom.packages.push_back(std::move(p));
  }
  std::sort(sbom.packages.begin(), sbom.packages.end(), [](const Package& a, const Package& b) {
    return std::tie(a.type, a.name, a.version, a.arch, a.location) < std::tie(b.type, b.name, b.version, b.arch, b.location);
  });
  return sbom;
}

}  // namespace kiln::security
