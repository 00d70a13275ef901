// Extracts an OCI/Docker layer tar into a snapshot directory.
//
//   FdReader blob(std::move(fd));
//   ASSIGN_OR_RETURN(auto tar, OpenDecompressor(std::make_unique<ReaderRef>(blob)));
//   DigestingReader diff(*tar);
//   ApplyStats stats;
//   RETURN_IF_ERROR(store::ApplyLayer(diff, snapshot_fs_dir, {}, &stats));
//   if (diff.Finish() != expected_diff_id) ...   // the whole stream was read
//
// The tar is parsed by libarchive; files are written by kiln itself, every operation
// relative to a directory descriptor inside dest_dir (openat/mkdirat/linkat/... with
// O_NOFOLLOW), never through a path string that the kernel resolves from "/". kiln does
// not use archive_write_disk because it resolves paths against the process's working
// directory and briefly sets the process umask to 0 for every entry, which concurrent
// extractions in one process would race on (and can leave the umask at 0).
//
// Safety policy (bad input gives kInvalidArgument naming the entry, e.g.
//   applying layer: entry "../x": path escapes the destination):
// - entry names are cleaned lexically ("./a//b/../c" is "a/c"); an absolute name or one
//   whose ".." climbs above the root is refused; so is a hard link whose target is;
// - no entry is ever written through a symlink: a path whose parent directories include a
//   symlink on disk is refused, wherever the symlink points (layers written by Docker,
//   buildah or tar(1) never contain such paths). A symlink entry itself may point anywhere,
//   as images legitimately contain absolute symlinks; it is created, never followed;
// - an existing entry at the path is replaced (a directory over a directory merges);
// - device nodes need CAP_MKNOD: without it they are skipped with a warning, as podman
//   does in a user namespace; file flags (chattr +i...) and ACLs are never applied;
// - overlayfs control xattrs (trusted.overlay.*, user.overlay.*) in the tar are dropped:
//   only kiln's own whiteout conversion may set them.
//
// Nothing is fsync'd: the caller syncs the finished snapshot once (syncfs).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/io.h"
#include "util/status.h"

namespace kiln::store {

// How OCI whiteouts (".wh.NAME" = NAME was deleted, ".wh..wh..opq" = the directory hides
// everything below it from lower layers) are written.
enum class WhiteoutPolicy {
  // dest_dir holds only this layer and serves as an overlayfs lowerdir (kiln's snapshots):
  //  ".wh.NAME"     -> a character device 0/0 named NAME (overlayfs' whiteout). Linux
  //                    >= 5.8 lets any user create it; older kernels need CAP_MKNOD, and
  //                    when the kernel refuses, the ".wh.NAME" file is kept as is
  //                    (fuse-overlayfs reads those), counted in ApplyStats::whiteout_fallbacks.
  //  ".wh..wh..opq" -> xattr trusted.overlay.opaque=y on its directory; without the
  //                    privilege for trusted.*, user.overlay.opaque=y (overlayfs'
  //                    "userxattr" mode), counted in ApplyStats::opaque_fallbacks; if the
  //                    filesystem has no xattrs at all the marker file is kept.
  //  A whiteout never hides a file of the same layer (OCI image spec): if NAME was already
  //  written by this layer the whiteout is ignored, and a later NAME replaces it.
  //  Other ".wh..wh.*" names (aufs metadata) are skipped.
  kOverlay,
  // dest_dir holds the lower layers already (a flattened root filesystem): ".wh.NAME"
  // removes NAME, ".wh..wh..opq" empties its directory except what this layer put there.
  kApply,
  // Whiteout files are extracted as ordinary files.
  kKeep,
};

enum class OwnershipPolicy {
  kAuto,      // kPreserve when running as root (euid 0, rootless in a user namespace with
              // subordinate IDs), else kIgnore
  kPreserve,  // chown to the (mapped) uid/gid of the tar; failure is an error
  kIgnore,    // files belong to the caller
};

// Maps ids [container_id, container_id + size) to [host_id, host_id + size), as
// podman's --uidmap does. An id outside every range is an error.
struct IdMapping {
  uint32_t container_id = 0;
  uint32_t host_id = 0;
  uint32_t size = 0;
};

struct ApplyOptions {
  WhiteoutPolicy whiteouts = WhiteoutPolicy::kOverlay;
  OwnershipPolicy ownership = OwnershipPolicy::kAuto;
  // Empty means identity.
  std::vector<IdMapping> uid_map;
  std::vector<IdMapping> gid_map;
};

struct ApplyStats {
  uint64_t entries = 0;             // tar entries read, whiteouts included
  uint64_t file_bytes = 0;          // sum of the sizes of regular files written
  uint64_t whiteouts = 0;           // ".wh.NAME" entries handled
  uint64_t opaque_dirs = 0;         // ".wh..wh..opq" entries handled
  uint64_t whiteout_fallbacks = 0;  // kOverlay whiteouts kept as ".wh." files (no mknod)
  uint64_t opaque_fallbacks = 0;    // kOverlay opaque dirs marked with user.* or kept as marker
  uint64_t skipped_devices = 0;     // device nodes not created for lack of CAP_MKNOD
  // Non-fatal problems (an xattr the filesystem refused, a skipped device...), at most
  // kMaxWarnings of them; warning_count counts them all.
  std::vector<std::string> warnings;
  uint64_t warning_count = 0;
  static constexpr size_t kMaxWarnings = 100;
};

// Reads the uncompressed tar from `tar` to its very end (so a DigestingReader around it
// sees every byte, padding after the end-of-archive blocks included) and extracts it into
// dest_dir, which must exist. On error dest_dir is left partly written: the caller
// discards it (snapshots are built in a temporary directory). `stats` may be null.
Status ApplyLayer(Reader& tar, const std::string& dest_dir, const ApplyOptions& opts, ApplyStats* stats);

}  // namespace kiln::store
