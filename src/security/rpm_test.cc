#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "security/catalog.h"
#include "security/osv.h"

namespace kiln::security {
namespace {

// A header blob as rpm writes one: index entries then the data store, big-endian.
class HeaderBuilder {
 public:
  HeaderBuilder& String(uint32_t tag, const std::string& s) { return Add(tag, 6, 1, s + '\0'); }
  HeaderBuilder& Strings(uint32_t tag, const std::vector<std::string>& v) {
    std::string d;
    for (const auto& s : v) d += s + '\0';
    return Add(tag, 8, static_cast<uint32_t>(v.size()), d);
  }
  HeaderBuilder& Ints(uint32_t tag, const std::vector<uint32_t>& v) {
    while (data_.size() % 4) data_ += '\0';
    std::string d;
    for (uint32_t x : v) d += Be(x);
    return Add(tag, 4, static_cast<uint32_t>(v.size()), d);
  }
  std::string Blob() const { return Be(count_) + Be(static_cast<uint32_t>(data_.size())) + index_ + data_; }

 private:
  static std::string Be(uint32_t x) { return {char(x >> 24), char(x >> 16), char(x >> 8), char(x)}; }
  HeaderBuilder& Add(uint32_t tag, uint32_t type, uint32_t count, const std::string& d) {
    index_ += Be(tag) + Be(type) + Be(static_cast<uint32_t>(data_.size())) + Be(count);
    data_ += d;
    ++count_;
    return *this;
  }
  std::string index_, data_;
  uint32_t count_ = 0;
};

std::string OpensslLibs() {
  return HeaderBuilder()
      .String(1000, "openssl-libs")
      .String(1001, "3.0.7")
      .String(1002, "25.el9_3")
      .Ints(1003, {1})
      .String(1014, "ASL 2.0")
      .String(1022, "x86_64")
      .String(1044, "openssl-3.0.7-25.el9_3.src.rpm")
      .Ints(1116, {0, 0, 1})
      .Strings(1117, {"libcrypto.so.3", "libssl.so.3", "openssl.cnf"})
      .Strings(1118, {"/usr/lib64/", "/etc/pki/tls/"})
      .Blob();
}

TEST(Rpm, HeaderBlobFields) {
  auto p = RpmPackageFromHeader(OpensslLibs());
  ASSERT_TRUE(p);
  EXPECT_EQ(p->name, "openssl-libs");
  EXPECT_EQ(p->version, "1:3.0.7-25.el9_3");
  EXPECT_EQ(p->arch, "x86_64");
  EXPECT_EQ(p->source_name, "openssl");
  EXPECT_EQ(p->licenses, std::vector<std::string>{"ASL 2.0"});
  EXPECT_EQ(p->files, (std::vector<std::string>{"/usr/lib64/libcrypto.so.3", "/usr/lib64/libssl.so.3", "/etc/pki/tls/openssl.cnf"}));
  EXPECT_FALSE(RpmPackageFromHeader(HeaderBuilder().String(1000, "gpg-pubkey").Blob()));
  std::string truncated = OpensslLibs();
  truncated.resize(truncated.size() - 10);
  EXPECT_FALSE(RpmPackageFromHeader(truncated));
}

TEST(Rpm, SqliteDatabaseInAnImageIsReadAndMatched) {
  auto root = std::filesystem::temp_directory_path() / ("kiln-rpm-" + std::to_string(::getpid()));
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root / "var/lib/rpm");
  std::filesystem::create_directories(root / "etc");
  std::ofstream(root / "etc/os-release") << "ID=\"rocky\"\nVERSION_ID=\"9.3\"\n";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((root / "var/lib/rpm/rpmdb.sqlite").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "INSERT INTO Packages (blob) VALUES (?)", -1, &st, nullptr), SQLITE_OK);
  const std::string blob = OpensslLibs();
  sqlite3_bind_blob(st, 1, blob.data(), static_cast<int>(blob.size()), SQLITE_STATIC);
  ASSERT_EQ(sqlite3_step(st), SQLITE_DONE);
  sqlite3_finalize(st);
  sqlite3_close(db);
  auto sbom = CatalogImage(LayeredFs({{root.string(), "sha256:" + std::string(64, 'a'), ""}}));
  ASSERT_TRUE(sbom.ok());
  ASSERT_EQ(sbom->packages.size(), 1u);
  EXPECT_EQ(sbom->packages[0].purl, "pkg:rpm/rocky/openssl-libs@3.0.7-25.el9_3?arch=x86_64&distro=rocky-9.3&epoch=1");
  EXPECT_FALSE(std::filesystem::exists(root / "var/lib/rpm/rpmdb.sqlite-wal"));
  OsvDatabase osv;  // synthetic, in the form Rocky's advisories take
  ASSERT_TRUE(osv.Add(R"({"id": "SYN-RLSA-1", "affected": [{"package": {"ecosystem": "Rocky Linux:9", "name": "openssl-libs"},
    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1:3.0.7-27.el9"}]}]}]})", "t").ok());
  auto found = osv.Match(*sbom);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].fixed, "1:3.0.7-27.el9");
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace kiln::security
