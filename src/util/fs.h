// Small, honest file helpers. Durable writes follow leveldb's recipe:
// write a temporary file, fsync it, rename it into place, fsync the directory.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace kiln {

Expected<std::string> ReadFile(const std::string& path);
Status WriteFileAtomic(const std::string& path, std::string_view data, mode_t mode = 0644);
Status MakeDirs(const std::string& path);
// Removes a file or a whole tree; a missing path is not an error.
Status RemoveTree(const std::string& path);
Status FsyncPath(const std::string& path);
Status FsyncParentDir(const std::string& path);
// For large files that will be fsync'd (or syncfs'd) when complete: once at least 8 MiB of
// fd past `from` up to `to` are unwritten, asks the kernel to start writing them to disk
// without waiting (sync_file_range WRITE) and returns `to`, else returns `from`. The final
// fsync then finds most of the data on disk already. Only a hint: it makes nothing durable.
uint64_t StartWriteback(int fd, uint64_t from, uint64_t to);
bool PathExists(const std::string& path);
std::string ParentDir(const std::string& path);
std::string JoinPath(std::string_view a, std::string_view b);
// Cleans an archive entry's name lexically, as Go's filepath.Clean does for podman: the
// result is relative, has no "", "." or ".." components, and is "" for the root. Refuses
// an absolute name ("path is absolute") and one whose ".." climbs above the root ("path
// escapes the destination"). The one path cleaner for layer and archive readers.
Expected<std::string> CleanRelativePath(std::string_view name);
// A random hex string, for temporary names.
std::string RandomHex(size_t bytes);

// Where temporary files go: $TMPDIR, else /var/tmp (images can be too big for a tmpfs /tmp).
std::string TempBaseDir();

// A directory made under TempBaseDir() on Create(), removed with everything in it
// when the object goes.
class TempDir {
 public:
  TempDir() = default;
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  Expected<std::string> Create(const std::string& prefix = "kiln");
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A file descriptor that closes itself.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) reset(o.release());
    return *this;
  }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// Writes all of data, retrying short writes and EINTR.
Status WriteAll(int fd, const void* data, size_t size);

}  // namespace kiln
