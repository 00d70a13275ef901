#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "security/catalog.h"
#include "security/osv.h"

namespace kiln::security {
namespace {

// As apk writes it (Alpine 3.19's busybox and ssl_client entries, abridged).
constexpr char kInstalled[] =
    "C:Q1abc=\nP:busybox\nV:1.36.1-r15\nA:x86_64\nS:512345\nI:924672\nT:Size optimized toolbox\n"
    "U:https://busybox.net/\nL:GPL-2.0-only\no:busybox\nm:Sören Tempel <soeren+alpine@soeren-tempel.net>\n"
    "F:bin\nR:busybox\nZ:Q1xyz=\nF:etc\nR:securetty\n\n"
    "P:ssl_client\nV:1.36.1-r15\nA:x86_64\nL:GPL-2.0-only\no:busybox\nF:usr/bin\nR:ssl_client\n\n";

TEST(Apk, InstalledDatabaseFields) {
  auto pkgs = ParseApkInstalled(kInstalled);
  ASSERT_EQ(pkgs.size(), 2u);
  EXPECT_EQ(pkgs[0].name, "busybox");
  EXPECT_EQ(pkgs[0].version, "1.36.1-r15");
  EXPECT_EQ(pkgs[0].arch, "x86_64");
  EXPECT_EQ(pkgs[0].source_name, "");  // its own origin
  EXPECT_EQ(pkgs[0].licenses, std::vector<std::string>{"GPL-2.0-only"});
  EXPECT_EQ(pkgs[0].files, (std::vector<std::string>{"/bin/busybox", "/etc/securetty"}));
  EXPECT_EQ(pkgs[1].source_name, "busybox");
  EXPECT_EQ(pkgs[1].files, std::vector<std::string>{"/usr/bin/ssl_client"});
}

TEST(Apk, CatalogedFromAnImageAndMatchedByOrigin) {
  auto root = std::filesystem::temp_directory_path() / ("kiln-apk-" + std::to_string(::getpid()));
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root / "lib/apk/db");
  std::filesystem::create_directories(root / "etc");
  std::ofstream(root / "lib/apk/db/installed") << kInstalled;
  std::ofstream(root / "etc/os-release") << "ID=alpine\nVERSION_ID=3.19.1\n";
  std::filesystem::create_directories(root / "bin");
  std::ofstream(root / "bin/busybox") << "elf";
  auto sbom = CatalogImage(LayeredFs({{root.string(), "sha256:" + std::string(64, 'a'), ""}}));
  std::filesystem::remove_all(root);
  ASSERT_TRUE(sbom.ok());
  ASSERT_EQ(sbom->packages.size(), 2u);
  EXPECT_EQ(sbom->packages[0].purl, "pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64&distro=alpine-3.19.1");
  OsvDatabase db;  // a synthetic advisory on the origin, as Alpine files them
  ASSERT_TRUE(db.Add(R"({"id": "ALPINE-TEST-1", "affected": [{"package": {"ecosystem": "Alpine:v3.19", "name": "busybox"},
    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.36.1-r16"}]}]}]})", "t").ok());
  auto found = db.Match(*sbom);
  ASSERT_EQ(found.size(), 2u);  // busybox and ssl_client (origin busybox)
  EXPECT_EQ(found[0].fixed, "1.36.1-r16");
  EXPECT_EQ(found[1].package->name, "ssl_client");
}

}  // namespace
}  // namespace kiln::security
