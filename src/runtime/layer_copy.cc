#include "runtime/layer_copy.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <utility>

#include "util/fs.h"

namespace kiln::runtime {
namespace {

constexpr const char* kOpaqueXattrs[] = {"trusted.overlay.opaque", "user.overlay.opaque", "user.fuseoverlayfs.opaque"};
constexpr char kWhiteoutPrefix[] = ".wh.";
constexpr char kOpaqueMarker[] = ".wh..wh..opq";

// When CopyStack finished, as the filesystem's clock has it: the birth time of a marker
// file beside the target. A directory born later was made by the container.
std::string MarkerPath(const std::string& target) { return target + ".copied"; }

// Birth time in nanoseconds, 0 when the filesystem does not record it.
int64_t BirthTime(const std::string& path) {
  struct statx sx;
  if (statx(AT_FDCWD, path.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BTIME, &sx) != 0 || !(sx.stx_mask & STATX_BTIME)) return 0;
  return static_cast<int64_t>(sx.stx_btime.tv_sec) * 1000000000 + sx.stx_btime.tv_nsec;
}

bool IsWhiteoutDevice(const struct stat& st) { return S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0); }

bool StartsWith(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }

// overlayfs' and fuse-overlayfs' own xattrs describe the layer, not the file.
bool ControlXattr(const std::string& name) {
  return StartsWith(name, "trusted.overlay.") || StartsWith(name, "user.overlay.") || StartsWith(name, "user.fuseoverlayfs.");
}

bool IsOpaqueDir(const std::string& path) {
  char v[2];
  for (const char* name : kOpaqueXattrs)
    if (lgetxattr(path.c_str(), name, v, sizeof v) == 1 && v[0] == 'y') return true;
  return PathExists(path + "/" + kOpaqueMarker);
}

Expected<std::vector<std::string>> List(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (!d) return ErrnoError("listing " + dir, errno);
  std::vector<std::string> out;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") out.push_back(std::move(n));
  }
  closedir(d);
  return out;
}

Status CopyXattrs(const std::string& src, const std::string& dst) {
  ssize_t n = llistxattr(src.c_str(), nullptr, 0);
  if (n <= 0) return Status::Ok();
  std::string names(static_cast<size_t>(n), '\0');
  n = llistxattr(src.c_str(), names.data(), names.size());
  if (n < 0) return ErrnoError("listing xattrs of " + src, errno);
  for (size_t i = 0; i < static_cast<size_t>(n);) {
    std::string name(names.c_str() + i);
    i += name.size() + 1;
    if (ControlXattr(name)) continue;
    ssize_t len = lgetxattr(src.c_str(), name.c_str(), nullptr, 0);
    if (len < 0) continue;
    std::string value(static_cast<size_t>(len), '\0');
    len = lgetxattr(src.c_str(), name.c_str(), value.data(), value.size());
    if (len < 0) continue;
    // Without the privilege for trusted.* or security.* the kernel refuses: as overlayfs'
    // copy-up in a user namespace, such xattrs are left behind.
    if (lsetxattr(dst.c_str(), name.c_str(), value.data(), static_cast<size_t>(len), 0) != 0 && errno != EPERM &&
        errno != ENOTSUP)
      return ErrnoError("setting " + name + " on " + dst, errno);
  }
  return Status::Ok();
}

// Owner, mode, xattrs and times of src on dst (after its contents: a directory's mtime).
Status CopyMetadata(const std::string& src, const std::string& dst, const struct stat& st) {
  if (lchown(dst.c_str(), st.st_uid, st.st_gid) != 0 && errno != EINVAL)
    return ErrnoError("chown " + dst, errno);
  if (!S_ISLNK(st.st_mode) && chmod(dst.c_str(), st.st_mode & 07777) != 0) return ErrnoError("chmod " + dst, errno);
  RETURN_IF_ERROR(CopyXattrs(src, dst));
  struct timespec times[2] = {st.st_atim, st.st_mtim};
  if (utimensat(AT_FDCWD, dst.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) return ErrnoError("utimes " + dst, errno);
  return Status::Ok();
}

Status CopyFileData(const std::string& src, const std::string& dst) {
  UniqueFd in(open(src.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!in.valid()) return ErrnoError("opening " + src, errno);
  UniqueFd out(open(dst.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!out.valid()) return ErrnoError("creating " + dst, errno);
  for (;;) {
    ssize_t n = copy_file_range(in.get(), nullptr, out.get(), nullptr, 1 << 30, 0);
    if (n == 0) return Status::Ok();
    if (n > 0) continue;
    if (errno == EINTR) continue;
    if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
      return ErrnoError("copying " + src, errno);
    char buf[1 << 16];
    for (;;) {
      ssize_t r = read(in.get(), buf, sizeof buf);
      if (r == 0) return Status::Ok();
      if (r < 0) {
        if (errno == EINTR) continue;
        return ErrnoError("reading " + src, errno);
      }
      RETURN_IF_ERROR(WriteAll(out.get(), buf, static_cast<size_t>(r)));
    }
  }
}

// Copies one tree with hard links between its files kept.
class TreeCopier {
 public:
  // Copies src (of stat st) to dst, which must not exist; directories recursively.
  Status Copy(const std::string& src, const std::string& dst, const struct stat& st) {
    if (S_ISDIR(st.st_mode)) {
      if (mkdir(dst.c_str(), 0700) != 0) return ErrnoError("creating " + dst, errno);
      ASSIGN_OR_RETURN(std::vector<std::string> names, List(src));
      for (const auto& n : names) {
        struct stat cst;
        if (lstat((src + "/" + n).c_str(), &cst) != 0) return ErrnoError("stat " + src + "/" + n, errno);
        RETURN_IF_ERROR(Copy(src + "/" + n, dst + "/" + n, cst));
      }
      return CopyMetadata(src, dst, st);
    }
    if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
      auto it = links_.find({st.st_dev, st.st_ino});
      if (it != links_.end()) {
        if (link(it->second.c_str(), dst.c_str()) != 0) return ErrnoError("linking " + dst, errno);
        return Status::Ok();
      }
      links_[{st.st_dev, st.st_ino}] = dst;
    }
    if (S_ISREG(st.st_mode)) {
      RETURN_IF_ERROR(CopyFileData(src, dst));
    } else if (S_ISLNK(st.st_mode)) {
      std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
      ssize_t n = readlink(src.c_str(), target.data(), target.size());
      if (n < 0) return ErrnoError("readlink " + src, errno);
      target.resize(static_cast<size_t>(n));
      if (symlink(target.c_str(), dst.c_str()) != 0) return ErrnoError("creating " + dst, errno);
    } else if (S_ISSOCK(st.st_mode)) {
      return Status::Ok();  // a socket is no file content (layer tars skip them too)
    } else if (mknod(dst.c_str(), st.st_mode, st.st_rdev) != 0) {
      // Device nodes need CAP_MKNOD (not in a user namespace): skipped, as layer extraction does.
      if (errno == EPERM) return Status::Ok();
      return ErrnoError("creating " + dst, errno);
    }
    return CopyMetadata(src, dst, st);
  }

 private:
  std::map<std::pair<dev_t, ino_t>, std::string> links_;
};

// Lays one overlay-form layer over target.
Status ApplyLayer(const std::string& layer, const std::string& target, TreeCopier& copier) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, List(layer));
  for (const auto& n : names) {
    std::string src = layer + "/" + n, dst = target + "/" + n;
    if (n == kOpaqueMarker) continue;
    if (StartsWith(n, kWhiteoutPrefix)) {
      if (!StartsWith(n, ".wh..wh.")) RETURN_IF_ERROR(RemoveTree(target + "/" + n.substr(4)));
      continue;
    }
    struct stat st, old;
    if (lstat(src.c_str(), &st) != 0) return ErrnoError("stat " + src, errno);
    bool exists = lstat(dst.c_str(), &old) == 0;
    if (IsWhiteoutDevice(st)) {
      RETURN_IF_ERROR(RemoveTree(dst));
      continue;
    }
    if (S_ISDIR(st.st_mode) && exists && S_ISDIR(old.st_mode)) {
      if (IsOpaqueDir(src)) {
        RETURN_IF_ERROR(RemoveTree(dst));
        RETURN_IF_ERROR(copier.Copy(src, dst, st));
        continue;
      }
      RETURN_IF_ERROR(ApplyLayer(src, dst, copier));
      RETURN_IF_ERROR(CopyMetadata(src, dst, st));
      continue;
    }
    if (exists) RETURN_IF_ERROR(RemoveTree(dst));
    RETURN_IF_ERROR(copier.Copy(src, dst, st));
  }
  return Status::Ok();
}

// What the lowers' stack holds under one directory: for each name, the layer directories
// (top first) whose entries make it up. Empty for a deleted name.
struct View {
  std::map<std::string, std::vector<std::string>> entries;
};

View StackView(const std::vector<std::string>& dirs) {
  View v;
  std::map<std::string, bool> closed;  // no lower layer contributes to this name any more
  for (const auto& d : dirs) {
    auto names = List(d);
    if (!names.ok()) continue;
    for (const auto& n : *names) {
      if (n == kOpaqueMarker || StartsWith(n, ".wh..wh.")) continue;
      std::string name = StartsWith(n, kWhiteoutPrefix) ? n.substr(4) : n;
      if (closed[name]) continue;
      std::vector<std::string>& layers = v.entries[name];
      struct stat st;
      if (name != n || lstat((d + "/" + n).c_str(), &st) != 0 || IsWhiteoutDevice(st)) {
        closed[name] = true;  // a whiteout: deleted here, nothing below shows
        continue;
      }
      layers.push_back(d + "/" + n);
      if (!S_ISDIR(st.st_mode) || IsOpaqueDir(d + "/" + n)) closed[name] = true;
    }
  }
  return v;
}

bool SameEntry(const struct stat& a, const struct stat& b, const std::string& pa, const std::string& pb) {
  if ((a.st_mode & S_IFMT) != (b.st_mode & S_IFMT) || a.st_mode != b.st_mode || a.st_uid != b.st_uid ||
      a.st_gid != b.st_gid)
    return false;
  if (S_ISDIR(a.st_mode)) return true;
  if (a.st_size != b.st_size || a.st_rdev != b.st_rdev || a.st_mtim.tv_sec != b.st_mtim.tv_sec ||
      a.st_mtim.tv_nsec != b.st_mtim.tv_nsec)
    return false;
  if (S_ISLNK(a.st_mode)) {
    char ta[4096], tb[4096];
    ssize_t na = readlink(pa.c_str(), ta, sizeof ta), nb = readlink(pb.c_str(), tb, sizeof tb);
    return na == nb && na >= 0 && std::memcmp(ta, tb, static_cast<size_t>(na)) == 0;
  }
  return true;
}

Status MarkOpaque(const std::string& dir) {
  for (const char* name : kOpaqueXattrs)
    if (lsetxattr(dir.c_str(), name, "y", 1, 0) == 0) return Status::Ok();
  return ErrnoError("marking " + dir + " opaque", errno);
}

Status Whiteout(const std::string& upper_dir, const std::string& name) {
  std::string p = upper_dir + "/" + name;
  if (mknod(p.c_str(), S_IFCHR, makedev(0, 0)) == 0) return Status::Ok();
  if (errno != EPERM) return ErrnoError("creating whiteout " + p, errno);
  // Kernels before 5.8 refuse the device without CAP_MKNOD: the OCI form instead.
  UniqueFd fd(open((upper_dir + "/" + kWhiteoutPrefix + name).c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0));
  if (!fd.valid()) return ErrnoError("creating whiteout " + p, errno);
  return Status::Ok();
}

// Writes into upper_dir (which exists) the changes of merged_dir over the layer directories
// `lowers` (top first); *wrote tells whether anything was.
Status Diff(const std::vector<std::string>& lowers, const std::string& merged_dir, const std::string& upper_dir,
            TreeCopier& copier, int64_t copied_at, bool* wrote) {
  View view = StackView(lowers);
  ASSIGN_OR_RETURN(std::vector<std::string> names, List(merged_dir));
  std::map<std::string, bool> present;
  for (const auto& n : names) {
    present[n] = true;
    std::string m = merged_dir + "/" + n, u = upper_dir + "/" + n;
    struct stat mst, lst;
    if (lstat(m.c_str(), &mst) != 0) return ErrnoError("stat " + m, errno);
    auto it = view.entries.find(n);
    bool in_lower = it != view.entries.end() && !it->second.empty();
    bool lower_ok = in_lower && lstat(it->second.front().c_str(), &lst) == 0;
    // A directory removed and made again hides what was below it, as overlayfs makes it
    // opaque; it is told from the copied one by its birth time.
    bool remade = S_ISDIR(mst.st_mode) && copied_at > 0 && BirthTime(m) > copied_at;
    if (lower_ok && S_ISDIR(mst.st_mode) && S_ISDIR(lst.st_mode) && !remade) {
      if (mkdir(u.c_str(), 0700) != 0) return ErrnoError("creating " + u, errno);
      bool below = false;
      RETURN_IF_ERROR(Diff(it->second, m, u, copier, copied_at, &below));
      if (!below && SameEntry(mst, lst, m, it->second.front())) {
        if (rmdir(u.c_str()) != 0) return ErrnoError("removing " + u, errno);
        continue;
      }
      RETURN_IF_ERROR(CopyMetadata(m, u, mst));
      *wrote = true;
      continue;
    }
    if (lower_ok && !remade && SameEntry(mst, lst, m, it->second.front())) continue;
    RETURN_IF_ERROR(copier.Copy(m, u, mst));
    // A directory where the stack had something else (or a deleted name) hides what is below.
    if (S_ISDIR(mst.st_mode) && it != view.entries.end()) RETURN_IF_ERROR(MarkOpaque(u));
    *wrote = true;
  }
  for (const auto& [n, layers] : view.entries) {
    if (layers.empty() || present.count(n)) continue;
    RETURN_IF_ERROR(Whiteout(upper_dir, n));
    *wrote = true;
  }
  return Status::Ok();
}

Status EmptyDir(const std::string& dir) {
  RETURN_IF_ERROR(MakeDirs(dir));
  ASSIGN_OR_RETURN(std::vector<std::string> names, List(dir));
  for (const auto& n : names) RETURN_IF_ERROR(RemoveTree(dir + "/" + n));
  return Status::Ok();
}

// Whether any lower layer has an entry (a whiteout too) at rel.
bool InSomeLower(const std::vector<std::string>& lowers, const std::string& rel) {
  struct stat st;
  for (const auto& l : lowers)
    if (lstat((l + rel).c_str(), &st) == 0) return true;
  return false;
}

Status TidyDir(const std::vector<std::string>& lowers, const std::string& upper, const std::string& rel) {
  const std::string dir = upper + rel;
  ASSIGN_OR_RETURN(std::vector<std::string> names, List(dir));
  bool opaque = IsOpaqueDir(dir);
  for (const auto& n : names) {
    std::string p = dir + "/" + n;
    struct stat st;
    if (lstat(p.c_str(), &st) != 0) return ErrnoError("stat " + p, errno);
    if (n == kOpaqueMarker || (n == ".wh..opq" && IsWhiteoutDevice(st))) {
      if (unlink(p.c_str()) != 0) return ErrnoError("removing " + p, errno);
    } else if (S_ISDIR(st.st_mode)) {
      RETURN_IF_ERROR(TidyDir(lowers, upper, rel + "/" + n));
    }
  }
  if (!opaque || rel.empty()) return Status::Ok();
  for (const char* name : kOpaqueXattrs) (void)lremovexattr(dir.c_str(), name);
  return InSomeLower(lowers, rel) ? MarkOpaque(dir) : Status::Ok();
}

}  // namespace

Status TidyFuseOpaques(const std::vector<std::string>& lowers, const std::string& upper) {
  return TidyDir(lowers, upper, "");
}

Status CopyStack(const std::vector<std::string>& lowers, const std::string& upper, const std::string& target) {
  RETURN_IF_ERROR(EmptyDir(target));
  std::vector<std::string> layers(lowers.rbegin(), lowers.rend());
  if (!upper.empty()) layers.push_back(upper);
  for (const auto& l : layers) {
    TreeCopier copier;  // hard links exist within one layer only
    RETURN_IF_ERROR(ApplyLayer(l, target, copier));
  }
  // The root takes the top layer's owner and mode, as overlayfs' root does.
  struct stat st;
  if (!layers.empty() && lstat(layers.back().c_str(), &st) == 0) RETURN_IF_ERROR(CopyMetadata(layers.back(), target, st));
  const std::string marker = MarkerPath(target);
  (void)unlink(marker.c_str());
  UniqueFd fd(open(marker.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd.valid()) return ErrnoError("creating " + marker, errno);
  // The filesystem's clock is coarse (a jiffy): what the container makes must be born later.
  usleep(20000);
  return Status::Ok();
}

Status WriteChanges(const std::vector<std::string>& lowers, const std::string& merged, const std::string& upper) {
  RETURN_IF_ERROR(EmptyDir(upper));
  TreeCopier copier;
  bool wrote = false;
  return Diff(lowers, merged, upper, copier, BirthTime(MarkerPath(merged)), &wrote);
}

}  // namespace kiln::runtime
