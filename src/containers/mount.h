// Mounts on the host for tools to read (podman's image mount and container mount):
//  - an image's layers as a read-only overlay at ROOT/image-mounts/<image id>/merged;
//  - a container's root filesystem (its layers and its upper dir, writable) at
//    ROOT/containers/<id>/merged, where export and the runtime mount it in their own
//    namespaces too.
// Each mount is counted (a count file beside an flock'd lock file); an unmount takes one
// away and unmounts at zero, or all of them with force. A mount that is gone (a reboot)
// counts as none, so the state survives between kiln processes and never goes stale.
//
//   ASSIGN_OR_RETURN(std::string path, containers::MountImage(store, image_id));
//   ASSIGN_OR_RETURN(bool was_mounted, containers::UnmountImage(store, image_id, /*force=*/false));
//   ASSIGN_OR_RETURN(std::string path, containers::MountContainer(store, record));
//   ASSIGN_OR_RETURN(bool was_mounted, containers::UnmountContainer(store.root(), record.id, /*force=*/true));
#pragma once

#include <string>

#include "store/containers.h"
#include "store/store.h"
#include "util/status.h"

namespace kiln::containers {

std::string ImageMountPoint(const std::string& root, const std::string& image_id);
// Mounts the image (or counts one more mount of it); returns the mount point.
Expected<std::string> MountImage(store::Store& store, const std::string& image_id);
// The mount point when the image is mounted, else "".
Expected<std::string> ImageMountpoint(store::Store& store, const std::string& image_id);
// One mount fewer (force: none left); false when the image was not mounted.
Expected<bool> UnmountImage(store::Store& store, const std::string& image_id, bool force);

// --mount type=image: the images a container mounts count as mounted (`image mount` lists
// them, `image umount` takes one away) from its first start until it is removed, as in
// podman. The container's own overlays are its own, in its mount namespace. Hold counts
// once per container (remembered in its directory); Release undoes what Hold counted.
Status HoldImageMounts(store::Store& store, const store::ContainerRecord& c);
void ReleaseImageMounts(const std::string& root, const std::string& id);

std::string ContainerMountPoint(const std::string& root, const std::string& id);
// Mounts the container's root filesystem read-write (or counts one more); the mount point.
Expected<std::string> MountContainer(store::Store& store, const store::ContainerRecord& c);
// The mount point when the container is mounted, else "".
std::string ContainerMountpoint(const std::string& root, const std::string& id);
// One mount fewer (force: none left); false when the container was not mounted.
Expected<bool> UnmountContainer(const std::string& root, const std::string& id, bool force);

}  // namespace kiln::containers
