#include "store/layer_apply.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/fs.h"
#include "util/rootless.h"

namespace kiln::store {
namespace {

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kWhiteoutMetaPrefix = ".wh..wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";
constexpr char kOverlayOpaque[] = "trusted.overlay.opaque";
constexpr char kUserOverlayOpaque[] = "user.overlay.opaque";

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

// ---------------------------------------------------------------------------------------
// Paths.


struct SplitPath {
  std::string dir;   // "" for the root
  std::string base;
};

SplitPath Split(const std::string& rel) {
  size_t slash = rel.rfind('/');
  if (slash == std::string::npos) return {"", rel};
  return {rel.substr(0, slash), rel.substr(slash + 1)};
}

std::string Join(const std::string& dir, std::string_view base) {
  return dir.empty() ? std::string(base) : dir + "/" + std::string(base);
}

// True if `path` is `prefix` or lies below it.
bool IsWithin(std::string_view path, std::string_view prefix) {
  if (prefix.empty()) return true;
  return StartsWith(path, prefix) && (path.size() == prefix.size() || path[prefix.size()] == '/');
}

// Removes name (a file or a whole tree) inside dirfd without following any symlink.
Status RemoveAllAt(int dirfd, const std::string& name) {
  if (::unlinkat(dirfd, name.c_str(), 0) == 0 || errno == ENOENT) return Status::Ok();
  if (errno != EISDIR && errno != EPERM) return ErrnoError("remove " + name, errno);
  int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return ErrnoError("open " + name, errno);
  DIR* d = ::fdopendir(fd);
  if (!d) {
    ::close(fd);
    return ErrnoError("read directory " + name, errno);
  }
  std::vector<std::string> children;
  while (dirent* de = ::readdir(d)) {
    std::string_view n = de->d_name;
    if (n != "." && n != "..") children.emplace_back(n);
  }
  Status st;
  for (const std::string& child : children) {
    st = RemoveAllAt(::dirfd(d), child);
    if (!st.ok()) break;
  }
  ::closedir(d);
  RETURN_IF_ERROR(st);
  if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) != 0) return ErrnoError("remove " + name, errno);
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------
// Reading the tar through libarchive.

struct ArchiveReadDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveReadDeleter>;

struct ReadContext {
  explicit ReadContext(Reader& r) : reader(&r), buf(kStreamChunkSize) {}
  Reader* reader;
  std::vector<char> buf;
  Status error;  // the Reader's own error, reported instead of libarchive's paraphrase
};

la_ssize_t ReadCallback(archive* a, void* opaque, const void** out) {
  auto* ctx = static_cast<ReadContext*>(opaque);
  Expected<size_t> n = ctx->reader->Read(ctx->buf.data(), ctx->buf.size());
  if (!n.ok()) {
    ctx->error = n.status();
    archive_set_error(a, EIO, "%s", n.status().message().c_str());
    return -1;
  }
  *out = ctx->buf.data();
  return static_cast<la_ssize_t>(*n);
}

Status TarError(archive* a, const ReadContext& ctx) {
  if (!ctx.error.ok()) return ctx.error;
  const char* msg = archive_error_string(a);
  return Corrupt(std::string("reading tar: ") + (msg ? msg : "unknown error"));
}

Status Drain(Reader& r) {
  std::vector<char> buf(64 * 1024);
  for (;;) {
    ASSIGN_OR_RETURN(size_t n, r.Read(buf.data(), buf.size()));
    if (n == 0) return Status::Ok();
  }
}

// The entry's name as stored; libarchive cannot always convert it to the locale's
// charset (a UTF-8 pax name under the C locale) and then only has it as UTF-8.
std::string EntryName(archive_entry* e) {
  const char* p = archive_entry_pathname(e);
  if (!p) p = archive_entry_pathname_utf8(e);
  return p ? p : "";
}

bool IsOverlayXattr(std::string_view name) {
  return StartsWith(name, "trusted.overlay.") || StartsWith(name, "user.overlay.");
}

// ---------------------------------------------------------------------------------------
// Writing.

struct DirMetadata {
  mode_t mode;
  timespec times[2];
};

// What ClearSlot found where a new entry goes.
enum class Slot {
  kFree,         // nothing there (any more)
  kExistingDir,  // a directory, kept for a directory entry to merge into
  kWasWhiteout,  // this layer's overlay whiteout, removed
};

class Extractor {
 public:
  Extractor(int root_fd, const ApplyOptions& opts, ApplyStats& stats)
      : root_fd_(root_fd), opts_(opts), stats_(stats) {
    // In a rootless single-ID user namespace only root exists: every file stays the caller's
    // (0 inside), as podman does; entering the namespace warned about it (runtime/userns.h).
    bool root = ::geteuid() == 0 && !SingleIdUserNamespace();
    chown_ = opts.ownership == OwnershipPolicy::kPreserve ||
             (opts.ownership == OwnershipPolicy::kAuto && root);
  }

  // Extracts one entry; errors name what went wrong but not the entry (the caller adds it).
  Status Handle(archive* ar, archive_entry* e, const std::string& rel) {
    SplitPath p = Split(rel);
    if (opts_.whiteouts != WhiteoutPolicy::kKeep && StartsWith(p.base, kWhiteoutPrefix)) {
      return HandleWhiteout(ar, e, rel, p);
    }
    return WriteEntry(ar, e, rel, p);
  }

  void Warn(std::string message) {
    ++stats_.warning_count;
    if (stats_.warnings.size() < ApplyStats::kMaxWarnings) stats_.warnings.push_back(std::move(message));
  }

  // Applies directory modes and times last: creating children changes a directory's
  // mtime, and a read-only directory could not receive its children. Deepest first
  // (reverse lexical order puts "a/b" before "a") so that a non-root caller can still
  // walk into a directory whose final mode would forbid it.
  Status Finish() {
    for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) {
      const auto& [rel, meta] = *it;
      UniqueFd fd = OpenExistingDir(rel);
      if (!fd.valid()) continue;  // replaced by a later entry
      if (::fchmod(fd.get(), meta.mode) != 0) return ErrnoError("chmod " + rel, errno);
      if (::futimens(fd.get(), meta.times) != 0) return ErrnoError("set times of " + rel, errno);
    }
    return Status::Ok();
  }

 private:
  Status WriteEntry(archive* ar, archive_entry* e, const std::string& rel, const SplitPath& p) {
    if (rel.empty()) return WriteRoot(e);
    ASSIGN_OR_RETURN(int pfd, OpenParent(p.dir));
    if (archive_entry_hardlink(e)) return WriteHardlink(e, rel, pfd, p.base);
    mode_t type = archive_entry_filetype(e);
    ASSIGN_OR_RETURN(Slot slot, ClearSlot(pfd, p.base, rel, type == AE_IFDIR));
    MarkWritten(rel);
    switch (type) {
      case AE_IFREG: return WriteFile(ar, e, pfd, p.base);
      case AE_IFDIR: return WriteDir(e, rel, pfd, p.base, slot);
      case AE_IFLNK: return WriteSymlink(e, pfd, p.base);
      case AE_IFCHR:
      case AE_IFBLK:
      case AE_IFIFO: return WriteNode(e, rel, pfd, p.base);
      default: return InvalidArgument("unsupported file type " + std::to_string(type));
    }
  }

  // "./" carries the metadata of the root directory itself.
  Status WriteRoot(archive_entry* e) {
    if (archive_entry_filetype(e) != AE_IFDIR || archive_entry_hardlink(e)) {
      return InvalidArgument("the root can only be a directory");
    }
    RETURN_IF_ERROR(ChownFd(root_fd_, e));
    RETURN_IF_ERROR(SetXattrs(e, root_fd_, "", ""));
    DeferDirMetadata(e, "");
    return Status::Ok();
  }

  Status WriteFile(archive* ar, archive_entry* e, int pfd, const std::string& base) {
    UniqueFd fd(::openat(pfd, base.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd.valid()) return ErrnoError("create", errno);
    RETURN_IF_ERROR(CopyData(ar, fd.get(), archive_entry_size(e)));
    stats_.file_bytes += static_cast<uint64_t>(archive_entry_size(e));
    // chown before chmod and xattrs: chown clears setuid/setgid and security.capability.
    RETURN_IF_ERROR(ChownFd(fd.get(), e));
    if (::fchmod(fd.get(), Permissions(e)) != 0) return ErrnoError("chmod", errno);
    RETURN_IF_ERROR(SetXattrs(e, fd.get(), "", ""));
    timespec ts[2];
    Times(e, ts);
    if (::futimens(fd.get(), ts) != 0) return ErrnoError("set times", errno);
    if (::close(fd.release()) != 0) return ErrnoError("close", errno);
    return Status::Ok();
  }

  // Writes the data blocks at their offsets: sparse files keep their holes.
  static Status CopyData(archive* ar, int fd, la_int64_t size) {
    la_int64_t pos = 0;
    uint64_t written_back = 0;  // the snapshot's syncfs has less to wait for
    for (;;) {
      const void* buf;
      size_t len;
      la_int64_t offset;
      int r = archive_read_data_block(ar, &buf, &len, &offset);
      if (r == ARCHIVE_EOF) break;
      if (r != ARCHIVE_OK) return DataError(ar);
      if (offset != pos && ::lseek(fd, offset, SEEK_SET) < 0) return ErrnoError("seek", errno);
      RETURN_IF_ERROR(WriteAll(fd, buf, len));
      pos = offset + static_cast<la_int64_t>(len);
      written_back = StartWriteback(fd, written_back, static_cast<uint64_t>(pos));
    }
    if (pos < size && ::ftruncate(fd, size) != 0) return ErrnoError("truncate", errno);
    return Status::Ok();
  }

  static Status DataError(archive* ar) {
    const char* msg = archive_error_string(ar);
    return Corrupt(std::string("reading tar: ") + (msg ? msg : "unknown error"));
  }

  Status WriteDir(archive_entry* e, const std::string& rel, int pfd, const std::string& base, Slot slot) {
    // Owner-only until Finish() sets the real mode.
    if (slot != Slot::kExistingDir && ::mkdirat(pfd, base.c_str(), 0700) != 0) return ErrnoError("mkdir", errno);
    UniqueFd fd(::openat(pfd, base.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid()) return ErrnoError("open directory", errno);
    RETURN_IF_ERROR(ChownFd(fd.get(), e));
    RETURN_IF_ERROR(SetXattrs(e, fd.get(), "", ""));
    if (slot == Slot::kWasWhiteout) RETURN_IF_ERROR(MarkOpaqueOrWarn(fd.get(), rel));
    DeferDirMetadata(e, rel);
    return Status::Ok();
  }

  Status WriteSymlink(archive_entry* e, int pfd, const std::string& base) {
    const char* target = archive_entry_symlink(e);
    if (!target) target = archive_entry_symlink_utf8(e);
    if (!target || !*target) return InvalidArgument("symlink without a target");
    if (::symlinkat(target, pfd, base.c_str()) != 0) return ErrnoError("symlink", errno);
    return SetPathMetadata(e, pfd, base, /*chmod=*/false);  // a symlink's mode means nothing
  }

  Status WriteNode(archive_entry* e, const std::string& rel, int pfd, const std::string& base) {
    mode_t type = archive_entry_filetype(e);
    dev_t dev = makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
    if (::mknodat(pfd, base.c_str(), type | 0600, type == AE_IFIFO ? 0 : dev) != 0) {
      if (errno == EPERM && type != AE_IFIFO) {
        ++stats_.skipped_devices;
        Warn("skipped device node " + Quote(rel) + ": creating devices is not permitted");
        return Status::Ok();
      }
      return ErrnoError("mknod", errno);
    }
    return SetPathMetadata(e, pfd, base, /*chmod=*/true);
  }

  Status WriteHardlink(archive_entry* e, const std::string& rel, int pfd, const std::string& base) {
    std::string raw = archive_entry_hardlink(e);
    Expected<std::string> target = CleanRelativePath(raw);
    if (!target.ok()) return target.status().Wrap("hard link target " + Quote(raw));
    if (target->empty()) return InvalidArgument("hard link to the root directory");
    SplitPath t = Split(*target);
    Expected<UniqueFd> tfd = WalkDir(t.dir, /*create=*/false);
    if (!tfd.ok() && tfd.status().code() == Code::kNotFound) {
      return InvalidArgument("hard link target " + Quote(raw) + " does not exist");
    }
    if (!tfd.ok()) return tfd.status().Wrap("hard link target " + Quote(raw));
    RETURN_IF_ERROR(ClearSlot(pfd, base, rel, false).status());
    MarkWritten(rel);
    // Flags 0: a target that is a symlink is linked itself, never followed.
    if (::linkat(tfd->get(), t.base.c_str(), pfd, base.c_str(), 0) != 0) {
      if (errno == ENOENT) return InvalidArgument("hard link target " + Quote(raw) + " does not exist");
      if (errno == EPERM) return InvalidArgument("hard link target " + Quote(raw) + " is a directory");
      return ErrnoError("link", errno);
    }
    return Status::Ok();
  }

  // Owner, mode, xattrs and times of an object that cannot be opened for writing
  // (symlinks, device nodes), by name in its parent; in that order, as chown clears
  // setuid/setgid and security.capability.
  Status SetPathMetadata(archive_entry* e, int pfd, const std::string& base, bool chmod) {
    RETURN_IF_ERROR(ChownAt(pfd, base, e));
    // Only for nodes just made by us, never symlinks: following the name is safe here.
    if (chmod && ::fchmodat(pfd, base.c_str(), Permissions(e), 0) != 0) return ErrnoError("chmod", errno);
    RETURN_IF_ERROR(SetXattrs(e, -1, ProcPath(pfd, base), base));
    timespec ts[2];
    Times(e, ts);
    if (::utimensat(pfd, base.c_str(), ts, AT_SYMLINK_NOFOLLOW) != 0) return ErrnoError("set times", errno);
    return Status::Ok();
  }

  // ---- whiteouts ----

  Status HandleWhiteout(archive* ar, archive_entry* e, const std::string& rel, const SplitPath& p) {
    if (p.base == kOpaqueMarker) return HandleOpaque(ar, e, rel, p);
    if (StartsWith(p.base, kWhiteoutMetaPrefix)) return Status::Ok();  // aufs metadata
    std::string name = p.base.substr(kWhiteoutPrefix.size());
    if (name.empty() || name == "." || name == "..") return InvalidArgument("invalid whiteout");
    ++stats_.whiteouts;
    ASSIGN_OR_RETURN(int pfd, OpenParent(p.dir));
    std::string target = Join(p.dir, name);
    if (opts_.whiteouts == WhiteoutPolicy::kApply) {
      if (WrittenAtOrBelow(target)) return Status::Ok();
      InvalidateCache(target);
      return RemoveAllAt(pfd, name);
    }
    // kOverlay: dest holds only this layer, so anything at NAME is from this layer and
    // stays. A directory of this layer must still hide the lower layers' one: opaque.
    struct stat st;
    if (::fstatat(pfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
      if (!S_ISDIR(st.st_mode)) return Status::Ok();
      UniqueFd dir(::openat(pfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!dir.valid()) return ErrnoError("open directory", errno);
      return MarkOpaqueOrWarn(dir.get(), target);
    }
    if (::mknodat(pfd, name.c_str(), S_IFCHR, makedev(0, 0)) != 0) {
      if (errno != EPERM) return ErrnoError("mknod whiteout", errno);
      ++stats_.whiteout_fallbacks;
      return WriteEntry(ar, e, rel, p);
    }
    MarkWritten(target);
    return SetPathMetadata(e, pfd, name, /*chmod=*/false);  // mode 0, as overlayfs makes them
  }

  Status HandleOpaque(archive* ar, archive_entry* e, const std::string& rel, const SplitPath& p) {
    ++stats_.opaque_dirs;
    ASSIGN_OR_RETURN(UniqueFd path_fd, WalkDir(p.dir, /*create=*/true));
    UniqueFd dir(::openat(path_fd.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid()) return ErrnoError("open directory", errno);
    if (opts_.whiteouts == WhiteoutPolicy::kApply) return EmptyExceptWritten(dir.get(), p.dir);
    ASSIGN_OR_RETURN(bool marked, MarkOpaque(dir.get()));
    if (marked) return Status::Ok();
    return WriteEntry(ar, e, rel, p);  // no usable xattrs: keep the marker file
  }

  // Sets overlayfs' opaque xattr on a directory. trusted.* needs CAP_SYS_ADMIN; without
  // it, the user.* form that overlayfs reads on "userxattr" mounts. False when the
  // filesystem takes neither.
  Expected<bool> MarkOpaque(int dirfd) {
    if (::fsetxattr(dirfd, kOverlayOpaque, "y", 1, 0) == 0) return true;
    if (errno != EPERM && errno != ENOTSUP) return ErrnoError(std::string("set ") + kOverlayOpaque, errno);
    ++stats_.opaque_fallbacks;
    if (::fsetxattr(dirfd, kUserOverlayOpaque, "y", 1, 0) == 0) return true;
    if (errno != EPERM && errno != ENOTSUP) return ErrnoError(std::string("set ") + kUserOverlayOpaque, errno);
    return false;
  }

  // For a directory that replaces this layer's own whiteout of the same name.
  Status MarkOpaqueOrWarn(int dirfd, const std::string& rel) {
    ASSIGN_OR_RETURN(bool marked, MarkOpaque(dirfd));
    if (!marked) Warn("cannot mark " + Quote(rel) + " opaque: the filesystem has no xattrs");
    return Status::Ok();
  }

  bool IsOverlayWhiteout(const struct stat& st) const {
    return opts_.whiteouts == WhiteoutPolicy::kOverlay && S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0);
  }

  // kApply's opaque directory: removes what lower layers put in dir.
  Status EmptyExceptWritten(int dirfd, const std::string& dir_rel) {
    int fd = ::dup(dirfd);
    DIR* d = fd >= 0 ? ::fdopendir(fd) : nullptr;
    if (!d) {
      if (fd >= 0) ::close(fd);
      return ErrnoError("read directory", errno);
    }
    std::vector<std::string> doomed;
    while (dirent* de = ::readdir(d)) {
      std::string_view n = de->d_name;
      if (n == "." || n == "..") continue;
      if (!WrittenAtOrBelow(Join(dir_rel, n))) doomed.emplace_back(n);
    }
    ::closedir(d);
    for (const std::string& name : doomed) {
      InvalidateCache(Join(dir_rel, name));
      RETURN_IF_ERROR(RemoveAllAt(dirfd, name));
    }
    return Status::Ok();
  }

  // ---- directories ----

  // The parent directory of an entry, created (0755, like podman's implied directories)
  // where missing. The last one is cached: tar entries come grouped by directory.
  Expected<int> OpenParent(const std::string& dir) {
    if (dir.empty()) return root_fd_;
    if (cached_fd_.valid() && cached_dir_ == dir) return cached_fd_.get();
    ASSIGN_OR_RETURN(UniqueFd fd, WalkDir(dir, /*create=*/true));
    cached_fd_ = std::move(fd);
    cached_dir_ = dir;
    return cached_fd_.get();
  }

  void InvalidateCache(const std::string& rel) {
    if (cached_fd_.valid() && IsWithin(cached_dir_, rel)) cached_fd_.reset();
  }

  // Opens dir (relative to the root) one component at a time, refusing symlinks, so that
  // nothing is ever reached through a link. Returns an O_PATH descriptor.
  Expected<UniqueFd> WalkDir(const std::string& dir, bool create) {
    UniqueFd cur(::openat(root_fd_, ".", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!cur.valid()) return ErrnoError("open destination", errno);
    size_t pos = 0;
    while (pos < dir.size()) {
      size_t slash = dir.find('/', pos);
      if (slash == std::string::npos) slash = dir.size();
      std::string name = dir.substr(pos, slash - pos);
      std::string so_far = dir.substr(0, slash);
      pos = slash + 1;
      ASSIGN_OR_RETURN(UniqueFd next, OpenChildDir(cur.get(), name, so_far, create));
      cur = std::move(next);
    }
    return cur;
  }

  Expected<UniqueFd> OpenChildDir(int parent, const std::string& name, const std::string& so_far, bool create) {
    constexpr int kFlags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    UniqueFd fd(::openat(parent, name.c_str(), kFlags));
    if (fd.valid()) return fd;
    if (errno == ENOENT && create) {
      RETURN_IF_ERROR(MakeImpliedDir(parent, name));
      fd.reset(::openat(parent, name.c_str(), kFlags));
      if (fd.valid()) return fd;
    }
    int err = errno;
    struct stat st;
    if (::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
      if (create && IsOverlayWhiteout(st)) return ReplaceWhiteoutWithDir(parent, name, so_far);
      if (S_ISLNK(st.st_mode)) return InvalidArgument("refusing to write through symlink " + Quote(so_far));
      if (!S_ISDIR(st.st_mode)) return InvalidArgument("parent " + Quote(so_far) + " is not a directory");
    }
    return ErrnoError("open " + Quote(so_far), err);
  }

  // This layer whited NAME out and now puts something below it: NAME becomes an opaque
  // directory, which is what the whiteout plus the new content mean together.
  Expected<UniqueFd> ReplaceWhiteoutWithDir(int parent, const std::string& name, const std::string& so_far) {
    if (::unlinkat(parent, name.c_str(), 0) != 0) return ErrnoError("remove whiteout " + Quote(so_far), errno);
    RETURN_IF_ERROR(MakeImpliedDir(parent, name));
    UniqueFd dir(::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!dir.valid()) return ErrnoError("open " + Quote(so_far), errno);
    RETURN_IF_ERROR(MarkOpaqueOrWarn(dir.get(), so_far));
    UniqueFd path(::openat(parent, name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!path.valid()) return ErrnoError("open " + Quote(so_far), errno);
    return path;
  }

  Status MakeImpliedDir(int parent, const std::string& name) {
    if (::mkdirat(parent, name.c_str(), 0755) != 0 && errno != EEXIST) return ErrnoError("mkdir " + name, errno);
    UniqueFd fd(::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid()) return ErrnoError("open " + name, errno);
    if (::fchmod(fd.get(), 0755) != 0) return ErrnoError("chmod " + name, errno);  // umask-proof
    if (!chown_) return Status::Ok();
    ASSIGN_OR_RETURN(uid_t uid, MapId(opts_.uid_map, 0, "UID"));
    ASSIGN_OR_RETURN(gid_t gid, MapId(opts_.gid_map, 0, "GID"));
    if (::fchown(fd.get(), uid, gid) != 0) return ErrnoError("chown " + name, errno);
    return Status::Ok();
  }

  UniqueFd OpenExistingDir(const std::string& rel) {
    if (rel.empty()) return UniqueFd(::dup(root_fd_));
    SplitPath p = Split(rel);
    Expected<UniqueFd> parent = WalkDir(p.dir, /*create=*/false);
    if (!parent.ok()) return UniqueFd();
    return UniqueFd(::openat(parent->get(), p.base.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  }

  void DeferDirMetadata(archive_entry* e, const std::string& rel) {
    DirMetadata meta;
    meta.mode = Permissions(e);
    Times(e, meta.times);
    dirs_[rel] = meta;
  }

  // Makes room for a new entry at base: an existing directory stays when the entry is a
  // directory too, anything else there is removed.
  Expected<Slot> ClearSlot(int pfd, const std::string& base, const std::string& rel, bool want_dir) {
    struct stat st;
    if (::fstatat(pfd, base.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) return Slot::kFree;
      return ErrnoError("stat", errno);
    }
    if (want_dir && S_ISDIR(st.st_mode)) return Slot::kExistingDir;
    InvalidateCache(rel);
    if (S_ISDIR(st.st_mode)) {
      RETURN_IF_ERROR(RemoveAllAt(pfd, base));
      dirs_.erase(rel);
    } else if (::unlinkat(pfd, base.c_str(), 0) != 0) {
      return ErrnoError("remove existing entry", errno);
    }
    return IsOverlayWhiteout(st) ? Slot::kWasWhiteout : Slot::kFree;
  }

  // ---- bookkeeping for kApply ----

  void MarkWritten(const std::string& rel) {
    if (opts_.whiteouts == WhiteoutPolicy::kApply) written_.insert(rel);
  }

  bool WrittenAtOrBelow(const std::string& rel) const {
    auto it = written_.lower_bound(rel);
    return it != written_.end() && IsWithin(*it, rel);
  }

  // ---- metadata ----

  static mode_t Permissions(archive_entry* e) { return archive_entry_perm(e) & 07777; }

  static void Times(archive_entry* e, timespec ts[2]) {
    ts[1] = {archive_entry_mtime(e), archive_entry_mtime_nsec(e)};
    ts[0] = archive_entry_atime_is_set(e) ? timespec{archive_entry_atime(e), archive_entry_atime_nsec(e)} : ts[1];
  }

  static Expected<uint32_t> MapId(const std::vector<IdMapping>& map, int64_t id, const char* kind) {
    if (id < 0 || id > UINT32_MAX) return InvalidArgument(std::string("invalid ") + kind + " " + std::to_string(id));
    if (map.empty()) return static_cast<uint32_t>(id);
    for (const IdMapping& m : map) {
      if (id >= m.container_id && id - m.container_id < m.size) return static_cast<uint32_t>(m.host_id + (id - m.container_id));
    }
    return InvalidArgument(std::string("container ") + kind + " " + std::to_string(id) + " cannot be mapped to a host ID");
  }

  Expected<std::pair<uid_t, gid_t>> Owner(archive_entry* e) const {
    ASSIGN_OR_RETURN(uid_t uid, MapId(opts_.uid_map, archive_entry_uid(e), "UID"));
    ASSIGN_OR_RETURN(gid_t gid, MapId(opts_.gid_map, archive_entry_gid(e), "GID"));
    return std::make_pair(uid, gid);
  }

  // podman's words for the usual cause of EINVAL: ids missing from the user namespace.
  static Status ChownError(int err, uid_t uid, gid_t gid) {
    std::string ids = std::to_string(uid) + ":" + std::to_string(gid);
    if (err == EINVAL) {
      return InvalidArgument("potentially insufficient UIDs or GIDs available in user namespace (requested " + ids +
                             "): check /etc/subuid and /etc/subgid");
    }
    return ErrnoError("chown to " + ids, err);
  }

  Status ChownFd(int fd, archive_entry* e) {
    if (!chown_) return Status::Ok();
    ASSIGN_OR_RETURN(auto owner, Owner(e));
    if (::fchown(fd, owner.first, owner.second) != 0) return ChownError(errno, owner.first, owner.second);
    return Status::Ok();
  }

  Status ChownAt(int pfd, const std::string& base, archive_entry* e) {
    if (!chown_) return Status::Ok();
    ASSIGN_OR_RETURN(auto owner, Owner(e));
    if (::fchownat(pfd, base.c_str(), owner.first, owner.second, AT_SYMLINK_NOFOLLOW) != 0) {
      return ChownError(errno, owner.first, owner.second);
    }
    return Status::Ok();
  }

  // There is no lsetxattrat(); /proc/self/fd/N/NAME names the object without resolving
  // the directory path again (and lsetxattr does not follow a final symlink).
  static std::string ProcPath(int pfd, const std::string& base) {
    return "/proc/self/fd/" + std::to_string(pfd) + "/" + base;
  }

  // Sets the entry's xattrs on fd, or on proc_path when fd is -1. Refusals by the
  // filesystem or for lack of privilege are warnings, as in podman.
  Status SetXattrs(archive_entry* e, int fd, const std::string& proc_path, const std::string& what) {
    if (archive_entry_xattr_reset(e) == 0) return Status::Ok();
    const char* name;
    const void* value;
    size_t size;
    while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
      if (IsOverlayXattr(name)) continue;
      int r = fd >= 0 ? ::fsetxattr(fd, name, value, size, 0) : ::lsetxattr(proc_path.c_str(), name, value, size, 0);
      if (r == 0) continue;
      if (errno == ENOTSUP || errno == EPERM) {
        Warn(std::string("xattr ") + name + " not set" + (what.empty() ? "" : " on " + Quote(what)) + ": " +
             std::strerror(errno));
        continue;
      }
      return ErrnoError(std::string("set xattr ") + name, errno);
    }
    return Status::Ok();
  }

  int root_fd_;
  const ApplyOptions& opts_;
  ApplyStats& stats_;
  bool chown_ = false;
  std::string cached_dir_;
  UniqueFd cached_fd_;
  std::map<std::string, DirMetadata> dirs_;
  std::set<std::string> written_;
};

}  // namespace

Status ApplyLayer(Reader& tar, const std::string& dest_dir, const ApplyOptions& opts, ApplyStats* stats_out) {
  ApplyStats local;
  ApplyStats& stats = stats_out ? *stats_out : local;
  UniqueFd root(::open(dest_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) return ErrnoError("applying layer: open " + dest_dir, errno);

  ReadContext ctx(tar);
  ArchivePtr ar(archive_read_new());
  if (!ar) return Internal("applying layer: out of memory");
  archive_read_support_format_tar(ar.get());
  archive_read_support_format_empty(ar.get());  // a 0-byte layer, as Go's tar reader allows
  if (archive_read_open(ar.get(), &ctx, nullptr, ReadCallback, nullptr) != ARCHIVE_OK) {
    return TarError(ar.get(), ctx).Wrap("applying layer");
  }

  Extractor extractor(root.get(), opts, stats);
  for (;;) {
    archive_entry* e;
    int r = archive_read_next_header(ar.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) return TarError(ar.get(), ctx).Wrap("applying layer");
    if (r == ARCHIVE_WARN) extractor.Warn(std::string("tar: ") + archive_error_string(ar.get()));
    ++stats.entries;
    std::string name = EntryName(e);
    Status st = [&]() -> Status {
      ASSIGN_OR_RETURN(std::string rel, CleanRelativePath(name));
      return extractor.Handle(ar.get(), e, rel);
    }();
    if (!st.ok()) {
      if (!ctx.error.ok()) return ctx.error.Wrap("applying layer");
      return st.Wrap("entry " + Quote(name)).Wrap("applying layer");
    }
  }
  RETURN_IF_ERROR(extractor.Finish().Wrap("applying layer"));
  return Drain(tar).Wrap("applying layer");
}

}  // namespace kiln::store
