#include "security/layered_fs.h"

#include <dirent.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <map>

#include "util/fs.h"

namespace kiln::security {
namespace {

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";
constexpr int kMaxSymlinkHops = 40;

bool IsOverlayWhiteout(const struct stat& st) { return S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0); }

bool IsOpaqueDir(const std::string& host_dir) {
  char v = 0;
  for (const char* name : {"trusted.overlay.opaque", "user.overlay.opaque"})
    if (::lgetxattr(host_dir.c_str(), name, &v, 1) == 1 && v == 'y') return true;
  struct stat st;
  return ::lstat((host_dir + "/" + std::string(kOpaqueMarker)).c_str(), &st) == 0;
}

// The components of a path inside the image, "." dropped and ".." applied (".." at the
// root stays at the root, as in a chroot).
void AppendComponents(std::string_view path, std::vector<std::string>& out) {
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view part = path.substr(pos, slash - pos);
    pos = slash + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!out.empty()) out.pop_back();
      continue;
    }
    out.emplace_back(part);
  }
}

std::string JoinComponents(const std::vector<std::string>& parts, size_t n) {
  std::string s;
  for (size_t i = 0; i < n && i < parts.size(); ++i) s += (i ? "/" : "") + parts[i];
  return s;
}

std::vector<std::string> ReadDirNames(const std::string& host_dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(host_dir.c_str());
  if (!d) return names;
  while (dirent* e = ::readdir(d)) {
    std::string_view n = e->d_name;
    if (n != "." && n != "..") names.emplace_back(n);
  }
  ::closedir(d);
  return names;
}

std::string HostPath(const LayerRef& layer, const std::string& rel) {
  return rel.empty() ? layer.fs_dir : layer.fs_dir + "/" + rel;
}

}  // namespace

LayeredFs::LayeredFs(std::vector<LayerRef> layers) : layers_(std::move(layers)), deletes_(layers_.size(), -1) {}

std::optional<LayeredFs::Entry> LayeredFs::LookupExact(const std::string& rel, size_t upto) const {
  if (layers_.empty()) return std::nullopt;
  std::vector<std::string> parts;
  AppendComponents(rel, parts);
  for (size_t i = std::min(upto, top()) + 1; i-- > 0;) {
    const LayerRef& layer = layers_[i];
    const bool has_lower = i > 0;  // whiteouts and opaque dirs only matter above something
    bool opaque_above = false;
    std::string host = layer.fs_dir;
    struct stat st;
    if (parts.empty()) {
      if (::lstat(host.c_str(), &st) != 0) return std::nullopt;
      return Entry{i, host, st};
    }
    for (size_t k = 0; k < parts.size(); ++k) {
      const std::string parent = host;
      host += "/" + parts[k];
      if (::lstat(host.c_str(), &st) != 0) {
        struct stat wh;
        if (has_lower && ::lstat((parent + "/" + std::string(kWhiteoutPrefix) + parts[k]).c_str(), &wh) == 0)
          return std::nullopt;  // a whiteout kept as a file
        if (opaque_above) return std::nullopt;
        break;  // this layer has nothing here: look below
      }
      if (IsOverlayWhiteout(st)) return std::nullopt;
      if (k + 1 == parts.size()) return Entry{i, host, st};
      if (!S_ISDIR(st.st_mode)) return std::nullopt;  // a file or link hides the directory
      if (has_lower && !opaque_above && IsOpaqueDir(host)) opaque_above = true;
    }
  }
  return std::nullopt;
}

std::optional<LayeredFs::Entry> LayeredFs::Lookup(std::string_view path, size_t upto) const {
  std::vector<std::string> todo;
  AppendComponents(path, todo);
  std::vector<std::string> resolved;
  int hops = 0;
  for (size_t idx = 0; idx < todo.size(); ++idx) {
    resolved.push_back(todo[idx]);
    const std::string rel = JoinComponents(resolved, resolved.size());
    auto e = LookupExact(rel, upto);
    if (!e) return std::nullopt;
    if (idx + 1 == todo.size()) return e;
    if (S_ISDIR(e->st.st_mode)) continue;
    if (!S_ISLNK(e->st.st_mode) || ++hops > kMaxSymlinkHops) return std::nullopt;
    char buf[4096];
    ssize_t n = ::readlink(e->host_path.c_str(), buf, sizeof buf);
    if (n <= 0) return std::nullopt;
    std::string_view target(buf, static_cast<size_t>(n));
    resolved.pop_back();
    if (!target.empty() && target[0] == '/') resolved.clear();
    std::vector<std::string> rest;
    AppendComponents(JoinComponents(resolved, resolved.size()) + "/" + std::string(target), rest);
    // Continue with the link's target in place of the link, then what followed it.
    rest.insert(rest.end(), todo.begin() + static_cast<long>(idx) + 1, todo.end());
    todo = std::move(rest);
    resolved.clear();
    idx = static_cast<size_t>(-1);
  }
  return LookupExact("", upto);
}

Expected<std::optional<std::string>> LayeredFs::ReadFile(std::string_view path, size_t upto) const {
  auto e = Lookup(path, upto);
  if (!e || !S_ISREG(e->st.st_mode)) return std::optional<std::string>();
  ASSIGN_OR_RETURN(std::string bytes, kiln::ReadFile(e->host_path));
  return std::optional<std::string>(std::move(bytes));
}

std::vector<std::string> LayeredFs::ListDir(std::string_view path, size_t upto) const {
  std::vector<std::string> names;
  auto dir = Lookup(std::string(path) + "/.", upto);
  if (!dir || !S_ISDIR(dir->st.st_mode)) return names;
  // The directory's path inside the image, symlinks resolved: its host path minus the
  // layer's root.
  const std::string rel = dir->host_path.substr(std::min(dir->host_path.size(), layers_[dir->layer].fs_dir.size() + 1));
  std::vector<std::string> candidates;
  for (size_t i = 0; i <= std::min(upto, top()); ++i)
    for (auto& n : ReadDirNames(HostPath(layers_[i], rel)))
      if (n.rfind(kWhiteoutPrefix, 0) != 0) candidates.push_back(std::move(n));
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  for (auto& n : candidates)
    if (LookupExact(rel.empty() ? n : rel + "/" + n, upto)) names.push_back(std::move(n));
  return names;
}

std::vector<size_t> LayeredFs::LayersChanging(std::string_view path) const {
  std::vector<std::string> parts;
  AppendComponents(path, parts);
  std::vector<size_t> out;
  for (size_t i = 0; i < layers_.size(); ++i) {
    std::string host = layers_[i].fs_dir;
    for (size_t k = 0; k < parts.size(); ++k) {
      const std::string parent = host;
      host += "/" + parts[k];
      struct stat st, wh;
      if (::lstat(host.c_str(), &st) != 0) {
        if (::lstat((parent + "/" + std::string(kWhiteoutPrefix) + parts[k]).c_str(), &wh) == 0) out.push_back(i);
        break;
      }
      const bool last = k + 1 == parts.size();
      if (last || IsOverlayWhiteout(st) || !S_ISDIR(st.st_mode) || (i > 0 && IsOpaqueDir(host))) {
        out.push_back(i);
        break;
      }
    }
  }
  return out;
}

void LayeredFs::Walk(const std::function<bool(const std::string& dir)>& enter,
                     const std::function<void(const std::string& path, const Entry& entry)>& visit) const {
  if (!layers_.empty()) WalkDir("", 0, enter, visit);
}

// One directory of the final view, made of the layers floor..top where it is a visible
// directory: each name resolves to its topmost entry; a whiteout, an opaque directory or a
// non-directory cuts off what lies below it.
void LayeredFs::WalkDir(const std::string& rel, size_t floor, const std::function<bool(const std::string&)>& enter,
                        const std::function<void(const std::string&, const Entry&)>& visit) const {
  struct Name {
    bool hidden = false;  // whited out before any entry was seen
    bool cut = false;     // nothing further below counts
    Entry entry;
    size_t floor = 0;     // lowest layer where it is still a directory
  };
  std::map<std::string, Name> names;
  for (size_t i = top() + 1; i-- > floor;) {
    const std::string host_dir = HostPath(layers_[i], rel);
    for (auto& name : ReadDirNames(host_dir)) {
      if (name == kOpaqueMarker) continue;
      const bool fallback_whiteout = name.rfind(kWhiteoutPrefix, 0) == 0;
      if (fallback_whiteout) name = name.substr(kWhiteoutPrefix.size());
      auto [it, fresh] = names.try_emplace(name);
      Name& n = it->second;
      if (n.cut || n.hidden) continue;
      struct stat st {};
      const std::string host = host_dir + "/" + name;
      const bool whiteout = fallback_whiteout || (::lstat(host.c_str(), &st) == 0 && IsOverlayWhiteout(st));
      if (!fallback_whiteout && !whiteout && ::lstat(host.c_str(), &st) != 0) continue;
      if (fresh) {
        if (whiteout) n.hidden = i > 0;
        else n.entry = Entry{i, host, st}, n.floor = i, n.cut = !S_ISDIR(st.st_mode);
        if (whiteout && i == 0) names.erase(it);
        continue;
      }
      if (whiteout || !S_ISDIR(st.st_mode)) n.cut = true;
      else n.floor = i;
    }
    if (i > floor && !rel.empty() && IsOpaqueDir(host_dir)) break;
  }
  for (const auto& [name, n] : names) {
    if (n.hidden) continue;
    const std::string child = rel.empty() ? name : rel + "/" + name;
    if (S_ISDIR(n.entry.st.st_mode)) {
      if (enter("/" + child)) WalkDir(child, n.floor, enter, visit);
    } else {
      visit("/" + child, n.entry);
    }
  }
}

bool LayeredFs::LayerDeletes(size_t i) const {
  if (deletes_[i] >= 0) return deletes_[i] == 1;
  bool found = false;
  std::function<void(const std::string&)> scan = [&](const std::string& dir) {
    for (const auto& name : ReadDirNames(dir)) {
      if (found) return;
      const std::string host = dir + "/" + name;
      struct stat st;
      if (name.rfind(kWhiteoutPrefix, 0) == 0 || ::lstat(host.c_str(), &st) != 0) {
        found = found || name.rfind(kWhiteoutPrefix, 0) == 0;
        continue;
      }
      if (IsOverlayWhiteout(st)) found = true;
      else if (S_ISDIR(st.st_mode)) {
        if (IsOpaqueDir(host)) found = true;
        else scan(host);
      }
    }
  };
  if (i > 0) scan(layers_[i].fs_dir);
  deletes_[i] = found ? 1 : 0;
  return found;
}

}  // namespace kiln::security
