// image mount / image umount (podman's): an image's layers as a read-only overlay at
// ROOT/image-mounts/<image id>/merged, in the host's mount namespace, for tools to read.
// Each mount of an image is counted (ROOT/image-mounts/<id>/count, under an flock of
// .../lock); an unmount takes one away and unmounts at zero, or all of them with force.
// A mount that is gone (a reboot) counts as none.
//
//   ASSIGN_OR_RETURN(std::string path, containers::MountImage(store, image_id));
//   ASSIGN_OR_RETURN(bool was_mounted, containers::UnmountImage(store, image_id, /*force=*/false));
#pragma once

#include <string>

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

}  // namespace kiln::containers
