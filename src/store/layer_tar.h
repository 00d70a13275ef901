// Turns a directory (the overlayfs upper dir of a finished RUN step, or any root
// filesystem) into a layer tar, deterministically: the same tree always gives the same
// bytes, hence the same diffID and a usable build cache.
//
//   FdWriter file(std::move(fd));
//   DigestingWriter diff(file);
//   RETURN_IF_ERROR(store::WriteLayerTarFromDir(upper_dir, diff, {}));
//   RETURN_IF_ERROR(diff.Close());
//   Digest diff_id = diff.Finish();
//
// The tar is what buildah and Docker write (Go's archive/tar in PAX mode, through
// containers/storage): a ustar header per entry plus a PAX record only where ustar cannot
// say it (long names, xattrs as SCHILY.xattr.*, large ids); names relative with no "./",
// directories ending in "/"; uname/gname, atime and ctime left out; mtimes in whole
// seconds; end-of-archive = two zero blocks, no further padding; a non-ASCII name goes in a
// PAX path record as its raw bytes, marked hdrcharset=BINARY (Go omits that mark; readers
// take the bytes either way), so the tar never depends on the process locale.
// Entries come depth-first,
// each directory's children sorted by name (bytewise). The root itself is not an entry.
//
// - Hard links: a second path to an already written inode becomes a hard link entry.
// - Xattrs kept: security.capability, security.ima and user.* (not user.overlay.* nor
//   user.fuseoverlayfs.*), the
//   set containers/storage keeps.
// - Overlayfs whiteouts (convert_overlay_whiteouts): a character device 0/0 NAME becomes
//   an empty regular file ".wh.NAME" (mode 0, its owner and mtime); a directory with
//   trusted.overlay.opaque=y or user.overlay.opaque=y is followed by an empty
//   "DIR/.wh..wh..opq" (the directory's permissions, owner and mtime). Upper dirs using
//   overlayfs redirect_dir or metacopy cannot be expressed as a layer and are refused:
//   mount build containers without them.
// - Sockets are skipped (tar cannot hold them).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "util/io.h"
#include "util/status.h"

namespace kiln::store {

struct TarOptions {
  // Any mtime later than this (seconds since the epoch) is written as this, as buildah's
  // --source-date-epoch/--rewrite-timestamp do for reproducible layers.
  std::optional<int64_t> clamp_mtime;
  // Every mtime is written as clamp_mtime, earlier ones too (podman's --timestamp, so that
  // the context's file times do not matter); off, only later ones move back (BuildKit's
  // SOURCE_DATE_EPOCH rewrite).
  bool exact_mtime = false;
  // Convert overlayfs whiteouts to OCI ones (see above); off, char devices are devices.
  bool convert_overlay_whiteouts = true;
};

// Writes the tar of dir's contents to out. Does not Close() out.
Status WriteLayerTarFromDir(const std::string& dir, Writer& out, const TarOptions& opts);

}  // namespace kiln::store
