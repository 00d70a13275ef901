#include "builder/context.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <string>

#include "util/fs.h"

namespace kiln::build {
namespace {

class ContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/kiln-context-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    base_ = tmpl;
    root_ = JoinPath(base_, "ctx");
    ASSERT_TRUE(MakeDirs(root_).ok());
  }
  void TearDown() override { (void)RemoveTree(base_); }

  void Write(const std::string& root, const std::string& rel, const std::string& data, mode_t mode = 0644) {
    std::string path = JoinPath(root, rel);
    ASSERT_TRUE(MakeDirs(ParentDir(path)).ok());
    ASSERT_TRUE(WriteFileAtomic(path, data, mode).ok());
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
  }
  void Write(const std::string& rel, const std::string& data) { Write(root_, rel, data); }

  std::vector<std::string> Rels(const std::vector<std::string>& patterns, const IgnoreMatcher* ignore = nullptr) {
    auto r = ResolveSources(root_, patterns, ignore);
    EXPECT_TRUE(r.ok()) << r.status().message();
    std::vector<std::string> out;
    if (r.ok()) {
      for (const Source& s : *r) out.push_back(s.rel + (s.is_dir ? "/" : ""));
    }
    return out;
  }

  Digest Hash(const std::string& root, const std::vector<std::string>& patterns, const IgnoreMatcher* ignore = nullptr,
              StatCache* cache = nullptr, const std::vector<std::string>& excludes = {}, Owners owners = Owners::kHash) {
    auto s = ResolveSources(root, patterns, ignore);
    EXPECT_TRUE(s.ok()) << s.status().message();
    if (!s.ok()) return Digest();
    auto d = HashSources(root, *s, ignore, excludes, cache, owners);
    EXPECT_TRUE(d.ok()) << d.status().message();
    return d.ok() ? *d : Digest();
  }

  std::string base_;
  std::string root_;
};

using V = std::vector<std::string>;

TEST_F(ContextTest, ResolveSourcesPlainGlobDirRoot) {
  Write("a.txt", "a");
  Write("b.txt", "b");
  Write("c.md", "c");
  Write("dir/x.txt", "x");
  Write("dir/sub/y.txt", "y");
  EXPECT_EQ(Rels({"a.txt"}), V({"a.txt"}));
  EXPECT_EQ(Rels({"*.txt"}), V({"a.txt", "b.txt"}));
  EXPECT_EQ(Rels({"dir"}), V({"dir/"}));
  EXPECT_EQ(Rels({"dir/"}), V({"dir/"}));
  EXPECT_EQ(Rels({"."}), V({"/"}));
  EXPECT_EQ(Rels({"./"}), V({"/"}));
  EXPECT_EQ(Rels({"/a.txt"}), V({"a.txt"}));
  EXPECT_EQ(Rels({"/"}), V({"/"}));
  EXPECT_EQ(Rels({"*/*.txt"}), V({"dir/x.txt"}));
  EXPECT_EQ(Rels({"d?r/s*"}), V({"dir/sub/"}));
  EXPECT_EQ(Rels({"[ab].txt"}), V({"a.txt", "b.txt"}));
  EXPECT_EQ(Rels({"b.txt", "a.txt", "*.txt", "dir/../a.txt"}), V({"a.txt", "b.txt"}));  // sorted, deduped
}

TEST_F(ContextTest, ResolveSourcesMissingHasPodmanText) {
  auto r = ResolveSources(root_, {"nosuch.txt"}, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_EQ(r.status().message(),
            "checking on sources under \"" + root_ + "\": copier: stat: \"/nosuch.txt\": no such file or directory");
  auto g = ResolveSources(root_, {"./x/../*.nothing", "*.none"}, nullptr);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), Code::kNotFound);
  EXPECT_EQ(g.status().message(), "checking on sources under \"" + root_ + "\": Rel: can't make  relative to " + root_ +
                                      "; copier: stat: [\"/*.nothing\" \"/*.none\"]: no such file or directory");
}

TEST_F(ContextTest, ResolveSourcesSkipsAGlobThatMatchesNothing) {
  Write("a.txt", "a");
  Write("b.txt", "b");
  EXPECT_EQ(Rels({"*.nothing", "*.txt"}), V({"a.txt", "b.txt"}));
  // A missing plain path still fails, glob or not before it.
  auto r = ResolveSources(root_, {"*.nothing", "nosuch.txt"}, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "checking on sources under \"" + root_ + "\": copier: stat: \"/nosuch.txt\": no such file or directory");
}

TEST_F(ContextTest, ResolveSourcesRefusesEscape) {
  Write(base_, "outside.txt", "secret");
  for (const char* p : {"../outside.txt", "..", "a/../../outside.txt", "../*"}) {
    auto r = ResolveSources(root_, {p}, nullptr);
    ASSERT_FALSE(r.ok()) << p;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << p;
    EXPECT_NE(r.status().message().find("forbidden path outside the build context: " + std::string(p)),
              std::string::npos)
        << r.status().message();
  }
}

TEST_F(ContextTest, ResolveSourcesSymlinksStayInsideRoot) {
  Write(base_, "etc/passwd", "host secret");
  ASSERT_EQ(::symlink("/etc/passwd", JoinPath(root_, "out").c_str()), 0);
  ASSERT_EQ(::symlink("../../etc", JoinPath(root_, "updir").c_str()), 0);
  // Nothing at ROOT/etc/passwd yet: the link does not reach the host's file.
  auto r = ResolveSources(root_, {"out"}, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_FALSE(ResolveSources(root_, {"updir/passwd"}, nullptr).ok());

  Write("etc/passwd", "inside");
  EXPECT_EQ(Rels({"out"}), V({"out"}));
  EXPECT_EQ(Rels({"updir/passwd"}), V({"updir/passwd"}));
  EXPECT_EQ(Rels({"updir"}), V({"updir/"}));
  // The digest is of ROOT/etc/passwd's bytes, the same as copying that file directly.
  auto a = ResolveSources(root_, {"out"}, nullptr);
  ASSERT_TRUE(a.ok());
  auto via_link = HashSources(root_, {Source{"etc/passwd", false}}, nullptr, {}, nullptr, Owners::kHash);
  Write("etc/passwd", "changed");
  auto after = HashSources(root_, {Source{"etc/passwd", false}}, nullptr, {}, nullptr, Owners::kHash);
  ASSERT_TRUE(via_link.ok() && after.ok());
  EXPECT_NE(*via_link, *after);
}

TEST_F(ContextTest, ResolveSourcesIgnoredNotMatched) {
  Write("keep.txt", "k");
  Write("secret.txt", "s");
  Write("logs/a.log", "a");
  auto ignore = IgnoreMatcher::Parse("secret.txt\nlogs\n");
  ASSERT_TRUE(ignore.ok());
  EXPECT_EQ(Rels({"*.txt"}, &*ignore), V({"keep.txt"}));
  auto r = ResolveSources(root_, {"secret.txt"}, &*ignore);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_EQ(r.status().message(), "no items matching glob \"" + root_ + "/secret.txt\" copied (1 filtered out): no such file or directory");
  ignore->set_origin(root_ + "/.dockerignore");
  r = ResolveSources(root_, {"*.txt", "secret.*"}, &*ignore);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "no items matching glob \"" + root_ + "/secret.*\" copied (1 filtered out using " +
                                      root_ + "/.dockerignore): no such file or directory");
  EXPECT_FALSE(ResolveSources(root_, {"logs/a.log"}, &*ignore).ok());
  EXPECT_EQ(Rels({"."}, &*ignore), V({"/"}));
}

TEST_F(ContextTest, ResolveSourcesBadGlob) {
  Write("a", "a");
  auto r = ResolveSources(root_, {"[a"}, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
}

// Counts calls and remembers what it was told, like the store-backed cache.
class FakeStatCache final : public StatCache {
 public:
  std::optional<Digest> Lookup(const std::string& abs_path, const FileStamp& stamp) override {
    ++lookups;
    auto it = entries.find(abs_path);
    if (it == entries.end()) return std::nullopt;
    const FileStamp& s = it->second.first;
    if (s.size != stamp.size || s.mtime_ns != stamp.mtime_ns || s.ctime_ns != stamp.ctime_ns ||
        s.inode != stamp.inode || s.mode != stamp.mode) {
      return std::nullopt;
    }
    ++hits;
    return it->second.second;
  }
  void Record(const std::string& abs_path, const FileStamp& stamp, const Digest& content) override {
    ++records;
    entries[abs_path] = {stamp, content};
  }
  int lookups = 0, hits = 0, records = 0;
  std::map<std::string, std::pair<FileStamp, Digest>> entries;
};

void SetMtime(const std::string& path, time_t sec) {
  struct timeval tv[2] = {{sec, 0}, {sec, 0}};
  ASSERT_EQ(::lutimes(path.c_str(), tv), 0);
}

TEST_F(ContextTest, HashSourcesIgnoresLocationAndTimes) {
  std::string other = JoinPath(base_, "other-place/deeper");
  for (const std::string& root : {root_, other}) {
    Write(root, "app/main.go", "package main\n");
    Write(root, "app/lib/util.go", "package lib\n", 0600);
    Write(root, "README", "hello");
    ASSERT_EQ(::symlink("main.go", JoinPath(root, "app/link").c_str()), 0);
  }
  SetMtime(JoinPath(other, "app/main.go"), 1000);
  SetMtime(JoinPath(other, "app/lib"), 2000);
  Digest a = Hash(root_, {"app", "README"});
  Digest b = Hash(other, {"app", "README"});
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, b);
  EXPECT_EQ(Hash(root_, {"."}), Hash(other, {"."}));
  EXPECT_NE(Hash(root_, {"app"}), Hash(root_, {"README"}));
}

// Two runners: contexts checked out in different places, by a different umask (the context
// directory's own mode), in another time zone and locale, with other mtimes: one digest.
// File names that a locale would collate differently ("B" "a" "_x" "\xc3\xa4") are hashed in
// byte order whatever LANG says.
TEST_F(ContextTest, HashSourcesDoesNotDependOnTheMachine) {
  auto make = [&](const std::string& root, mode_t umask_bits) {
    mode_t old = ::umask(umask_bits);
    ASSERT_TRUE(MakeDirs(root).ok());
    for (const char* name : {"B", "a", "_x", "\xc3\xa4", "sub/z", "sub/Y"}) Write(root, name, name);
    ::umask(old);
    ASSERT_EQ(::chmod(JoinPath(root, "sub").c_str(), 0755), 0);  // a checkout's modes are content
  };
  std::string other = JoinPath(base_, "runner-b/work/checkout");
  make(JoinPath(base_, "runner-a"), 022);
  make(other, 077);
  ASSERT_EQ(::chmod(JoinPath(base_, "runner-a").c_str(), 0775), 0);
  ASSERT_EQ(::chmod(other.c_str(), 0700), 0);
  SetMtime(JoinPath(other, "a"), 1);
  const char* tz = getenv("TZ");
  const char* lang = getenv("LC_ALL");
  std::string saved_tz = tz ? tz : "", saved_lang = lang ? lang : "";
  setenv("TZ", "Asia/Kolkata", 1);
  setenv("LC_ALL", "sv_SE.UTF-8", 1);
  Digest a = Hash(JoinPath(base_, "runner-a"), {"."}, nullptr, nullptr, {}, Owners::kIgnore);
  setenv("TZ", "America/Los_Angeles", 1);
  setenv("LC_ALL", "C", 1);
  Digest b = Hash(other, {"."}, nullptr, nullptr, {}, Owners::kIgnore);
  if (tz) setenv("TZ", saved_tz.c_str(), 1); else unsetenv("TZ");
  if (lang) setenv("LC_ALL", saved_lang.c_str(), 1); else unsetenv("LC_ALL");
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, b);
  // A subdirectory's mode is copied into the layer: that is content.
  ASSERT_EQ(::chmod(JoinPath(other, "sub").c_str(), 0700), 0);
  EXPECT_NE(a, Hash(other, {"."}, nullptr, nullptr, {}, Owners::kIgnore));
}

TEST_F(ContextTest, HashSourcesSeesContentModeAndLinkChanges) {
  Write("app/main.go", "package main\n");
  Write("app/data", "0123456789");
  Digest base = Hash(root_, {"app"});
  Write("app/data", "0123456788");  // one byte
  Digest byte = Hash(root_, {"app"});
  EXPECT_NE(base, byte);
  ASSERT_EQ(::chmod(JoinPath(root_, "app/data").c_str(), 0755), 0);
  Digest mode = Hash(root_, {"app"});
  EXPECT_NE(byte, mode);
  ASSERT_EQ(::symlink("data", JoinPath(root_, "app/l").c_str()), 0);
  Digest link = Hash(root_, {"app"});
  EXPECT_NE(mode, link);
  ASSERT_EQ(::unlink(JoinPath(root_, "app/l").c_str()), 0);
  ASSERT_EQ(::symlink("main.go", JoinPath(root_, "app/l").c_str()), 0);
  EXPECT_NE(link, Hash(root_, {"app"}));
  Write("app/new-empty", "");
  EXPECT_NE(link, Hash(root_, {"app"}));
}

// COPY resets owners, so its digest must not depend on them (rootless kiln sees a user's
// files as 0, rootful kiln as the user's uid); kHash is there for callers that want them.
TEST_F(ContextTest, HashSourcesOwnersOnlyWhenAsked) {
  Write("app/data", "x");
  Digest hashed = Hash(root_, {"app"}), ignored = Hash(root_, {"app"}, nullptr, nullptr, {}, Owners::kIgnore);
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to chown";
  ASSERT_EQ(::lchown(JoinPath(root_, "app/data").c_str(), 123, 456), 0);
  EXPECT_NE(hashed, Hash(root_, {"app"}));
  EXPECT_EQ(ignored, Hash(root_, {"app"}, nullptr, nullptr, {}, Owners::kIgnore));
}

TEST_F(ContextTest, HashSourcesSkipsIgnoredAndExcluded) {
  Write("app/main.go", "package main\n");
  Write("app/debug.log", "one");
  Write("app/tmp/cache", "c1");
  auto ignore = IgnoreMatcher::Parse("**/*.log\napp/tmp\n");
  ASSERT_TRUE(ignore.ok());
  Digest before = Hash(root_, {"."}, &*ignore);
  Write("app/debug.log", "two");
  Write("app/tmp/cache", "c2");
  Write("app/tmp/more", "m");
  EXPECT_EQ(before, Hash(root_, {"."}, &*ignore));
  Write("app/main.go", "package main // changed\n");
  EXPECT_NE(before, Hash(root_, {"."}, &*ignore));

  Digest ex = Hash(root_, {"app"}, nullptr, nullptr, {"*.log"});
  Write("app/debug.log", "three");
  EXPECT_EQ(ex, Hash(root_, {"app"}, nullptr, nullptr, {"*.log"}));
  EXPECT_NE(ex, Hash(root_, {"app"}));
}

TEST_F(ContextTest, HashSourcesReincludedFileCounts) {
  Write("dir/keep", "k1");
  Write("dir/drop", "d1");
  auto ignore = IgnoreMatcher::Parse("dir\n!dir/keep\n");
  ASSERT_TRUE(ignore.ok());
  Digest a = Hash(root_, {"."}, &*ignore);
  Write("dir/drop", "d2");
  EXPECT_EQ(a, Hash(root_, {"."}, &*ignore));
  Write("dir/keep", "k2");
  EXPECT_NE(a, Hash(root_, {"."}, &*ignore));
}

TEST_F(ContextTest, HashSourcesStatCacheHitReadsNothing) {
  for (int i = 0; i < 20; ++i) Write("files/f" + std::to_string(i), "content " + std::to_string(i));
  FakeStatCache cache;
  Digest cold = Hash(root_, {"files"}, nullptr, &cache);
  EXPECT_EQ(cache.lookups, 20);
  EXPECT_EQ(cache.hits, 0);
  EXPECT_EQ(cache.records, 20);
  Digest warm = Hash(root_, {"files"}, nullptr, &cache);
  EXPECT_EQ(warm, cold);
  EXPECT_EQ(cache.lookups, 40);
  EXPECT_EQ(cache.hits, 20);
  EXPECT_EQ(cache.records, 20);  // nothing was read again
}

TEST_F(ContextTest, HashSourcesStaleCacheEntryIsReRead) {
  Write("f", "original");
  FakeStatCache cache;
  Digest a = Hash(root_, {"f"}, nullptr, &cache);
  // A lying entry for the same stamp proves a hit is used without reading the file.
  std::string abs = cache.entries.begin()->first;
  Digest fake = Digest::OfBytes("not the content");
  cache.entries[abs].second = fake;
  Digest lied = Hash(root_, {"f"}, nullptr, &cache);
  EXPECT_NE(a, lied);
  // Change the file: the stamp differs, so the file is read again and the result is right.
  Write("f", "modified");
  Digest b = Hash(root_, {"f"}, nullptr, &cache);
  EXPECT_EQ(b, Hash(root_, {"f"}, nullptr, nullptr));
  EXPECT_NE(a, b);
  EXPECT_NE(cache.entries[abs].second, fake);
}

TEST_F(ContextTest, HashSourcesManyFilesAndLargeFile) {
  for (int i = 0; i < 2000; ++i) Write("many/f" + std::to_string(i), std::to_string(i));
  Write("big", std::string(50 << 20, 'z'));
  FakeStatCache cache;
  auto t0 = std::chrono::steady_clock::now();
  Digest cold = Hash(root_, {"many", "big"}, nullptr, &cache);
  auto t1 = std::chrono::steady_clock::now();
  Digest warm = Hash(root_, {"many", "big"}, nullptr, &cache);
  auto t2 = std::chrono::steady_clock::now();
  EXPECT_EQ(cold, warm);
  EXPECT_EQ(cache.hits, 2001);
  EXPECT_LT(t2 - t1, t1 - t0);
}

}  // namespace
}  // namespace kiln::build
