#include "containers/mount.h"

#include <fcntl.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <cerrno>
#include <functional>
#include <vector>

#include "containers/containers.h"
#include "runtime/runtime.h"
#include "util/fs.h"
#include "util/json_text.h"

namespace kiln::containers {
namespace {

// Where one counted mount keeps its state: the lock, the count and the mount point.
struct CountedMount {
  std::string lock, count, target;
};

CountedMount ForImage(const std::string& root, const std::string& image_id) {
  std::string dir = JoinPath(JoinPath(root, "image-mounts"), image_id);
  return {JoinPath(dir, "lock"), JoinPath(dir, "count"), JoinPath(dir, "merged")};
}

CountedMount ForContainer(const std::string& root, const std::string& id) {
  std::string dir = ContainerDir(root, id);
  return {JoinPath(dir, "mount.lock"), JoinPath(dir, "mount.count"), JoinPath(dir, "merged")};
}

using runtime::IsMountPoint;

// How the store's snapshots are mounted (its graph driver).
runtime::LayerMount StoreLayers(const store::Store& st) { return {st.graph_driver(), st.mount_program()}; }

// The mount's lock, held for the lifetime of the returned fd.
Expected<UniqueFd> Lock(const CountedMount& m) {
  RETURN_IF_ERROR(MakeDirs(m.target));
  UniqueFd fd(::open(m.lock.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600));
  if (!fd.valid()) return ErrnoError("opening " + m.lock, errno);
  if (::flock(fd.get(), LOCK_EX) != 0) return ErrnoError("locking " + m.lock, errno);
  return fd;
}

// How many mounts are counted; none when nothing is mounted.
int Count(const CountedMount& m) {
  if (!IsMountPoint(m.target)) return 0;
  auto text = ReadFile(m.count);
  int n = text.ok() ? std::atoi(text->c_str()) : 0;
  return n > 0 ? n : 1;
}

Expected<std::string> Up(const CountedMount& m, const std::function<Status()>& mount) {
  ASSIGN_OR_RETURN(UniqueFd lock, Lock(m));
  int n = Count(m);
  if (n == 0) RETURN_IF_ERROR(mount());
  RETURN_IF_ERROR(WriteFileAtomic(m.count, std::to_string(n + 1)));
  return m.target;
}

// The kernel's unmount of m's target (no driver's clean-up: a vfs copy stays until a mount
// empties it).
Status PlainUnmount(const CountedMount& m) {
  if (::umount2(m.target.c_str(), 0) != 0) return ErrnoError("unmounting " + m.target, errno);
  return Status::Ok();
}

Expected<bool> Down(const CountedMount& m, bool force, const std::function<Status()>& unmount) {
  if (!PathExists(m.lock) && !IsMountPoint(m.target)) return false;
  ASSIGN_OR_RETURN(UniqueFd lock, Lock(m));
  int n = Count(m);
  if (n == 0) return false;
  if (force || n == 1) {
    RETURN_IF_ERROR(unmount());
    n = 1;
  }
  RETURN_IF_ERROR(WriteFileAtomic(m.count, std::to_string(n - 1)));
  return true;
}

// One image mount fewer of each image ID in ids (a JSON array); none already is fine.
void ReleaseImages(const std::string& root, const nlohmann::ordered_json& ids) {
  for (const auto& id : ids)
    if (id.is_string()) {
      CountedMount m = ForImage(root, id.get<std::string>());
      (void)Down(m, /*force=*/false, [&] { return PlainUnmount(m); });
    }
}

}  // namespace

std::string ImageMountPoint(const std::string& root, const std::string& image_id) {
  return ForImage(root, image_id).target;
}

Expected<std::string> MountImage(store::Store& st, const std::string& image_id) {
  CountedMount m = ForImage(st.root(), image_id);
  return Up(m, [&]() -> Status {
    ASSIGN_OR_RETURN(std::vector<store::LayerInfo> layers, st.ImageLayers(image_id));
    std::vector<std::string> lowers;
    for (auto it = layers.rbegin(); it != layers.rend(); ++it) lowers.push_back(st.snapshots().FsPath(it->chain_id));
    // overlayfs without an upper layer wants two lowers at least: an empty one at the bottom.
    std::string empty = JoinPath(ParentDir(m.target), "empty");
    RETURN_IF_ERROR(MakeDirs(empty));
    lowers.push_back(empty);
    return runtime::MountLayers(StoreLayers(st), lowers, "", "", m.target, runtime::LayerLifetime::kPersistent);
  });
}

Expected<std::string> ImageMountpoint(store::Store& st, const std::string& image_id) {
  CountedMount m = ForImage(st.root(), image_id);
  return Count(m) > 0 ? m.target : std::string();
}

Expected<bool> UnmountImage(store::Store& st, const std::string& image_id, bool force) {
  CountedMount m = ForImage(st.root(), image_id);
  return Down(m, force, [&] { return runtime::UnmountLayers(StoreLayers(st), m.target); });
}

namespace {
std::string HeldFile(const std::string& root, const std::string& id) {
  return JoinPath(ContainerDir(root, id), "image-mounts.held");
}
}  // namespace

Status HoldImageMounts(store::Store& st, const store::ContainerRecord& c) {
  const auto& mounts = c.config.value("image_mounts", nlohmann::ordered_json::array());
  const std::string held = HeldFile(st.root(), c.id);
  if (mounts.empty() || PathExists(held)) return Status::Ok();
  nlohmann::ordered_json ids = nlohmann::ordered_json::array();
  for (const auto& m : mounts) {
    const std::string id = m.value("image_id", "");
    auto mounted = MountImage(st, id);
    if (!mounted.ok()) {
      ReleaseImages(st.root(), ids);
      return mounted.status().Wrap("mounting image " + m.value("source", ""));
    }
    ids.push_back(id);
  }
  Status written = WriteFileAtomic(held, JsonText(ids));
  if (!written.ok()) ReleaseImages(st.root(), ids);
  return written;
}

void ReleaseImageMounts(const std::string& root, const std::string& id) {
  const std::string held = HeldFile(root, id);
  auto text = ReadFile(held);
  if (!text.ok()) return;
  auto ids = nlohmann::ordered_json::parse(*text, nullptr, false);
  if (ids.is_array()) ReleaseImages(root, ids);
  (void)unlink(held.c_str());
}

std::string ContainerMountPoint(const std::string& root, const std::string& id) {
  return ForContainer(root, id).target;
}

Expected<std::string> MountContainer(store::Store& st, const store::ContainerRecord& c) {
  CountedMount m = ForContainer(st.root(), c.id);
  return Up(m, [&]() -> Status {
    // A running container's own overlay, so that both see one filesystem.
    store::Containers rows(st.db());
    store::ContainerRecord now = c;
    Reconcile(rows, now);
    if (now.state == "running" && now.pid > 0) return runtime::AttachRunningRootfs(static_cast<pid_t>(now.pid), m.target);
    ASSIGN_OR_RETURN(runtime::ContainerSpec spec, SpecFor(st, c));
    // vfs's merged dir is a copy whose changes reach the upper dir only when its user ends.
    if (spec.layer_mount.driver == "vfs")
      return Unsupported("mounting a container with the vfs storage driver: its changes would not reach the container");
    for (const char* d : {"upper", "work"}) RETURN_IF_ERROR(MakeDirs(JoinPath(spec.dir, d)));
    return runtime::MountLayers(spec.layer_mount, spec.lowers, JoinPath(spec.dir, "upper"), JoinPath(spec.dir, "work"),
                                m.target, runtime::LayerLifetime::kPersistent);
  });
}

std::string ContainerMountpoint(const std::string& root, const std::string& id) {
  CountedMount m = ForContainer(root, id);
  return Count(m) > 0 ? m.target : std::string();
}

Expected<bool> UnmountContainer(const std::string& root, const std::string& id, bool force) {
  CountedMount m = ForContainer(root, id);
  return Down(m, force, [&] { return PlainUnmount(m); });
}

}  // namespace kiln::containers
