#include "store/layer_tar.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <locale.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/fs.h"

namespace kiln::store {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

struct ArchiveWriteDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveWriteDeleter>;

struct EntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};
using EntryPtr = std::unique_ptr<archive_entry, EntryDeleter>;

struct WriteContext {
  explicit WriteContext(Writer& w) : out(&w) {}
  Writer* out;
  Status error;  // the Writer's own error, reported instead of libarchive's paraphrase
};

la_ssize_t WriteCallback(archive* a, void* opaque, const void* buf, size_t n) {
  auto* ctx = static_cast<WriteContext*>(opaque);
  Status st = ctx->out->Write(buf, n);
  if (!st.ok()) {
    ctx->error = st;
    archive_set_error(a, EIO, "%s", st.message().c_str());
    return -1;
  }
  return static_cast<la_ssize_t>(n);
}

using Xattrs = std::vector<std::pair<std::string, std::string>>;

// The xattrs containers/storage puts in layers; not overlayfs' or fuse-overlayfs' own
// (user.fuseoverlayfs.origin on every file it copies up).
bool KeepXattr(std::string_view name) {
  if (name == "security.capability" || name == "security.ima") return true;
  return StartsWith(name, "user.") && !StartsWith(name, "user.overlay.") && !StartsWith(name, "user.fuseoverlayfs.");
}

// An inode is identified by device and inode number.
using InodeKey = std::pair<dev_t, ino_t>;

class TarWalker {
 public:
  TarWalker(archive* ar, const WriteContext& ctx, const TarOptions& opts)
      : ar_(ar), ctx_(ctx), opts_(opts), buf_(kStreamChunkSize) {}

  // Writes the entries below the directory dirfd, whose path in the tar is prefix
  // ("" for the root, else ending in "/").
  Status WalkDir(int dirfd, const std::string& prefix) {
    ASSIGN_OR_RETURN(std::vector<std::string> names, SortedNames(dirfd));
    for (const std::string& name : names) {
      RETURN_IF_ERROR(AddEntry(dirfd, name, prefix).Wrap("adding " + prefix + name + " to the layer"));
    }
    return Status::Ok();
  }

 private:
  static Expected<std::vector<std::string>> SortedNames(int dirfd) {
    int fd = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR* d = fd >= 0 ? ::fdopendir(fd) : nullptr;
    if (!d) {
      if (fd >= 0) ::close(fd);
      return ErrnoError("read directory", errno);
    }
    std::vector<std::string> names;
    while (dirent* de = ::readdir(d)) {
      std::string_view n = de->d_name;
      if (n != "." && n != "..") names.emplace_back(n);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    return names;
  }

  Status AddEntry(int dirfd, const std::string& name, const std::string& prefix) {
    struct stat st;
    if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return ErrnoError("stat", errno);
    if (S_ISSOCK(st.st_mode)) return Status::Ok();
    std::string path = prefix + name;
    if (opts_.convert_overlay_whiteouts && S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
      return WriteEmptyFile(prefix + ".wh." + name, st, 0);
    }
    ASSIGN_OR_RETURN(Xattrs all, ReadXattrs(dirfd, name));
    EntryPtr e(NewEntry(st));
    if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
      auto [it, first] = seen_.try_emplace(InodeKey{st.st_dev, st.st_ino}, path);
      if (!first) {
        archive_entry_set_pathname(e.get(), path.c_str());
        archive_entry_set_hardlink(e.get(), it->second.c_str());
        archive_entry_set_size(e.get(), 0);
        return WriteHeader(e.get());
      }
    }
    RETURN_IF_ERROR(AddXattrs(e.get(), all));
    switch (st.st_mode & S_IFMT) {
      case S_IFREG: return WriteFile(dirfd, name, path, e.get());
      case S_IFDIR: return WriteDir(dirfd, name, path, st, all, e.get());
      case S_IFLNK: return WriteSymlink(dirfd, name, path, st, e.get());
      default:  // devices and fifos
        archive_entry_set_pathname(e.get(), path.c_str());
        return WriteHeader(e.get());
    }
  }

  archive_entry* NewEntry(const struct stat& st) const {
    archive_entry* e = archive_entry_new();
    archive_entry_set_mode(e, st.st_mode);
    archive_entry_set_uid(e, st.st_uid);
    archive_entry_set_gid(e, st.st_gid);
    archive_entry_set_mtime(e, Mtime(st), 0);  // whole seconds, as Docker writes them
    archive_entry_set_size(e, 0);
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
      archive_entry_set_rdevmajor(e, major(st.st_rdev));
      archive_entry_set_rdevminor(e, minor(st.st_rdev));
    }
    return e;
  }

  int64_t Mtime(const struct stat& st) const {
    int64_t t = st.st_mtim.tv_sec;
    if (!opts_.clamp_mtime) return t;
    return opts_.exact_mtime || t > *opts_.clamp_mtime ? *opts_.clamp_mtime : t;
  }

  Status WriteFile(int dirfd, const std::string& name, const std::string& path, archive_entry* e) {
    UniqueFd fd(::openat(dirfd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid()) return ErrnoError("open", errno);
    struct stat st;
    if (::fstat(fd.get(), &st) != 0) return ErrnoError("stat", errno);
    archive_entry_set_pathname(e, path.c_str());
    archive_entry_set_size(e, st.st_size);
    RETURN_IF_ERROR(WriteHeader(e));
    // libarchive pads an entry that comes up short and cuts one that grew, so the
    // header's size always holds even if the file changes under us.
    for (;;) {
      ssize_t n = ::read(fd.get(), buf_.data(), buf_.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return ErrnoError("read", errno);
      if (n == 0) return Status::Ok();
      if (archive_write_data(ar_, buf_.data(), static_cast<size_t>(n)) < 0) return ArchiveError();
    }
  }

  Status WriteDir(int dirfd, const std::string& name, const std::string& path, const struct stat& st,
                  const Xattrs& all, archive_entry* e) {
    archive_entry_set_pathname(e, (path + "/").c_str());
    RETURN_IF_ERROR(WriteHeader(e));
    if (opts_.convert_overlay_whiteouts && IsOpaque(all)) {
      RETURN_IF_ERROR(WriteEmptyFile(path + "/.wh..wh..opq", st, st.st_mode & 07777));
    }
    UniqueFd sub(::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!sub.valid()) return ErrnoError("open directory", errno);
    return WalkDir(sub.get(), path + "/");
  }

  Status WriteSymlink(int dirfd, const std::string& name, const std::string& path, const struct stat& st,
                      archive_entry* e) {
    std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
    ssize_t n = ::readlinkat(dirfd, name.c_str(), target.data(), target.size());
    if (n < 0) return ErrnoError("readlink", errno);
    target.resize(static_cast<size_t>(n));
    archive_entry_set_pathname(e, path.c_str());
    archive_entry_set_symlink(e, target.c_str());
    return WriteHeader(e);
  }

  // The OCI form of an overlay whiteout or opaque marker: an empty regular file.
  Status WriteEmptyFile(const std::string& path, const struct stat& like, mode_t perm) {
    EntryPtr e(archive_entry_new());
    archive_entry_set_pathname(e.get(), path.c_str());
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_perm(e.get(), perm);
    archive_entry_set_uid(e.get(), like.st_uid);
    archive_entry_set_gid(e.get(), like.st_gid);
    archive_entry_set_mtime(e.get(), Mtime(like), 0);
    archive_entry_set_size(e.get(), 0);
    return WriteHeader(e.get());
  }

  // All xattrs of dirfd/name, sorted by name so that the tar does not depend on the
  // filesystem's listing order. There is no llistxattrat(): /proc/self/fd/N/NAME names
  // the object without resolving the directory path again.
  static Expected<Xattrs> ReadXattrs(int dirfd, const std::string& name) {
    std::string path = "/proc/self/fd/" + std::to_string(dirfd) + "/" + name;
    std::string names(1024, '\0');
    ssize_t n;
    while ((n = ::llistxattr(path.c_str(), names.data(), names.size())) < 0 && errno == ERANGE) {
      names.resize(names.size() * 4);
    }
    if (n < 0) {
      if (errno == ENOTSUP) return Xattrs{};
      return ErrnoError("list xattrs", errno);
    }
    Xattrs out;
    for (size_t pos = 0; pos < static_cast<size_t>(n);) {
      std::string key = names.c_str() + pos;
      pos += key.size() + 1;
      ASSIGN_OR_RETURN(std::string value, ReadXattr(path, key));
      out.emplace_back(std::move(key), std::move(value));
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  static Expected<std::string> ReadXattr(const std::string& path, const std::string& key) {
    std::string value(256, '\0');
    for (;;) {
      ssize_t n = ::lgetxattr(path.c_str(), key.c_str(), value.data(), value.size());
      if (n >= 0) {
        value.resize(static_cast<size_t>(n));
        return value;
      }
      if (errno != ERANGE) return ErrnoError("read xattr " + key, errno);
      value.resize(value.size() * 4);
    }
  }

  Status AddXattrs(archive_entry* e, const Xattrs& all) const {
    for (const auto& [key, value] : all) {
      if (opts_.convert_overlay_whiteouts &&
          (key == "trusted.overlay.redirect" || key == "trusted.overlay.metacopy" ||
           key == "user.overlay.redirect" || key == "user.overlay.metacopy")) {
        return Unsupported("overlayfs " + key.substr(key.rfind('.') + 1) +
                           " cannot be expressed in a layer tar; mount without redirect_dir/metacopy");
      }
      if (KeepXattr(key)) archive_entry_xattr_add_entry(e, key.c_str(), value.data(), value.size());
    }
    return Status::Ok();
  }

  static bool IsOpaque(const Xattrs& all) {
    for (const auto& [key, value] : all) {
      if ((key == "trusted.overlay.opaque" || key == "user.overlay.opaque") && value == "y") return true;
    }
    return false;
  }

  Status WriteHeader(archive_entry* e) {
    // ARCHIVE_WARN: a name that is not UTF-8 could not be converted; libarchive then writes
    // it as its bytes, marked hdrcharset=BINARY — what we want.
    int r = archive_write_header(ar_, e);
    return r == ARCHIVE_OK || r == ARCHIVE_WARN ? Status::Ok() : ArchiveError();
  }

  Status ArchiveError() const {
    if (!ctx_.error.ok()) return ctx_.error;
    const char* msg = archive_error_string(ar_);
    return Internal(std::string("writing tar: ") + (msg ? msg : "unknown error"));
  }

  archive* ar_;
  const WriteContext& ctx_;
  const TarOptions& opts_;
  std::vector<char> buf_;
  std::map<InodeKey, std::string> seen_;  // first path of each inode with several links
};

// Go's archive/tar, which podman's layers come from, writes a name as plain ustar when it is
// short ASCII and otherwise as a PAX "path" record holding the name's bytes. libarchive does
// the same when it can convert the name from the locale's charset to UTF-8, so the tar is
// written under C.UTF-8 on this thread, whatever the process locale: the layer's bytes (and
// its diffID) never depend on the environment. (Its "hdrcharset=BINARY" option would also,
// but adds a PAX header to every entry: +1 KiB each, a digest unlike podman's, and a warning
// from GNU tar.)
class Utf8NamesOnThisThread {
 public:
  Utf8NamesOnThisThread() : utf8_(newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr))) {
    if (utf8_) previous_ = uselocale(utf8_);
  }
  ~Utf8NamesOnThisThread() {
    if (!utf8_) return;
    uselocale(previous_);
    freelocale(utf8_);
  }
  Utf8NamesOnThisThread(const Utf8NamesOnThisThread&) = delete;
  Utf8NamesOnThisThread& operator=(const Utf8NamesOnThisThread&) = delete;

 private:
  locale_t utf8_;
  locale_t previous_ = LC_GLOBAL_LOCALE;
};

}  // namespace

Status WriteLayerTarFromDir(const std::string& dir, Writer& out, const TarOptions& opts) {
  UniqueFd root(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) return ErrnoError("writing layer: open " + dir, errno);
  WriteContext ctx(out);
  Utf8NamesOnThisThread utf8_names;
  ArchivePtr ar(archive_write_new());
  if (!ar) return Internal("writing layer: out of memory");
  archive_write_set_format_pax_restricted(ar.get());
  // Go writes xattrs only as SCHILY.xattr.*; libarchive would add LIBARCHIVE.xattr.* too.
  archive_write_set_format_option(ar.get(), "pax", "xattrheader", "SCHILY");
  // Like Go: the archive ends after its two zero blocks, not padded to a 10 KiB record.
  archive_write_set_bytes_in_last_block(ar.get(), 1);
  if (archive_write_open(ar.get(), &ctx, nullptr, WriteCallback, nullptr) != ARCHIVE_OK) {
    return Internal(std::string("writing layer: ") + archive_error_string(ar.get()));
  }
  TarWalker walker(ar.get(), ctx, opts);
  RETURN_IF_ERROR(walker.WalkDir(root.get(), "").Wrap("writing layer"));
  if (archive_write_close(ar.get()) != ARCHIVE_OK) {
    if (!ctx.error.ok()) return ctx.error.Wrap("writing layer");
    return Internal(std::string("writing layer: ") + archive_error_string(ar.get()));
  }
  return Status::Ok();
}

}  // namespace kiln::store
