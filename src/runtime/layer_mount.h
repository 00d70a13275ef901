// How a stack of snapshots becomes a container's root filesystem: containers/storage's
// graph driver, in kiln's terms.
//   overlay                  the kernel's overlayfs (rootless: in kiln's user namespace,
//                            Linux 5.11 or later)
//   overlay + mount_program  the same layers through fuse-overlayfs (podman's
//                            overlay.mount_program), where the kernel refuses overlayfs
//   vfs                      copying: the stack is copied into the container's merged dir,
//                            and its changes are written back to the upper dir when it ends
//                            (runtime/layer_copy.h)
// Every driver reads and writes the same snapshots and upper dirs (overlay form), so a store
// can be used with any of them and a build gives the same layers with each.
//
//   ASSIGN_OR_RETURN(LayerMount m, ChooseLayerMount("", "", runroot + "/probe"));  // auto
//   RETURN_IF_ERROR(MountLayers(m, lowers, upper, work, merged, LayerLifetime::kCaller));
//   ...                                         // in a private mount namespace
//   RETURN_IF_ERROR(FinishLayers(m, lowers, upper, merged));  // vfs: the changes to upper
#pragma once

#include <string>
#include <vector>

#include "util/status.h"

namespace kiln::runtime {

struct LayerMount {
  std::string driver = "overlay";  // "overlay" or "vfs"
  std::string mount_program;       // overlay only: a FUSE program instead of the kernel's
  bool operator==(const LayerMount&) const = default;
};

// The driver podman would report, from what is configured (--storage-driver, "" for none;
// overlay.mount_program, "" for none). With nothing configured: the kernel's overlay when a
// probe mount in a private mount namespace works (in probe_dir, created and removed), else
// fuse-overlayfs when it is installed and its probe mount works, else vfs.
Expected<LayerMount> ChooseLayerMount(const std::string& driver, const std::string& mount_program,
                                      const std::string& probe_dir);

// Whether m mounts in this process (a probe, as ChooseLayerMount does); the error says why not.
Status ProbeLayerMount(const LayerMount& m, const std::string& probe_dir);

enum class LayerLifetime {
  kCaller,      // the mount's helper (fuse-overlayfs) dies with the calling process
  kPersistent,  // it stays until UnmountLayers (`image mount`)
};

// Mounts lowers (top first) with upper and work ("" for a read-only mount, which then needs
// two lowers at least) at target in the calling process's mount namespace.
Status MountLayers(const LayerMount& m, const std::vector<std::string>& lowers, const std::string& upper,
                   const std::string& work, const std::string& target, LayerLifetime lifetime);
// Once nothing uses the mount any more (the container ended): vfs writes the changes made
// in target to upper; fuse-overlayfs's opaque markers are made the kernel's
// (TidyFuseOpaques); the kernel's overlay has nothing to do.
Status FinishLayers(const LayerMount& m, const std::vector<std::string>& lowers, const std::string& upper,
                    const std::string& target);
// Whether path is the root of a mount (a bind mount of a directory onto itself too).
bool IsMountPoint(const std::string& path);
// Undoes a kPersistent MountLayers (fuse-overlayfs exits once its mount is gone; vfs's copy
// is removed).
Status UnmountLayers(const LayerMount& m, const std::string& target);

}  // namespace kiln::runtime
