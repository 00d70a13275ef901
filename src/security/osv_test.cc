#include "security/osv.h"

#include <gtest/gtest.h>

#include "security/version.h"

namespace kiln::security {
namespace {

OsvAffected Ranges(std::vector<OsvEvent> events, std::string type = "ECOSYSTEM") {
  OsvAffected a;
  a.ranges.push_back({std::move(type), std::move(events)});
  return a;
}

TEST(OsvEvaluate, IntroducedFixedAndTheFixOfTheInstalledVersionsRange) {
  OsvAffected a = Ranges({{"0", "", ""}, {"", "2.0.0", ""}, {"3.0.0", "", ""}, {"", "3.1.0", ""}}, "SEMVER");
  auto cmp = ComparatorFor("npm");
  EXPECT_TRUE(Evaluate(a, "1.9.9", cmp).affected);
  EXPECT_EQ(Evaluate(a, "1.9.9", cmp).fixed, "2.0.0");
  EXPECT_FALSE(Evaluate(a, "2.0.0", cmp).affected);
  EXPECT_FALSE(Evaluate(a, "2.5.0", cmp).affected);
  EXPECT_EQ(Evaluate(a, "3.0.1", cmp).fixed, "3.1.0");
  EXPECT_FALSE(Evaluate(a, "3.1.0", cmp).affected);
  EXPECT_TRUE(Evaluate(a, "3.1.0-rc.1", cmp).affected);  // a pre-release sorts before its release
}

TEST(OsvEvaluate, LastAffectedAndVersionsLists) {
  auto cmp = ComparatorFor("PyPI");
  OsvAffected a = Ranges({{"1.0", "", ""}, {"", "", "1.4"}});
  EXPECT_TRUE(Evaluate(a, "1.4", cmp).affected);
  EXPECT_EQ(Evaluate(a, "1.4", cmp).fixed, "");
  EXPECT_FALSE(Evaluate(a, "1.4.post1", cmp).affected);
  EXPECT_FALSE(Evaluate(a, "0.9", cmp).affected);
  OsvAffected listed;
  listed.versions = {"2.0", "2.1"};
  EXPECT_TRUE(Evaluate(listed, "2.1.0", cmp).affected);  // PEP 440: 2.1 == 2.1.0
  EXPECT_FALSE(Evaluate(listed, "2.2", cmp).affected);
}

TEST(OsvEvaluate, DpkgOrderWithEpochsAndTildes) {
  auto cmp = ComparatorFor("Debian:12");
  OsvAffected a = Ranges({{"0", "", ""}, {"", "1:2.38.1-5+deb12u1", ""}});
  EXPECT_TRUE(Evaluate(a, "1:2.38.1-5", cmp).affected);
  EXPECT_TRUE(Evaluate(a, "2.39", cmp).affected);  // no epoch sorts below epoch 1
  EXPECT_FALSE(Evaluate(a, "1:2.38.1-5+deb12u3", cmp).affected);
  OsvAffected b = Ranges({{"0", "", ""}, {"", "3.0.11-1~deb12u1", ""}});
  EXPECT_TRUE(Evaluate(b, "3.0.11-1~deb11u1", cmp).affected);
  EXPECT_FALSE(Evaluate(b, "3.0.11-1", cmp).affected);
}

constexpr char kAdvisories[] = R"([
  {"id": "DSA-TEST-1", "summary": "glibc",
   "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"}],
   "affected": [
     {"package": {"ecosystem": "Debian:11", "name": "glibc"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.31-13+deb11u7"}]}]},
     {"package": {"ecosystem": "Debian:12", "name": "glibc"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.36-9+deb12u3"}]}]}]},
  {"id": "PYSEC-TEST-2", "affected": [{"package": {"ecosystem": "PyPI", "name": "Jinja2"},
   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.1.3"}]}]}],
   "database_specific": {"severity": "MODERATE"}}
])";

TEST(OsvMatch, DebianBySourcePackageAndReleasePyPIByNormalisedName) {
  OsvDatabase db;
  ASSERT_TRUE(db.Add(kAdvisories, "test").ok());
  Sbom sbom;
  sbom.os = {"debian", "12", "", "bookworm"};
  Package libc;
  libc.type = kTypeDeb;
  libc.name = "libc6";
  libc.source_name = "glibc";
  libc.version = "2.36-9+deb12u2";
  Package jinja;
  jinja.type = kTypePython;
  jinja.name = "jinja2";
  jinja.version = "3.1.2";
  sbom.packages = {libc, jinja};
  auto found = db.Match(sbom);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].id, "PYSEC-TEST-2");
  EXPECT_EQ(found[0].severity, Severity::kMedium);
  EXPECT_EQ(found[1].id, "DSA-TEST-1");
  EXPECT_EQ(found[1].fixed, "2.36-9+deb12u3");  // the Debian:12 entry, not Debian:11's
  EXPECT_EQ(found[1].severity, Severity::kHigh);  // CVSS 7.8
  sbom.packages[0].version = "2.36-9+deb12u3";
  EXPECT_EQ(db.Match(sbom).size(), 1u);
  sbom.os.version_id = "11";
  sbom.packages[0].version = "2.31-13+deb11u6";
  ASSERT_EQ(db.Match(sbom).size(), 2u);
  EXPECT_EQ(db.Match(sbom)[1].fixed, "2.31-13+deb11u7");
}

TEST(OsvMatch, BinNmuVersionsCompareAsTheirSource) {
  OsvDatabase db;
  ASSERT_TRUE(db.Add(R"({"id": "X", "affected": [{"package": {"ecosystem": "Debian:12", "name": "bash"},
    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "5.2.15-2+b1"}]}]}]})", "t").ok());
  Sbom sbom;
  sbom.os = {"debian", "12", "", ""};
  Package bash;
  bash.type = kTypeDeb;
  bash.name = "bash";
  bash.source_name = "bash";
  bash.version = "5.2.15-2+b2";
  bash.source_version = "5.2.15-2";
  sbom.packages = {bash};
  EXPECT_EQ(db.Match(sbom).size(), 1u);  // source 5.2.15-2 < 5.2.15-2+b1
}

TEST(OsvSeverity, CvssV3BaseScoresOfFirstExamples) {
  EXPECT_EQ(CvssV3BaseScore("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), 9.8);
  EXPECT_EQ(CvssV3BaseScore("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"), 10.0);
  EXPECT_EQ(CvssV3BaseScore("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"), 7.8);
  EXPECT_EQ(CvssV3BaseScore("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"), 6.1);
  EXPECT_EQ(CvssV3BaseScore("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N"), 0.0);
  EXPECT_EQ(CvssV3BaseScore("CVSS:4.0/AV:N"), std::nullopt);
  EXPECT_FALSE(ParseSeverity("severe").ok());
  EXPECT_EQ(*ParseSeverity("Moderate"), Severity::kMedium);
}

TEST(OsvDatabaseAdd, BadRecordsAreErrorsNamingTheirOrigin) {
  OsvDatabase db;
  Status st = db.Add("{not json", "/db/x.json");
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("/db/x.json"), std::string::npos);
  EXPECT_FALSE(db.Add(R"({"summary": "no id"})", "y").ok());
}

}  // namespace
}  // namespace kiln::security
