#include "security/osv.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <tuple>
#include <nlohmann/json.hpp>

#include "security/version.h"
#include "util/fs.h"

namespace kiln::security {
namespace {

using Json = nlohmann::json;

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// "Debian:12" -> "Debian"; "Alpine:v3.18" -> "Alpine".
std::string EcosystemBase(std::string_view ecosystem) { return std::string(ecosystem.substr(0, ecosystem.find(':'))); }

// PEP 503: names compare lower-cased with runs of "-", "_", "." as one "-".
std::string NormalizeName(const std::string& ecosystem, const std::string& name) {
  if (ecosystem != "PyPI") return name;
  std::string out;
  for (char c : Lower(name)) {
    if (c == '-' || c == '_' || c == '.') {
      if (out.empty() || out.back() != '-') out += '-';
    } else {
      out += c;
    }
  }
  return out;
}

Severity RatingOfScore(double score) {
  if (score >= 9.0) return Severity::kCritical;
  if (score >= 7.0) return Severity::kHigh;
  if (score >= 4.0) return Severity::kMedium;
  if (score > 0.0) return Severity::kLow;
  return Severity::kUnknown;
}

// database_specific.severity (GitHub: LOW/MODERATE/HIGH/CRITICAL), ecosystem_specific
// severity or urgency (Debian's tracker words), in that order.
Severity SeverityOfObject(const Json& j) {
  for (const char* holder : {"database_specific", "ecosystem_specific"}) {
    auto it = j.find(holder);
    if (it == j.end() || !it->is_object()) continue;
    for (const char* key : {"severity", "urgency"}) {
      auto s = it->find(key);
      if (s == it->end() || !s->is_string()) continue;
      auto parsed = ParseSeverity(s->get<std::string>());
      if (parsed.ok()) return *parsed;
      if (Lower(s->get<std::string>()) == "unimportant") return Severity::kLow;
    }
  }
  return Severity::kUnknown;
}

Severity SeverityOfAdvisory(const Json& j) {
  auto sev = j.find("severity");
  if (sev != j.end() && sev->is_array()) {
    for (const auto& s : *sev) {
      if (!s.is_object() || !s.contains("score") || !s["score"].is_string()) continue;
      auto score = CvssV3BaseScore(s["score"].get<std::string>());
      if (score) return RatingOfScore(*score);
    }
  }
  return SeverityOfObject(j);
}

std::string StringField(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

Expected<OsvAdvisory> ParseAdvisory(const Json& j) {
  if (!j.is_object() || !j.contains("id") || !j["id"].is_string()) return InvalidArgument("not an OSV record (no \"id\")");
  OsvAdvisory a;
  a.id = j["id"].get<std::string>();
  a.summary = StringField(j, "summary");
  if (j.contains("aliases") && j["aliases"].is_array())
    for (const auto& alias : j["aliases"])
      if (alias.is_string()) a.aliases.push_back(alias.get<std::string>());
  a.severity = SeverityOfAdvisory(j);
  if (j.contains("affected") && j["affected"].is_array()) {
    for (const auto& aj : j["affected"]) {
      if (!aj.is_object() || !aj.contains("package") || !aj["package"].is_object()) continue;
      OsvAffected af;
      af.ecosystem = StringField(aj["package"], "ecosystem");
      af.name = StringField(aj["package"], "name");
      af.severity = SeverityOfObject(aj);
      if (aj.contains("versions") && aj["versions"].is_array())
        for (const auto& v : aj["versions"])
          if (v.is_string()) af.versions.push_back(v.get<std::string>());
      if (aj.contains("ranges") && aj["ranges"].is_array()) {
        for (const auto& rj : aj["ranges"]) {
          if (!rj.is_object()) continue;
          OsvRange r;
          r.type = StringField(rj, "type");
          if (rj.contains("events") && rj["events"].is_array())
            for (const auto& ej : rj["events"])
              if (ej.is_object())
                r.events.push_back({StringField(ej, "introduced"), StringField(ej, "fixed"), StringField(ej, "last_affected")});
          af.ranges.push_back(std::move(r));
        }
      }
      a.affected.push_back(std::move(af));
    }
  }
  return a;
}

// Debian's release numbers ("12", "12.4") and Alpine's ("v3.18", from "3.18.4") as OSV
// writes them after the colon.
std::string MajorMinor(const std::string& v) {
  size_t dot = v.find('.');
  if (dot == std::string::npos) return v;
  size_t dot2 = v.find('.', dot + 1);
  return v.substr(0, dot2);
}

bool ReleaseMatches(std::string_view advisory_ecosystem, const std::string& package_ecosystem) {
  if (advisory_ecosystem == package_ecosystem) return true;
  // No release in the advisory: it is about every release.
  return advisory_ecosystem.find(':') == std::string_view::npos && advisory_ecosystem == EcosystemBase(package_ecosystem);
}

Status AddFromArchive(OsvDatabase& db, const std::string& path) {
  std::unique_ptr<archive, int (*)(archive*)> ar(archive_read_new(), archive_read_free);
  archive_read_support_format_zip(ar.get());
  archive_read_support_format_tar(ar.get());
  archive_read_support_filter_all(ar.get());
  if (archive_read_open_filename(ar.get(), path.c_str(), 1 << 16) != ARCHIVE_OK)
    return InvalidArgument("reading advisory database " + path + ": " + archive_error_string(ar.get()));
  archive_entry* entry = nullptr;
  int rc;
  while ((rc = archive_read_next_header(ar.get(), &entry)) == ARCHIVE_OK) {
    std::string name = archive_entry_pathname(entry);
    if (archive_entry_filetype(entry) != AE_IFREG || name.size() < 5 || name.substr(name.size() - 5) != ".json") continue;
    std::string bytes;
    char buf[1 << 16];
    la_ssize_t n;
    while ((n = archive_read_data(ar.get(), buf, sizeof buf)) > 0) bytes.append(buf, static_cast<size_t>(n));
    if (n < 0) return InvalidArgument("reading advisory database " + path + ": " + archive_error_string(ar.get()));
    RETURN_IF_ERROR(db.Add(bytes, path + ":" + name));
  }
  if (rc != ARCHIVE_EOF) return InvalidArgument("reading advisory database " + path + ": " + archive_error_string(ar.get()));
  return Status::Ok();
}

Status AddFromDirectory(OsvDatabase& db, const std::string& path) {
  std::error_code ec;
  std::vector<std::string> files;
  for (auto it = std::filesystem::recursive_directory_iterator(path, ec); !ec && it != std::filesystem::end(it); it.increment(ec))
    if (it->is_regular_file() && it->path().extension() == ".json") files.push_back(it->path().string());
  if (ec) return IoError("reading advisory database " + path + ": " + ec.message());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    ASSIGN_OR_RETURN(std::string bytes, ReadFile(f));
    RETURN_IF_ERROR(db.Add(bytes, f));
  }
  return Status::Ok();
}

}  // namespace

std::string SeverityName(Severity s) {
  switch (s) {
    case Severity::kLow: return "LOW";
    case Severity::kMedium: return "MEDIUM";
    case Severity::kHigh: return "HIGH";
    case Severity::kCritical: return "CRITICAL";
    default: return "UNKNOWN";
  }
}

Expected<Severity> ParseSeverity(std::string_view name) {
  std::string n = Lower(std::string(name));
  if (n == "unknown" || n == "negligible" || n == "none") return Severity::kUnknown;
  if (n == "low") return Severity::kLow;
  if (n == "medium" || n == "moderate") return Severity::kMedium;
  if (n == "high") return Severity::kHigh;
  if (n == "critical") return Severity::kCritical;
  return InvalidArgument("invalid severity \"" + std::string(name) + "\": must be one of unknown, low, medium, high, critical");
}

std::optional<double> CvssV3BaseScore(std::string_view vector) {
  if (!StartsWith(vector, "CVSS:3.0/") && !StartsWith(vector, "CVSS:3.1/")) return std::nullopt;
  std::map<std::string, std::string> m;
  size_t pos = 9;
  while (pos < vector.size()) {
    size_t slash = vector.find('/', pos);
    if (slash == std::string_view::npos) slash = vector.size();
    std::string_view part = vector.substr(pos, slash - pos);
    size_t colon = part.find(':');
    if (colon != std::string_view::npos) m[std::string(part.substr(0, colon))] = std::string(part.substr(colon + 1));
    pos = slash + 1;
  }
  auto pick = [&](const char* metric, std::initializer_list<std::pair<const char*, double>> values) -> std::optional<double> {
    for (const auto& [k, v] : values)
      if (m[metric] == k) return v;
    return std::nullopt;
  };
  const bool changed = m["S"] == "C";
  if (m["S"] != "C" && m["S"] != "U") return std::nullopt;
  auto av = pick("AV", {{"N", 0.85}, {"A", 0.62}, {"L", 0.55}, {"P", 0.2}});
  auto ac = pick("AC", {{"L", 0.77}, {"H", 0.44}});
  auto pr = pick("PR", {{"N", 0.85}, {"L", changed ? 0.68 : 0.62}, {"H", changed ? 0.5 : 0.27}});
  auto ui = pick("UI", {{"N", 0.85}, {"R", 0.62}});
  auto c = pick("C", {{"H", 0.56}, {"L", 0.22}, {"N", 0.0}});
  auto i = pick("I", {{"H", 0.56}, {"L", 0.22}, {"N", 0.0}});
  auto a = pick("A", {{"H", 0.56}, {"L", 0.22}, {"N", 0.0}});
  if (!av || !ac || !pr || !ui || !c || !i || !a) return std::nullopt;
  const double iss = 1 - (1 - *c) * (1 - *i) * (1 - *a);
  const double impact = changed ? 7.52 * (iss - 0.029) - 3.25 * std::pow(iss - 0.02, 15) : 6.42 * iss;
  const double exploitability = 8.22 * *av * *ac * *pr * *ui;
  if (impact <= 0) return 0.0;
  // CVSS 3.1's Roundup: the smallest one-decimal number >= x, computed in integers.
  auto roundup = [](double x) {
    long v = std::lround(x * 100000);
    return v % 10000 == 0 ? v / 100000.0 : (std::floor(v / 10000.0) + 1) / 10.0;
  };
  return roundup(std::min((changed ? 1.08 : 1.0) * (impact + exploitability), 10.0));
}

std::string EcosystemOf(const Package& p, const OsRelease& os) {
  if (p.type == kTypeDeb) {
    if (os.id == "ubuntu") return "Ubuntu:" + os.version_id;
    return "Debian" + (os.version_id.empty() ? "" : ":" + os.version_id.substr(0, os.version_id.find('.')));
  }
  if (p.type == kTypeApk) return "Alpine" + (os.version_id.empty() ? "" : ":v" + MajorMinor(os.version_id));
  if (p.type == kTypeRpm) {
    static const std::map<std::string, std::string> kNames = {
        {"rhel", "Red Hat"}, {"rocky", "Rocky Linux"}, {"almalinux", "AlmaLinux"}, {"fedora", "Fedora"},
        {"opensuse-leap", "openSUSE"}, {"sles", "SUSE"}, {"mariner", "Mariner"}};
    auto it = kNames.find(os.id);
    std::string base = it != kNames.end() ? it->second : os.id;
    return base + (os.version_id.empty() ? "" : ":" + os.version_id.substr(0, os.version_id.find('.')));
  }
  if (p.type == kTypePython) return "PyPI";
  if (p.type == kTypeNpm) return "npm";
  if (p.type == kTypeGo) return "Go";
  if (p.type == kTypeMaven) return "Maven";
  return "";
}

VersionCompare ComparatorFor(std::string_view ecosystem) {
  const std::string base = EcosystemBase(ecosystem);
  if (base == "Debian" || base == "Ubuntu") return CompareDpkg;
  if (base == "Alpine") return CompareApk;
  if (base == "Red Hat" || base == "Rocky Linux" || base == "AlmaLinux" || base == "Fedora" || base == "openSUSE" ||
      base == "SUSE" || base == "Mariner")
    return CompareRpmEvr;
  if (base == "PyPI") return [](std::string_view a, std::string_view b) { return ComparePep440(a, b); };
  if (base == "npm" || base == "Go") return [](std::string_view a, std::string_view b) { return CompareSemVer(a, b); };
  if (base == "Maven") return CompareMaven;
  return nullptr;
}

RangeVerdict Evaluate(const OsvAffected& affected, const std::string& version, VersionCompare cmp) {
  RangeVerdict verdict;
  for (const auto& v : affected.versions)
    if (v == version || cmp(v, version) == 0) verdict.affected = true;
  for (const auto& range : affected.ranges) {
    if (range.type != "ECOSYSTEM" && range.type != "SEMVER") continue;
    // OSV's evaluation: walk the events in version order ("0" first); an introduced at or
    // below the version opens a range, a fixed at or below it (or a last_affected below
    // it) closes it.
    struct Ev {
      std::string version;
      int kind;  // 0 introduced, 1 fixed, 2 last_affected
    };
    std::vector<Ev> events;
    for (const auto& e : range.events) {
      if (!e.introduced.empty()) events.push_back({e.introduced, 0});
      if (!e.fixed.empty()) events.push_back({e.fixed, 1});
      if (!e.last_affected.empty()) events.push_back({e.last_affected, 2});
    }
    auto order = [&](const Ev& a, const Ev& b) {
      bool a0 = a.kind == 0 && a.version == "0", b0 = b.kind == 0 && b.version == "0";
      if (a0 || b0) return a0 && !b0;
      return cmp(a.version, b.version) < 0;
    };
    std::stable_sort(events.begin(), events.end(), order);
    bool in_range = false;
    std::string fixed;
    for (const auto& e : events) {
      const bool zero = e.kind == 0 && e.version == "0";
      if (e.kind == 0 && (zero || cmp(version, e.version) >= 0)) {
        in_range = true;
        fixed.clear();
      } else if (e.kind == 1 && cmp(version, e.version) >= 0) {
        in_range = false;
      } else if (e.kind == 2 && cmp(version, e.version) > 0) {
        in_range = false;
      } else if (e.kind == 1 && in_range && fixed.empty()) {
        fixed = e.version;  // the first fix above the installed version
      }
    }
    if (in_range) {
      verdict.affected = true;
      if (verdict.fixed.empty()) verdict.fixed = fixed;
    }
  }
  return verdict;
}

Status OsvDatabase::Add(std::string_view json, const std::string& origin) {
  Json parsed = Json::parse(json, nullptr, false);
  if (parsed.is_discarded()) return InvalidArgument("advisory " + origin + ": invalid JSON");
  std::vector<Json> records;
  if (parsed.is_array())
    records.assign(parsed.begin(), parsed.end());
  else
    records.push_back(std::move(parsed));
  for (const auto& r : records) {
    auto adv = ParseAdvisory(r);
    if (!adv.ok()) return adv.status().Wrap("advisory " + origin);
    const size_t index = advisories_.size();
    for (size_t k = 0; k < adv->affected.size(); ++k) {
      const auto& af = adv->affected[k];
      const std::string base = EcosystemBase(af.ecosystem);
      index_[{base, NormalizeName(base, af.name)}].push_back({index, k});
    }
    advisories_.push_back(std::move(*adv));
  }
  return Status::Ok();
}

std::vector<Finding> OsvDatabase::Match(const Sbom& sbom) const {
  std::vector<Finding> out;
  for (const auto& p : sbom.packages) {
    const std::string ecosystem = EcosystemOf(p, sbom.os);
    VersionCompare cmp = ComparatorFor(ecosystem);
    if (!cmp) continue;
    const std::string base = EcosystemBase(ecosystem);
    auto it = index_.find({base, NormalizeName(base, AdvisoryName(p))});
    if (it == index_.end()) continue;
    // Debian's advisories are about the source package's version when the binary was
    // rebuilt (binNMU "+b1"): the status file gives it in Source: "bash (5.2.15-2)".
    const std::string version = p.type == kTypeDeb && !p.source_version.empty() ? p.source_version : p.version;
    std::set<std::string> seen;
    for (const auto& [adv_index, affected_index] : it->second) {
      const OsvAdvisory& adv = advisories_[adv_index];
      const OsvAffected& af = adv.affected[affected_index];
      if (!ReleaseMatches(af.ecosystem, ecosystem) || seen.count(adv.id)) continue;
      RangeVerdict v = Evaluate(af, version, cmp);
      if (!v.affected) continue;
      seen.insert(adv.id);
      out.push_back({adv.id, adv.aliases, adv.summary, &p, v.fixed,
                     af.severity != Severity::kUnknown ? af.severity : adv.severity});
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.package->name, a.package->version, a.id) < std::tie(b.package->name, b.package->version, b.id);
  });
  return out;
}

Expected<OsvDatabase> LoadOsvDatabase(const std::string& path) {
  OsvDatabase db;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    RETURN_IF_ERROR(AddFromDirectory(db, path));
  } else if (std::filesystem::path(path).extension() == ".json" && std::filesystem::exists(path, ec)) {
    ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
    RETURN_IF_ERROR(db.Add(bytes, path));
  } else if (std::filesystem::exists(path, ec)) {
    RETURN_IF_ERROR(AddFromArchive(db, path));
  } else {
    return NotFound("advisory database " + path + ": no such file or directory");
  }
  return db;
}

}  // namespace kiln::security
