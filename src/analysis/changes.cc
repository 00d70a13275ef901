#include "analysis/changes.h"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <memory>
#include <optional>
#include <set>

namespace kiln::analysis {
namespace {

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";

// A directory's names, sorted bytewise (Go's filepath.Walk order).
Expected<std::vector<std::string>> SortedNames(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return ErrnoError("open " + dir, errno);
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    std::string_view n = e->d_name;
    if (n != "." && n != "..") names.emplace_back(n);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

bool IsWhiteoutDevice(const struct stat& st) {
  return S_ISCHR(st.st_mode) && major(st.st_rdev) == 0 && minor(st.st_rdev) == 0;
}

// The name a ".wh.NAME" file deletes, "" for any other name (the opaque marker included).
std::string WhiteoutFileTarget(std::string_view name) {
  if (name.substr(0, kWhiteoutPrefix.size()) != kWhiteoutPrefix || name == kOpaqueMarker) return "";
  return std::string(name.substr(kWhiteoutPrefix.size()));
}

bool IsOpaqueDir(const std::string& path) {
  for (const char* attr : {"trusted.overlay.opaque", "user.overlay.opaque"}) {
    char v[2];
    if (::lgetxattr(path.c_str(), attr, v, sizeof v) == 1 && v[0] == 'y') return true;
  }
  struct stat st;
  return ::lstat((path + "/" + std::string(kOpaqueMarker)).c_str(), &st) == 0;
}

// Go's sameFsTime: equal, or equal seconds where one side has no nanoseconds.
bool SameTime(const timespec& a, const timespec& b) {
  return a.tv_sec == b.tv_sec && (a.tv_nsec == b.tv_nsec || a.tv_nsec == 0 || b.tv_nsec == 0);
}

std::string Parent(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

class OverlayWalk {
 public:
  OverlayWalk(const std::vector<std::string>& lowers, std::string upper) : lowers_(lowers), upper_(std::move(upper)) {}

  Expected<std::vector<Change>> Run() {
    RETURN_IF_ERROR(Walk(""));
    return std::move(out_);
  }

 private:
  Status Walk(const std::string& rel) {
    ASSIGN_OR_RETURN(std::vector<std::string> names, SortedNames(upper_ + rel));
    for (const std::string& name : names) {
      if (name == kOpaqueMarker) continue;
      std::string path = rel + "/" + name;
      struct stat st;
      if (::lstat((upper_ + path).c_str(), &st) != 0) return ErrnoError("lstat " + upper_ + path, errno);
      if (std::string target = WhiteoutFileTarget(name); !target.empty()) {
        Record({rel + "/" + target, ChangeKind::kDelete}, false);
        continue;
      }
      if (IsWhiteoutDevice(st)) {
        Record({path, ChangeKind::kDelete}, false);
        continue;
      }
      bool dir = S_ISDIR(st.st_mode);
      // An opaque directory replaced a lower one: containers/storage reports it deleted.
      if (dir && IsOpaqueDir(upper_ + path) && InLower(path)) {
        Record({path, ChangeKind::kDelete}, true);
      } else if (std::optional<ChangeKind> kind = Compare(path, st)) {
        Record({path, *kind}, dir);
      }
      if (dir) RETURN_IF_ERROR(Walk(path));
    }
    return Status::Ok();
  }

  bool InLower(const std::string& path) const {
    struct stat st;
    return std::any_of(lowers_.begin(), lowers_.end(),
                       [&](const std::string& l) { return ::lstat((l + path).c_str(), &st) == 0; });
  }

  // A, C, or nothing for a directory the topmost lower layer has unchanged.
  std::optional<ChangeKind> Compare(const std::string& path, const struct stat& st) const {
    for (const std::string& lower : lowers_) {
      struct stat old;
      if (::lstat((lower + path).c_str(), &old) != 0) continue;
      if (S_ISDIR(st.st_mode) && S_ISDIR(old.st_mode) && st.st_size == old.st_size && st.st_mode == old.st_mode &&
          SameTime(st.st_mtim, old.st_mtim)) {
        return std::nullopt;
      }
      return ChangeKind::kModify;
    }
    return ChangeKind::kAdd;
  }

  void Record(Change change, bool is_dir) {
    if (is_dir) changed_dirs_.insert(change.path);
    if (change.kind != ChangeKind::kModify) {
      std::string parent = Parent(change.path);
      if (parent != "/" && changed_dirs_.insert(parent).second) out_.push_back({parent, ChangeKind::kModify});
    }
    out_.push_back(std::move(change));
  }

  const std::vector<std::string>& lowers_;
  std::string upper_;
  std::set<std::string> changed_dirs_;
  std::vector<Change> out_;
};

// ---- Whole trees ------------------------------------------------------------------------

struct Node {
  struct stat st {};
  std::map<std::string, std::unique_ptr<Node>> children;
  bool IsDir() const { return S_ISDIR(st.st_mode); }
};

// Lays one overlay-form layer directory over the tree, as overlayfs shows the stack.
Status Apply(Node& node, const std::string& dir) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, SortedNames(dir));
  for (const std::string& name : names) {
    if (name == kOpaqueMarker) continue;
    if (std::string target = WhiteoutFileTarget(name); !target.empty()) {
      node.children.erase(target);
      continue;
    }
    std::string path = dir + "/" + name;
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) return ErrnoError("lstat " + path, errno);
    if (IsWhiteoutDevice(st)) {
      node.children.erase(name);
      continue;
    }
    std::unique_ptr<Node>& child = node.children[name];
    if (!child) child = std::make_unique<Node>();
    bool keep_children = S_ISDIR(st.st_mode) && child->IsDir() && !IsOpaqueDir(path);
    if (!keep_children) child->children.clear();
    child->st = st;
    if (S_ISDIR(st.st_mode)) RETURN_IF_ERROR(Apply(*child, path));
  }
  return Status::Ok();
}

Expected<Node> Merge(const std::vector<std::string>& layers) {
  Node root;
  root.st.st_mode = S_IFDIR | 0755;
  for (const std::string& layer : layers) RETURN_IF_ERROR(Apply(root, layer));
  return root;
}

// containers/storage's statDifferent (sizes and mtimes of directories are no measure of change).
bool StatDifferent(const struct stat& a, const struct stat& b) {
  if (a.st_mode != b.st_mode || a.st_uid != b.st_uid || a.st_gid != b.st_gid || a.st_rdev != b.st_rdev) return true;
  return !S_ISDIR(a.st_mode) && (!SameTime(a.st_mtim, b.st_mtim) || a.st_size != b.st_size);
}

// containers/storage's addChanges, with the children visited in name order.
void AddChanges(const Node& now, const Node* before, const std::string& path, bool added, std::vector<Change>& out) {
  size_t at_entry = out.size();
  if (before == nullptr && !path.empty()) {
    out.push_back({path, ChangeKind::kAdd});
    added = true;
  }
  std::map<std::string, const Node*> old_children;
  if (before != nullptr && now.IsDir()) {
    for (const auto& [name, child] : before->children) old_children[name] = child.get();
  }
  for (const auto& [name, child] : now.children) {
    std::string child_path = path + "/" + name;
    auto old = old_children.find(name);
    const Node* old_child = old == old_children.end() ? nullptr : old->second;
    bool child_added = false;
    if (old_child != nullptr) {
      if (StatDifferent(old_child->st, child->st)) {
        out.push_back({child_path, ChangeKind::kModify});
        child_added = true;
      }
      old_children.erase(old);
    }
    AddChanges(*child, old_child, child_path, child_added, out);
  }
  for (const auto& [name, child] : old_children) out.push_back({path + "/" + name, ChangeKind::kDelete});
  if (out.size() > at_entry && now.IsDir() && !added && !path.empty()) {
    out.insert(out.begin() + static_cast<long>(at_entry), {path, ChangeKind::kModify});
  }
}

}  // namespace

char KindLetter(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kModify:
      return 'C';
    case ChangeKind::kAdd:
      return 'A';
    case ChangeKind::kDelete:
      return 'D';
  }
  return '?';
}

Expected<std::vector<Change>> OverlayChanges(const std::vector<std::string>& lowers, const std::string& upper) {
  return OverlayWalk(lowers, upper).Run();
}

Expected<std::vector<Change>> TreeChanges(const std::vector<std::string>& from, const std::vector<std::string>& to) {
  ASSIGN_OR_RETURN(Node old_root, Merge(from));
  ASSIGN_OR_RETURN(Node new_root, Merge(to));
  std::vector<Change> out;
  AddChanges(new_root, &old_root, "", false, out);
  return out;
}

}  // namespace kiln::analysis
