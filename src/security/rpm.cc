// rpm: the sqlite database of current Fedora, RHEL 9, Rocky, Alma (rpmdb.sqlite), whose
// Packages table holds each package's header blob: int32 index count, int32 data length
// (big-endian), index entries (tag, type, offset, count), then the data.
#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>

#include "security/catalog.h"

namespace kiln::security {
namespace {

constexpr const char* kDatabases[] = {"/usr/lib/sysimage/rpm/rpmdb.sqlite", "/var/lib/rpm/rpmdb.sqlite"};

enum Tag : uint32_t {
  kName = 1000, kVersion = 1001, kRelease = 1002, kEpoch = 1003, kLicense = 1014, kArch = 1022,
  kSourceRpm = 1044, kDirIndexes = 1116, kBaseNames = 1117, kDirNames = 1118,
};
enum Type : uint32_t { kInt32 = 4, kString = 6, kStringArray = 8, kI18nString = 9 };

uint32_t Be32(const unsigned char* p) { return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3]; }

struct Field {
  std::vector<std::string> strings;
  std::vector<uint32_t> ints;
};

// The fields of a header blob that kiln reads; nullopt when the blob is malformed.
std::optional<std::map<uint32_t, Field>> ParseHeader(std::string_view blob) {
  auto* b = reinterpret_cast<const unsigned char*>(blob.data());
  if (blob.size() < 8) return std::nullopt;
  const uint64_t il = Be32(b), dl = Be32(b + 4);
  if (il > 100000 || 8 + il * 16 + dl > blob.size()) return std::nullopt;
  const unsigned char* data = b + 8 + il * 16;
  std::map<uint32_t, Field> out;
  for (uint64_t i = 0; i < il; ++i) {
    const unsigned char* e = b + 8 + i * 16;
    uint32_t tag = Be32(e), type = Be32(e + 4), off = Be32(e + 8), count = Be32(e + 12);
    if (tag < kName || tag > kDirNames || off >= dl) continue;
    Field& f = out[tag];
    if (type == kInt32) {
      for (uint64_t k = 0; k < count && off + 4 * k + 4 <= dl; ++k) f.ints.push_back(Be32(data + off + 4 * k));
    } else if (type == kString || type == kStringArray || type == kI18nString) {
      uint64_t pos = off;
      for (uint64_t k = 0; k < (type == kString ? 1 : count) && pos < dl; ++k) {
        std::string_view rest(reinterpret_cast<const char*>(data + pos), dl - pos);
        size_t nul = rest.find('\0');
        if (nul == std::string_view::npos) return std::nullopt;
        f.strings.emplace_back(rest.substr(0, nul));
        pos += nul + 1;
      }
    }
  }
  return out;
}

std::string First(const std::map<uint32_t, Field>& h, uint32_t tag) {
  auto it = h.find(tag);
  return it == h.end() || it->second.strings.empty() ? "" : it->second.strings[0];
}

// "openssl-3.0.7-25.el9.src.rpm" -> "openssl".
std::string SourceName(std::string srpm) {
  if (srpm.size() > 8 && srpm.ends_with(".src.rpm")) srpm.resize(srpm.size() - 8);
  for (int dashes = 0; dashes < 2; ++dashes) {
    size_t d = srpm.rfind('-');
    if (d == std::string::npos) return "";
    srpm.resize(d);
  }
  return srpm;
}

std::vector<std::string> Files(const std::map<uint32_t, Field>& h) {
  std::vector<std::string> files;
  auto base = h.find(kBaseNames), dirs = h.find(kDirNames), idx = h.find(kDirIndexes);
  if (base == h.end() || dirs == h.end() || idx == h.end()) return files;
  for (size_t i = 0; i < base->second.strings.size() && i < idx->second.ints.size(); ++i)
    if (idx->second.ints[i] < dirs->second.strings.size())
      files.push_back(dirs->second.strings[idx->second.ints[i]] + base->second.strings[i]);
  return files;
}

}  // namespace

std::optional<Package> RpmPackageFromHeader(std::string_view blob) {
  auto h = ParseHeader(blob);
  if (!h || First(*h, kName).empty() || First(*h, kName) == "gpg-pubkey") return std::nullopt;
  Package p;
  p.type = kTypeRpm;
  p.name = First(*h, kName);
  auto epoch = h->find(kEpoch);
  const std::string e = epoch != h->end() && !epoch->second.ints.empty() ? std::to_string(epoch->second.ints[0]) + ":" : "";
  p.version = e + First(*h, kVersion) + "-" + First(*h, kRelease);
  p.arch = First(*h, kArch);
  p.source_name = SourceName(First(*h, kSourceRpm));
  if (p.source_name == p.name) p.source_name.clear();
  if (!First(*h, kLicense).empty()) p.licenses = {First(*h, kLicense)};
  p.files = Files(*h);
  return p;
}

Expected<std::vector<Package>> ReadRpmSqlite(const std::string& host_path, const std::string& location) {
  // Read-only and immutable: nothing (no -wal, no -shm) is written into the snapshot.
  std::string uri = "file:";
  for (char c : host_path) uri += c == '%' ? "%25" : c == '?' ? "%3f" : c == '#' ? "%23" : std::string(1, c);
  uri += "?immutable=1";
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(uri.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr);
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> db(raw, sqlite3_close);
  sqlite3_stmt* raw_stmt = nullptr;
  if (rc != SQLITE_OK || sqlite3_prepare_v2(db.get(), "SELECT blob FROM Packages", -1, &raw_stmt, nullptr) != SQLITE_OK)
    return InvalidArgument("reading rpm database " + location + ": " + sqlite3_errmsg(db.get()));
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw_stmt, sqlite3_finalize);
  std::vector<Package> out;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    std::string_view blob(static_cast<const char*>(sqlite3_column_blob(stmt.get(), 0)),
                          static_cast<size_t>(sqlite3_column_bytes(stmt.get(), 0)));
    if (auto p = RpmPackageFromHeader(blob)) {
      p->location = location;
      out.push_back(std::move(*p));
    }
  }
  if (rc != SQLITE_DONE) return InvalidArgument("reading rpm database " + location + ": " + sqlite3_errmsg(db.get()));
  return out;
}

Status CatalogRpm(const LayeredFs& fs, std::vector<Package>& out) {
  for (const char* path : kDatabases) {
    auto entry = fs.Lookup(path);
    if (!entry || !S_ISREG(entry->st.st_mode)) continue;
    ASSIGN_OR_RETURN(std::vector<Package> found, ReadDatabaseWithOrigins(fs, path, [path](const std::string& host) {
                       return ReadRpmSqlite(host, path);
                     }));
    out.insert(out.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
    return Status::Ok();
  }
  return Status::Ok();
}

}  // namespace kiln::security
