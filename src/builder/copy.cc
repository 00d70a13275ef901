#include "builder/copy.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <optional>
#include <map>
#include <memory>
#include <set>
#include <utility>

#include "archive/tar.h"
#include "store/layer_apply.h"
#include "util/compression.h"
#include "util/fs.h"
#include "util/io.h"

namespace kiln::build {
namespace {

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string JoinRel(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return a + "/" + b;
}

// "/a/./b/../c/" is {"a", "c"}; ".." never climbs above the root (as in a chroot).
std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view part = path.substr(i, j - i);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.emplace_back(part);
    }
    i = j + 1;
  }
  return parts;
}

std::string JoinParts(const std::vector<std::string>& parts, size_t n) {
  std::string out;
  for (size_t i = 0; i < n && i < parts.size(); ++i) out = JoinRel(out, parts[i]);
  return out;
}

std::string Shown(const std::string& rel) { return "/" + rel; }

// The path an open descriptor names, as the kernel reports it ("" when it cannot).
std::string FdPath(int fd) {
  char buf[PATH_MAX];
  std::string link = "/proc/self/fd/" + std::to_string(fd);
  ssize_t len = ::readlink(link.c_str(), buf, sizeof buf);
  return len > 0 ? std::string(buf, static_cast<size_t>(len)) : std::string();
}

// openat2 below `root` as if it were "/": symlinks (absolute ones included) and ".." stay
// inside it. Returns the descriptor or -errno.
int OpenInRoot(int root, const std::string& rel, uint64_t flags) {
  open_how how{};
  how.flags = flags | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  const char* p = rel.empty() ? "." : rel.c_str();
  for (int attempt = 0;; ++attempt) {
    long fd = ::syscall(SYS_openat2, root, p, &how, sizeof how);
    if (fd >= 0) return static_cast<int>(fd);
    if ((errno == EINTR || errno == EAGAIN) && attempt < 100) continue;
    return -errno;
  }
}

Expected<UniqueFd> OpenRootDir(const std::string& path, const char* what) {
  UniqueFd fd(::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError(std::string("opening ") + what + " " + Quote(path), errno);
  return fd;
}

// What every created entry gets.
struct Meta {
  uid_t uid = 0;
  gid_t gid = 0;
  std::optional<mode_t> chmod;
  mode_t Mode(const struct stat& st) const { return chmod ? *chmod : (st.st_mode & 07777); }
};

// Owner, then permission bits (chown clears setuid), then times, on an open descriptor.
Status SetMetaFd(int fd, const Meta& m, mode_t mode, const struct stat* times, const std::string& shown) {
  if (::fchown(fd, m.uid, m.gid) != 0) return ErrnoError("chown " + Quote(shown), errno);
  if (::fchmod(fd, mode) != 0) return ErrnoError("chmod " + Quote(shown), errno);
  if (times) {
    const struct timespec ts[2] = {times->st_atim, times->st_mtim};
    if (::futimens(fd, ts) != 0) return ErrnoError("set times of " + Quote(shown), errno);
  }
  return Status::Ok();
}

// Makes room for a non-directory at dir/name: an existing non-directory goes, a directory
// is an error.
Status RemoveNonDir(int dir, const std::string& name, const std::string& shown) {
  struct stat st;
  if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return errno == ENOENT ? Status::Ok() : ErrnoError("stat " + Quote(shown), errno);
  }
  if (S_ISDIR(st.st_mode)) return InvalidArgument("cannot overwrite directory " + Quote(shown) + " with non-directory");
  if (::unlinkat(dir, name.c_str(), 0) != 0 && errno != ENOENT) return ErrnoError("remove " + Quote(shown), errno);
  return Status::Ok();
}

// Creates dir/name as a new, empty file (replacing a non-directory that was there).
Expected<UniqueFd> CreateFile(int dir, const std::string& name, const std::string& shown) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    int fd = ::openat(dir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0) return UniqueFd(fd);
    if (errno != EEXIST) break;
    RETURN_IF_ERROR(RemoveNonDir(dir, name, shown));
  }
  return ErrnoError("create " + Quote(shown), errno);
}

Status CopyByReadWrite(int in, int out) {
  std::vector<char> buf(1 << 17);
  for (;;) {
    ssize_t n = ::read(in, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("read", errno);
    if (n == 0) return Status::Ok();
    RETURN_IF_ERROR(WriteAll(out, buf.data(), static_cast<size_t>(n)));
  }
}

// File data from in (at its current offset) to out, in the kernel when it can.
Status CopyData(int in, int out, off_t size_hint) {
  // A regular file's size is known: stop there, without a last call that returns 0.
  uint64_t left = size_hint > 0 ? static_cast<uint64_t>(size_hint) : 0;
  if (size_hint <= 0) return Status::Ok();
  bool use_cfr = true;
  while (left > 0) {
    size_t chunk = static_cast<size_t>(std::min<uint64_t>(left, 1ull << 30));
    ssize_t n = use_cfr ? ::copy_file_range(in, nullptr, out, nullptr, chunk, 0) : ::sendfile(out, in, nullptr, chunk);
    if (n > 0) {
      left -= static_cast<uint64_t>(n);
      continue;
    }
    if (n == 0) return Status::Ok();  // the file shrank
    if (errno == EINTR) continue;
    bool unsupported = errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP || errno == EBADF;
    if (!unsupported) return ErrnoError("copy", errno);
    if (use_cfr) {
      use_cfr = false;
      continue;
    }
    return CopyByReadWrite(in, out);
  }
  return Status::Ok();
}

using InodeKey = std::pair<dev_t, ino_t>;

// One top-level COPY source being copied into a destination directory.
class TreeCopier {
 public:
  TreeCopier(const Meta& meta, const IgnoreMatcher* ignore, const IgnoreMatcher* excludes, std::string source_rel,
             std::string dest_rel)
      : meta_(meta),
        ignore_(ignore),
        excludes_(excludes),
        source_rel_(std::move(source_rel)),
        dest_rel_(std::move(dest_rel)) {}

  // Copies the contents of src_dir (an O_RDONLY directory) into dst_dir.
  Status CopyContents(int src_dir, int dst_dir) {
    tree_dst_ = dst_dir;
    return CopyDir(src_dir, dst_dir, "");
  }

  // Copies one entry src_dir/src_name (lstat'ed as st) to dst_dir/dst_name.
  Status CopyEntry(int src_dir, const std::string& src_name, const struct stat& st, int dst_dir,
                   const std::string& dst_name, const std::string& rel) {
    std::string shown = Shown(JoinRel(dest_rel_, rel.empty() ? dst_name : rel));
    switch (st.st_mode & S_IFMT) {
      case S_IFDIR:
        return CopySubdir(src_dir, src_name, st, dst_dir, dst_name, rel, shown);
      case S_IFREG:
        return CopyRegular(src_dir, src_name, st, dst_dir, dst_name, rel, shown);
      case S_IFLNK:
        return CopySymlink(src_dir, src_name, st, dst_dir, dst_name, shown);
      case S_IFIFO:
      case S_IFCHR:
      case S_IFBLK:
        return CopySpecial(st, dst_dir, dst_name, shown);
      default:  // sockets
        return Status::Ok();
    }
  }

 private:
  // Whether rel (relative to the copied source directory) is left out; for a directory,
  // only when nothing below it can be re-included.
  bool Skip(const std::string& rel, bool is_dir) const {
    std::string ctx_rel = JoinRel(source_rel_, rel);
    bool ig = ignore_ && ignore_->Excluded(ctx_rel);
    bool ex = excludes_ && excludes_->Excluded(rel);
    if (!is_dir) return ig || ex;
    if (ig && !ignore_->MayReincludeBelow(ctx_rel)) return true;
    if (ex && !excludes_->MayReincludeBelow(rel)) return true;
    return false;
  }

  Status CopyDir(int src_dir, int dst_dir, const std::string& rel) {
    int dfd = ::dup(src_dir);
    if (dfd < 0) return ErrnoError("dup", errno);
    std::unique_ptr<DIR, int (*)(DIR*)> d(::fdopendir(dfd), ::closedir);
    if (!d) {
      ::close(dfd);
      return ErrnoError("read directory " + Quote(rel), errno);
    }
    ::rewinddir(d.get());
    std::vector<std::string> names;
    errno = 0;
    while (dirent* e = ::readdir(d.get())) {
      std::string_view n = e->d_name;
      if (n != "." && n != "..") names.emplace_back(n);
    }
    if (errno != 0) return ErrnoError("read directory " + Quote(rel), errno);
    d.reset();
    for (const std::string& name : names) {
      struct stat st;
      if (::fstatat(src_dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) continue;
        return ErrnoError("stat " + Quote(JoinRel(rel, name)), errno);
      }
      std::string child = JoinRel(rel, name);
      if (Skip(child, S_ISDIR(st.st_mode))) continue;
      RETURN_IF_ERROR(CopyEntry(src_dir, name, st, dst_dir, name, child));
    }
    return Status::Ok();
  }

  Status CopySubdir(int src_dir, const std::string& src_name, const struct stat& st, int dst_dir,
                    const std::string& dst_name, const std::string& rel, const std::string& shown) {
    if (::mkdirat(dst_dir, dst_name.c_str(), 0700) != 0) {
      if (errno != EEXIST) return ErrnoError("mkdir " + Quote(shown), errno);
      struct stat existing;
      if (::fstatat(dst_dir, dst_name.c_str(), &existing, AT_SYMLINK_NOFOLLOW) != 0) {
        return ErrnoError("stat " + Quote(shown), errno);
      }
      if (!S_ISDIR(existing.st_mode)) {
        return InvalidArgument("cannot copy to non-directory: cannot overwrite non-directory " + Quote(shown) +
                               " with directory");
      }
    }
    UniqueFd src(::openat(src_dir, src_name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!src.valid()) return ErrnoError("open " + Quote(JoinRel(source_rel_, rel)), errno);
    UniqueFd dst(::openat(dst_dir, dst_name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!dst.valid()) return ErrnoError("open " + Quote(shown), errno);
    RETURN_IF_ERROR(CopyDir(src.get(), dst.get(), rel));
    return SetMetaFd(dst.get(), meta_, meta_.Mode(st), &st, shown);
  }

  Status CopyRegular(int src_dir, const std::string& src_name, const struct stat& st, int dst_dir,
                     const std::string& dst_name, const std::string& rel, const std::string& shown) {
    InodeKey key{st.st_dev, st.st_ino};
    if (st.st_nlink > 1 && !rel.empty()) {
      auto it = links_.find(key);
      if (it != links_.end()) {
        RETURN_IF_ERROR(RemoveNonDir(dst_dir, dst_name, shown));
        if (::linkat(tree_dst_, it->second.c_str(), dst_dir, dst_name.c_str(), 0) == 0) return Status::Ok();
      }
    }
    UniqueFd in(::openat(src_dir, src_name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!in.valid()) return ErrnoError("open " + Quote(JoinRel(source_rel_, rel.empty() ? src_name : rel)), errno);
    ASSIGN_OR_RETURN(UniqueFd out, CreateFile(dst_dir, dst_name, shown));
    RETURN_IF_ERROR(CopyData(in.get(), out.get(), st.st_size).Wrap("copying to " + Quote(shown)));
    RETURN_IF_ERROR(SetMetaFd(out.get(), meta_, meta_.Mode(st), &st, shown));
    if (st.st_nlink > 1 && !rel.empty()) links_.emplace(key, rel);
    return Status::Ok();
  }

  Status CopySymlink(int src_dir, const std::string& src_name, const struct stat& st, int dst_dir,
                     const std::string& dst_name, const std::string& shown) {
    std::string target(static_cast<size_t>(st.st_size > 0 ? st.st_size : 256) + 1, '\0');
    ssize_t n = ::readlinkat(src_dir, src_name.c_str(), target.data(), target.size());
    if (n < 0) return ErrnoError("readlink " + Quote(src_name), errno);
    if (static_cast<size_t>(n) >= target.size()) return IoError("readlink " + Quote(src_name) + ": target changed");
    target.resize(static_cast<size_t>(n));
    if (::symlinkat(target.c_str(), dst_dir, dst_name.c_str()) != 0) {
      if (errno != EEXIST) return ErrnoError("symlink " + Quote(shown), errno);
      RETURN_IF_ERROR(RemoveNonDir(dst_dir, dst_name, shown));
      if (::symlinkat(target.c_str(), dst_dir, dst_name.c_str()) != 0) return ErrnoError("symlink " + Quote(shown), errno);
    }
    if (::fchownat(dst_dir, dst_name.c_str(), meta_.uid, meta_.gid, AT_SYMLINK_NOFOLLOW) != 0) {
      return ErrnoError("chown " + Quote(shown), errno);
    }
    const struct timespec ts[2] = {st.st_atim, st.st_mtim};
    if (::utimensat(dst_dir, dst_name.c_str(), ts, AT_SYMLINK_NOFOLLOW) != 0) {
      return ErrnoError("set times of " + Quote(shown), errno);
    }
    return Status::Ok();
  }

  // Fifos and device nodes, as such when running as root; skipped otherwise.
  Status CopySpecial(const struct stat& st, int dst_dir, const std::string& dst_name, const std::string& shown) {
    if (::geteuid() != 0) return Status::Ok();
    RETURN_IF_ERROR(RemoveNonDir(dst_dir, dst_name, shown));
    if (::mknodat(dst_dir, dst_name.c_str(), (st.st_mode & S_IFMT) | 0600, st.st_rdev) != 0) {
      return ErrnoError("mknod " + Quote(shown), errno);
    }
    UniqueFd fd(::openat(dst_dir, dst_name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid()) return ErrnoError("open " + Quote(shown), errno);
    // An O_PATH descriptor cannot fchmod; its /proc/self/fd link reaches the node itself.
    std::string proc = "/proc/self/fd/" + std::to_string(fd.get());
    if (::fchownat(fd.get(), "", meta_.uid, meta_.gid, AT_EMPTY_PATH) != 0) return ErrnoError("chown " + Quote(shown), errno);
    if (::chmod(proc.c_str(), meta_.Mode(st)) != 0) return ErrnoError("chmod " + Quote(shown), errno);
    const struct timespec ts[2] = {st.st_atim, st.st_mtim};
    if (::utimensat(AT_FDCWD, proc.c_str(), ts, 0) != 0) return ErrnoError("set times of " + Quote(shown), errno);
    return Status::Ok();
  }

  const Meta& meta_;
  const IgnoreMatcher* ignore_;
  const IgnoreMatcher* excludes_;
  std::string source_rel_;  // the copied source, relative to the source root
  std::string dest_rel_;    // the destination directory, relative to the destination root
  int tree_dst_ = -1;
  std::map<InodeKey, std::string> links_;  // first copy of a multiply-linked file, under tree_dst_
};

// The destination side: a root directory that every path is resolved inside.
class DestRoot {
 public:
  DestRoot(UniqueFd root, const Meta& meta) : root_(std::move(root)), meta_(meta) {}
  int fd() const { return root_.get(); }

  // Opens parts[0..n) as a directory, creating what is missing (0755, meta's owner);
  // existing directories on the way are left as they are.
  // A dangling symlink on the way is followed (inside the root) and its target created, as
  // MkdirAll does in buildah's chroot.
  Expected<UniqueFd> MakeDirs(const std::vector<std::string>& parts, size_t n, int hops = 0) {
    UniqueFd cur(::fcntl(root_.get(), F_DUPFD_CLOEXEC, 0));
    if (!cur.valid()) return ErrnoError("dup", errno);
    for (size_t i = 0; i < n; ++i) {
      std::string rel = JoinParts(parts, i + 1);
      int fd = OpenInRoot(root_.get(), rel, O_PATH | O_DIRECTORY);
      if (fd == -ENOENT) {
        RETURN_IF_ERROR(MakeDir(cur.get(), parts[i], rel));
        fd = OpenInRoot(root_.get(), rel, O_PATH | O_DIRECTORY);
      }
      if (fd == -ENOENT && hops < 40) {
        auto redirected = FollowDangling(cur.get(), parts, i, n);
        if (redirected) return MakeDirs(*redirected, redirected->size(), hops + 1);
      }
      if (fd == -ENOTDIR) return InvalidArgument("cannot copy to non-directory: " + Quote(Shown(rel)));
      if (fd < 0) return ErrnoError("open " + Quote(Shown(rel)), -fd);
      cur = UniqueFd(fd);
    }
    return cur;
  }

  // Whether parts names an existing directory (symlinks followed inside the root).
  bool IsDir(const std::vector<std::string>& parts) const {
    int fd = OpenInRoot(root_.get(), JoinParts(parts, parts.size()), O_PATH | O_DIRECTORY);
    if (fd < 0) return false;
    ::close(fd);
    return true;
  }

 private:
  // When parent/parts[i] is a symlink whose target does not exist, the path (relative to
  // the root) that parts[0..n) names through it; nullopt otherwise.
  std::optional<std::vector<std::string>> FollowDangling(int parent, const std::vector<std::string>& parts, size_t i,
                                                         size_t n) const {
    char buf[PATH_MAX];
    ssize_t len = ::readlinkat(parent, parts[i].c_str(), buf, sizeof buf);
    if (len <= 0) return std::nullopt;
    std::string target(buf, static_cast<size_t>(len));
    std::string base;
    if (target[0] != '/') {
      std::string root = FdPath(root_.get()), dir = FdPath(parent);
      if (root.empty() || dir.compare(0, root.size(), root) != 0) return std::nullopt;
      base = dir.substr(root.size());
    }
    std::vector<std::string> out = SplitPath(base + "/" + target);
    out.insert(out.end(), parts.begin() + static_cast<std::ptrdiff_t>(i) + 1,
               parts.begin() + static_cast<std::ptrdiff_t>(n));
    return out;
  }

  Status MakeDir(int parent, const std::string& name, const std::string& rel) {
    if (::mkdirat(parent, name.c_str(), 0755) != 0) {
      if (errno == EEXIST) return Status::Ok();  // raced, or a dangling symlink: open says
      return ErrnoError("mkdir " + Quote(Shown(rel)), errno);
    }
    if (::fchownat(parent, name.c_str(), meta_.uid, meta_.gid, AT_SYMLINK_NOFOLLOW) != 0 ||
        ::fchmodat(parent, name.c_str(), 0755, 0) != 0) {
      return ErrnoError("mkdir " + Quote(Shown(rel)), errno);
    }
    return Status::Ok();
  }

  UniqueFd root_;
  const Meta& meta_;
};

std::string BaseName(const std::string& rel) {
  size_t slash = rel.rfind('/');
  return slash == std::string::npos ? rel : rel.substr(slash + 1);
}

// ---- ADD of a local archive ----

// Whether the file is a tar archive, possibly compressed (judged by content).
bool LooksLikeTar(int fd) {
  if (::lseek(fd, 0, SEEK_SET) != 0) return false;
  FdReader raw = FdReader::Borrow(fd);
  auto dec = OpenDecompressor(std::make_unique<ReaderRef>(raw));
  if (!dec.ok()) return false;
  unsigned char block[512];
  auto n = ReadFull(**dec, block, sizeof block);
  ::lseek(fd, 0, SEEK_SET);
  if (!n.ok() || *n != sizeof block || block[0] == 0) return false;
  // The header checksum: every byte, the checksum field counted as spaces.
  unsigned sum = 0;
  for (size_t i = 0; i < sizeof block; ++i) sum += (i >= 148 && i < 156) ? ' ' : block[i];
  std::string field(reinterpret_cast<char*>(block) + 148, 8);
  size_t start = field.find_first_not_of(' ');
  if (start == std::string::npos) return false;
  unsigned recorded = 0;
  bool digits = false;
  for (size_t i = start; i < field.size() && field[i] >= '0' && field[i] <= '7'; ++i) {
    recorded = recorded * 8 + static_cast<unsigned>(field[i] - '0');
    digits = true;
  }
  return digits && recorded == sum;
}

// Unpacks the archive in fd into dest_dir (an open directory inside the destination root).
// The entries keep the archive's owners and modes: --chown and --chmod apply to the
// directories ADD creates, not to what the archive holds (as buildah does).
Status ExtractArchive(int fd, int dest_dir) {
  if (::lseek(fd, 0, SEEK_SET) != 0) return ErrnoError("seek", errno);
  store::ApplyOptions apply;
  apply.whiteouts = store::WhiteoutPolicy::kKeep;
  apply.ownership = store::OwnershipPolicy::kAuto;
  FdReader raw = FdReader::Borrow(fd);
  ASSIGN_OR_RETURN(auto tar, OpenDecompressor(std::make_unique<ReaderRef>(raw)));
  std::string dir = "/proc/self/fd/" + std::to_string(dest_dir);
  return store::ApplyLayer(*tar, dir, apply, nullptr);
}

// ---- top level ----

class Copy {
 public:
  Copy(const CopyOptions& opts, const Meta& meta, const IgnoreMatcher* ignore, const IgnoreMatcher* excludes,
       DestRoot& dst, int src_root)
      : opts_(opts), meta_(meta), ignore_(ignore), excludes_(excludes), dst_(dst), src_root_(src_root) {}

  // dest_parts is where the source goes; into_dir says it is a directory.
  Status One(const Source& s, const std::vector<std::string>& dest_parts, bool into_dir) {
    std::vector<std::string> dir = dest_parts;
    if (opts_.parents) {
      std::vector<std::string> rel = SplitPath(s.rel);
      if (!s.is_dir && !rel.empty()) rel.pop_back();
      dir.insert(dir.end(), rel.begin(), rel.end());
    }
    int raw = OpenInRoot(src_root_, s.rel, O_RDONLY | (s.is_dir ? O_DIRECTORY : O_NONBLOCK));
    if (raw < 0) return ErrnoError("open " + Quote(s.rel), -raw);
    UniqueFd src(raw);
    struct stat st;
    if (::fstat(src.get(), &st) != 0) return ErrnoError("stat " + Quote(s.rel), errno);
    if (S_ISDIR(st.st_mode)) return CopyDirSource(s, src.get(), dir);
    if (excludes_ && (excludes_->Excluded(s.rel) || excludes_->Excluded(BaseName(s.rel)))) {
      return Status::Ok();
    }
    if (opts_.extract_archives && S_ISREG(st.st_mode) && LooksLikeTar(src.get())) {
      ASSIGN_OR_RETURN(UniqueFd d, dst_.MakeDirs(dir, dir.size()));
      return ExtractArchive(src.get(), d.get());
    }
    if (!into_dir && !opts_.parents && !dst_.IsDir(dir)) {
      std::string name = dir.back();
      dir.pop_back();
      return CopyFileSource(s, src.get(), st, dir, name);
    }
    return CopyFileSource(s, src.get(), st, dir, BaseName(s.rel));
  }

 private:
  Status CopyDirSource(const Source& s, int src, const std::vector<std::string>& dir) {
    ASSIGN_OR_RETURN(UniqueFd d, dst_.MakeDirs(dir, dir.size()));
    // MakeDirs gives an O_PATH descriptor; the tree copy wants a real one.
    UniqueFd dfd(::openat(d.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dfd.valid()) return ErrnoError("open " + Quote(Shown(JoinParts(dir, dir.size()))), errno);
    TreeCopier tree(meta_, ignore_, excludes_, s.rel, JoinParts(dir, dir.size()));
    return tree.CopyContents(src, dfd.get());
  }

  Status CopyFileSource(const Source& s, int src, const struct stat& st, const std::vector<std::string>& dir,
                        const std::string& name) {
    ASSIGN_OR_RETURN(UniqueFd d, dst_.MakeDirs(dir, dir.size()));
    std::string dir_rel = JoinParts(dir, dir.size());
    std::string shown = Shown(JoinRel(dir_rel, name));
    TreeCopier tree(meta_, ignore_, excludes_, s.rel, dir_rel);
    if (!S_ISREG(st.st_mode)) {
      // A fifo or device named directly: copied as such (open would have blocked on a fifo
      // only without O_NONBLOCK; ResolveSources names regular files in practice).
      return tree.CopyEntry(AT_FDCWD, "", st, d.get(), name, "");
    }
    ASSIGN_OR_RETURN(UniqueFd out, CreateFile(d.get(), name, shown));
    RETURN_IF_ERROR(CopyData(src, out.get(), st.st_size).Wrap("copying to " + Quote(shown)));
    return SetMetaFd(out.get(), meta_, meta_.Mode(st), &st, shown);
  }

  const CopyOptions& opts_;
  const Meta& meta_;
  const IgnoreMatcher* ignore_;
  const IgnoreMatcher* excludes_;
  DestRoot& dst_;
  int src_root_;
};

bool EndsWithSlash(const std::string& s) { return !s.empty() && s.back() == '/'; }

Meta MetaFor(const CopyOptions& opts) {
  Meta m;
  m.uid = opts.uid.value_or(0);
  m.gid = opts.gid.value_or(0);
  m.chmod = opts.chmod;
  return m;
}

}  // namespace

Status CopySources(const std::string& source_root, const std::vector<Source>& sources, const IgnoreMatcher* ignore,
                   const std::string& dest_root, const std::string& dest, const CopyOptions& opts) {
  ASSIGN_OR_RETURN(UniqueFd src_root, OpenRootDir(source_root, "source"));
  ASSIGN_OR_RETURN(UniqueFd dst_root, OpenRootDir(dest_root, "destination"));
  std::optional<IgnoreMatcher> excludes;
  if (!opts.excludes.empty()) {
    ASSIGN_OR_RETURN(IgnoreMatcher m, IgnoreMatcher::FromPatterns(opts.excludes));
    excludes = std::move(m);
  }
  Meta meta = MetaFor(opts);
  DestRoot dst(std::move(dst_root), meta);
  Copy copy(opts, meta, ignore, excludes ? &*excludes : nullptr, dst, src_root.get());
  std::vector<std::string> parts = SplitPath(dest);
  bool into_dir = sources.size() > 1 || EndsWithSlash(dest) || parts.empty();
  for (const Source& s : sources) {
    RETURN_IF_ERROR(copy.One(s, parts, into_dir));
  }
  return Status::Ok();
}

Status WriteFileInto(const std::string& dest_root, const std::string& dest, std::string_view data, mode_t mode,
                     const CopyOptions& opts) {
  std::vector<std::string> parts = SplitPath(dest);
  if (EndsWithSlash(dest) || parts.empty()) return InvalidArgument("writing " + Quote(dest) + ": not a file name");
  ASSIGN_OR_RETURN(UniqueFd root, OpenRootDir(dest_root, "destination"));
  Meta meta = MetaFor(opts);
  DestRoot dst(std::move(root), meta);
  ASSIGN_OR_RETURN(UniqueFd dir, dst.MakeDirs(parts, parts.size() - 1));
  std::string shown = Shown(JoinParts(parts, parts.size()));
  ASSIGN_OR_RETURN(UniqueFd out, CreateFile(dir.get(), parts.back(), shown));
  RETURN_IF_ERROR(WriteAll(out.get(), data.data(), data.size()).Wrap("writing " + Quote(shown)));
  return SetMetaFd(out.get(), meta, opts.chmod.value_or(mode & 07777), nullptr, shown);
}

Expected<std::string> MakeDirIn(const std::string& root, const std::string& dir, uid_t uid, gid_t gid) {
  ASSIGN_OR_RETURN(UniqueFd root_fd, OpenRootDir(root, "root"));
  std::string root_path = FdPath(root_fd.get());
  Meta meta;
  meta.uid = uid;
  meta.gid = gid;
  DestRoot dst(std::move(root_fd), meta);
  std::vector<std::string> parts = SplitPath(dir);
  ASSIGN_OR_RETURN(UniqueFd made, dst.MakeDirs(parts, parts.size()));
  std::string made_path = FdPath(made.get());
  if (root_path.empty() || made_path.compare(0, root_path.size(), root_path) != 0)
    return Internal("resolving " + Quote(dir) + " inside " + Quote(root));
  std::string resolved = made_path.substr(root_path.size());
  return resolved.empty() ? std::string("/") : resolved;
}

Expected<mode_t> ParseChmod(const std::string& text) {
  bool octal = !text.empty() && text.size() <= 4 && text.find_first_not_of("01234567") == std::string::npos;
  if (!octal) {
    bool symbolic = text.find_first_of("ugoa+-=rwxXst") != std::string::npos;
    return InvalidArgument("invalid chmod: " + Quote(text) +
                           (symbolic ? ": symbolic modes are not supported, use an octal mode such as 755" : ""));
  }
  mode_t mode = 0;
  for (char c : text) mode = mode * 8 + static_cast<mode_t>(c - '0');
  return mode;
}

}  // namespace kiln::build
