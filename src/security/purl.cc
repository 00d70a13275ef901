#include "security/purl.h"

#include <algorithm>
#include <cctype>

namespace kiln::security {

std::string PurlEncode(std::string_view s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string MakePurl(std::string_view type, std::string_view namespace_, std::string_view name,
                     std::string_view version, std::vector<std::pair<std::string, std::string>> qualifiers) {
  std::string s = "pkg:" + std::string(type) + "/";
  // A namespace has '/'-separated segments, each encoded on its own.
  size_t start = 0;
  while (start < namespace_.size()) {
    size_t slash = namespace_.find('/', start);
    if (slash == std::string_view::npos) slash = namespace_.size();
    if (slash > start) s += PurlEncode(namespace_.substr(start, slash - start)) + "/";
    start = slash + 1;
  }
  s += PurlEncode(name);
  if (!version.empty()) s += "@" + PurlEncode(version);
  qualifiers.erase(std::remove_if(qualifiers.begin(), qualifiers.end(), [](const auto& q) { return q.second.empty(); }),
                   qualifiers.end());
  std::sort(qualifiers.begin(), qualifiers.end());
  for (size_t i = 0; i < qualifiers.size(); ++i)
    s += (i ? "&" : "?") + qualifiers[i].first + "=" + PurlEncode(qualifiers[i].second);
  return s;
}

std::string PackagePurl(const Package& p, const OsRelease& os) {
  const std::string distro = os.id.empty() ? "" : os.id + (os.version_id.empty() ? "" : "-" + os.version_id);
  if (p.type == kTypeDeb || p.type == kTypeApk)
    return MakePurl(p.type, p.namespace_.empty() ? os.id : p.namespace_, p.name, p.version, {{"arch", p.arch}, {"distro", distro}});
  if (p.type == kTypeRpm) {
    // The version is [epoch:]version-release; purl keeps the epoch as a qualifier.
    std::string version = p.version, epoch;
    size_t colon = version.find(':');
    if (colon != std::string::npos) epoch = version.substr(0, colon), version = version.substr(colon + 1);
    return MakePurl(p.type, p.namespace_.empty() ? os.id : p.namespace_, p.name, version,
                    {{"arch", p.arch}, {"distro", distro}, {"epoch", epoch}});
  }
  // npm scopes and Go module paths: the name is kept whole (advisories use it), the purl
  // splits it into namespace and name.
  if ((p.type == kTypeNpm || p.type == kTypeGo) && !p.namespace_.empty() && p.name.rfind(p.namespace_ + "/", 0) == 0)
    return MakePurl(p.type, p.namespace_, p.name.substr(p.namespace_.size() + 1), p.version, {});
  if (p.type == kTypePython) {
    // The purl spec's PyPI names: lower case, '_' as '-'.
    std::string name = p.name;
    for (auto& c : name) c = c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return MakePurl(p.type, "", name, p.version, {});
  }
  return MakePurl(p.type, p.namespace_, p.name, p.version, {});
}

}  // namespace kiln::security
