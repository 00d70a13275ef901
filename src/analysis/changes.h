// What layers change, as podman (containers/storage) reports it for `image diff` and `diff`.
// A layer is a directory in overlay form (a snapshot, or a container's upper dir): a deleted
// name is a character device 0/0 (or the ".wh.NAME" file kiln keeps where the kernel refuses
// mknod), an opaque directory carries trusted.overlay.opaque=y / user.overlay.opaque=y (or a
// ".wh..wh..opq" file).
//
//   ASSIGN_OR_RETURN(auto changes, analysis::OverlayChanges({parent_fs, grandparent_fs}, top_fs));
//   for (const analysis::Change& c : changes) printf("%c %s\n", KindLetter(c.kind), c.path.c_str());
#pragma once

#include <string>
#include <vector>

#include "util/status.h"

namespace kiln::analysis {

enum class ChangeKind { kModify, kAdd, kDelete };
char KindLetter(ChangeKind kind);  // 'C', 'A', 'D'

struct Change {
  std::string path;  // absolute, "/etc/passwd"
  ChangeKind kind;
  bool operator==(const Change& o) const { return path == o.path && kind == o.kind; }
};

// The changes `upper` makes over the layers below it (`lowers`, topmost first): what
// containers/storage's OverlayChanges gives podman for an image or container against its
// parent. The upper dir is walked depth-first in name order: a whiteout is D; any other
// entry is A unless a lower layer has the path, then C, except a directory whose mode,
// size and mtime equal the lower one's (not reported); the parent of an A or D entry
// that was not itself reported is reported as C just before it.
Expected<std::vector<Change>> OverlayChanges(const std::vector<std::string>& lowers, const std::string& upper);

// Two stacks of layers (bottom first) compared as whole trees, as containers/storage's naive
// diff does between two unrelated images: a path only in `to` is A (and everything below
// it), only in `from` is D (not what is below it), in both with another type, mode, owner,
// device, or (not for directories) size or mtime is C; a directory with changes below it is
// C before them. Depth-first, names sorted (podman's order here is Go's random map order).
Expected<std::vector<Change>> TreeChanges(const std::vector<std::string>& from, const std::vector<std::string>& to);

}  // namespace kiln::analysis
