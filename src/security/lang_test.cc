#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "security/catalog.h"
#include "security/osv.h"

namespace kiln::security {
namespace {

namespace fs = std::filesystem;

class LangCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("kiln-lang-" + std::to_string(::getpid()) + "-" +
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
      refs.push_back({(root_ / std::to_string(i)).string(), "sha256:" + std::string(64, char('a' + i)), ""});
    }
    auto s = CatalogImage(LayeredFs(refs));
    EXPECT_TRUE(s.ok());
    return s.ok() ? *s : Sbom{};
  }
  fs::path root_;
};

TEST_F(LangCatalogTest, PythonDistInfoEggInfoAndNpmPackages) {
  Write(0, "usr/lib/python3/dist-packages/Jinja2-3.1.2.dist-info/METADATA",
        "Metadata-Version: 2.1\nName: Jinja2\nVersion: 3.1.2\nLicense: BSD-3-Clause\n\nName: not-a-header\n");
  Write(0, "usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO", "Metadata-Version: 1.2\nName: six\nVersion: 1.16.0\n");
  Write(1, "app/node_modules/lodash/package.json", R"({"name": "lodash", "version": "4.17.20", "license": "MIT"})");
  Write(1, "app/node_modules/@babel/core/package.json", R"({"name": "@babel/core", "version": "7.22.0"})");
  Write(1, "app/node_modules/lodash/fp/package.json", R"({"name": "not-a-package", "version": "1"})");
  Write(1, "app/package.json", R"({"name": "app", "version": "1.0.0"})");  // the project, not a dependency
  Sbom s = Catalog(2);
  std::vector<std::string> got;
  for (const auto& p : s.packages) got.push_back(p.purl + " @" + std::to_string(p.layer));
  EXPECT_EQ(got, (std::vector<std::string>{"pkg:npm/%40babel/core@7.22.0 @1", "pkg:npm/lodash@4.17.20 @1",
                                           "pkg:pypi/jinja2@3.1.2 @0", "pkg:pypi/six@1.16.0 @0"}));
  EXPECT_EQ(s.packages[1].licenses, std::vector<std::string>{"MIT"});
  EXPECT_EQ(s.packages[2].licenses, std::vector<std::string>{"BSD-3-Clause"});
}

TEST_F(LangCatalogTest, SyntheticAdvisoriesMatchPyPIAndNpm) {
  Write(0, "usr/local/lib/python3.11/site-packages/jinja2-3.1.2.dist-info/METADATA", "Name: jinja2\nVersion: 3.1.2\n");
  Write(0, "srv/node_modules/lodash/package.json", R"({"name": "lodash", "version": "4.17.20"})");
  Write(1, "srv/node_modules/.wh.lodash", "");  // npm uninstall in a later layer
  OsvDatabase db;
  ASSERT_TRUE(db.Add(R"([
    {"id": "SYN-PYPI-1", "affected": [{"package": {"ecosystem": "PyPI", "name": "Jinja2"},
      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.1.3"}]}]}]},
    {"id": "SYN-NPM-1", "affected": [{"package": {"ecosystem": "npm", "name": "lodash"},
      "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "4.17.21"}]}]}]}])", "t").ok());
  auto found = db.Match(Catalog(1));
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].id, "SYN-PYPI-1");
  EXPECT_EQ(found[1].id, "SYN-NPM-1");
  EXPECT_EQ(found[1].fixed, "4.17.21");
  auto after = db.Match(Catalog(2));
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].id, "SYN-PYPI-1");
}

}  // namespace
}  // namespace kiln::security
