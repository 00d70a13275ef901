// COPY/ADD source resolution (globs, ignore rules, symlinks kept inside the root) and the
// content digest of the selected sources, with a stat cache in front of file reads.
#include "builder/context.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>

#include "util/fs.h"

namespace kiln::build {
namespace {

constexpr int kMaxSymlinks = 255;

std::vector<std::string> SplitRel(std::string_view s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t slash = s.find('/', pos);
    if (slash == std::string_view::npos) slash = s.size();
    if (slash > pos) out.emplace_back(s.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return out;
}

std::string JoinRel(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return std::string(a);
  return std::string(a) + "/" + std::string(b);
}

std::string JoinParts(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out = JoinRel(out, p);
  return out;
}

std::string BaseName(const std::string& rel) {
  auto pos = rel.find_last_of('/');
  return pos == std::string::npos ? rel : rel.substr(pos + 1);
}

// Where a path below root leads when root is taken as "/" (Docker's FollowSymlinkInScope).
struct Resolved {
  std::string rel;  // the real path below root; "" for root
  bool exists = false;
  struct stat st {};
};

Expected<std::string> ReadLink(const std::string& path) {
  std::string buf(256, '\0');
  for (;;) {
    ssize_t n = ::readlink(path.c_str(), buf.data(), buf.size());
    if (n < 0) return ErrnoError("readlink " + path, errno);
    if (static_cast<size_t>(n) < buf.size()) return buf.substr(0, static_cast<size_t>(n));
    buf.resize(buf.size() * 2);
  }
}

Expected<Resolved> ResolveInRoot(const std::string& root, std::string_view rel) {
  std::vector<std::string> todo = SplitRel(rel);
  std::reverse(todo.begin(), todo.end());
  std::vector<std::string> done;
  int links = 0;
  Resolved r;
  while (!todo.empty()) {
    std::string part = std::move(todo.back());
    todo.pop_back();
    if (part == ".") continue;
    if (part == "..") {
      if (!done.empty()) done.pop_back();
      continue;
    }
    done.push_back(std::move(part));
    std::string abs = JoinPath(root, JoinParts(done));
    if (::lstat(abs.c_str(), &r.st) != 0) {
      if (errno != ENOENT && errno != ENOTDIR) return ErrnoError("lstat " + abs, errno);
      r.rel = JoinParts(done);
      return r;
    }
    if (!S_ISLNK(r.st.st_mode)) continue;
    if (++links > kMaxSymlinks) return ErrnoError("resolve " + abs, ELOOP);
    ASSIGN_OR_RETURN(std::string target, ReadLink(abs));
    done.pop_back();
    if (!target.empty() && target[0] == '/') done.clear();
    std::vector<std::string> more = SplitRel(target);
    todo.insert(todo.end(), more.rbegin(), more.rend());
  }
  r.rel = JoinParts(done);
  if (::stat(JoinPath(root, r.rel).c_str(), &r.st) != 0) {
    if (errno != ENOENT && errno != ENOTDIR) return ErrnoError("stat " + JoinPath(root, r.rel), errno);
    return r;
  }
  r.exists = true;
  return r;
}

Expected<std::vector<std::string>> ListDir(const std::string& path) {
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(path.c_str()), ::closedir);
  if (!d) return ErrnoError("open directory " + path, errno);
  std::vector<std::string> names;
  errno = 0;
  while (dirent* e = ::readdir(d.get())) {
    std::string_view n = e->d_name;
    if (n != "." && n != "..") names.emplace_back(n);
  }
  if (errno != 0) return ErrnoError("read directory " + path, errno);
  std::sort(names.begin(), names.end());
  return names;
}

Status NoSuchSource(const std::string& root, const std::string& rel) {
  return NotFound("checking on sources under \"" + root + "\": copier: stat: \"/" + rel +
                  "\": no such file or directory");
}

// Whether anything below an excluded directory is brought back by a '!' pattern.
bool AnythingReincludedBelow(const std::string& root, const std::string& rel, const IgnoreMatcher& ignore) {
  auto names = ListDir(JoinPath(root, rel));
  if (!names.ok()) return false;
  for (const std::string& name : *names) {
    std::string child = JoinRel(rel, name);
    if (!ignore.Excluded(child)) return true;
    struct stat st;
    if (::lstat(JoinPath(root, child).c_str(), &st) == 0 && S_ISDIR(st.st_mode) && ignore.MayReincludeBelow(child) &&
        AnythingReincludedBelow(root, child, ignore))
      return true;
  }
  return false;
}

// An excluded source is left out; so is an excluded directory unless a '!' pattern names
// something below it (buildah's includeDirectoryAnyway) and the walk brings something back
// (else buildah copies nothing and counts it "filtered out").
bool Ignored(const IgnoreMatcher* ignore, const std::string& root, const std::string& rel, bool is_dir) {
  if (!ignore || !ignore->Excluded(rel)) return false;
  return !(is_dir && ignore->IncludeDirectoryAnyway(rel) && AnythingReincludedBelow(root, rel, *ignore));
}

// The candidates a glob selects, element by element (filepath.Glob).
Expected<std::vector<std::string>> ExpandGlob(const std::string& root, const std::string& rel) {
  std::vector<std::string> candidates = {""};
  for (const std::string& elem : SplitRel(rel)) {
    std::vector<std::string> next;
    for (const std::string& c : candidates) {
      if (!HasGlobMeta(elem)) {
        next.push_back(JoinRel(c, elem));
        continue;
      }
      ASSIGN_OR_RETURN(Resolved dir, ResolveInRoot(root, c));
      if (!dir.exists || !S_ISDIR(dir.st.st_mode)) continue;
      ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(JoinPath(root, dir.rel)));
      for (const std::string& name : names) {
        auto m = GlobMatch(elem, name);
        if (!m.ok()) return m.status().Wrap("COPY pattern \"" + rel + "\"");
        if (*m) next.push_back(JoinRel(c, name));
      }
    }
    candidates = std::move(next);
  }
  return candidates;
}

// Adds what pattern selects to out. A glob that matches no name at all is not an error here
// (*skipped_glob is set): buildah skips it, and fails only when every pattern was such a glob.
Status ResolveOne(const std::string& root, const std::string& pattern, const IgnoreMatcher* ignore,
                  std::vector<Source>* out, std::string* skipped_glob) {
  std::string_view p = pattern;
  while (!p.empty() && p[0] == '/') p.remove_prefix(1);
  std::string clean = CleanPath(p);
  if (clean == ".." || clean.rfind("../", 0) == 0) {
    return InvalidArgument("forbidden path outside the build context: " + pattern + " (" +
                           CleanPath(root + "/" + pattern) + ")");
  }
  std::string rel = clean == "." ? "" : clean;
  std::vector<std::string> candidates = {rel};
  if (HasGlobMeta(rel)) {
    ASSIGN_OR_RETURN(candidates, ExpandGlob(root, rel));
  }
  size_t before = out->size(), filtered = 0;
  bool any = false;
  for (const std::string& c : candidates) {
    ASSIGN_OR_RETURN(Resolved r, ResolveInRoot(root, c));
    if (!r.exists) continue;
    any = true;
    bool is_dir = S_ISDIR(r.st.st_mode);
    if (Ignored(ignore, root, c, is_dir)) {
      ++filtered;
      continue;
    }
    out->push_back(Source{c, is_dir});
  }
  if (!any && HasGlobMeta(rel)) {
    *skipped_glob = "/" + rel;
    return Status::Ok();
  }
  if (out->size() > before) return Status::Ok();
  if (filtered == 0) return NoSuchSource(root, rel);
  // buildah's words when the ignore file took every match
  std::string from = ignore->origin().empty() ? "" : " using " + ignore->origin();
  return NotFound("no items matching glob \"" + JoinPath(root, rel) + "\" copied (" + std::to_string(filtered) +
                  " filtered out" + from + "): no such file or directory");
}

// Length-prefixed fields, so that no two different records encode alike.
class RecordWriter {
 public:
  explicit RecordWriter(Sha256& h) : h_(h) {}
  void Field(std::string_view s) {
    std::string len = std::to_string(s.size()) + ":";
    h_.Update(len);
    h_.Update(s);
  }
  void Number(uint64_t n) { Field(std::to_string(n)); }
  void End() { h_.Update("\n", 1); }

 private:
  Sha256& h_;
};

char TypeChar(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFDIR: return 'd';
    case S_IFREG: return 'f';
    case S_IFLNK: return 'l';
    case S_IFIFO: return 'p';
    case S_IFCHR: return 'c';
    case S_IFBLK: return 'b';
    default: return 's';
  }
}

FileStamp StampOf(const struct stat& st) {
  FileStamp s;
  s.size = st.st_size;
  s.mtime_ns = int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec;
  s.ctime_ns = int64_t{st.st_ctim.tv_sec} * 1000000000 + st.st_ctim.tv_nsec;
  s.inode = st.st_ino;
  s.mode = st.st_mode;
  return s;
}

class Hasher {
 public:
  Hasher(const IgnoreMatcher* ignore, IgnoreMatcher excludes, StatCache* cache, Owners owners)
      : ignore_(ignore), excludes_(std::move(excludes)), cache_(cache), owners_(owners), buf_(1 << 20), out_(hash_) {}

  Status Source(const std::string& root, const build::Source& s) {
    ASSIGN_OR_RETURN(Resolved r, ResolveInRoot(root, s.rel));
    if (!r.exists) return NoSuchSource(root, s.rel);
    std::string abs = JoinPath(root, r.rel);
    out_.Field("source");
    out_.Field(s.rel);
    out_.End();
    if (!S_ISDIR(r.st.st_mode)) {
      if (!excludes_.empty() && (excludes_.Excluded(s.rel) || excludes_.Excluded(BaseName(s.rel)))) {
        return Status::Ok();
      }
      return Entry(AT_FDCWD, abs, abs, r.st, "");
    }
    UniqueFd dir(::open(abs.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid()) return ErrnoError("open " + abs, errno);
    // A directory source's own mode and owner are not copied (COPY makes the destination
    // 0755), and they come from the umask and the user of whoever made the context: left out.
    struct stat top = r.st;
    top.st_mode &= S_IFMT;
    top.st_uid = top.st_gid = 0;
    RETURN_IF_ERROR(Record(top, "", "", Digest()));
    return Dir(dir.get(), abs, s.rel, "");
  }

  Digest Finish() { return hash_.Finish(); }

 private:
  bool Skip(const std::string& ctx_rel, const std::string& rel, bool is_dir) const {
    bool ig = ignore_ && ignore_->Excluded(ctx_rel);
    bool ex = !excludes_.empty() && excludes_.Excluded(rel);
    if (!is_dir) return ig || ex;
    return (ig && !ignore_->MayReincludeBelow(ctx_rel)) || (ex && !excludes_.MayReincludeBelow(rel));
  }

  Status Dir(int dfd, const std::string& abs, const std::string& ctx_rel, const std::string& rel) {
    ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(abs));
    for (const std::string& name : names) {
      struct stat st;
      if (::fstatat(dfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) continue;
        return ErrnoError("stat " + JoinPath(abs, name), errno);
      }
      std::string child_rel = JoinRel(rel, name);
      std::string child_ctx = JoinRel(ctx_rel, name);
      if (Skip(child_ctx, child_rel, S_ISDIR(st.st_mode))) continue;
      std::string child_abs = JoinPath(abs, name);
      RETURN_IF_ERROR(Entry(dfd, name, child_abs, st, child_rel));
      if (!S_ISDIR(st.st_mode)) continue;
      UniqueFd sub(::openat(dfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!sub.valid()) return ErrnoError("open " + child_abs, errno);
      RETURN_IF_ERROR(Dir(sub.get(), child_abs, child_ctx, child_rel));
    }
    return Status::Ok();
  }

  // One entry: dfd/name (name absolute when dfd is AT_FDCWD), lstat'ed as st.
  Status Entry(int dfd, const std::string& name, const std::string& abs, const struct stat& st,
               const std::string& rel) {
    Digest content;
    std::string target;
    if (S_ISREG(st.st_mode)) {
      ASSIGN_OR_RETURN(content, FileDigest(dfd, name, abs, st));
    } else if (S_ISLNK(st.st_mode)) {
      ASSIGN_OR_RETURN(target, ReadLink(abs));
    }
    return Record(st, rel, target, content);
  }

  Status Record(const struct stat& st, const std::string& rel, const std::string& target, const Digest& content) {
    out_.Field(std::string(1, TypeChar(st.st_mode)));
    out_.Field(rel);
    out_.Number(st.st_mode & 07777);
    out_.Number(owners_ == Owners::kHash ? st.st_uid : 0);
    out_.Number(owners_ == Owners::kHash ? st.st_gid : 0);
    out_.Number(S_ISREG(st.st_mode) ? static_cast<uint64_t>(st.st_size) : 0);
    out_.Field(content.hex());
    out_.Field(target);
    bool dev = S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode);
    out_.Number(dev ? major(st.st_rdev) : 0);
    out_.Number(dev ? minor(st.st_rdev) : 0);
    out_.End();
    return Status::Ok();
  }

  Expected<Digest> FileDigest(int dfd, const std::string& name, const std::string& abs, const struct stat& st) {
    FileStamp stamp = StampOf(st);
    if (cache_) {
      if (auto d = cache_->Lookup(abs, stamp)) return *d;
    }
    UniqueFd fd(::openat(dfd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid()) return ErrnoError("open " + abs, errno);
    ASSIGN_OR_RETURN(Digest d, HashFd(fd.get(), abs));
    if (cache_) cache_->Record(abs, stamp, d);
    return d;
  }

  Expected<Digest> HashFd(int fd, const std::string& abs) {
    (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    Sha256 h;
    for (;;) {
      ssize_t n = ::read(fd, buf_.data(), buf_.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoError("read " + abs, errno);
      }
      if (n == 0) break;
      h.Update(buf_.data(), static_cast<size_t>(n));
    }
    return h.Finish();
  }

  const IgnoreMatcher* ignore_;
  IgnoreMatcher excludes_;
  StatCache* cache_;
  Owners owners_;
  std::vector<char> buf_;
  Sha256 hash_;
  RecordWriter out_;
};

}  // namespace

Expected<std::vector<Source>> ResolveSources(const std::string& root, const std::vector<std::string>& patterns,
                                             const IgnoreMatcher* ignore) {
  std::vector<Source> out;
  std::string skipped;  // the globs that matched nothing, as Go's %q of a []string prints them
  for (const std::string& pattern : patterns) {
    std::string glob;
    RETURN_IF_ERROR(ResolveOne(root, pattern, ignore, &out, &glob));
    if (!glob.empty()) skipped += (skipped.empty() ? "" : " ") + ("\"" + glob + "\"");
  }
  if (out.empty()) {  // buildah's text, its stray "Rel:" complaint included
    return NotFound("checking on sources under \"" + root + "\": Rel: can't make  relative to " + root +
                    "; copier: stat: [" + skipped + "]: no such file or directory");
  }
  std::sort(out.begin(), out.end(), [](const Source& a, const Source& b) { return a.rel < b.rel; });
  out.erase(std::unique(out.begin(), out.end(), [](const Source& a, const Source& b) { return a.rel == b.rel; }),
            out.end());
  return out;
}

Expected<Digest> HashSources(const std::string& root, const std::vector<Source>& sources, const IgnoreMatcher* ignore,
                             const std::vector<std::string>& excludes, StatCache* cache, Owners owners) {
  ASSIGN_OR_RETURN(IgnoreMatcher ex, IgnoreMatcher::FromPatterns(excludes));
  Hasher hasher(ignore, std::move(ex), cache, owners);
  for (const Source& s : sources) RETURN_IF_ERROR(hasher.Source(root, s));
  return hasher.Finish();
}

}  // namespace kiln::build
