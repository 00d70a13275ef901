// Copying snapshots: the root filesystem of a container as a plain directory, for hosts
// where neither overlayfs nor fuse-overlayfs can be mounted (containers/storage's "vfs"
// driver). Layers stay in overlay form (snapshots, upper dirs); only the container's
// merged view is a copy, and its changes are written back to the upper dir in overlay form
// (a character device 0/0 for a deleted name, an opaque xattr on a directory that replaced
// a deleted one), so a layer made from it is the one the overlay mount would have made.
//
//   RETURN_IF_ERROR(CopyStack(lowers, dir + "/upper", dir + "/merged"));   // before
//   ... the container writes to dir/merged ...
//   RETURN_IF_ERROR(WriteChanges(lowers, dir + "/merged", dir + "/upper")); // after
#pragma once

#include <string>
#include <vector>

#include "util/status.h"

namespace kiln::runtime {

// Empties target, then lays the lowers (top first) and upper ("" for none) over it, as
// overlayfs shows the stack: owners, modes, times, xattrs and hard links within a layer
// kept; whiteouts remove, opaque directories hide what is below them. Leaves target +
// ".copied", a marker whose birth time tells WriteChanges which directories came later.
Status CopyStack(const std::vector<std::string>& lowers, const std::string& upper, const std::string& target);

// Rewrites upper (emptied first) as the changes that turn the lowers' stack into merged:
// an entry new or differing (type, mode, owner, size, mtime, link target, device) is
// copied with its parent directories; a name gone is a whiteout; a directory that took
// the place of a deleted name or of a non-directory, or that was removed and made again
// (born after CopyStack's marker; filesystems without birth times cannot tell), is opaque.
Status WriteChanges(const std::vector<std::string>& lowers, const std::string& merged, const std::string& upper);

// fuse-overlayfs marks every directory it creates opaque, three ways (an xattr, a
// ".wh..wh..opq" file and a ".wh..opq" whiteout). Leaves one opaque xattr where the kernel's
// overlayfs would have set one (the directory took the place of something in the lowers)
// and none elsewhere, so that the layer is the one the kernel's overlay gives.
Status TidyFuseOpaques(const std::vector<std::string>& lowers, const std::string& upper);

}  // namespace kiln::runtime
