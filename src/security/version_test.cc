// The comparators against the upstream projects' own test tables, transcribed: dpkg's
// scripts/t/Dpkg_Version.t and lib/dpkg/t/t-version.c, rpm's tests/rpmvercmp.at, apk-tools'
// test/version.data, packaging's tests/test_version.py, the examples of semver.org,
// and maven-artifact's ComparableVersionTest.java.
#include "security/version.h"

#include <gtest/gtest.h>

#include <sstream>

namespace kiln::security {
namespace {

struct Case {
  const char* a;
  const char* b;
  int want;
};

// dpkg: scripts/t/Dpkg_Version.t's __DATA__.
const Case kDpkgCases[] = {
    {"1.0-1", "2.0-2", -1},
    {"2.2~rc-4", "2.2-1", -1},
    {"2.2-1", "2.2~rc-4", 1},
    {"1.0000-1", "1.0-1", 0},
    {"1", "0:1", 0},
    {"0", "0:0-0", 0},
    {"2:2.5", "1:7.5", 1},
    {"1:0foo", "0foo", 1},
    {"0:0foo", "0foo", 0},
    {"0foo", "0foo", 0},
    {"0foo-", "0foo", 0},
    {"0foo-", "0foo-0", 0},
    {"0foo", "0fo", 1},
    {"0foo-", "0foo+", -1},
    {"0foo~1", "0foo", -1},
    {"0foo~foo+Bar", "0foo~foo+bar", -1},
    {"0foo~~", "0foo~", -1},
    {"1~", "1", -1},
    {"12345+that-really-is-some-ver-0", "12345+that-really-is-some-ver-10", -1},
    {"0foo-0", "0foo-01", -1},
    {"0foo.bar", "0foobar", 1},
    {"0foo.bar", "0foo1bar", 1},
    {"0foo.bar", "0foo0bar", 1},
    {"0foo1bar-1", "0foobar-1", -1},
    {"0foo2.0", "0foo2", 1},
    {"0foo2.0.0", "0foo2.10.0", -1},
    {"0foo2.0", "0foo2.0.0", -1},
    {"0foo2.0", "0foo2.10", -1},
    {"0foo2.1", "0foo2.10", -1},
    {"1.09", "1.9", 0},
    {"1.0.8+nmu1", "1.0.8", 1},
    {"3.11", "3.10+nmu1", 1},
    {"0.9j-20080306-4", "0.9i-20070324-2", 1},
    {"1.2.0~b7-1", "1.2.0~b6-1", 1},
    {"1.011-1", "1.06-2", 1},
    {"0.0.9+dfsg1-1", "0.0.8+dfsg1-3", 1},
    {"4.6.99+svn6582-1", "4.6.99+svn6496-1", 1},
    {"53", "52", 1},
    {"0.9.9~pre122-1", "0.9.9~pre111-1", 1},
    {"2:2.3.2-2+lenny2", "2:2.3.2-2", 1},
    {"1:3.8.1-1", "3.8.GA-1", 1},
    {"1.0.1+gpl-1", "1.0.1-2", 1},
    {"1a", "1000a", -1},
    {"-0.6.5", "0.9.1", -1},
    // lib/dpkg/t/t-version.c's comparisons.
    {"0:0-00", "0:00-0", 0},
    {"1:2-3", "1:2-3", 0},
    {"0:0-0", "1:0-0", -1},
    {"0:a-0", "0:b-0", -1},
    {"0:0-a", "0:0-b", -1},
};

TEST(DpkgVersion, UpstreamTable) {
  for (const auto& c : kDpkgCases) {
    EXPECT_EQ(CompareDpkg(c.a, c.b), c.want) << c.a << " vs " << c.b;
    EXPECT_EQ(CompareDpkg(c.b, c.a), -c.want) << c.b << " vs " << c.a;
  }
}

TEST(DpkgVersion, ParseAcceptsWhatDpkgAccepts) {
  struct P {
    const char* in;
    uint32_t epoch;
    const char* upstream;
    const char* revision;
  };
  const P ok[] = {{"0", 0, "0", ""},          {"0:0", 0, "0", ""},         {"0:0-", 0, "0", ""},
                  {"0:0-0", 0, "0", "0"},     {"0:0.0-0.0", 0, "0.0", "0.0"}, {"1:0", 1, "0", ""},
                  {"5:1", 5, "1", ""},        {"0:0-0-0", 0, "0-0", "0"},  {"0:0-0-0-0", 0, "0-0-0", "0"},
                  {"0:0:0-0", 0, "0:0", "0"}, {"0:0:0:0-0", 0, "0:0:0", "0"}, {"0:0:0-0-0", 0, "0:0-0", "0"},
                  {"0:0-0:0-0", 0, "0-0:0", "0"}, {"0:09azAZ.-+~:-0", 0, "09azAZ.-+~:", "0"},
                  {"0:0-azAZ09.+~", 0, "0", "azAZ09.+~"}, {"  \t0:0-1", 0, "0", "1"}, {"0:0-1\t  ", 0, "0", "1"},
                  {"\t  0:0-1  \t", 0, "0", "1"}};
  for (const auto& p : ok) {
    auto v = ParseDpkgVersion(p.in);
    ASSERT_TRUE(v.ok()) << p.in << ": " << v.status().message();
    EXPECT_EQ(v->epoch, p.epoch) << p.in;
    EXPECT_EQ(v->upstream, p.upstream) << p.in;
    EXPECT_EQ(v->revision, p.revision) << p.in;
  }
}

TEST(DpkgVersion, ParseRejectsWhatDpkgRejects) {
  std::vector<std::string> bad = {"",     "  ",    "0:",    "0:0 0-1", "-1:0-1", "999999999999999999999999:0-1",
                                  "a:0-0", "A:0-0", "-0",   "0:-0",    "0:abc3-0", "0:0-0:0",
                                  "10a:5.2", "5.2@3-2", "foo5.2", "0:foo5.2"};
  for (char c : std::string("!#@$%&/|\\<>()[]{};,_=*^'")) bad.push_back(std::string("0:0") + c + "-0");
  for (char c : std::string("!#@$%&/|\\<>()[]{}:;,_=*^'")) bad.push_back(std::string("0:0-") + c);
  for (const auto& s : bad) EXPECT_FALSE(ParseDpkgVersion(s).ok()) << "'" << s << "'";
}

// rpm: tests/rpmvercmp.at (the active cases; the "oddities" it documents but does not
// run are left out, as upstream does).
const Case kRpmCases[] = {
    {"1.0", "1.0", 0},           {"1.0", "2.0", -1},          {"2.0", "1.0", 1},
    {"2.0.1", "2.0.1", 0},       {"2.0", "2.0.1", -1},        {"2.0.1", "2.0", 1},
    {"2.0.1a", "2.0.1a", 0},     {"2.0.1a", "2.0.1", 1},      {"2.0.1", "2.0.1a", -1},
    {"5.5p1", "5.5p1", 0},       {"5.5p1", "5.5p2", -1},      {"5.5p2", "5.5p1", 1},
    {"5.5p10", "5.5p10", 0},     {"5.5p1", "5.5p10", -1},     {"5.5p10", "5.5p1", 1},
    {"10xyz", "10.1xyz", -1},    {"10.1xyz", "10xyz", 1},     {"xyz10", "xyz10", 0},
    {"xyz10", "xyz10.1", -1},    {"xyz10.1", "xyz10", 1},     {"xyz.4", "xyz.4", 0},
    {"xyz.4", "8", -1},          {"8", "xyz.4", 1},           {"xyz.4", "2", -1},
    {"2", "xyz.4", 1},           {"5.5p2", "5.6p1", -1},      {"5.6p1", "5.5p2", 1},
    {"5.6p1", "6.5p1", -1},      {"6.5p1", "5.6p1", 1},       {"6.0.rc1", "6.0", 1},
    {"6.0", "6.0.rc1", -1},      {"10b2", "10a1", 1},         {"10a2", "10b2", -1},
    {"1.0aa", "1.0aa", 0},       {"1.0a", "1.0aa", -1},       {"1.0aa", "1.0a", 1},
    {"10.0001", "10.0001", 0},   {"10.0001", "10.1", 0},      {"10.1", "10.0001", 0},
    {"10.0001", "10.0039", -1},  {"10.0039", "10.0001", 1},   {"4.999.9", "5.0", -1},
    {"5.0", "4.999.9", 1},       {"20101121", "20101121", 0}, {"20101121", "20101122", -1},
    {"20101122", "20101121", 1}, {"2_0", "2_0", 0},           {"2.0", "2_0", 0},
    {"2_0", "2.0", 0},           {"a", "a", 0},               {"a+", "a+", 0},
    {"a+", "a_", 0},             {"a_", "a+", 0},             {"+a", "+a", 0},
    {"+a", "_a", 0},             {"_a", "+a", 0},             {"+_", "+_", 0},
    {"_+", "+_", 0},             {"_+", "_+", 0},             {"+", "_", 0},
    {"_", "+", 0},               {"1.0~rc1", "1.0~rc1", 0},   {"1.0~rc1", "1.0", -1},
    {"1.0", "1.0~rc1", 1},       {"1.0~rc1", "1.0~rc2", -1},  {"1.0~rc2", "1.0~rc1", 1},
    {"1.0~rc1~git123", "1.0~rc1~git123", 0}, {"1.0~rc1~git123", "1.0~rc1", -1},
    {"1.0~rc1", "1.0~rc1~git123", 1},
};

TEST(RpmVersion, UpstreamTable) {
  for (const auto& c : kRpmCases) EXPECT_EQ(RpmVerCmp(c.a, c.b), c.want) << c.a << " vs " << c.b;
}

TEST(RpmVersion, EpochVersionRelease) {
  EXPECT_LT(CompareRpmEvr("1.0-1.fc38", "1:0.5-1.fc38"), 0);
  EXPECT_EQ(CompareRpmEvr("0:1.0-1", "1.0-1"), 0);
  EXPECT_LT(CompareRpmEvr("3.0.7-2.fc38", "3.0.7-10.fc38"), 0);
  EXPECT_EQ(CompareRpmEvr("3.0.7-2.fc38", "3.0.7"), 0);  // no release on one side
  EXPECT_GT(CompareRpmEvr("3.0.8-1.fc38", "3.0.7"), 0);
}

// apk-tools: test/version.data.
const char kApkCases[] =
#include "security/version_apk_cases.inc"
    ;

TEST(ApkVersion, UpstreamTable) {
  std::istringstream in(kApkCases);
  std::string line;
  int checked = 0;
  while (std::getline(in, line)) {
    line = line.substr(0, line.find('#'));
    std::istringstream fields(line);
    std::string a, op, b;
    if (!(fields >> a >> op >> b)) continue;
    int want = op == "<" ? -1 : op == ">" ? 1 : 0;
    EXPECT_EQ(CompareApk(a, b), want) << a << " " << op << " " << b;
    EXPECT_EQ(CompareApk(b, a), -want) << b << " vs " << a;
    ++checked;
  }
  EXPECT_GT(checked, 700);
}

// packaging: tests/test_version.py's VERSIONS, "in the correct sorting order".
const char* const kPep440Sorted[] = {
    "1.0.dev0", "1.0.dev456", "1.0.dev456+local", "1.0a0", "1.0a0.post0.dev0", "1.0a0.post0", "1.0a1.dev1",
    "1.0a1.dev1+local", "1.0a1", "1.0a1+local", "1.0b0", "1.0b1.dev456", "1.0b2", "1.0b2.post345.dev456",
    "1.0b2.post345", "1.0b2-346", "1.0rc0", "1.0rc1.dev1", "1.0c1", "1.0rc2", "1.0", "1.0.post0.dev0",
    "1.0.post0", "1.0.post456.dev34", "1.0.post456", "1.0.post456+local", "1.0.1.dev1", "1.0.1a1", "1.0.1",
    "1.0.1+local", "1.0.1.post1", "1.1.dev1", "1.2+a", "1.2+abc", "1.2+abcdef", "1.2+def", "1.2+0", "1.2+1",
    "1.2+1.abc", "1.2+1.1", "1.2+1.1.0", "1.2+2", "1.2+123", "1.2+123456", "1.2.r32+123456", "1.2.rev33+123456",
    "1!1.0.dev0", "1!1.0.dev456", "1!1.0.dev456+local", "1!1.0a0", "1!1.0a0.post0.dev0", "1!1.0a0.post0",
    "1!1.0a1.dev1", "1!1.0a1.dev1+local", "1!1.0a1", "1!1.0a1+local", "1!1.0b0", "1!1.0b1.dev456", "1!1.0b2",
    "1!1.0b2.post345.dev456", "1!1.0b2.post345", "1!1.0b2-346", "1!1.0rc0", "1!1.0rc1.dev1", "1!1.0c1",
    "1!1.0rc2", "1!1.0", "1!1.0.post0.dev0", "1!1.0.post0", "1!1.0.post456.dev34", "1!1.0.post456",
    "1!1.0.post456+local", "1!1.0.1.dev1", "1!1.0.1a1", "1!1.0.1", "1!1.0.1+local", "1!1.0.1.post1",
    "1!1.1.dev1", "1!1.2+a", "1!1.2+abc", "1!1.2+abcdef", "1!1.2+def", "1!1.2+0", "1!1.2+1", "1!1.2+1.abc",
    "1!1.2+1.1", "1!1.2+1.1.0", "1!1.2+2", "1!1.2+123", "1!1.2+123456", "1!1.2.r32+123456",
    "1!1.2.rev33+123456",
};

TEST(Pep440Version, UpstreamSortOrder) {
  const size_t n = std::size(kPep440Sorted);
  for (size_t i = 0; i < n; ++i) {
    ASSERT_TRUE(ParsePep440(kPep440Sorted[i]).ok()) << kPep440Sorted[i];
    for (size_t j = 0; j < n; ++j) {
      int want = i < j ? -1 : i > j ? 1 : 0;
      // "1.0rc1" and "1.0c1" are not in the list together, so distinct entries differ.
      EXPECT_EQ(ComparePep440(kPep440Sorted[i], kPep440Sorted[j]), want) << kPep440Sorted[i] << " vs " << kPep440Sorted[j];
    }
  }
}

TEST(Pep440Version, UpstreamInvalid) {
  for (const char* s : {"french toast", "1.0+a+", "1.0++", "1.0+_foobar", "1.0+foo&asd", "1.0+1+1", "1. 0", "1 .0",
                        "1. 0a1", "1 .0a1", "1.0 a1", "1.0a 1", "\xd9\xa0\xd9\xa1\xd9\xa2.\xd9\xa3", ".", "..", "1..0",
                        "1.0.", ".1.0", "1..2.3", "1.0+\xc4\xb0", "lolwat"})
    EXPECT_FALSE(ParsePep440(s).ok()) << s;
}

TEST(Pep440Version, UpstreamNormalization) {
  const std::pair<const char*, const char*> cases[] = {
      {"1.0dev", "1.0.dev0"},   {"1.0.dev", "1.0.dev0"},   {"1.0dev1", "1.0.dev1"},     {"1.0-dev", "1.0.dev0"},
      {"1.0-dev1", "1.0.dev1"}, {"1.0DEV", "1.0.dev0"},    {"1.0.DEV1", "1.0.dev1"},    {"1.0-DEV1", "1.0.dev1"},
      {"1.0a", "1.0a0"},        {"1.0.a", "1.0a0"},        {"1.0.a1", "1.0a1"},         {"1.0-a", "1.0a0"},
      {"1.0alpha", "1.0a0"},    {"1.0.alpha1", "1.0a1"},   {"1.0-ALPHA1", "1.0a1"},     {"1.0A", "1.0a0"},
      {"1.0b", "1.0b0"},        {"1.0.beta1", "1.0b1"},    {"1.0-BETA", "1.0b0"},       {"1.0B1", "1.0b1"},
      {"1.0c", "1.0rc0"},       {"1.0.c1", "1.0rc1"},      {"1.0rc", "1.0rc0"},         {"1.0-RC1", "1.0rc1"},
      {"1.0C", "1.0rc0"},       {"1.0post", "1.0.post0"},  {"1.0.post", "1.0.post0"},   {"1.0post1", "1.0.post1"},
      {"1.0-post", "1.0.post0"}, {"1.0POST1", "1.0.post1"}, {"1.0r", "1.0.post0"},      {"1.0rev", "1.0.post0"},
      {"1.0.r1", "1.0.post1"},  {"1.0.rev1", "1.0.post1"}, {"1.0-5", "1.0.post5"},      {"1.0-r5", "1.0.post5"},
      {"1.0-rev5", "1.0.post5"}, {"1.0+AbC", "1.0+abc"},   {"1.01", "1.1"},             {"1.0a05", "1.0a5"},
      {"1.0b07", "1.0b7"},      {"1.0c056", "1.0rc56"},    {"1.0rc09", "1.0rc9"},       {"1.0.post000", "1.0.post0"},
      {"1.1.dev09000", "1.1.dev9000"}, {"00!1.2", "1.2"},  {"0100!0.0", "100!0.0"},     {"v1.0", "1.0"},
      {"   v1.0\t\n", "1.0"},   {"0!1.0.4+8.0", "1.0.4+8.0"}, {"7!1.0b2.post345.dev456", "7!1.0b2.post345.dev456"},
  };
  for (const auto& [in, want] : cases) {
    auto v = ParsePep440(in);
    ASSERT_TRUE(v.ok()) << in;
    EXPECT_EQ(v->Normalized(), want) << in;
  }
  EXPECT_EQ(ComparePep440("1.0rc1", "1.0c1"), 0);
}

// semver.org, section 11's examples and the build-metadata rule of section 10.
TEST(SemVer, SpecPrecedenceExamples) {
  const char* const chain[] = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
                               "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "2.0.0", "2.1.0", "2.1.1"};
  for (size_t i = 0; i < std::size(chain); ++i)
    for (size_t j = 0; j < std::size(chain); ++j)
      EXPECT_EQ(CompareSemVer(chain[i], chain[j]), i < j ? -1 : i > j ? 1 : 0) << chain[i] << " vs " << chain[j];
  EXPECT_EQ(CompareSemVer("1.0.0-alpha+001", "1.0.0-alpha"), 0);
  EXPECT_EQ(CompareSemVer("1.0.0+20130313144700", "1.0.0"), 0);
  EXPECT_EQ(CompareSemVer("1.0.0-beta+exp.sha.5114f85", "1.0.0-beta"), 0);
  EXPECT_EQ(CompareSemVer("1.0.0+21AF26D3----117B344092BD", "1.0.0"), 0);
  EXPECT_EQ(CompareSemVer("v1.20.3", "1.20.3"), 0);  // Go's module versions
}

TEST(SemVer, SpecValidity) {
  for (const char* s : {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-0.3.7", "1.0.0-x.7.z.92", "1.0.0-x-y-z.--",
                        "1.0.0-alpha+001", "1.0.0+20130313144700", "1.0.0-beta+exp.sha.5114f85", "v0.0.0-20210101-abc"})
    EXPECT_TRUE(ParseSemVer(s).ok()) << s;
  // Section 2: no leading zeros; section 9: no leading zeros in numeric pre-release parts,
  // no empty identifiers.
  for (const char* s : {"01.0.0", "1.01.0", "1.0.01", "1.0", "1.0.0-01", "1.0.0-", "1.0.0-a..b", "1.0.0+", "x.y.z"})
    EXPECT_FALSE(ParseSemVer(s).ok()) << s;
}

// ---- Maven: maven-artifact 3.9's ComparableVersionTest (apache/maven, tag maven-3.9.16) ----

// Each list strictly ascending (checkVersionsOrder on the array).
const std::vector<std::vector<const char*>> kMavenOrdered = {
    {"1-alpha2snapshot", "1-alpha2", "1-alpha-123", "1-beta-2", "1-beta123", "1-m2", "1-m11", "1-rc", "1-cr2",
     "1-rc123", "1-SNAPSHOT", "1", "1-sp", "1-sp2", "1-sp123", "1-abc", "1-def", "1-pom-1", "1-1-snapshot", "1-1",
     "1-2", "1-123"},
    {"2.0", "2.0.a", "2-1", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c", "2.1-1", "2.1.0.1", "2.2", "2.123",
     "11.a2", "11.a11", "11.b2", "11.b11", "11.m2", "11.m11", "11", "11.a", "11b", "11c", "11m"},
};

TEST(CompareMaven, VersionsOrder) {
  for (const auto& list : kMavenOrdered)
    for (size_t i = 0; i < list.size(); ++i)
      for (size_t j = i + 1; j < list.size(); ++j) {
        EXPECT_LT(CompareMaven(list[i], list[j]), 0) << list[i] << " < " << list[j];
        EXPECT_GT(CompareMaven(list[j], list[i]), 0) << list[j] << " > " << list[i];
      }
}

// testVersionsEqual, testLocaleIndependent.
const std::pair<const char*, const char*> kMavenEqual[] = {
    {"1", "1"}, {"1", "1.0"}, {"1", "1.0.0"}, {"1.0", "1.0.0"}, {"1", "1-0"}, {"1", "1.0-0"}, {"1.0", "1.0-0"},
    {"1a", "1-a"}, {"1a", "1.0-a"}, {"1a", "1.0.0-a"}, {"1.0a", "1-a"}, {"1.0.0a", "1-a"}, {"1x", "1-x"},
    {"1x", "1.0-x"}, {"1x", "1.0.0-x"}, {"1.0x", "1-x"}, {"1.0.0x", "1-x"}, {"1ga", "1"}, {"1release", "1"},
    {"1final", "1"}, {"1cr", "1rc"}, {"1a1", "1-alpha-1"}, {"1b2", "1-beta-2"}, {"1m3", "1-milestone-3"},
    {"1X", "1x"}, {"1A", "1a"}, {"1B", "1b"}, {"1M", "1m"}, {"1Ga", "1"}, {"1GA", "1"}, {"1RELEASE", "1"},
    {"1release", "1"}, {"1RELeaSE", "1"}, {"1Final", "1"}, {"1FinaL", "1"}, {"1FINAL", "1"}, {"1Cr", "1Rc"},
    {"1cR", "1rC"}, {"1m3", "1Milestone3"}, {"1m3", "1MileStone3"}, {"1m3", "1MILESTONE3"},
    {"1-abcdefghijklmnopqrstuvwxyz", "1-ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
};

TEST(CompareMaven, VersionsEqual) {
  for (const auto& [a, b] : kMavenEqual) {
    EXPECT_EQ(CompareMaven(a, b), 0) << a << " == " << b;
    EXPECT_EQ(CompareMaven(b, a), 0) << b << " == " << a;
  }
}

// testVersionComparing, testMng5568, testMng6572, testMng6964: each pair ascending.
const std::pair<const char*, const char*> kMavenLess[] = {
    {"1", "2"}, {"1.5", "2"}, {"1", "2.5"}, {"1.0", "1.1"}, {"1.1", "1.2"}, {"1.0.0", "1.1"}, {"1.0.1", "1.1"},
    {"1.1", "1.2.0"}, {"1.0-alpha-1", "1.0"}, {"1.0-alpha-1", "1.0-alpha-2"}, {"1.0-alpha-1", "1.0-beta-1"},
    {"1.0-beta-1", "1.0-SNAPSHOT"}, {"1.0-SNAPSHOT", "1.0"}, {"1.0-alpha-1-SNAPSHOT", "1.0-alpha-1"},
    {"1.0", "1.0-1"}, {"1.0-1", "1.0-2"}, {"1.0.0", "1.0-1"}, {"2.0-1", "2.0.1"}, {"2.0.1-klm", "2.0.1-lmn"},
    {"2.0.1", "2.0.1-xyz"}, {"2.0.1", "2.0.1-123"}, {"2.0.1-xyz", "2.0.1-123"},
    // MNG-5568
    {"6.1.0rc3", "6.1.0"}, {"6.1.0rc3", "6.1H.5-beta"}, {"6.1.0", "6.1H.5-beta"},
    // MNG-6572
    {"20190126.230843", "1234567890.12345"}, {"1234567890.12345", "123456789012345.1H.5-beta"},
    {"20190126.230843", "123456789012345.1H.5-beta"}, {"123456789012345.1H.5-beta", "12345678901234567890.1H.5-beta"},
    {"1234567890.12345", "12345678901234567890.1H.5-beta"}, {"20190126.230843", "12345678901234567890.1H.5-beta"},
    // MNG-6964
    {"1-0.alpha", "1"}, {"1-0.beta", "1"}, {"1-0.alpha", "1-0.beta"},
};

TEST(CompareMaven, VersionComparing) {
  for (const auto& [a, b] : kMavenLess) {
    EXPECT_LT(CompareMaven(a, b), 0) << a << " < " << b;
    EXPECT_GT(CompareMaven(b, a), 0) << b << " > " << a;
  }
}

TEST(CompareMaven, LeadingZeroes) {
  // testVersionEqualWithLeadingZeroes, testVersionZeroEqualWithLeadingZeroes: lengths 1 to 19.
  for (const char digit : {'1', '0'}) {
    std::vector<std::string> all;
    for (size_t len = 1; len <= 19; ++len) all.push_back(std::string(len - 1, '0') + digit);
    for (const auto& a : all)
      for (const auto& b : all) EXPECT_EQ(CompareMaven(a, b), 0) << a << " == " << b;
  }
}

TEST(CompareMaven, Mng7644) {
  for (std::string x : {"abc", "alpha", "a", "beta", "b", "def", "milestone", "m", "RC"}) {
    EXPECT_LT(CompareMaven("1.0.0." + x + "1", "1.0.0-" + x + "2"), 0) << x;
    EXPECT_GT(CompareMaven("1.0.0-" + x + "2", "1.0.0." + x + "1"), 0) << x;
    EXPECT_EQ(CompareMaven("2-" + x, "2.0." + x), 0) << x;
    EXPECT_EQ(CompareMaven("2-" + x, "2.0.0." + x), 0) << x;
    EXPECT_EQ(CompareMaven("2.0." + x, "2.0.0." + x), 0) << x;
  }
}

TEST(CompareMaven, HostileNestingStaysBounded) {
  std::string deep;
  for (int i = 0; i < 200000; ++i) deep += "1-a";
  EXPECT_EQ(CompareMaven(deep, deep), 0);
  EXPECT_LT(CompareMaven(deep, "1"), 0);  // 1-alpha-1-… is a pre-release of 1
  EXPECT_GT(CompareMaven(deep, "0.9"), 0);
}

}  // namespace
}  // namespace kiln::security
