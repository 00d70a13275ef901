#include "analysis/waste.h"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <set>
#include <utility>

namespace kiln::analysis {
namespace {

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";

struct Leaf {
  std::string path;
  int64_t size = 0;
  bool whiteout = false;
};

// One layer's entries: its leaves, and every entry's size (for the merged view).
struct LayerTree {
  std::vector<Leaf> leaves;
  std::vector<std::pair<std::string, int64_t>> entries;  // non-whiteout entries
};

class LayerReader {
 public:
  Expected<LayerTree> Read(const std::string& dir) {
    RETURN_IF_ERROR(Walk(dir, ""));
    return std::move(tree_);
  }

 private:
  // Returns whether the directory had entries (so it is not a leaf).
  Expected<bool> WalkDir(const std::string& dir, const std::string& rel) {
    DIR* d = ::opendir((dir + rel).c_str());
    if (d == nullptr) return ErrnoError("open " + dir + rel, errno);
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
      std::string_view n = e->d_name;
      if (n != "." && n != "..") names.emplace_back(n);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) RETURN_IF_ERROR(Entry(dir, rel, name));
    return !names.empty();
  }

  Status Walk(const std::string& dir, const std::string& rel) { return WalkDir(dir, rel).status(); }

  Status Entry(const std::string& dir, const std::string& rel, const std::string& name) {
    if (name == kOpaqueMarker) return Status::Ok();  // dive does not count opaque markers
    std::string path = rel + "/" + name;
    if (name.rfind(kWhiteoutPrefix, 0) == 0) {
      tree_.leaves.push_back({rel + "/" + name.substr(kWhiteoutPrefix.size()), 0, true});
      return Status::Ok();
    }
    struct stat st;
    if (::lstat((dir + path).c_str(), &st) != 0) return ErrnoError("lstat " + dir + path, errno);
    if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 0 && minor(st.st_rdev) == 0) {
      tree_.leaves.push_back({path, 0, true});
      return Status::Ok();
    }
    int64_t size = 0;
    if (S_ISREG(st.st_mode) && (st.st_nlink == 1 || inodes_.insert({st.st_dev, st.st_ino}).second)) size = st.st_size;
    tree_.entries.emplace_back(path, size);
    if (S_ISDIR(st.st_mode)) {
      ASSIGN_OR_RETURN(bool has_children, WalkDir(dir, path));
      if (has_children) return Status::Ok();
    }
    tree_.leaves.push_back({path, size, false});
    return Status::Ok();
  }

  LayerTree tree_;
  std::set<std::pair<dev_t, ino_t>> inodes_;
};

// The stacked tree of the layers so far: path -> size and the layer that wrote it.
class Stack {
 public:
  explicit Stack(std::vector<int64_t>& hidden) : hidden_(hidden) {}
  // What a whiteout of `path` hides: the sizes of everything below it when it was a directory.
  int64_t HiddenBy(const std::string& path) const {
    int64_t sum = 0;
    std::string prefix = path + "/";
    for (auto it = files_.lower_bound(prefix); it != files_.end() && it->first.rfind(prefix, 0) == 0; ++it)
      sum += it->second.first;
    return sum;
  }
  // Lays a layer on top; what it overwrites or deletes counts against the layer that wrote it.
  void Apply(const LayerTree& layer, int index) {
    for (const Leaf& l : layer.leaves)
      if (l.whiteout) Erase(l.path);
    for (const auto& [path, size] : layer.entries) {
      auto [it, fresh] = files_.try_emplace(path, size, index);
      if (fresh) continue;
      hidden_[it->second.second] += it->second.first;
      it->second = {size, index};
    }
  }

 private:
  void Erase(const std::string& path) {
    std::string prefix = path + "/";
    if (auto it = files_.find(path); it != files_.end()) {
      hidden_[it->second.second] += it->second.first;
      files_.erase(it);
    }
    auto it = files_.lower_bound(prefix);
    while (it != files_.end() && it->first.rfind(prefix, 0) == 0) {
      hidden_[it->second.second] += it->second.first;
      it = files_.erase(it);
    }
  }
  std::map<std::string, std::pair<int64_t, int>> files_;
  std::vector<int64_t>& hidden_;
};

struct PathData {
  int64_t cumulative = 0;
  int64_t min = -1;
  std::vector<std::pair<int, int64_t>> nodes;  // layer index, size
};

}  // namespace

Expected<Waste> AnalyzeLayers(const std::vector<std::string>& layers) {
  std::map<std::string, PathData> paths;
  Waste w;
  w.layer_wasted.assign(layers.size(), 0);
  Stack stack(w.layer_wasted);
  for (size_t i = 0; i < layers.size(); ++i) {
    ASSIGN_OR_RETURN(LayerTree tree, LayerReader().Read(layers[i]));
    for (const Leaf& leaf : tree.leaves) {
      int64_t size = leaf.whiteout ? stack.HiddenBy(leaf.path) : leaf.size;
      PathData& d = paths[leaf.path];
      d.cumulative += size;
      if (d.min < 0 || size < d.min) d.min = size;
      d.nodes.emplace_back(static_cast<int>(i), size);
    }
    stack.Apply(tree, static_cast<int>(i));
  }
  int64_t minimum = 0, discovered = 0;
  for (const auto& [path, d] : paths) {
    minimum += d.min;
    discovered += d.cumulative;
    if (d.nodes.size() < 2) continue;
    PathWaste pw{path, static_cast<int>(d.nodes.size()), d.cumulative, {}};
    for (const auto& node : d.nodes) pw.layers.push_back(node.first);
    w.wasted_bytes += d.cumulative;
    w.inefficiencies.push_back(std::move(pw));
  }
  w.efficiency = discovered == 0 ? 1.0 : static_cast<double>(minimum) / static_cast<double>(discovered);
  std::stable_sort(w.inefficiencies.begin(), w.inefficiencies.end(),
                   [](const PathWaste& a, const PathWaste& b) { return a.cumulative > b.cumulative; });
  return w;
}

}  // namespace kiln::analysis
