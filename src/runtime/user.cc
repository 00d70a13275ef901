// User and file resolution against an image's layers, without mounting them.
#include <sys/stat.h>

#include <charconv>
#include <sstream>

#include "runtime/runtime.h"
#include "util/fs.h"

namespace kiln::runtime {
namespace {

bool ParseU32(const std::string& s, uint32_t& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::vector<std::string> Split(const std::string& line, char sep) {
  std::vector<std::string> parts;
  std::string cur;
  for (char c : line) {
    if (c == sep) {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  parts.push_back(cur);
  return parts;
}

}  // namespace

Expected<std::string> ReadImageFile(const std::vector<std::string>& lowers, const std::string& path) {
  std::string rel = path;
  while (!rel.empty() && rel[0] == '/') rel.erase(0, 1);
  for (const auto& layer : lowers) {
    // An opaque or whited-out parent directory hides the file in lower layers; for the
    // small files this reads (/etc/passwd, /etc/group) a whiteout of the file is enough.
    std::string p = JoinPath(layer, rel);
    struct stat st;
    if (lstat(p.c_str(), &st) != 0) continue;
    if (S_ISCHR(st.st_mode) && st.st_rdev == 0) break;  // whiteout
    if (!S_ISREG(st.st_mode)) break;
    return ReadFile(p);
  }
  return NotFound(path + ": no such file or directory");
}

Expected<User> ResolveUser(const std::vector<std::string>& lowers, const std::string& spec) {
  User u;
  std::string user = spec, group;
  if (auto colon = spec.find(':'); colon != std::string::npos) {
    user = spec.substr(0, colon);
    group = spec.substr(colon + 1);
  }
  if (user.empty()) user = "0";
  auto passwd = ReadImageFile(lowers, "/etc/passwd");
  bool found = false;
  std::string name;
  if (passwd.ok()) {
    std::istringstream in(*passwd);
    for (std::string line; std::getline(in, line);) {
      auto f = Split(line, ':');
      if (f.size() < 7) continue;
      uint32_t uid, gid;
      if (!ParseU32(f[2], uid) || !ParseU32(f[3], gid)) continue;
      if (f[0] == user || f[2] == user) {
        u.uid = uid;
        u.gid = gid;
        u.home = f[5].empty() ? "/" : f[5];
        name = f[0];
        found = true;
        break;
      }
    }
  }
  if (!found) {
    if (!ParseU32(user, u.uid))
      return InvalidArgument("unable to find user " + user + ": no matching entries in passwd file");
    u.gid = 0;
    u.home = "/";
  }
  auto groups = ReadImageFile(lowers, "/etc/group");
  if (!group.empty()) {
    bool gfound = false;
    if (groups.ok()) {
      std::istringstream in(*groups);
      for (std::string line; std::getline(in, line);) {
        auto f = Split(line, ':');
        if (f.size() < 3) continue;
        uint32_t gid;
        if (!ParseU32(f[2], gid)) continue;
        if (f[0] == group || f[2] == group) {
          u.gid = gid;
          gfound = true;
          break;
        }
      }
    }
    if (!gfound && !ParseU32(group, u.gid))
      return InvalidArgument("unable to find group " + group + ": no matching entries in group file");
  }
  // Supplementary groups: those listing the user by name.
  if (groups.ok() && !name.empty()) {
    std::istringstream in(*groups);
    for (std::string line; std::getline(in, line);) {
      auto f = Split(line, ':');
      if (f.size() < 4) continue;
      uint32_t gid;
      if (!ParseU32(f[2], gid) || gid == u.gid) continue;
      for (const auto& m : Split(f[3], ','))
        if (m == name) u.groups.push_back(gid);
    }
  }
  return u;
}

}  // namespace kiln::runtime
