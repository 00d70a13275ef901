#include "security/purl.h"

#include <gtest/gtest.h>

namespace kiln::security {
namespace {

TEST(Purl, DebianPackageAsTheIssueSpellsIt) {
  Package p;
  p.type = kTypeDeb;
  p.name = "bash";
  p.version = "5.2.15-2+b2";
  p.arch = "amd64";
  OsRelease os{"debian", "12", "", "bookworm"};
  EXPECT_EQ(PackagePurl(p, os), "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12");
}

TEST(Purl, EncodingNamespacesAndSortedQualifiers) {
  EXPECT_EQ(MakePurl("npm", "@angular", "core", "16.0.0", {}), "pkg:npm/%40angular/core@16.0.0");
  EXPECT_EQ(MakePurl("maven", "org.apache/commons", "io", "1:2", {{"z", "1"}, {"a", "x y"}, {"empty", ""}}),
            "pkg:maven/org.apache/commons/io@1%3A2?a=x%20y&z=1");
  EXPECT_EQ(PurlEncode("a~b_c.d-e"), "a~b_c.d-e");
}

TEST(Purl, RpmEpochBecomesAQualifier) {
  Package p;
  p.type = kTypeRpm;
  p.name = "openssl-libs";
  p.version = "1:3.0.7-25.el9";
  p.arch = "x86_64";
  EXPECT_EQ(PackagePurl(p, OsRelease{"rhel", "9.3", "", ""}),
            "pkg:rpm/rhel/openssl-libs@3.0.7-25.el9?arch=x86_64&distro=rhel-9.3&epoch=1");
}

}  // namespace
}  // namespace kiln::security
