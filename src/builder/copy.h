// COPY and ADD into a root filesystem, with Docker's destination rules:
// - dest is absolute (the builder joins a relative dest to WORKDIR first);
// - several sources, or a glob, or dest ending in '/': dest is a directory (created);
// - one source file and dest not an existing directory and not ending in '/': dest is the file;
// - a source directory copies its contents (not itself) into dest;
// - missing parent directories of dest are created (0755, owned by the chown user or root);
// - files keep their permission bits and mtimes; owner is root:root unless chown is given;
//   chmod replaces the permission bits of every copied file and directory;
// - ADD (extract_archives) unpacks a local tar (plain, gzip, bzip2, xz, zstd; detected by
//   content) into dest instead of copying it; entries can never leave dest.
// The destination root is opened once and every path below it is resolved inside it
// (openat2 RESOLVE_IN_ROOT): a symlink in the image cannot make a copy write outside it.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "builder/context.h"
#include "containerfile/ignore.h"
#include "util/status.h"

namespace kiln::build {

struct CopyOptions {
  std::optional<uid_t> uid;     // --chown, already resolved against the image
  std::optional<gid_t> gid;
  std::optional<mode_t> chmod;  // --chmod (octal, parsed by the caller)
  bool extract_archives = false;  // ADD
  bool parents = false;           // --parents: keep the source's relative path under dest
  std::vector<std::string> excludes;  // --exclude patterns (same syntax as ignore files)
};

// Copies `sources` (from ResolveSources on source_root) to dest inside dest_root.
// `ignore` (context sources only, may be null) drops ignored files inside copied directories.
Status CopySources(const std::string& source_root, const std::vector<Source>& sources, const IgnoreMatcher* ignore,
                   const std::string& dest_root, const std::string& dest, const CopyOptions& opts);

// Writes bytes (a heredoc body, a downloaded file) as dest inside dest_root, same rules.
Status WriteFileInto(const std::string& dest_root, const std::string& dest, std::string_view data, mode_t mode,
                     const CopyOptions& opts);

// Creates dir (absolute inside the root filesystem at root) and its missing parents, 0755
// and owned by uid:gid, following symlinks inside root (a dangling one gets its target
// created), as buildah's copier.Mkdir does for WORKDIR and VOLUME. Returns the directory's
// path inside root with every symlink resolved ("/test-log/test" → "/data/log/test").
Expected<std::string> MakeDirIn(const std::string& root, const std::string& dir, uid_t uid, gid_t gid);

// "--chmod=755" → 0755; kInvalidArgument otherwise.
Expected<mode_t> ParseChmod(const std::string& text);

}  // namespace kiln::build
