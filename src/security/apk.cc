// apk: /lib/apk/db/installed (Alpine, Wolfi), one paragraph per package of "K:value" lines
// (P name, V version, A arch, o origin, L license, F directory, R file in the last F).
#include "security/catalog.h"
#include "util/fs.h"

namespace kiln::security {
namespace {

constexpr char kInstalled[] = "/lib/apk/db/installed";

void AddField(Package& p, std::string& dir, char key, const std::string& value) {
  switch (key) {
    case 'P': p.name = value; break;
    case 'V': p.version = value; break;
    case 'A': p.arch = value; break;
    case 'o': p.source_name = value; break;
    case 'L': p.licenses = {value}; break;
    case 'F': dir = value; break;
    case 'R': p.files.push_back("/" + (dir.empty() ? "" : dir + "/") + value); break;
    default: break;
  }
}

}  // namespace

std::vector<Package> ParseApkInstalled(std::string_view text) {
  std::vector<Package> out;
  Package p;
  std::string dir;
  auto finish = [&] {
    if (!p.name.empty() && !p.version.empty()) {
      p.type = kTypeApk;
      p.location = kInstalled;
      if (p.source_name == p.name) p.source_name.clear();
      out.push_back(std::move(p));
    }
    p = Package();
    dir.clear();
  };
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (line.empty()) {
      finish();
    } else if (line.size() >= 2 && line[1] == ':') {
      AddField(p, dir, line[0], std::string(line.substr(2)));
    }
  }
  finish();
  return out;
}

Status CatalogApk(const LayeredFs& fs, std::vector<Package>& out) {
  ASSIGN_OR_RETURN(std::vector<Package> found,
                   ReadDatabaseWithOrigins(fs, kInstalled, [](const std::string& host) -> Expected<std::vector<Package>> {
                     ASSIGN_OR_RETURN(std::string text, ReadFile(host));
                     return ParseApkInstalled(text);
                   }));
  out.insert(out.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
  return Status::Ok();
}

}  // namespace kiln::security
