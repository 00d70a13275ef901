#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "security/catalog.h"
#include "security/osv.h"

namespace kiln::security {
namespace {

std::string Le(uint64_t v, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += static_cast<char>(v >> (8 * i));
  return s;
}
std::string Var(const std::string& s) { return std::string(1, static_cast<char>(s.size())) + s; }  // < 128 bytes

// The .go.buildinfo section of Go >= 1.18: magic, pointer size, flags (2: inline strings),
// padding to 32 bytes, then the Go version and the modinfo between its 16-byte sentinels.
std::string BuildInfo() {
  std::string modinfo = std::string(16, 'S') +
                        "path\texample.com/app\nmod\texample.com/app\t(devel)\t\n"
                        "dep\tgolang.org/x/net\tv0.7.0\th1:x=\n"
                        "dep\tgithub.com/old/dep\tv1.0.0\th1:y=\n=>\tgithub.com/new/dep\tv1.2.0\th1:z=\n" +
                        std::string(16, 'E');
  modinfo[modinfo.size() - 17] = '\n';
  std::string s = std::string("\xff Go buildinf:", 14) + '\x08' + '\x02';
  s.resize(32, '\0');
  return s + Var("go1.21.0") + std::string(1, static_cast<char>(modinfo.size() & 0x7f | 0x80)) +
         std::string(1, static_cast<char>(modinfo.size() >> 7)) + modinfo;
}

// A 64-bit little-endian ELF file with no program, only a .go.buildinfo and .shstrtab.
std::string Elf() {
  const std::string info = BuildInfo(), names = std::string("\0.go.buildinfo\0.shstrtab\0", 25);
  const uint64_t info_off = 64, names_off = info_off + info.size(), sh_off = names_off + names.size();
  std::string eh = std::string("\x7f" "ELF", 4) + '\x02' + '\x01' + '\x01';
  eh.resize(16, '\0');
  eh += Le(2, 2) + Le(62, 2) + Le(1, 4) + Le(0, 8) + Le(0, 8) + Le(sh_off, 8) + Le(0, 4) + Le(64, 2) + Le(0, 2) +
        Le(0, 2) + Le(64, 2) + Le(3, 2) + Le(2, 2);
  auto section = [](uint32_t name, uint32_t type, uint64_t off, uint64_t size) {
    return Le(name, 4) + Le(type, 4) + Le(0, 8) + Le(0, 8) + Le(off, 8) + Le(size, 8) + Le(0, 4) + Le(0, 4) + Le(1, 8) + Le(0, 8);
  };
  return eh + info + names + section(0, 0, 0, 0) + section(1, 1, info_off, info.size()) + section(15, 3, names_off, names.size());
}

TEST(GoBuildInfo, ModulesReplacementsAndStdlib) {
  auto pkgs = ParseGoBuildInfo(BuildInfo(), "/app");
  std::vector<std::string> got;
  for (const auto& p : pkgs) got.push_back(p.name + "@" + p.version);
  EXPECT_EQ(got, (std::vector<std::string>{"stdlib@1.21.0", "golang.org/x/net@v0.7.0", "github.com/new/dep@v1.2.0"}));
  EXPECT_TRUE(ParseGoBuildInfo("not build info", "/x").empty());
}

TEST(GoBuildInfo, FoundInAnExecutableOfTheImageAndMatched) {
  auto root = std::filesystem::temp_directory_path() / ("kiln-go-" + std::to_string(::getpid()));
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root / "usr/local/bin");
  std::ofstream(root / "usr/local/bin/app", std::ios::binary) << Elf();
  std::filesystem::permissions(root / "usr/local/bin/app", std::filesystem::perms::owner_all);
  std::ofstream(root / "usr/local/bin/script") << "#!/bin/sh\necho not elf, long enough to be read as a binary........\n";
  std::filesystem::permissions(root / "usr/local/bin/script", std::filesystem::perms::owner_all);
  auto sbom = CatalogImage(LayeredFs({{root.string(), "sha256:" + std::string(64, 'a'), ""}}));
  std::filesystem::remove_all(root);
  ASSERT_TRUE(sbom.ok());
  ASSERT_EQ(sbom->packages.size(), 3u);
  EXPECT_EQ(sbom->packages[1].purl, "pkg:golang/golang.org/x/net@v0.7.0");
  EXPECT_EQ(sbom->packages[1].location, "/usr/local/bin/app");
  OsvDatabase db;  // synthetic, as the Go vulnerability database files them (versions without "v")
  ASSERT_TRUE(db.Add(R"({"id": "SYN-GO-1", "affected": [{"package": {"ecosystem": "Go", "name": "golang.org/x/net"},
    "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "0.17.0"}]}]}]})", "t").ok());
  auto found = db.Match(*sbom);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].fixed, "0.17.0");
}

}  // namespace
}  // namespace kiln::security
