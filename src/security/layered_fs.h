// An image's filesystem as its layers' snapshots make it, read without mounting anything:
// each layer is a directory in overlayfs form (store/layer_apply.h, WhiteoutPolicy::kOverlay):
// a whiteout is a character device 0/0 (or a ".wh.NAME" file where the kernel refused
// mknod), an opaque directory has trusted.overlay.opaque=y (or user.overlay.opaque=y, or a
// ".wh..wh..opq" file). The view can be taken at any layer, so that a cataloger can tell
// which layer first made a package appear.
#pragma once

#include <sys/stat.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace kiln::security {

// One layer: its snapshot directory, its diffID and the history line that made it.
struct LayerRef {
  std::string fs_dir;
  std::string diff_id;     // "sha256:…"
  std::string created_by;  // the image history's created_by for this layer, may be empty
};

class LayeredFs {
 public:
  explicit LayeredFs(std::vector<LayerRef> layers);

  size_t size() const { return layers_.size(); }
  const LayerRef& layer(size_t i) const { return layers_[i]; }
  size_t top() const { return layers_.empty() ? 0 : layers_.size() - 1; }

  struct Entry {
    size_t layer = 0;        // the layer whose copy is visible
    std::string host_path;   // that copy, on this machine
    struct stat st {};       // its lstat
  };
  // The entry visible at `path` (absolute or relative to the image root) in the stack of
  // layers 0..upto, symlinks in the directories of the path followed inside the image (the
  // last component is not followed). nullopt when nothing is there.
  std::optional<Entry> Lookup(std::string_view path, size_t upto) const;
  std::optional<Entry> Lookup(std::string_view path) const { return Lookup(path, top()); }

  // A regular file's bytes in the view at `upto`; nullopt when absent or not a regular file.
  Expected<std::optional<std::string>> ReadFile(std::string_view path, size_t upto) const;
  Expected<std::optional<std::string>> ReadFile(std::string_view path) const { return ReadFile(path, top()); }

  // The names in a directory of the view, sorted.
  std::vector<std::string> ListDir(std::string_view path, size_t upto) const;
  std::vector<std::string> ListDir(std::string_view path) const { return ListDir(path, top()); }

  // The layers (ascending) that put something at `path` or hid it (a whiteout of it or of a
  // directory above it, an opaque directory above it, a non-directory in place of one).
  std::vector<size_t> LayersChanging(std::string_view path) const;

  // Every entry of the final view, depth first in name order. `enter(dir)` decides whether a
  // directory is descended into; `visit(path, entry)` sees every non-directory. Symlinks
  // are reported, never followed. Paths are absolute ("/usr/lib/…").
  void Walk(const std::function<bool(const std::string& dir)>& enter,
            const std::function<void(const std::string& path, const Entry& entry)>& visit) const;

  // True when layer i deletes anything (holds a whiteout or an opaque directory). Computed
  // on first use by walking that layer alone.
  bool LayerDeletes(size_t i) const;

 private:
  // The topmost entry exactly at the clean relative path `rel` (no symlink following).
  std::optional<Entry> LookupExact(const std::string& rel, size_t upto) const;
  void WalkDir(const std::string& rel, size_t floor, const std::function<bool(const std::string&)>& enter,
               const std::function<void(const std::string&, const Entry&)>& visit) const;

  std::vector<LayerRef> layers_;
  mutable std::vector<int> deletes_;  // -1 unknown, 0/1
};

}  // namespace kiln::security
