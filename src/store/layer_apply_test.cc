#include "store/layer_apply.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <clocale>
#include <set>
#include <string>
#include <vector>

#include "util/compression.h"
#include "util/fs.h"

namespace kiln::store {
namespace {

constexpr time_t kMtime = 1700000000;

// Designated initialisers leave the other members at their defaults, on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

struct TarEntry {
  std::string path;
  mode_t type = AE_IFREG;
  mode_t perm = 0644;
  std::string data;
  std::string symlink;
  std::string hardlink;
  int64_t uid = 0, gid = 0;
  time_t mtime = kMtime;
  unsigned rdev_major = 0, rdev_minor = 0;
  std::vector<std::pair<std::string, std::string>> xattrs;
};

// Builds PAX tars in memory with libarchive, hostile ones included.
class TarBuilder {
 public:
  TarBuilder() : a_(archive_write_new()) {
    archive_write_set_format_pax_restricted(a_);
    archive_write_open(a_, &out_, nullptr, &TarBuilder::Append, nullptr);
  }
  ~TarBuilder() {
    if (a_) archive_write_free(a_);
  }

  TarBuilder& Add(const TarEntry& t) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname_utf8(e, t.path.c_str());
    archive_entry_set_filetype(e, t.hardlink.empty() ? t.type : AE_IFREG);
    archive_entry_set_perm(e, t.perm);
    archive_entry_set_uid(e, t.uid);
    archive_entry_set_gid(e, t.gid);
    archive_entry_set_mtime(e, t.mtime, 0);
    if (!t.symlink.empty()) archive_entry_set_symlink(e, t.symlink.c_str());
    if (!t.hardlink.empty()) archive_entry_set_hardlink(e, t.hardlink.c_str());
    if (t.type == AE_IFCHR || t.type == AE_IFBLK) {
      archive_entry_set_rdevmajor(e, t.rdev_major);
      archive_entry_set_rdevminor(e, t.rdev_minor);
    }
    for (const auto& [k, v] : t.xattrs) archive_entry_xattr_add_entry(e, k.c_str(), v.data(), v.size());
    bool has_data = t.type == AE_IFREG && t.hardlink.empty();
    archive_entry_set_size(e, has_data ? static_cast<la_int64_t>(t.data.size()) : 0);
    EXPECT_EQ(archive_write_header(a_, e), ARCHIVE_OK) << archive_error_string(a_);
    if (has_data && !t.data.empty()) archive_write_data(a_, t.data.data(), t.data.size());
    archive_entry_free(e);
    return *this;
  }
  TarBuilder& File(const std::string& path, const std::string& data, mode_t perm = 0644) {
    return Add({.path = path, .perm = perm, .data = data});
  }
  TarBuilder& Dir(const std::string& path, mode_t perm = 0755) {
    return Add({.path = path, .type = AE_IFDIR, .perm = perm});
  }
  TarBuilder& Symlink(const std::string& path, const std::string& target) {
    return Add({.path = path, .type = AE_IFLNK, .perm = 0777, .symlink = target});
  }
  TarBuilder& Hardlink(const std::string& path, const std::string& target) {
    return Add({.path = path, .hardlink = target});
  }
  std::string Finish() {
    archive_write_close(a_);
    archive_write_free(a_);
    a_ = nullptr;
    return out_;
  }

 private:
  static la_ssize_t Append(archive*, void* ctx, const void* buf, size_t n) {
    static_cast<std::string*>(ctx)->append(static_cast<const char*>(buf), n);
    return static_cast<la_ssize_t>(n);
  }
  archive* a_;
  std::string out_;
};

bool IsRoot() { return ::geteuid() == 0; }

std::vector<std::string> List(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return names;
  while (dirent* de = ::readdir(d)) {
    std::string n = de->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

struct stat Lstat(const std::string& path) {
  struct stat st{};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st;
}

std::string GetXattr(const std::string& path, const char* name) {
  char buf[256];
  ssize_t n = ::lgetxattr(path.c_str(), name, buf, sizeof buf);
  return n < 0 ? std::string("<none>") : std::string(buf, static_cast<size_t>(n));
}

class LayerApplyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/kiln-layer-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    outer_ = tmpl;
    dest_ = outer_ + "/dest";
    outside_ = outer_ + "/outside";
    ASSERT_EQ(::mkdir(dest_.c_str(), 0755), 0);
    ASSERT_EQ(::mkdir(outside_.c_str(), 0755), 0);
    ASSERT_TRUE(WriteFileAtomic(outer_ + "/secret", "original").ok());
  }
  void TearDown() override { ASSERT_TRUE(RemoveTree(outer_).ok()); }

  Status Apply(const std::string& tar, const ApplyOptions& opts = {}) {
    StringReader r(tar);
    stats_ = ApplyStats{};
    return ApplyLayer(r, dest_, opts, &stats_);
  }

  std::string D(const std::string& rel) const { return dest_ + "/" + rel; }

  // Nothing may appear outside dest_, nor change there.
  void ExpectOutsideUntouched() {
    EXPECT_EQ(List(outer_), (std::vector<std::string>{"dest", "outside", "secret"}));
    EXPECT_TRUE(List(outside_).empty());
    EXPECT_EQ(*ReadFile(outer_ + "/secret"), "original");
  }

  void ExpectRefused(const std::string& tar, const std::string& message) {
    Status st = Apply(tar);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.code(), Code::kInvalidArgument);
    EXPECT_EQ(st.message(), message);
    ExpectOutsideUntouched();
  }

  std::string outer_, dest_, outside_;
  ApplyStats stats_;
};

TEST_F(LayerApplyTest, ExtractsFilesDirsModesAndTimes) {
  std::string tar = TarBuilder()
                        .Dir("etc/", 0750)
                        .File("etc/hosts", "127.0.0.1 localhost\n", 0640)
                        .Add({.path = "bin/su", .perm = 04755, .data = "su"})
                        .Add({.path = "usr/bin/wall", .perm = 02755, .data = "wall"})
                        .Dir("tmp", 01777)
                        .Add({.path = "./var//log/../lib/x", .data = "x", .mtime = 1234567890})
                        .Finish();
  ASSERT_TRUE(Apply(tar).ok());
  EXPECT_EQ(*ReadFile(D("etc/hosts")), "127.0.0.1 localhost\n");
  EXPECT_EQ(Lstat(D("etc")).st_mode & 07777, 0750u);
  EXPECT_EQ(Lstat(D("etc/hosts")).st_mode & 07777, 0640u);
  EXPECT_EQ(Lstat(D("bin/su")).st_mode & 07777, 04755u);
  EXPECT_EQ(Lstat(D("usr/bin/wall")).st_mode & 07777, 02755u);
  EXPECT_EQ(Lstat(D("tmp")).st_mode & 07777, 01777u);
  EXPECT_EQ(*ReadFile(D("var/lib/x")), "x");
  EXPECT_FALSE(PathExists(D("var/log")));
  // Directory times survive the creation of their children.
  EXPECT_EQ(Lstat(D("etc")).st_mtime, kMtime);
  EXPECT_EQ(Lstat(D("etc/hosts")).st_mtime, kMtime);
  EXPECT_EQ(Lstat(D("var/lib/x")).st_mtime, 1234567890);
  EXPECT_EQ(stats_.entries, 6u);
  EXPECT_EQ(stats_.file_bytes, 20u + 2 + 4 + 1);
}

TEST_F(LayerApplyTest, ImpliedParentsAre0755WhateverTheUmask) {
  mode_t old = ::umask(077);
  Status st = Apply(TarBuilder().File("a/b/c", "deep").Finish());
  ::umask(old);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(Lstat(D("a")).st_mode & 07777, 0755u);
  EXPECT_EQ(Lstat(D("a/b")).st_mode & 07777, 0755u);
  EXPECT_EQ(Lstat(D("a/b/c")).st_mode & 07777, 0644u);
}

TEST_F(LayerApplyTest, RootEntrySetsTheDestinationsMetadata) {
  ASSERT_TRUE(Apply(TarBuilder().Dir("./", 0700).File("f", "x").Finish()).ok());
  EXPECT_EQ(Lstat(dest_).st_mode & 07777, 0700u);
  EXPECT_EQ(Lstat(dest_).st_mtime, kMtime);
}

TEST_F(LayerApplyTest, ReadOnlyDirectoriesStillReceiveTheirChildren) {
  ASSERT_TRUE(Apply(TarBuilder().Dir("ro", 0555).File("ro/f", "x").Dir("ro/sub", 0500).File("ro/sub/g", "y").Finish()).ok());
  EXPECT_EQ(Lstat(D("ro")).st_mode & 07777, 0555u);
  EXPECT_EQ(Lstat(D("ro/sub")).st_mode & 07777, 0500u);
  EXPECT_EQ(*ReadFile(D("ro/sub/g")), "y");
}

TEST_F(LayerApplyTest, SymlinksAreCreatedAsIsAndNeverFollowed) {
  std::string tar = TarBuilder()
                        .Symlink("abs", "/etc/passwd")
                        .Symlink("rel", "../../somewhere")
                        .Symlink("bye", outer_ + "/secret")
                        .File("bye", "replaced")  // replaces the link, not its target
                        .Finish();
  ASSERT_TRUE(Apply(tar).ok());
  char buf[256];
  ssize_t n = ::readlink(D("abs").c_str(), buf, sizeof buf);
  EXPECT_EQ(std::string(buf, static_cast<size_t>(n)), "/etc/passwd");
  n = ::readlink(D("rel").c_str(), buf, sizeof buf);
  EXPECT_EQ(std::string(buf, static_cast<size_t>(n)), "../../somewhere");
  EXPECT_EQ(Lstat(D("abs")).st_mtime, kMtime);
  EXPECT_TRUE(S_ISREG(Lstat(D("bye")).st_mode));
  EXPECT_EQ(*ReadFile(D("bye")), "replaced");
  ExpectOutsideUntouched();
}

TEST_F(LayerApplyTest, HardLinksShareTheInode) {
  std::string tar = TarBuilder().File("bin/busybox", "BB", 0755).Hardlink("bin/sh", "bin/busybox").Hardlink("ls", "./bin//busybox").Finish();
  ASSERT_TRUE(Apply(tar).ok());
  EXPECT_EQ(Lstat(D("bin/sh")).st_ino, Lstat(D("bin/busybox")).st_ino);
  EXPECT_EQ(Lstat(D("ls")).st_ino, Lstat(D("bin/busybox")).st_ino);
  EXPECT_EQ(Lstat(D("ls")).st_nlink, 3u);
  EXPECT_EQ(stats_.file_bytes, 2u);
}

TEST_F(LayerApplyTest, LaterEntriesReplaceEarlierOnes) {
  std::string tar = TarBuilder()
                        .File("f", "first")
                        .File("f", "second")
                        .Dir("d")
                        .File("d/child", "x")
                        .File("d", "now a file")  // a directory, even non-empty, is replaced
                        .File("e", "a file")
                        .Dir("e")
                        .Dir("m", 0700)
                        .File("m/keep", "k")
                        .Dir("m", 0711)  // a directory over a directory merges
                        .Finish();
  ASSERT_TRUE(Apply(tar).ok());
  EXPECT_EQ(*ReadFile(D("f")), "second");
  EXPECT_EQ(*ReadFile(D("d")), "now a file");
  EXPECT_TRUE(S_ISDIR(Lstat(D("e")).st_mode));
  EXPECT_EQ(*ReadFile(D("m/keep")), "k");
  EXPECT_EQ(Lstat(D("m")).st_mode & 07777, 0711u);
}

TEST_F(LayerApplyTest, OwnershipIsPreservedAsRootAndCanBeMapped) {
  if (!IsRoot()) GTEST_SKIP() << "needs root";
  std::string tar = TarBuilder()
                        .Add({.path = "home/u", .type = AE_IFDIR, .perm = 0700, .uid = 1000, .gid = 1000})
                        .Add({.path = "home/u/f", .perm = 04750, .data = "x", .uid = 1000, .gid = 2000})
                        .Add({.path = "home/u/l", .type = AE_IFLNK, .perm = 0777, .symlink = "f", .uid = 33, .gid = 34})
                        .Finish();
  ASSERT_TRUE(Apply(tar).ok());
  EXPECT_EQ(Lstat(D("home/u/f")).st_uid, 1000u);
  EXPECT_EQ(Lstat(D("home/u/f")).st_gid, 2000u);
  EXPECT_EQ(Lstat(D("home/u/f")).st_mode & 07777, 04750u);  // setuid survives the chown
  EXPECT_EQ(Lstat(D("home/u/l")).st_uid, 33u);
  EXPECT_EQ(Lstat(D("home/u")).st_uid, 1000u);

  ASSERT_TRUE(RemoveTree(dest_).ok() && MakeDirs(dest_).ok());
  ApplyOptions mapped;
  mapped.uid_map = {{0, 100000, 65536}};
  mapped.gid_map = {{0, 200000, 65536}};
  ASSERT_TRUE(Apply(tar, mapped).ok());
  EXPECT_EQ(Lstat(D("home/u/f")).st_uid, 101000u);
  EXPECT_EQ(Lstat(D("home/u/f")).st_gid, 202000u);
  EXPECT_EQ(Lstat(D("home")).st_uid, 100000u);  // implied directory: the mapped root

  ASSERT_TRUE(RemoveTree(dest_).ok() && MakeDirs(dest_).ok());
  mapped.uid_map = {{0, 100000, 1000}};
  Status st = Apply(tar, mapped);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "applying layer: entry \"home/u/\": container UID 1000 cannot be mapped to a host ID");
}

TEST_F(LayerApplyTest, OwnershipCanBeIgnored) {
  ApplyOptions opts;
  opts.ownership = OwnershipPolicy::kIgnore;
  ASSERT_TRUE(Apply(TarBuilder().Add({.path = "f", .data = "x", .uid = 1234, .gid = 1234}).Finish(), opts).ok());
  EXPECT_EQ(Lstat(D("f")).st_uid, ::geteuid());
}

TEST_F(LayerApplyTest, XattrsAreRestoredButOverlayOnesDropped) {
  if (::setxattr(dest_.c_str(), "user.probe", "1", 1, 0) != 0) GTEST_SKIP() << "no user xattrs here";
  std::string tar = TarBuilder()
                        .Add({.path = "f", .data = "x", .xattrs = {{"user.mime", "text/plain"}, {"user.overlay.redirect", "/x"}}})
                        .Add({.path = "d", .type = AE_IFDIR, .perm = 0755, .xattrs = {{"user.k", "v"}}})
                        .Finish();
  ASSERT_TRUE(Apply(tar).ok());
  EXPECT_EQ(GetXattr(D("f"), "user.mime"), "text/plain");
  EXPECT_EQ(GetXattr(D("f"), "user.overlay.redirect"), "<none>");
  EXPECT_EQ(GetXattr(D("d"), "user.k"), "v");
}

TEST_F(LayerApplyTest, FileCapabilitiesSurviveTheChown) {
  if (!IsRoot()) GTEST_SKIP() << "needs root";
  // VFS_CAP_REVISION_2 with cap_net_raw permitted+effective.
  std::string cap("\x01\x00\x00\x02\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 20);
  std::string tar = TarBuilder()
                        .Add({.path = "ping", .perm = 0755, .data = "p", .uid = 5, .xattrs = {{"security.capability", cap},
                                                                                          {"trusted.overlay.opaque", "y"}}})
                        .Finish();
  ASSERT_TRUE(Apply(tar).ok());
  EXPECT_EQ(GetXattr(D("ping"), "security.capability"), cap);
  EXPECT_EQ(GetXattr(D("ping"), "trusted.overlay.opaque"), "<none>");
}

TEST_F(LayerApplyTest, DeviceNodesAndFifos) {
  std::string tar = TarBuilder()
                        .Add({.path = "dev/null", .type = AE_IFCHR, .perm = 0666, .rdev_major = 1, .rdev_minor = 3})
                        .Add({.path = "dev/loop0", .type = AE_IFBLK, .perm = 0660, .rdev_major = 7, .rdev_minor = 0})
                        .Add({.path = "run/fifo", .type = AE_IFIFO, .perm = 0620})
                        .Finish();
  ASSERT_TRUE(Apply(tar).ok());
  EXPECT_TRUE(S_ISFIFO(Lstat(D("run/fifo")).st_mode));
  EXPECT_EQ(Lstat(D("run/fifo")).st_mode & 07777, 0620u);
  if (!IsRoot()) {
    EXPECT_EQ(stats_.skipped_devices, 2u);
    return;
  }
  struct stat st = Lstat(D("dev/null"));
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(major(st.st_rdev), 1u);
  EXPECT_EQ(minor(st.st_rdev), 3u);
  EXPECT_EQ(st.st_mode & 07777, 0666u);
  EXPECT_TRUE(S_ISBLK(Lstat(D("dev/loop0")).st_mode));
}

TEST_F(LayerApplyTest, WhiteoutsBecomeOverlayWhiteouts) {
  if (!IsRoot()) GTEST_SKIP() << "needs CAP_MKNOD; the fallback is tested as nobody below";
  std::string tar = TarBuilder()
                        .File("etc/.wh.motd", "")
                        .Dir("var/cache")
                        .File("var/cache/.wh..wh..opq", "")
                        .File("var/cache/new", "n")
                        .File("same", "kept")
                        .File(".wh.same", "")        // a whiteout never hides its own layer
                        .File(".wh..wh.plnk", "")    // aufs metadata: skipped
                        .Finish();
  ASSERT_TRUE(Apply(tar).ok());
  struct stat st = Lstat(D("etc/motd"));
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, makedev(0, 0));
  EXPECT_FALSE(PathExists(D("etc/.wh.motd")));
  EXPECT_EQ(GetXattr(D("var/cache"), "trusted.overlay.opaque"), "y");
  EXPECT_FALSE(PathExists(D("var/cache/.wh..wh..opq")));
  EXPECT_EQ(*ReadFile(D("var/cache/new")), "n");
  EXPECT_EQ(*ReadFile(D("same")), "kept");
  EXPECT_FALSE(PathExists(D(".wh..wh.plnk")));
  EXPECT_EQ(stats_.whiteouts, 2u);
  EXPECT_EQ(stats_.opaque_dirs, 1u);
  EXPECT_EQ(stats_.whiteout_fallbacks, 0u);
}

TEST_F(LayerApplyTest, AFileAfterItsWhiteoutReplacesIt) {
  if (!IsRoot()) GTEST_SKIP() << "needs CAP_MKNOD";
  ASSERT_TRUE(Apply(TarBuilder().File(".wh.f", "").File("f", "back").Finish()).ok());
  EXPECT_EQ(*ReadFile(D("f")), "back");
}

TEST_F(LayerApplyTest, WhiteoutPlusNewContentOfTheSameLayerIsAnOpaqueDirectory) {
  if (!IsRoot()) GTEST_SKIP() << "needs CAP_MKNOD and trusted xattrs";
  // ".wh.a" sorts before "a/": the directory replaces the whiteout and hides the lower "a".
  ASSERT_TRUE(Apply(TarBuilder().File(".wh.a", "").File("a/x", "x").File(".wh.b", "").Dir("b").Finish()).ok());
  EXPECT_EQ(*ReadFile(D("a/x")), "x");
  EXPECT_EQ(GetXattr(D("a"), "trusted.overlay.opaque"), "y");
  EXPECT_TRUE(S_ISDIR(Lstat(D("b")).st_mode));
  EXPECT_EQ(GetXattr(D("b"), "trusted.overlay.opaque"), "y");
  // The other order: the directory comes first, then its whiteout.
  ASSERT_TRUE(Apply(TarBuilder().Dir("c").File("c/y", "y").File(".wh.c", "").Finish()).ok());
  EXPECT_EQ(*ReadFile(D("c/y")), "y");
  EXPECT_EQ(GetXattr(D("c"), "trusted.overlay.opaque"), "y");
}

// Runs fn in a child process as nobody (65534), in a fresh directory that nobody owns.
int RunAsNobody(const std::string& dir, const std::function<int()>& fn) {
  EXPECT_EQ(::chown(dir.c_str(), 65534, 65534), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(99);
    ::_exit(fn());
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 98;
}

TEST_F(LayerApplyTest, WithoutPrivilegeWhiteoutsFallBackToMarkers) {
  if (!IsRoot()) GTEST_SKIP() << "needs root to become nobody";
  std::string tar = TarBuilder()
                        .File(".wh.gone", "")
                        .Dir("d")
                        .File("d/.wh..wh..opq", "")
                        .Add({.path = "owned", .data = "x", .uid = 1000})
                        .Add({.path = "dev/null", .type = AE_IFCHR, .perm = 0666, .rdev_major = 1, .rdev_minor = 3})
                        .Finish();
  std::string dest = dest_;
  ASSERT_EQ(::chmod(outer_.c_str(), 0755), 0);  // mkdtemp's 0700 would lock nobody out
  int rc = RunAsNobody(dest_, [&] {
    StringReader r(tar);
    ApplyStats stats;
    Status st = ApplyLayer(r, dest, {}, &stats);
    if (!st.ok()) {
      fprintf(stderr, "%s\n", st.message().c_str());
      return 1;
    }
    if (stats.skipped_devices != 1) return 2;
    // Linux >= 5.8 lets anyone create the 0/0 whiteout device; older ones need CAP_MKNOD.
    bool whiteout_ok = stats.whiteout_fallbacks == 0
                           ? S_ISCHR(Lstat(dest + "/gone").st_mode) && !PathExists(dest + "/.wh.gone")
                           : PathExists(dest + "/.wh.gone") && !PathExists(dest + "/gone");
    if (!whiteout_ok) return 3;
    if (stats.opaque_fallbacks != 1) return 4;
    // user.overlay.opaque where the filesystem has user xattrs, else the marker stays.
    if (GetXattr(dest + "/d", "user.overlay.opaque") != "y" && !PathExists(dest + "/d/.wh..wh..opq")) return 5;
    if (Lstat(dest + "/owned").st_uid != 65534) return 6;  // kAuto ignores ownership
    return 0;
  });
  EXPECT_EQ(rc, 0);
}

TEST_F(LayerApplyTest, ApplyPolicyDeletesFromLowerLayers) {
  ASSERT_TRUE(Apply(TarBuilder().File("old", "o").File("dir/x", "x").File("dir/y", "y").File("keep", "k").Finish()).ok());
  ApplyOptions opts;
  opts.whiteouts = WhiteoutPolicy::kApply;
  std::string upper = TarBuilder()
                          .File(".wh.old", "")
                          .Dir("dir")
                          .File("dir/new", "n")
                          .File("dir/.wh..wh..opq", "")
                          .File(".wh.missing", "")
                          .Finish();
  ASSERT_TRUE(Apply(upper, opts).ok());
  EXPECT_FALSE(PathExists(D("old")));
  EXPECT_EQ(List(D("dir")), (std::vector<std::string>{"new"}));
  EXPECT_EQ(*ReadFile(D("keep")), "k");
}

TEST_F(LayerApplyTest, KeepPolicyExtractsWhiteoutsAsFiles) {
  ApplyOptions opts;
  opts.whiteouts = WhiteoutPolicy::kKeep;
  ASSERT_TRUE(Apply(TarBuilder().File(".wh.x", "").File("d/.wh..wh..opq", "").Finish(), opts).ok());
  EXPECT_TRUE(PathExists(D(".wh.x")));
  EXPECT_TRUE(PathExists(D("d/.wh..wh..opq")));
}

TEST_F(LayerApplyTest, RefusesDotDotEscapes) {
  ExpectRefused(TarBuilder().File("../../etc/passwd", "pwned").Finish(),
                "applying layer: entry \"../../etc/passwd\": path escapes the destination");
  ExpectRefused(TarBuilder().File("a/../../secret", "pwned").Finish(),
                "applying layer: entry \"a/../../secret\": path escapes the destination");
}

TEST_F(LayerApplyTest, RefusesAbsolutePaths) {
  ExpectRefused(TarBuilder().File("/abs/path", "x").Finish(), "applying layer: entry \"/abs/path\": path is absolute");
}

TEST_F(LayerApplyTest, RefusesToWriteThroughSymlinks) {
  ExpectRefused(TarBuilder().Symlink("evil", outside_).File("evil/pwned", "x").Finish(),
                "applying layer: entry \"evil/pwned\": refusing to write through symlink \"evil\"");
  ASSERT_TRUE(RemoveTree(dest_).ok() && MakeDirs(dest_).ok());
  ExpectRefused(TarBuilder().Symlink("evil", "../outside").Dir("evil/sub").Finish(),
                "applying layer: entry \"evil/sub/\": refusing to write through symlink \"evil\"");
  ASSERT_TRUE(RemoveTree(dest_).ok() && MakeDirs(dest_).ok());
  ExpectRefused(TarBuilder().Dir("a").Symlink("a/b", "/").File("a/b/tmp/x", "x").Finish(),
                "applying layer: entry \"a/b/tmp/x\": refusing to write through symlink \"a/b\"");
  ASSERT_TRUE(RemoveTree(dest_).ok() && MakeDirs(dest_).ok());
  ExpectRefused(TarBuilder().Symlink("evil", outside_).File("evil/.wh..wh..opq", "").Finish(),
                "applying layer: entry \"evil/.wh..wh..opq\": refusing to write through symlink \"evil\"");
}

TEST_F(LayerApplyTest, RefusesHardLinksOutside) {
  ExpectRefused(TarBuilder().Hardlink("h", "../../outside").Finish(),
                "applying layer: entry \"h\": hard link target \"../../outside\": path escapes the destination");
  ExpectRefused(TarBuilder().Hardlink("h", outer_ + "/secret").Finish(),
                "applying layer: entry \"h\": hard link target \"" + outer_ + "/secret\": path is absolute");
  ExpectRefused(TarBuilder().Symlink("up", outer_).Hardlink("h", "up/secret").Finish(),
                "applying layer: entry \"h\": hard link target \"up/secret\": refusing to write through symlink \"up\"");
  ExpectRefused(TarBuilder().Hardlink("h", "nothing").Finish(),
                "applying layer: entry \"h\": hard link target \"nothing\" does not exist");
}

TEST_F(LayerApplyTest, ASymlinkReplacedByADirectoryIsNotFollowed) {
  ASSERT_TRUE(Apply(TarBuilder().Symlink("d", outside_).Dir("d").File("d/f", "x").Finish()).ok());
  EXPECT_TRUE(S_ISDIR(Lstat(D("d")).st_mode));
  EXPECT_EQ(*ReadFile(D("d/f")), "x");
  ExpectOutsideUntouched();
}

TEST_F(LayerApplyTest, RefusesBadWhiteouts) {
  ExpectRefused(TarBuilder().File("x/.wh..", "").Finish(), "applying layer: entry \"x/.wh..\": invalid whiteout");
  ExpectRefused(TarBuilder().File(".wh.", "").Finish(), "applying layer: entry \".wh.\": invalid whiteout");
}

TEST_F(LayerApplyTest, LongAndNonAsciiNames) {
  std::string long_dir(120, 'd');
  std::string name = long_dir + "/" + std::string(200, 'f');
  std::string utf8 = "caf\xc3\xa9/\xe6\x97\xa5\xe6\x9c\xac.txt";
  // libarchive's writer needs a UTF-8 locale to write a UTF-8 pax "path" (as Go does);
  // kiln reads it back under the C locale, where libarchive cannot convert it.
  ASSERT_NE(::setlocale(LC_CTYPE, "C.UTF-8"), nullptr);
  std::string tar = TarBuilder().File(name, "long").File(utf8, "nihon").Finish();
  ::setlocale(LC_CTYPE, "C");
  ASSERT_TRUE(Apply(tar).ok());
  EXPECT_EQ(*ReadFile(D(name)), "long");
  EXPECT_EQ(*ReadFile(D(utf8)), "nihon");
}

TEST_F(LayerApplyTest, EmptyAndEndOnlyInputsAreEmptyLayers) {
  ASSERT_TRUE(Apply("").ok());
  ASSERT_TRUE(Apply(std::string(1024, '\0')).ok());
  EXPECT_EQ(stats_.entries, 0u);
  EXPECT_TRUE(List(dest_).empty());
}

TEST_F(LayerApplyTest, CorruptAndTruncatedTarsAreErrors) {
  std::string tar = TarBuilder().File("a", std::string(5000, 'a')).File("b", "b").Finish();
  Status st = Apply(tar.substr(0, 1500));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), Code::kCorrupt);
  EXPECT_EQ(st.message(), "applying layer: entry \"a\": reading tar: Truncated tar archive");

  st = Apply("this is not a tar archive at all, just some text that goes on for a while......");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), Code::kCorrupt);

  std::string bad_checksum = tar;
  bad_checksum[148] ^= 1;  // header checksum field
  EXPECT_FALSE(Apply(bad_checksum).ok());
}

TEST_F(LayerApplyTest, DecompressorErrorsSurfaceAsThemselves) {
  std::string tar = TarBuilder().File("a", std::string(100000, 'a')).Finish();
  auto sink = std::make_unique<StringWriter>();
  StringWriter* gz = sink.get();
  auto w = OpenCompressor(Compression::kGzip, std::move(sink));
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Write(tar.data(), tar.size()).ok());
  ASSERT_TRUE((*w)->Close().ok());
  std::string truncated = gz->data().substr(0, gz->data().size() - 3);
  auto r = OpenDecompressor(std::make_unique<StringReader>(truncated));
  ASSERT_TRUE(r.ok());
  Status st = ApplyLayer(**r, dest_, {}, nullptr);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "applying layer: gzip: unexpected EOF");
}

TEST_F(LayerApplyTest, ReadsTheWholeStreamForTheDiffId) {
  std::string tar = TarBuilder().File("a", "x").Finish() + std::string(4096, '\0');  // extra padding
  StringReader src(tar);
  DigestingReader diff(src);
  ASSERT_TRUE(ApplyLayer(diff, dest_, {}, nullptr).ok());
  EXPECT_EQ(diff.bytes(), tar.size());
  EXPECT_EQ(diff.Finish(), Digest::OfBytes(tar));
}

TEST_F(LayerApplyTest, MissingDestinationIsAnError) {
  StringReader r(TarBuilder().File("a", "x").Finish());
  Status st = ApplyLayer(r, outer_ + "/nope", {}, nullptr);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), Code::kNotFound);
}

}  // namespace
}  // namespace kiln::store
