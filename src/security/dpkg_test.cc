// The dpkg cataloger on hand-made layers: which packages, from which layer, with what.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "security/catalog.h"

namespace kiln::security {
namespace {

namespace fs = std::filesystem;

constexpr char kBash[] =
    "Package: bash\nStatus: install ok installed\nArchitecture: amd64\nSource: bash (5.2.15-2)\nVersion: 5.2.15-2+b2\n\n";
constexpr char kZlib[] =
    "Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nSource: zlib\nVersion: 1:1.2.13.dfsg-1\n\n";
constexpr char kGone[] = "Package: old\nStatus: deinstall ok config-files\nArchitecture: all\nVersion: 1\n\n";
constexpr char kJq[] = "Package: jq\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.6-2.1\n\n";

class DpkgCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("kiln-dpkg-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  void Write(int layer, const std::string& path, const std::string& text) {
    fs::path p = root_ / std::to_string(layer) / path;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  Sbom Catalog(int layers) {
    std::vector<LayerRef> refs;
    for (int i = 0; i < layers; ++i) {
      fs::create_directories(root_ / std::to_string(i));
      refs.push_back({(root_ / std::to_string(i)).string(), "sha256:" + std::string(64, char('a' + i)), "step " + std::to_string(i)});
    }
    auto sbom = CatalogImage(LayeredFs(refs));
    EXPECT_TRUE(sbom.ok()) << sbom.status().message();
    return sbom.ok() ? *sbom : Sbom{};
  }
  static std::vector<std::string> Names(const Sbom& s) {
    std::vector<std::string> out;
    for (const auto& p : s.packages) out.push_back(p.name + "@" + std::to_string(p.layer));
    return out;
  }
  void Base() {
    Write(0, "etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n");
    Write(0, "var/lib/dpkg/status", std::string(kBash) + kGone + kZlib);
    Write(0, "var/lib/dpkg/info/bash.list", "/.\n/bin\n/bin/bash\n");
    Write(0, "bin/bash", "elf");
    Write(0, "var/lib/dpkg/info/zlib1g:amd64.list", "/.\n/usr/lib/libz.so.1\n");
    Write(0, "usr/lib/libz.so.1", "elf");
    Write(0, "usr/share/doc/zlib1g/copyright",
          "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nLicense: Zlib\n");
  }
  fs::path root_;
};

TEST_F(DpkgCatalogTest, StatusFieldsSourceLicensesFilesAndPurl) {
  Base();
  Sbom s = Catalog(1);
  ASSERT_EQ(Names(s), (std::vector<std::string>{"bash@0", "zlib1g@0"}));  // config-files only: not installed
  const Package& bash = s.packages[0];
  EXPECT_EQ(bash.version, "5.2.15-2+b2");
  EXPECT_EQ(bash.source_name, "bash");
  EXPECT_EQ(bash.source_version, "5.2.15-2");
  EXPECT_EQ(bash.files, (std::vector<std::string>{"/bin", "/bin/bash"}));
  EXPECT_EQ(bash.purl, "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12");
  const Package& zlib = s.packages[1];
  EXPECT_EQ(zlib.source_name, "zlib");
  EXPECT_EQ(zlib.licenses, std::vector<std::string>{"Zlib"});
  EXPECT_EQ(zlib.files, std::vector<std::string>{"/usr/lib/libz.so.1"});
  EXPECT_EQ(s.os.id, "debian");
  EXPECT_EQ(s.os.version_id, "12");
}

TEST_F(DpkgCatalogTest, ALaterLayerNamesWhatItAddedAndHidesWhatItRemoved) {
  Base();
  Write(1, "var/lib/dpkg/status", std::string(kBash) + kZlib + kJq);  // apt-get install jq
  Write(2, "var/lib/dpkg/status", std::string(kBash) + kJq);          // dpkg -r zlib1g
  Write(3, "var/lib/dpkg/status.d/extra", "Package: tzdata\nArchitecture: all\nVersion: 2024a-0+deb12u1\n");
  Sbom s = Catalog(4);
  EXPECT_EQ(Names(s), (std::vector<std::string>{"bash@0", "jq@1", "tzdata@3"}));
  EXPECT_EQ(s.packages[2].location, "/var/lib/dpkg/status.d/extra");
}

TEST_F(DpkgCatalogTest, PackagesWhoseFilesALaterLayerDeletedAreGone) {
  Base();
  Write(1, "usr/lib/.wh.libz.so.1", "");  // rm /usr/lib/libz.so.1, database untouched
  EXPECT_EQ(Names(Catalog(2)), std::vector<std::string>{"bash@0"});
}

TEST_F(DpkgCatalogTest, AWhiteoutOfTheDatabaseHidesEveryPackage) {
  Base();
  Write(1, "var/lib/.wh.dpkg", "");
  EXPECT_TRUE(Catalog(2).packages.empty());
  Write(2, "var/lib/dpkg/status", kJq);  // and a fresh database after it counts again
  EXPECT_EQ(Names(Catalog(3)), std::vector<std::string>{"jq@2"});
}

}  // namespace
}  // namespace kiln::security
