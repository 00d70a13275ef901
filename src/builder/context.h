// The build context: which files a COPY/ADD selects, and a content digest of exactly those
// files for the layer cache (never mtimes, never the context's absolute path).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "containerfile/ignore.h"
#include "util/digest.h"
#include "util/status.h"

namespace kiln::build {

// One selected source: a path relative to the source root that a COPY pattern matched.
struct Source {
  std::string rel;   // "" for the root itself ("COPY . /x")
  bool is_dir = false;
};

// Resolves COPY/ADD source patterns (already variable-expanded) against root (the context
// directory, or another stage's root filesystem for --from). Patterns are relative to root;
// a leading '/' means root; "..", or a symlink on the way, can never leave root (refused with
// kInvalidArgument naming the pattern). Globs follow Go's filepath.Match per element.
// A pattern that matches nothing is kNotFound with buildah's text:
//   checking on sources under "ROOT": copier: stat: "/nosuch.txt": no such file or directory
// except a glob that matches no name at all: it is skipped, as buildah does, and only when
// every pattern is such a glob is it kNotFound, listing them:
//   checking on sources under "ROOT": Rel: can't make  relative to ROOT; copier: stat: ["/*foo" "/*bar"]: no such file or directory
// Excluded (ignored) paths never match; `ignore` may be null (for --from sources).
Expected<std::vector<Source>> ResolveSources(const std::string& root, const std::vector<std::string>& patterns,
                                             const IgnoreMatcher* ignore);

// What the stat cache remembers about a file (DESIGN.md: path, size, mtime, ctime, inode).
struct FileStamp {
  int64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  uint64_t inode = 0;
  uint32_t mode = 0;
};

// Persisted by the store; the context hasher asks it before reading a file's bytes.
class StatCache {
 public:
  virtual ~StatCache() = default;
  // The content digest recorded for path when its stamp was exactly `stamp`.
  virtual std::optional<Digest> Lookup(const std::string& abs_path, const FileStamp& stamp) = 0;
  virtual void Record(const std::string& abs_path, const FileStamp& stamp, const Digest& content) = 0;
};

// A digest of the selected sources' contents as a COPY would copy them: for each file (walking
// directories in sorted order, skipping ignored paths, honouring `excludes` patterns of
// COPY --exclude) its path relative to the source it came from, type, permission bits,
// uid/gid (with Owners::kHash), size, content digest and symlink target. Same bytes in another
// directory, with new inodes and mtimes, give the same digest. `cache` may be null.
//
// COPY gives every file its --chown owner or root, so it hashes with Owners::kIgnore: the
// sources' owners, which differ between users and between rootless kiln (a user's file is
// 0 there) and rootful kiln, must not change the step's digest and so the image. A RUN's
// bind mount shows the owners to the command, but they are whoever checked the context out
// (the runner's user): kIgnore too, as BuildKit maps a local context's owners to 0, so that
// keys never depend on the user (docs/cache.md). kHash is for callers that want them.
// A directory source's own mode and owner never count: COPY does not copy them.
enum class Owners { kHash, kIgnore };
Expected<Digest> HashSources(const std::string& root, const std::vector<Source>& sources, const IgnoreMatcher* ignore,
                             const std::vector<std::string>& excludes, StatCache* cache, Owners owners);

}  // namespace kiln::build
