#include "containerfile/ignore.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "util/fs.h"

namespace kiln::build {
namespace {

struct Case {
  const char* file;  // ignore file text
  const char* path;
  bool excluded;
};

// Expectations follow moby/patternmatcher's MatchesOrParentMatches after buildkit's ReadAll.
const Case kCases[] = {
    {"*.txt", "a.txt", true},
    {"*.txt", "dir/a.txt", false},
    {"*.txt", "a.txt.bak", false},
    {"*", "anything", true},
    {"*", "dir/file", true},  // parent "dir" matches
    {"*/*.go", "a/b.go", true},
    {"*/*.go", "a/b/c.go", false},
    {"a*b", "ab", true},
    {"a*b", "axxb", true},
    {"a*b", "a/b", false},
    {"**", "x/y/z", true},
    {"**/*.go", "a.go", true},
    {"**/*.go", "a/b/c.go", true},
    {"**/*.go", "a/b/c.gox", false},
    {"**/foo", "foo", true},
    {"**/foo", "a/b/foo", true},
    {"**/foo", "a/barfoo", false},
    {"**foo", "a/barfoo", true},  // patternmatcher's suffix match
    {"a/**/b", "a/b", true},
    {"a/**/b", "a/x/y/b", true},
    {"a/**/b", "a/x/yb", false},
    {"a/**/b", "c/a/b", false},
    {"a/**", "a/b/c", true},
    {"a/**", "a", false},
    {"a/**", "ab", false},
    {"a/**/*.md", "a/x/y/z.md", true},
    {"a/**/*.md", "a/z.md", true},
    {"?", "a", true},
    {"?", "ab", false},
    {"a?c", "abc", true},
    {"a?c", "a/c", false},
    {"?.txt", "\xc3\xa9.txt", true},  // one rune, two bytes
    {"[a-c].txt", "b.txt", true},
    {"[a-c].txt", "d.txt", false},
    {"[^a-c].txt", "d.txt", true},
    {"[^a-c].txt", "a.txt", false},
    {"[abc]x", "cx", true},
    {"[\\]]x", "]x", true},
    {"\\*x", "*x", true},
    {"\\*x", "ax", false},
    {"a\\?", "a?", true},
    {"file", "file", true},
    {"file", "file2", false},
    {"file", "dir/file", false},
    {"dir", "dir/sub/file", true},  // parent-dir matching
    {"dir/sub", "dir/sub/x/y", true},
    {"dir/sub", "dir/subx", false},
    {"/dir", "dir/x", true},         // leading '/' dropped
    {"dir/", "dir/x", true},         // trailing '/' cleaned
    {"./dir/../other", "other", true},
    {"a/./b//c", "a/b/c", true},
    {"  spaced  ", "spaced", true},
    {"# comment\nfile", "file", true},
    {"#file", "#file", false},
    {" #file", "#file", true},  // only a '#' in column one starts a comment
    {"\xEF\xBB\xBF" "bom", "bom", true},
    {"file\r\n", "file", true},
    {"\n\n  \nfile\n", "file", true},
    {"*.md\n!README.md", "README.md", false},
    {"*.md\n!README.md", "CHANGES.md", true},
    {"*.md\n!README*.md\nREADME-secret.md", "README-secret.md", true},
    {"*.md\n!README*.md\nREADME-secret.md", "README-public.md", false},
    {"!keep\n*", "keep", true},  // the last matching pattern wins
    {"dir\n!dir/keep", "dir/keep", false},
    {"dir\n!dir/keep", "dir/keep/deep", false},
    {"dir\n!dir/keep", "dir/other", true},
    {"dir\n! dir/keep", "dir/keep", false},
    {"dir\n!/dir/keep", "dir/keep", false},
    {".containerignore", ".containerignore", true},
    {".dockerignore\n*.log", ".dockerignore", true},
    {"*\n!.containerignore", ".containerignore", false},
    {"a.txt", "", false},  // the root is never excluded
    {"**", "", false},
    {"..", "x", false},
    {"x\n!x\nx", "x/y", true},
    {"Dir", "dir", false},  // case-sensitive
    {"a[/]b", "a/b", true},
};

TEST(IgnoreMatcher, Table) {
  ASSERT_GE(std::size(kCases), 60u);
  for (const Case& c : kCases) {
    auto m = IgnoreMatcher::Parse(c.file);
    ASSERT_TRUE(m.ok()) << c.file << ": " << m.status().message();
    EXPECT_EQ(m->Excluded(c.path), c.excluded) << "file: " << c.file << " path: " << c.path;
  }
}

TEST(IgnoreMatcher, BadPatterns) {
  for (const char* bad : {"[", "a[", "[]", "[a-]", "[-a]", "a\\", "!", "[\\", "[x\\]"}) {
    auto m = IgnoreMatcher::Parse(bad);
    EXPECT_FALSE(m.ok()) << bad;
    if (!m.ok()) EXPECT_EQ(m.status().code(), Code::kInvalidArgument);
  }
}

TEST(IgnoreMatcher, EmptyExcludesNothing) {
  IgnoreMatcher m;
  EXPECT_TRUE(m.empty());
  EXPECT_FALSE(m.Excluded("a"));
  EXPECT_FALSE(m.MayReincludeBelow("a"));
  auto parsed = IgnoreMatcher::Parse("# only comments\n\n");
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->empty());
}

TEST(IgnoreMatcher, MayReincludeBelow) {
  auto m = IgnoreMatcher::Parse("dir\n!dir/keep\nbuild\n!*.go\nlogs\n!**/important.log\n");
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->Excluded("dir"));
  EXPECT_TRUE(m->MayReincludeBelow("dir"));
  EXPECT_FALSE(m->MayReincludeBelow("logs"));  // buildah compares text: "**/important.log" opens no "logs"
  auto only_top = IgnoreMatcher::Parse("build\n!*.go\n");
  ASSERT_TRUE(only_top.ok());
  EXPECT_FALSE(only_top->MayReincludeBelow("build"));
  auto none = IgnoreMatcher::Parse("build\n");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->MayReincludeBelow("build"));
  auto glob = IgnoreMatcher::Parse("a\n!a/*/keep\n");
  ASSERT_TRUE(glob.ok());
  EXPECT_TRUE(glob->MayReincludeBelow("a"));
  EXPECT_TRUE(glob->MayReincludeBelow("a/"));
  EXPECT_FALSE(glob->MayReincludeBelow("a/b"));  // "a/*/keep/" does not start with "a/b"
}

// podman's test/system/070-build "COPY with ignore": "!*/sub1*" re-includes subdir1/sub1
// only because "!subdir1/sub3*" makes the copier descend into subdir1 (buildah 3486).
TEST(IgnoreMatcher, BuildahDescendsByTextPrefix) {
  auto m = IgnoreMatcher::Parse("test*\n!test2*\nsubdir1\nsubdir2\n!*/sub1*\n!subdir1/sub3*\n");
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->MayReincludeBelow("subdir1"));
  EXPECT_FALSE(m->MayReincludeBelow("subdir2"));
  EXPECT_TRUE(m->MayReincludeBelow("subdir"));  // a string prefix of "subdir1/sub3*/"
  EXPECT_FALSE(m->Excluded("subdir1/sub1"));
  EXPECT_TRUE(m->IncludeDirectoryAnyway("subdir1"));
  EXPECT_FALSE(m->IncludeDirectoryAnyway("subdir2"));
  EXPECT_FALSE(m->IncludeDirectoryAnyway("subdir"));  // needs "subdir/" at the start
}

TEST(IgnoreMatcher, FromPatternsNormalizes) {
  auto m = IgnoreMatcher::FromPatterns({"/secret/", " *.tmp ", "", "!/keep.tmp"});
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->Excluded("secret/x"));
  EXPECT_TRUE(m->Excluded("a.tmp"));
  EXPECT_FALSE(m->Excluded("keep.tmp"));
}

TEST(IgnoreGlob, GoFilepathMatch) {
  EXPECT_TRUE(*GlobMatch("*.txt", "a.txt"));
  EXPECT_FALSE(*GlobMatch("*", "a/b"));
  EXPECT_TRUE(*GlobMatch("**", "ab"));
  EXPECT_TRUE(*GlobMatch("a[^x]c", "abc"));
  EXPECT_FALSE(GlobMatch("[", "x").ok());
  EXPECT_FALSE(GlobMatch("x[", "y").ok());  // the whole pattern is checked
  EXPECT_TRUE(HasGlobMeta("a*"));
  EXPECT_TRUE(HasGlobMeta("a\\b"));
  EXPECT_FALSE(HasGlobMeta("a/b.txt"));
}

TEST(IgnoreClean, GoFilepathClean) {
  EXPECT_EQ(CleanPath(""), ".");
  EXPECT_EQ(CleanPath("a/../.."), "..");
  EXPECT_EQ(CleanPath("/../a/"), "/a");
  EXPECT_EQ(CleanPath("a//b/./c/.."), "a/b");
  EXPECT_EQ(CleanPath("../../x"), "../../x");
}

class IgnoreFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/kiln-ignore-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { (void)RemoveTree(dir_); }
  void Write(const std::string& name, const std::string& text) {
    ASSERT_TRUE(WriteFileAtomic(JoinPath(dir_, name), text).ok());
  }
  std::string dir_;
};

TEST_F(IgnoreFileTest, Precedence) {
  std::string cf = JoinPath(dir_, "Containerfile");
  auto none = LoadIgnoreFile(dir_, cf);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  Write(".dockerignore", "docker");
  auto m = LoadIgnoreFile(dir_, cf);
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->Excluded("docker"));

  Write(".containerignore", "container");
  m = LoadIgnoreFile(dir_, cf);
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->Excluded("container"));
  EXPECT_FALSE(m->Excluded("docker"));

  Write("Containerfile.dockerignore", "beside-docker");
  m = LoadIgnoreFile(dir_, cf);
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->Excluded("beside-docker"));

  Write("Containerfile.containerignore", "beside");
  m = LoadIgnoreFile(dir_, cf);
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->Excluded("beside"));
  EXPECT_FALSE(m->Excluded("beside-docker"));
}

TEST_F(IgnoreFileTest, BadPatternNamesFile) {
  Write(".containerignore", "ok\n[bad\n");
  auto m = LoadIgnoreFile(dir_, "");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find(".containerignore"), std::string::npos);
}

}  // namespace
}  // namespace kiln::build
