#include "containers/image_mount.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <cerrno>
#include <vector>

#include "runtime/runtime.h"
#include "util/fs.h"

namespace kiln::containers {
namespace {

std::string MountDir(const std::string& root, const std::string& image_id) {
  return JoinPath(JoinPath(root, "image-mounts"), image_id);
}

// Whether a filesystem is mounted at path (its device differs from its parent's).
bool IsMountPoint(const std::string& path) {
  struct stat here, parent;
  if (::stat(path.c_str(), &here) != 0 || ::stat(ParentDir(path).c_str(), &parent) != 0) return false;
  return here.st_dev != parent.st_dev;
}

// The image's mount directory, locked for the caller's lifetime of the returned fd.
Expected<UniqueFd> LockMountDir(const std::string& dir) {
  RETURN_IF_ERROR(MakeDirs(JoinPath(dir, "merged")));
  UniqueFd fd(::open(JoinPath(dir, "lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600));
  if (!fd.valid()) return ErrnoError("opening " + JoinPath(dir, "lock"), errno);
  if (::flock(fd.get(), LOCK_EX) != 0) return ErrnoError("locking " + JoinPath(dir, "lock"), errno);
  return fd;
}

// How many mounts are counted; none when nothing is mounted.
int MountCount(const std::string& dir) {
  if (!IsMountPoint(JoinPath(dir, "merged"))) return 0;
  auto text = ReadFile(JoinPath(dir, "count"));
  int n = text.ok() ? std::atoi(text->c_str()) : 0;
  return n > 0 ? n : 1;
}

Status SetCount(const std::string& dir, int n) { return WriteFileAtomic(JoinPath(dir, "count"), std::to_string(n)); }

}  // namespace

std::string ImageMountPoint(const std::string& root, const std::string& image_id) {
  return JoinPath(MountDir(root, image_id), "merged");
}

Expected<std::string> MountImage(store::Store& st, const std::string& image_id) {
  std::string dir = MountDir(st.root(), image_id), merged = ImageMountPoint(st.root(), image_id);
  ASSIGN_OR_RETURN(UniqueFd lock, LockMountDir(dir));
  int n = MountCount(dir);
  if (n == 0) {
    ASSIGN_OR_RETURN(std::vector<store::LayerInfo> layers, st.ImageLayers(image_id));
    std::vector<std::string> lowers;
    for (auto it = layers.rbegin(); it != layers.rend(); ++it) lowers.push_back(st.snapshots().FsPath(it->chain_id));
    // overlayfs without an upper layer wants two lowers at least: an empty one at the bottom.
    RETURN_IF_ERROR(MakeDirs(JoinPath(dir, "empty")));
    lowers.push_back(JoinPath(dir, "empty"));
    RETURN_IF_ERROR(runtime::MountOverlay(lowers, "", "", merged));
  }
  RETURN_IF_ERROR(SetCount(dir, n + 1));
  return merged;
}

Expected<std::string> ImageMountpoint(store::Store& st, const std::string& image_id) {
  std::string dir = MountDir(st.root(), image_id);
  if (!PathExists(dir)) return std::string();
  return MountCount(dir) > 0 ? ImageMountPoint(st.root(), image_id) : std::string();
}

Expected<bool> UnmountImage(store::Store& st, const std::string& image_id, bool force) {
  std::string dir = MountDir(st.root(), image_id);
  if (!PathExists(dir)) return false;
  ASSIGN_OR_RETURN(UniqueFd lock, LockMountDir(dir));
  int n = MountCount(dir);
  if (n == 0) return false;
  if (force || n == 1) {
    std::string merged = ImageMountPoint(st.root(), image_id);
    if (::umount2(merged.c_str(), 0) != 0) return ErrnoError("unmounting " + merged, errno);
    n = 1;
  }
  RETURN_IF_ERROR(SetCount(dir, n - 1));
  return true;
}

}  // namespace kiln::containers
