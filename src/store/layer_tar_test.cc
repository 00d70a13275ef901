#include "store/layer_tar.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <clocale>
#include <string>
#include <vector>

#include "store/layer_apply.h"
#include "util/fs.h"

namespace kiln::store {
namespace {

bool IsRoot() { return ::geteuid() == 0; }

// What a tar says about one entry.
struct Header {
  std::string path;
  mode_t type;
  mode_t perm;
  int64_t size;
  int64_t mtime;
  std::string hardlink;
  std::string symlink;
  std::vector<std::string> xattrs;
};

std::vector<Header> ReadHeaders(const std::string& tar) {
  std::vector<Header> out;
  archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  EXPECT_EQ(archive_read_open_memory(a, tar.data(), tar.size()), ARCHIVE_OK);
  archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    Header h{archive_entry_pathname(e), archive_entry_filetype(e), archive_entry_perm(e), archive_entry_size(e),
             archive_entry_mtime(e), archive_entry_hardlink(e) ? archive_entry_hardlink(e) : "",
             archive_entry_symlink(e) ? archive_entry_symlink(e) : "", {}};
    archive_entry_xattr_reset(e);
    const char* name;
    const void* value;
    size_t size;
    while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) h.xattrs.push_back(name);
    out.push_back(h);
  }
  archive_read_free(a);
  return out;
}

std::vector<std::string> Paths(const std::vector<Header>& hs) {
  std::vector<std::string> out;
  for (const Header& h : hs) out.push_back(h.path);
  return out;
}

const Header* Find(const std::vector<Header>& hs, const std::string& path) {
  for (const Header& h : hs) {
    if (h.path == path) return &h;
  }
  return nullptr;
}

class FailingWriter final : public Writer {
 public:
  Status Write(const void*, size_t) override { return IoError("disk full"); }
};

class LayerTarTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/kiln-layer-tar-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    outer_ = tmpl;
    src_ = outer_ + "/src";
    ASSERT_EQ(::mkdir(src_.c_str(), 0755), 0);
  }
  void TearDown() override { ASSERT_TRUE(RemoveTree(outer_).ok()); }

  std::string S(const std::string& rel) const { return src_ + "/" + rel; }

  void Write(const std::string& rel, const std::string& data, mode_t mode = 0644, time_t mtime = 1600000000) {
    ASSERT_TRUE(MakeDirs(ParentDir(S(rel))).ok());
    ASSERT_TRUE(WriteFileAtomic(S(rel), data, mode).ok());
    ASSERT_EQ(::chmod(S(rel).c_str(), mode), 0);
    SetTime(rel, mtime);
  }
  void Mkdir(const std::string& rel, mode_t mode = 0755, time_t mtime = 1600000000) {
    ASSERT_EQ(::mkdir(S(rel).c_str(), mode), 0);
    ASSERT_EQ(::chmod(S(rel).c_str(), mode), 0);
    SetTime(rel, mtime);
  }
  void SetTime(const std::string& rel, time_t mtime) {
    timespec ts[2] = {{mtime, 123}, {mtime, 456789}};
    ASSERT_EQ(::utimensat(AT_FDCWD, S(rel).c_str(), ts, AT_SYMLINK_NOFOLLOW), 0);
  }

  std::string Tar(const TarOptions& opts = {}) {
    StringWriter out;
    Status st = WriteLayerTarFromDir(src_, out, opts);
    EXPECT_TRUE(st.ok()) << st.message();
    return out.Take();
  }

  std::string outer_, src_;
};

TEST_F(LayerTarTest, EntriesAreSortedDepthFirstWithDirectorySlashes) {
  Write("b", "b");
  Mkdir("a");
  Write("a/z", "z");
  Write("a.txt", "t");
  Mkdir("a/m");
  Write("a/m/1", "1");
  auto hs = ReadHeaders(Tar());
  EXPECT_EQ(Paths(hs), (std::vector<std::string>{"a/", "a/m/", "a/m/1", "a/z", "a.txt", "b"}));
}

TEST_F(LayerTarTest, RecordsModesTimesLinksAndSizes) {
  Write("bin/busybox", "BUSYBOX", 04755, 1500000000);
  ASSERT_EQ(::link(S("bin/busybox").c_str(), S("bin/sh").c_str()), 0);
  ASSERT_EQ(::symlink("/bin/busybox", S("ls").c_str()), 0);
  ASSERT_EQ(::mkfifo(S("fifo").c_str(), 0600), 0);
  Mkdir("tmp", 01777);
  auto hs = ReadHeaders(Tar());
  const Header* bb = Find(hs, "bin/busybox");
  ASSERT_NE(bb, nullptr);
  EXPECT_EQ(bb->perm, 04755u);
  EXPECT_EQ(bb->size, 7);
  EXPECT_EQ(bb->mtime, 1500000000);
  const Header* sh = Find(hs, "bin/sh");
  ASSERT_NE(sh, nullptr);
  EXPECT_EQ(sh->hardlink, "bin/busybox");
  EXPECT_EQ(sh->size, 0);
  EXPECT_EQ(Find(hs, "ls")->symlink, "/bin/busybox");
  EXPECT_EQ(Find(hs, "fifo")->type, static_cast<mode_t>(AE_IFIFO));
  EXPECT_EQ(Find(hs, "tmp/")->perm, 01777u);
}

TEST_F(LayerTarTest, OutputIsDeterministicAndEndsLikeGos) {
  Write("x/1", "one");
  Write("x/2", std::string(1000, '2'));
  Write("y", "why");
  SetTime("x", 1600000000);
  std::string first = Tar();
  EXPECT_TRUE(first == Tar());

  // The same tree built in another order, at another time, gives the same bytes.
  ASSERT_TRUE(RemoveTree(src_).ok());
  ASSERT_EQ(::mkdir(src_.c_str(), 0755), 0);
  Write("y", "why");
  Write("x/2", std::string(1000, '2'));
  Write("x/1", "one");
  SetTime("x", 1600000000);
  EXPECT_TRUE(first == Tar());

  EXPECT_EQ(first.size() % 512, 0u);
  EXPECT_LT(first.size(), 10240u);  // not padded to libarchive's 10 KiB record
  EXPECT_EQ(first.substr(first.size() - 1024), std::string(1024, '\0'));
}

TEST_F(LayerTarTest, MtimesCanBeClamped) {
  Write("new", "n", 0644, 2000000000);
  Write("old", "o", 0644, 1000000000);
  TarOptions opts;
  opts.clamp_mtime = 1700000000;
  auto hs = ReadHeaders(Tar(opts));
  EXPECT_EQ(Find(hs, "new")->mtime, 1700000000);
  EXPECT_EQ(Find(hs, "old")->mtime, 1000000000);
  opts.exact_mtime = true;  // podman's --timestamp: earlier times move too
  auto exact = ReadHeaders(Tar(opts));
  EXPECT_EQ(Find(exact, "new")->mtime, 1700000000);
  EXPECT_EQ(Find(exact, "old")->mtime, 1700000000);
}

TEST_F(LayerTarTest, KeepsUserXattrsOnly) {
  Write("f", "x");
  if (::setxattr(S("f").c_str(), "user.mime", "text/plain", 10, 0) != 0) GTEST_SKIP() << "no user xattrs here";
  ASSERT_EQ(::setxattr(S("f").c_str(), "user.overlay.origin", "o", 1, 0), 0);
  if (IsRoot()) {
    ASSERT_EQ(::setxattr(S("f").c_str(), "trusted.other", "t", 1, 0), 0);
  }
  std::string tar = Tar();
  EXPECT_EQ(Find(ReadHeaders(tar), "f")->xattrs, (std::vector<std::string>{"user.mime"}));
  EXPECT_NE(tar.find("SCHILY.xattr.user.mime=text/plain"), std::string::npos);
  EXPECT_EQ(tar.find("LIBARCHIVE.xattr"), std::string::npos);
}

TEST_F(LayerTarTest, OverlayWhiteoutsBecomeOciWhiteouts) {
  if (!IsRoot()) GTEST_SKIP() << "needs CAP_MKNOD and trusted xattrs";
  Mkdir("etc");
  ASSERT_EQ(::mknod(S("etc/motd").c_str(), S_IFCHR, makedev(0, 0)), 0);
  Mkdir("var", 0750);
  ASSERT_EQ(::setxattr(S("var").c_str(), "trusted.overlay.opaque", "y", 1, 0), 0);
  Write("var/new", "n");
  SetTime("var", 1600000000);
  ASSERT_EQ(::mknod(S("dev-null").c_str(), S_IFCHR | 0666, makedev(1, 3)), 0);
  std::string tar = Tar();
  auto hs = ReadHeaders(tar);
  EXPECT_EQ(Paths(hs), (std::vector<std::string>{"dev-null", "etc/", "etc/.wh.motd", "var/", "var/.wh..wh..opq",
                                                 "var/new"}));
  EXPECT_EQ(Find(hs, "etc/.wh.motd")->type, static_cast<mode_t>(AE_IFREG));
  EXPECT_EQ(Find(hs, "etc/.wh.motd")->perm, 0u);
  EXPECT_EQ(Find(hs, "var/.wh..wh..opq")->perm, 0750u);
  EXPECT_TRUE(Find(hs, "var/")->xattrs.empty());
  EXPECT_EQ(Find(hs, "dev-null")->type, static_cast<mode_t>(AE_IFCHR));

  // And ApplyLayer turns them back into the overlay form.
  std::string dest = outer_ + "/dest";
  ASSERT_TRUE(MakeDirs(dest).ok());
  StringReader r(tar);
  ASSERT_TRUE(ApplyLayer(r, dest, {}, nullptr).ok());
  struct stat st;
  ASSERT_EQ(::lstat((dest + "/etc/motd").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0));
  char v[4];
  EXPECT_EQ(::getxattr((dest + "/var").c_str(), "trusted.overlay.opaque", v, sizeof v), 1);
}

TEST_F(LayerTarTest, RedirectDirsAreRefused) {
  if (!IsRoot()) GTEST_SKIP() << "needs trusted xattrs";
  Mkdir("moved");
  ASSERT_EQ(::setxattr(S("moved").c_str(), "trusted.overlay.redirect", "/orig", 5, 0), 0);
  StringWriter out;
  Status st = WriteLayerTarFromDir(src_, out, {});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), Code::kUnsupported);
  EXPECT_NE(st.message().find("adding moved to the layer: overlayfs redirect"), std::string::npos) << st.message();
}

TEST_F(LayerTarTest, RoundTripsThroughApplyLayer) {
  Write("etc/passwd", "root:x:0:0\n", 0644, 1400000000);
  Write("usr/bin/tool", std::string(300000, 't'), 0755);
  ASSERT_EQ(::link(S("usr/bin/tool").c_str(), S("usr/bin/tool2").c_str()), 0);
  ASSERT_EQ(::symlink("usr/bin", S("bin").c_str()), 0);
  Write(std::string(150, 'n') + "/" + std::string(200, 'f'), "long");
  Mkdir("ro", 0555, 1300000000);
  std::string tar = Tar();

  std::string dest = outer_ + "/dest";
  ASSERT_TRUE(MakeDirs(dest).ok());
  StringReader r(tar);
  ApplyStats stats;
  ASSERT_TRUE(ApplyLayer(r, dest, {}, &stats).ok());
  EXPECT_EQ(*ReadFile(dest + "/etc/passwd"), "root:x:0:0\n");
  EXPECT_EQ(*ReadFile(dest + "/" + std::string(150, 'n') + "/" + std::string(200, 'f')), "long");
  struct stat a, b;
  ASSERT_EQ(::lstat((dest + "/usr/bin/tool").c_str(), &a), 0);
  ASSERT_EQ(::lstat((dest + "/usr/bin/tool2").c_str(), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);
  EXPECT_EQ(a.st_mode & 07777, 0755u);
  ASSERT_EQ(::lstat((dest + "/ro").c_str(), &a), 0);
  EXPECT_EQ(a.st_mode & 07777, 0555u);
  EXPECT_EQ(a.st_mtime, 1300000000);
  ASSERT_EQ(::lstat((dest + "/etc/passwd").c_str(), &a), 0);
  EXPECT_EQ(a.st_mtime, 1400000000);
  char link[64];
  ssize_t n = ::readlink((dest + "/bin").c_str(), link, sizeof link);
  EXPECT_EQ(std::string(link, static_cast<size_t>(n)), "usr/bin");

  // Writing the extracted tree again gives the same tar: nothing was lost either way.
  ASSERT_TRUE(RemoveTree(src_).ok());
  ASSERT_EQ(::rename(dest.c_str(), src_.c_str()), 0);
  EXPECT_TRUE(Tar() == tar);
}

TEST_F(LayerTarTest, NonAsciiNamesAreWrittenAsTheirBytes) {
  std::string utf8 = "caf\xc3\xa9", latin1 = "caf\xe9";
  Write(utf8, "u");
  Write(latin1, "l");
  std::string tar = Tar();
  // The same bytes whatever the locale.
  ASSERT_NE(::setlocale(LC_CTYPE, "C.UTF-8"), nullptr);
  std::string in_utf8_locale = Tar();
  ::setlocale(LC_CTYPE, "C");
  EXPECT_TRUE(tar == in_utf8_locale);

  std::string dest = outer_ + "/dest";
  ASSERT_TRUE(MakeDirs(dest).ok());
  StringReader r(tar);
  ASSERT_TRUE(ApplyLayer(r, dest, {}, nullptr).ok());
  EXPECT_EQ(*ReadFile(dest + "/" + utf8), "u");
  EXPECT_EQ(*ReadFile(dest + "/" + latin1), "l");
}

// The PAX extended headers (typeflag 'x') of a tar, as their raw records.
std::vector<std::string> PaxRecords(const std::string& tar) {
  std::vector<std::string> out;
  for (size_t off = 0; off + 512 <= tar.size();) {
    const char* h = tar.data() + off;
    if (h[0] == 0) break;
    size_t size = std::stoul(std::string(h + 124, 11), nullptr, 8);
    if (h[156] == 'x') out.emplace_back(h + 512, size);
    off += 512 + (size + 511) / 512 * 512;
  }
  return out;
}

TEST_F(LayerTarTest, PaxHeadersOnlyWhereGoWritesThem) {
  // Short ASCII names are plain ustar headers, as Go's archive/tar writes them (podman's layers).
  Write("plain.txt", "p");
  EXPECT_TRUE(PaxRecords(Tar()).empty());
  // A UTF-8 name needs a PAX path record, and nothing else.
  Write("caf\xc3\xa9", "u");
  std::vector<std::string> pax = PaxRecords(Tar());
  ASSERT_EQ(pax.size(), 1u);
  EXPECT_EQ(pax[0], "14 path=caf\xc3\xa9\n");
}

TEST_F(LayerTarTest, WriterErrorsSurface) {
  Write("f", std::string(100000, 'f'));
  FailingWriter out;
  Status st = WriteLayerTarFromDir(src_, out, {});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("disk full"), std::string::npos) << st.message();
}

TEST_F(LayerTarTest, MissingDirectoryIsAnError) {
  StringWriter out;
  EXPECT_EQ(WriteLayerTarFromDir(outer_ + "/nope", out, {}).code(), Code::kNotFound);
}

}  // namespace
}  // namespace kiln::store
