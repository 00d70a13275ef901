#include "builder/copy.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "util/fs.h"

namespace kiln::build {
namespace {

constexpr time_t kOldTime = 1600000000;

class CopyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/kiln-copy-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    top_ = tmpl;
    src_ = top_ + "/src";
    dst_ = top_ + "/dst";
    outside_ = top_ + "/outside";
    for (const auto& d : {src_, dst_, outside_}) ASSERT_EQ(::mkdir(d.c_str(), 0755), 0);
  }
  void TearDown() override { ASSERT_TRUE(RemoveTree(top_).ok()); }

  static void Write(const std::string& path, const std::string& data, mode_t mode = 0644) {
    ASSERT_TRUE(MakeDirs(ParentDir(path)).ok()) << path;
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, mode);
    ASSERT_GE(fd, 0) << path;
    ASSERT_TRUE(WriteAll(fd, data.data(), data.size()).ok());
    ASSERT_EQ(::fchmod(fd, mode), 0);
    ::close(fd);
  }
  static std::string Read(const std::string& path) {
    auto r = ReadFile(path);
    return r.ok() ? *r : "<" + r.status().message() + ">";
  }
  static struct stat Lstat(const std::string& path) {
    struct stat st{};
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return st;
  }
  static bool Exists(const std::string& path) {
    struct stat st;
    return ::lstat(path.c_str(), &st) == 0;
  }
  static void SetMtime(const std::string& path, time_t t) {
    const struct timespec ts[2] = {{t, 0}, {t, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), ts, AT_SYMLINK_NOFOLLOW), 0) << path;
  }
  Status Copy(const std::vector<Source>& sources, const std::string& dest, const CopyOptions& opts = {},
              const IgnoreMatcher* ignore = nullptr) {
    return CopySources(src_, sources, ignore, dst_, dest, opts);
  }
  static void Run(const std::string& cmd) { ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd; }

  std::string top_, src_, dst_, outside_;
};

TEST_F(CopyTest, FileToFile) {
  Write(src_ + "/a.txt", "hello");
  ASSERT_TRUE(Copy({{"a.txt", false}}, "/b.txt").ok());
  EXPECT_EQ(Read(dst_ + "/b.txt"), "hello");
}

TEST_F(CopyTest, FileToDirWithSlashKeepsBaseName) {
  Write(src_ + "/sub/a.txt", "hello");
  ASSERT_TRUE(Copy({{"sub/a.txt", false}}, "/app/").ok());
  EXPECT_EQ(Read(dst_ + "/app/a.txt"), "hello");
}

TEST_F(CopyTest, FileIntoExistingDirWithoutSlash) {
  Write(src_ + "/a.txt", "hello");
  ASSERT_EQ(::mkdir((dst_ + "/app").c_str(), 0700), 0);
  ASSERT_TRUE(Copy({{"a.txt", false}}, "/app").ok());
  EXPECT_EQ(Read(dst_ + "/app/a.txt"), "hello");
  EXPECT_EQ(Lstat(dst_ + "/app").st_mode & 07777, 0700u);  // existing directory untouched
}

TEST_F(CopyTest, FileIntoSymlinkToDirFollowsInsideRoot) {
  Write(src_ + "/a.txt", "hello");
  ASSERT_EQ(::mkdir((dst_ + "/real").c_str(), 0755), 0);
  ASSERT_EQ(::symlink("/real", (dst_ + "/link").c_str()), 0);
  ASSERT_TRUE(Copy({{"a.txt", false}}, "/link").ok());
  EXPECT_EQ(Read(dst_ + "/real/a.txt"), "hello");
}

TEST_F(CopyTest, DirectoryCopiesItsContents) {
  Write(src_ + "/d/x.txt", "x");
  Write(src_ + "/d/sub/y.txt", "y");
  ASSERT_TRUE(Copy({{"d", true}}, "/out").ok());
  EXPECT_EQ(Read(dst_ + "/out/x.txt"), "x");
  EXPECT_EQ(Read(dst_ + "/out/sub/y.txt"), "y");
  EXPECT_FALSE(Exists(dst_ + "/out/d"));
}

TEST_F(CopyTest, DotCopiesTheWholeRoot) {
  Write(src_ + "/x.txt", "x");
  Write(src_ + "/sub/y.txt", "y");
  ASSERT_TRUE(Copy({{"", true}}, "/").ok());
  EXPECT_EQ(Read(dst_ + "/x.txt"), "x");
  EXPECT_EQ(Read(dst_ + "/sub/y.txt"), "y");
}

TEST_F(CopyTest, SeveralSourcesGoIntoADirectory) {
  Write(src_ + "/a.txt", "a");
  Write(src_ + "/b.txt", "b");
  Write(src_ + "/d/c.txt", "c");
  ASSERT_TRUE(Copy({{"a.txt", false}, {"b.txt", false}, {"d", true}}, "/many").ok());
  EXPECT_EQ(Read(dst_ + "/many/a.txt"), "a");
  EXPECT_EQ(Read(dst_ + "/many/b.txt"), "b");
  EXPECT_EQ(Read(dst_ + "/many/c.txt"), "c");
}

TEST_F(CopyTest, MissingParentsAreCreated0755WithOwner) {
  Write(src_ + "/a.txt", "a");
  ASSERT_EQ(::mkdir((dst_ + "/usr").c_str(), 0700), 0);
  ASSERT_EQ(::chown((dst_ + "/usr").c_str(), 5, 5), 0);
  ::umask(077);
  CopyOptions opts;
  opts.uid = 1000;
  opts.gid = 1001;
  Status st = Copy({{"a.txt", false}}, "/usr/local/lib/a.txt", opts);
  ::umask(022);
  ASSERT_TRUE(st.ok()) << st.message();
  for (const char* d : {"/usr/local", "/usr/local/lib"}) {
    struct stat s = Lstat(dst_ + d);
    EXPECT_TRUE(S_ISDIR(s.st_mode)) << d;
    EXPECT_EQ(s.st_mode & 07777, 0755u) << d;
    EXPECT_EQ(s.st_uid, 1000u) << d;
    EXPECT_EQ(s.st_gid, 1001u) << d;
  }
  struct stat usr = Lstat(dst_ + "/usr");
  EXPECT_EQ(usr.st_mode & 07777, 0700u);
  EXPECT_EQ(usr.st_uid, 5u);
  struct stat f = Lstat(dst_ + "/usr/local/lib/a.txt");
  EXPECT_EQ(f.st_uid, 1000u);
  EXPECT_EQ(f.st_gid, 1001u);
}

TEST_F(CopyTest, OwnerIsRootByDefault) {
  Write(src_ + "/d/a.txt", "a");
  ASSERT_EQ(::chown((src_ + "/d/a.txt").c_str(), 123, 456), 0);
  ASSERT_EQ(::chown((src_ + "/d").c_str(), 123, 456), 0);
  ASSERT_EQ(::mkdir((src_ + "/d/sub").c_str(), 0755), 0);
  ASSERT_EQ(::chown((src_ + "/d/sub").c_str(), 123, 456), 0);
  ASSERT_TRUE(Copy({{"d", true}}, "/x/").ok());
  EXPECT_EQ(Lstat(dst_ + "/x/a.txt").st_uid, 0u);
  EXPECT_EQ(Lstat(dst_ + "/x/a.txt").st_gid, 0u);
  EXPECT_EQ(Lstat(dst_ + "/x/sub").st_uid, 0u);
}

TEST_F(CopyTest, ChownAndChmodApplyToEveryCopiedEntry) {
  Write(src_ + "/d/a.sh", "#!/bin/sh", 0700);
  ASSERT_EQ(::mkdir((src_ + "/d/sub").c_str(), 0700), 0);
  Write(src_ + "/d/sub/b", "b", 0600);
  ASSERT_EQ(::symlink("a.sh", (src_ + "/d/link").c_str()), 0);
  CopyOptions opts;
  opts.uid = 42;
  opts.gid = 43;
  opts.chmod = 0751;
  ASSERT_TRUE(Copy({{"d", true}}, "/app", opts).ok());
  for (const char* p : {"/app/a.sh", "/app/sub", "/app/sub/b"}) {
    struct stat s = Lstat(dst_ + p);
    EXPECT_EQ(s.st_mode & 07777, 0751u) << p;
    EXPECT_EQ(s.st_uid, 42u) << p;
    EXPECT_EQ(s.st_gid, 43u) << p;
  }
  struct stat l = Lstat(dst_ + "/app/link");
  EXPECT_TRUE(S_ISLNK(l.st_mode));
  EXPECT_EQ(l.st_uid, 42u);
}

TEST_F(CopyTest, ModesAndMtimesArePreserved) {
  Write(src_ + "/d/suid", "x", 04755);
  Write(src_ + "/d/private", "y", 0600);
  ASSERT_EQ(::mkdir((src_ + "/d/sub").c_str(), 0710), 0);
  Write(src_ + "/d/sub/z", "z", 0444);
  ASSERT_EQ(::chmod((src_ + "/d/sub").c_str(), 0710), 0);
  SetMtime(src_ + "/d/suid", kOldTime);
  SetMtime(src_ + "/d/sub/z", kOldTime + 1);
  SetMtime(src_ + "/d/sub", kOldTime + 2);
  ASSERT_TRUE(Copy({{"d", true}}, "/o").ok());
  EXPECT_EQ(Lstat(dst_ + "/o/suid").st_mode & 07777, 04755u);
  EXPECT_EQ(Lstat(dst_ + "/o/private").st_mode & 07777, 0600u);
  EXPECT_EQ(Lstat(dst_ + "/o/sub").st_mode & 07777, 0710u);
  EXPECT_EQ(Lstat(dst_ + "/o/sub/z").st_mode & 07777, 0444u);
  EXPECT_EQ(Lstat(dst_ + "/o/suid").st_mtime, kOldTime);
  EXPECT_EQ(Lstat(dst_ + "/o/sub/z").st_mtime, kOldTime + 1);
  EXPECT_EQ(Lstat(dst_ + "/o/sub").st_mtime, kOldTime + 2);
}

TEST_F(CopyTest, SingleFileKeepsModeAndMtime) {
  Write(src_ + "/run.sh", "x", 0750);
  SetMtime(src_ + "/run.sh", kOldTime);
  ASSERT_TRUE(Copy({{"run.sh", false}}, "/bin/run").ok());
  struct stat s = Lstat(dst_ + "/bin/run");
  EXPECT_EQ(s.st_mode & 07777, 0750u);
  EXPECT_EQ(s.st_mtime, kOldTime);
}

TEST_F(CopyTest, SymlinksAreCopiedAsLinks) {
  Write(src_ + "/d/target", "t");
  ASSERT_EQ(::symlink("/etc/passwd", (src_ + "/d/abs").c_str()), 0);
  ASSERT_EQ(::symlink("target", (src_ + "/d/rel").c_str()), 0);
  ASSERT_EQ(::symlink("nowhere", (src_ + "/d/dangling").c_str()), 0);
  ASSERT_EQ(::symlink(outside_.c_str(), (src_ + "/d/dirlink").c_str()), 0);
  SetMtime(src_ + "/d/rel", kOldTime);
  ASSERT_TRUE(Copy({{"d", true}}, "/o").ok());
  char buf[256];
  ssize_t n = ::readlink((dst_ + "/o/abs").c_str(), buf, sizeof buf);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, n), "/etc/passwd");
  EXPECT_TRUE(S_ISLNK(Lstat(dst_ + "/o/rel").st_mode));
  EXPECT_EQ(Lstat(dst_ + "/o/rel").st_mtime, kOldTime);
  EXPECT_TRUE(S_ISLNK(Lstat(dst_ + "/o/dangling").st_mode));
  EXPECT_TRUE(S_ISLNK(Lstat(dst_ + "/o/dirlink").st_mode));
}

TEST_F(CopyTest, HardLinksStayLinked) {
  Write(src_ + "/d/a", "shared");
  ASSERT_EQ(::link((src_ + "/d/a").c_str(), (src_ + "/d/b").c_str()), 0);
  ASSERT_TRUE(Copy({{"d", true}}, "/o").ok());
  struct stat a = Lstat(dst_ + "/o/a"), b = Lstat(dst_ + "/o/b");
  EXPECT_EQ(a.st_ino, b.st_ino);
  EXPECT_EQ(Read(dst_ + "/o/b"), "shared");
}

TEST_F(CopyTest, FifoIsCopiedSocketIsSkipped) {
  ASSERT_EQ(::mkdir((src_ + "/d").c_str(), 0755), 0);
  ASSERT_EQ(::mkfifo((src_ + "/d/fifo").c_str(), 0640), 0);
  int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(s, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string sock = src_ + "/d/sock";
  ASSERT_LT(sock.size(), sizeof addr.sun_path);
  std::copy(sock.begin(), sock.end(), addr.sun_path);
  ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  Status st = Copy({{"d", true}}, "/o");
  ::close(s);
  ASSERT_TRUE(st.ok()) << st.message();
  struct stat f = Lstat(dst_ + "/o/fifo");
  EXPECT_TRUE(S_ISFIFO(f.st_mode));
  EXPECT_EQ(f.st_mode & 07777, 0640u);
  EXPECT_FALSE(Exists(dst_ + "/o/sock"));
}

TEST_F(CopyTest, ExistingFileIsReplaced) {
  Write(src_ + "/a", "new", 0600);
  Write(dst_ + "/etc/a", "old old old", 0777);
  ASSERT_TRUE(Copy({{"a", false}}, "/etc/a").ok());
  EXPECT_EQ(Read(dst_ + "/etc/a"), "new");
  EXPECT_EQ(Lstat(dst_ + "/etc/a").st_mode & 07777, 0600u);
}

TEST_F(CopyTest, ExistingSymlinkAtTargetIsReplacedNotFollowed) {
  Write(src_ + "/d/f", "mine");
  Write(outside_ + "/victim", "keep");
  ASSERT_TRUE(MakeDirs(dst_ + "/o").ok());
  ASSERT_EQ(::symlink((outside_ + "/victim").c_str(), (dst_ + "/o/f").c_str()), 0);
  ASSERT_TRUE(Copy({{"d", true}}, "/o").ok());
  EXPECT_FALSE(S_ISLNK(Lstat(dst_ + "/o/f").st_mode));
  EXPECT_EQ(Read(dst_ + "/o/f"), "mine");
  EXPECT_EQ(Read(outside_ + "/victim"), "keep");
}

TEST_F(CopyTest, FileOverExistingDirectoryIsAnError) {
  Write(src_ + "/d/x", "file");
  ASSERT_TRUE(MakeDirs(dst_ + "/o/x/inner").ok());
  Status st = Copy({{"d", true}}, "/o");
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("cannot overwrite directory"), std::string::npos) << st.message();
  EXPECT_TRUE(Exists(dst_ + "/o/x/inner"));
}

TEST_F(CopyTest, DirectoryOverExistingFileIsAnError) {
  Write(src_ + "/d/x/y", "y");
  Write(dst_ + "/o/x", "file");
  Status st = Copy({{"d", true}}, "/o");
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("cannot copy to non-directory"), std::string::npos) << st.message();
  EXPECT_EQ(Read(dst_ + "/o/x"), "file");
}

TEST_F(CopyTest, DestinationUnderAFileIsAnError) {
  Write(src_ + "/a", "a");
  Write(dst_ + "/file", "f");
  Status st = Copy({{"a", false}}, "/file/a");
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("cannot copy to non-directory"), std::string::npos) << st.message();
  st = Copy({{"a", false}, {"a", false}}, "/file");
  EXPECT_FALSE(st.ok());
}

TEST_F(CopyTest, AbsoluteSymlinkInDestinationStaysInsideRoot) {
  Write(src_ + "/passwd", "root:x:0:0");
  ASSERT_EQ(::symlink(outside_.c_str(), (dst_ + "/etc").c_str()), 0);
  // The (dangling inside the root) target is created inside the root, as buildah does.
  Status st = Copy({{"passwd", false}}, "/etc/passwd");
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_FALSE(Exists(outside_ + "/passwd"));
  EXPECT_EQ(Read(dst_ + outside_ + "/passwd"), "root:x:0:0");
  // A relative dangling symlink, through a directory symlink.
  ASSERT_TRUE(MakeDirs(dst_ + "/var").ok());
  ASSERT_EQ(::symlink("../run", (dst_ + "/var/run").c_str()), 0);
  ASSERT_EQ(::symlink("var", (dst_ + "/v").c_str()), 0);
  st = Copy({{"passwd", false}}, "/v/run/app/");
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(Read(dst_ + "/run/app/passwd"), "root:x:0:0");
  // A symlink that climbs with ".." is clamped at the root too.
  ASSERT_EQ(::symlink("../../../../../../../..", (dst_ + "/up").c_str()), 0);
  ASSERT_TRUE(Copy({{"passwd", false}}, "/up/tmp/").ok());
  EXPECT_EQ(Read(dst_ + "/tmp/passwd"), "root:x:0:0");
  // Directory trees too.
  Write(src_ + "/d/f", "f");
  ASSERT_EQ(::symlink((outside_).c_str(), (dst_ + "/lib").c_str()), 0);
  ASSERT_TRUE(MakeDirs(dst_ + outside_).ok());
  ASSERT_TRUE(Copy({{"d", true}}, "/lib/").ok());
  EXPECT_FALSE(Exists(outside_ + "/f"));
  EXPECT_EQ(Read(dst_ + outside_ + "/f"), "f");
}

TEST_F(CopyTest, SymlinkLoopInDestinationIsAnError) {
  Write(src_ + "/f", "f");
  ASSERT_EQ(::symlink("b", (dst_ + "/a").c_str()), 0);
  ASSERT_EQ(::symlink("a", (dst_ + "/b").c_str()), 0);
  EXPECT_FALSE(Copy({{"f", false}}, "/a/x/").ok());
}

TEST_F(CopyTest, SourceSymlinksInsideTreeAreNotFollowed) {
  Write(outside_ + "/secret", "s");
  ASSERT_TRUE(MakeDirs(src_ + "/d").ok());
  ASSERT_EQ(::symlink(outside_.c_str(), (src_ + "/d/out").c_str()), 0);
  ASSERT_TRUE(Copy({{"d", true}}, "/o").ok());
  EXPECT_TRUE(S_ISLNK(Lstat(dst_ + "/o/out").st_mode));
  EXPECT_FALSE(Exists(dst_ + "/o/secret"));
}

TEST_F(CopyTest, ExcludeDropsMatchingPaths) {
  Write(src_ + "/d/keep.txt", "k");
  Write(src_ + "/d/drop.md", "d");
  Write(src_ + "/d/sub/also.md", "d");
  Write(src_ + "/d/node_modules/x/y.js", "d");
  Write(src_ + "/top.md", "d");
  CopyOptions opts;
  opts.excludes = {"*.md", "**/*.md", "node_modules"};
  ASSERT_TRUE(Copy({{"d", true}, {"top.md", false}}, "/o/", opts).ok());
  EXPECT_TRUE(Exists(dst_ + "/o/keep.txt"));
  EXPECT_FALSE(Exists(dst_ + "/o/drop.md"));
  EXPECT_FALSE(Exists(dst_ + "/o/sub/also.md"));
  EXPECT_FALSE(Exists(dst_ + "/o/node_modules"));
  EXPECT_FALSE(Exists(dst_ + "/o/top.md"));
}

TEST_F(CopyTest, IgnoreMatcherAppliesToContextPaths) {
  Write(src_ + "/d/keep", "k");
  Write(src_ + "/d/secret.key", "s");
  Write(src_ + "/d/logs/a.log", "l");
  Write(src_ + "/d/logs/important.log", "i");
  auto ignore = IgnoreMatcher::Parse("d/*.key\nd/logs\n!d/logs/important.log\n");
  ASSERT_TRUE(ignore.ok()) << ignore.status().message();
  ASSERT_TRUE(Copy({{"d", true}}, "/o", {}, &*ignore).ok());
  EXPECT_TRUE(Exists(dst_ + "/o/keep"));
  EXPECT_FALSE(Exists(dst_ + "/o/secret.key"));
  EXPECT_FALSE(Exists(dst_ + "/o/logs/a.log"));
  EXPECT_TRUE(Exists(dst_ + "/o/logs/important.log"));
}

TEST_F(CopyTest, ParentsKeepTheSourcePath) {
  Write(src_ + "/a/b/c.txt", "c");
  Write(src_ + "/x/y/z.txt", "z");
  CopyOptions opts;
  opts.parents = true;
  ASSERT_TRUE(Copy({{"a/b/c.txt", false}, {"x/y", true}}, "/dst/", opts).ok());
  EXPECT_EQ(Read(dst_ + "/dst/a/b/c.txt"), "c");
  EXPECT_EQ(Read(dst_ + "/dst/x/y/z.txt"), "z");
  ASSERT_TRUE(Copy({{"a/b/c.txt", false}}, "/one", opts).ok());
  EXPECT_EQ(Read(dst_ + "/one/a/b/c.txt"), "c");
}

TEST_F(CopyTest, LargeFileAndManySmallFiles) {
  std::string big(8 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7919 >> 3);
  Write(src_ + "/big", big);
  for (int i = 0; i < 300; ++i) Write(src_ + "/many/d" + std::to_string(i % 10) + "/f" + std::to_string(i), "x");
  ASSERT_TRUE(Copy({{"big", false}, {"many", true}}, "/o/").ok());
  EXPECT_EQ(Read(dst_ + "/o/big"), big);
  EXPECT_EQ(Read(dst_ + "/o/d9/f299"), "x");
}

// ---- ADD ----

class AddTest : public CopyTest {
 protected:
  // A tar of src_/tree made by tar(1) with the given compression flag ("" for none).
  void MakeTar(const std::string& name, const std::string& flag) {
    Write(top_ + "/tree/etc/conf", "conf", 0640);
    Write(top_ + "/tree/bin/tool", "tool", 0755);
    Run("tar -C " + top_ + "/tree " + flag + " --numeric-owner --owner=7 --group=8 -cf " + src_ + "/" + name + " .");
  }
  Status Add(const std::string& name, const std::string& dest, CopyOptions opts = {}) {
    opts.extract_archives = true;
    return Copy({{name, false}}, dest, opts);
  }
};

TEST_F(AddTest, ExtractsEveryCompression) {
  const std::vector<std::pair<std::string, std::string>> kinds = {
      {"plain.tar", ""}, {"t.tar.gz", "-z"}, {"t.tar.xz", "-J"}, {"t.tar.zst", "--zstd"}, {"t.tar.bz2", "-j"},
      {"noext", "-z"}};
  for (const auto& [name, flag] : kinds) {
    MakeTar(name, flag);
    std::string dest = "/x/" + name;
    Status st = Add(name, dest);
    ASSERT_TRUE(st.ok()) << name << ": " << st.message();
    EXPECT_EQ(Read(dst_ + dest + "/etc/conf"), "conf") << name;
    struct stat s = Lstat(dst_ + dest + "/bin/tool");
    EXPECT_EQ(s.st_mode & 07777, 0755u) << name;
    EXPECT_EQ(s.st_uid, 7u) << name;  // the archive's owners are kept
    EXPECT_EQ(s.st_gid, 8u) << name;
  }
}

// As buildah: --chown gives the directories ADD creates their owner; the archive's entries
// keep theirs (its "./" entry is /x/y itself).
TEST_F(AddTest, ChownLeavesTheArchiveOwners) {
  MakeTar("t.tgz", "-z");
  CopyOptions opts;
  opts.uid = 11;
  opts.gid = 12;
  ASSERT_TRUE(Add("t.tgz", "/x/y", opts).ok());
  EXPECT_EQ(Lstat(dst_ + "/x").st_uid, 11u);
  EXPECT_EQ(Lstat(dst_ + "/x").st_gid, 12u);
  for (const char* p : {"/x/y", "/x/y/etc", "/x/y/etc/conf", "/x/y/bin/tool"}) {
    EXPECT_EQ(Lstat(dst_ + p).st_uid, 7u) << p;
    EXPECT_EQ(Lstat(dst_ + p).st_gid, 8u) << p;
  }
  EXPECT_EQ(Lstat(dst_ + "/x/y/bin/tool").st_mode & 07777, 0755u);
}

TEST_F(AddTest, NonArchivesAreCopied) {
  Write(src_ + "/plain.tar", "not really a tar");
  Run("printf 'hello' | gzip > " + src_ + "/data.gz");
  ASSERT_TRUE(Add("plain.tar", "/o/").ok());
  EXPECT_EQ(Read(dst_ + "/o/plain.tar"), "not really a tar");
  ASSERT_TRUE(Add("data.gz", "/o/").ok());
  EXPECT_EQ(Lstat(dst_ + "/o/data.gz").st_size, Lstat(src_ + "/data.gz").st_size);
  // COPY never extracts.
  MakeTar("t.tar", "");
  ASSERT_TRUE(Copy({{"t.tar", false}}, "/c/").ok());
  EXPECT_TRUE(S_ISREG(Lstat(dst_ + "/c/t.tar").st_mode));
}

// A tar written by libarchive, names as given (hostile ones included).
std::string HostileTar(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string out;
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_open(
      a, &out, nullptr,
      [](archive*, void* o, const void* buf, size_t n) -> la_ssize_t {
        static_cast<std::string*>(o)->append(static_cast<const char*>(buf), n);
        return static_cast<la_ssize_t>(n);
      },
      nullptr);
  for (const auto& [name, link] : entries) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    if (!link.empty()) {
      archive_entry_set_filetype(e, AE_IFLNK);
      archive_entry_set_symlink(e, link.c_str());
      archive_entry_set_perm(e, 0777);
      archive_write_header(a, e);
    } else {
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_perm(e, 0644);
      archive_entry_set_size(e, 4);
      archive_write_header(a, e);
      archive_write_data(a, "evil", 4);
    }
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

TEST_F(AddTest, HostileArchivesStayInsideDestination) {
  struct Case {
    const char* name;
    std::vector<std::pair<std::string, std::string>> entries;
  };
  std::string escape = outside_ + "/escaped";
  const std::vector<Case> cases = {
      {"dotdot.tar", {{"../../../outside/escaped", ""}}},
      {"abs.tar", {{escape, ""}}},
      {"link.tar", {{"l", outside_}, {"l/escaped", ""}}},
      {"abslink.tar", {{"l", "/"}, {"l" + escape, ""}}},
  };
  for (const Case& c : cases) {
    Write(src_ + "/" + c.name, HostileTar(c.entries));
    Status st = Add(c.name, "/x/");
    EXPECT_FALSE(Exists(escape)) << c.name << " " << st.message();
    // Refused, naming the entry (ApplyLayer's policy): never silently written elsewhere.
    EXPECT_FALSE(st.ok()) << c.name;
    EXPECT_NE(st.message().find("entry"), std::string::npos) << st.message();
  }
}

TEST(WriteFileIntoTest, WritesWithModeOwnerAndParents) {
  char tmpl[] = "/tmp/kiln-copy-test-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string root = tmpl;
  CopyOptions opts;
  ASSERT_TRUE(WriteFileInto(root, "/etc/app/conf", "body\n", 0640, opts).ok());
  EXPECT_EQ(*ReadFile(root + "/etc/app/conf"), "body\n");
  struct stat st;
  ASSERT_EQ(::stat((root + "/etc/app/conf").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  ASSERT_EQ(::stat((root + "/etc/app").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u);
  opts.uid = 3;
  opts.gid = 4;
  opts.chmod = 0700;
  ASSERT_TRUE(WriteFileInto(root, "/etc/app/conf", "second", 0644, opts).ok());
  EXPECT_EQ(*ReadFile(root + "/etc/app/conf"), "second");
  ASSERT_EQ(::stat((root + "/etc/app/conf").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  EXPECT_EQ(st.st_uid, 3u);
  EXPECT_EQ(st.st_gid, 4u);
  EXPECT_FALSE(WriteFileInto(root, "/etc/app/", "x", 0644, {}).ok());
  EXPECT_FALSE(WriteFileInto(root, "/etc/app", "x", 0644, {}).ok());  // a directory
  // Contained by the root like every copy.
  ASSERT_EQ(::symlink("/nonexistent-kiln-dir", (root + "/bad").c_str()), 0);
  EXPECT_FALSE(WriteFileInto(root, "/bad/f", "x", 0644, {}).ok() && PathExists("/nonexistent-kiln-dir/f"));
  EXPECT_FALSE(PathExists("/nonexistent-kiln-dir"));
  ASSERT_TRUE(RemoveTree(root).ok());
}

TEST(ParseChmodTest, OctalModes) {
  EXPECT_EQ(*ParseChmod("755"), 0755u);
  EXPECT_EQ(*ParseChmod("0644"), 0644u);
  EXPECT_EQ(*ParseChmod("4755"), 04755u);
  EXPECT_EQ(*ParseChmod("0"), 0u);
  EXPECT_EQ(*ParseChmod("7777"), 07777u);
}

TEST(ParseChmodTest, RejectsEverythingElse) {
  for (const char* bad : {"", "888", "75a", "07555", "-755", " 755", "0x1ed"}) {
    auto r = ParseChmod(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(r.status().message().rfind(std::string("invalid chmod: \"") + bad + "\"", 0), 0u)
        << r.status().message();
  }
  auto sym = ParseChmod("u+x");
  ASSERT_FALSE(sym.ok());
  EXPECT_NE(sym.status().message().find("symbolic modes are not supported"), std::string::npos);
}

}  // namespace
}  // namespace kiln::build
