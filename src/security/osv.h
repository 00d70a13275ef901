// Advisories in the OSV format (ossf.github.io/osv-schema), read offline from a directory
// or a .zip of OSV JSON files, and matched against an SBOM.
//
//   ASSIGN_OR_RETURN(OsvDatabase db, LoadOsvDatabase("/srv/osv/debian.zip"));
//   std::vector<Finding> found = db.Match(sbom);
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "security/package.h"
#include "util/status.h"

namespace kiln::security {

enum class Severity { kUnknown, kLow, kMedium, kHigh, kCritical };
std::string SeverityName(Severity s);  // "UNKNOWN", "LOW", …
Expected<Severity> ParseSeverity(std::string_view name);  // case-insensitive; "moderate" is medium
// The CVSS v3.x base score of a vector ("CVSS:3.1/AV:N/AC:L/…"), per the FIRST spec.
std::optional<double> CvssV3BaseScore(std::string_view vector);

struct OsvEvent {
  std::string introduced, fixed, last_affected;
};
struct OsvRange {
  std::string type;  // ECOSYSTEM, SEMVER (GIT ranges are not matched)
  std::vector<OsvEvent> events;
};
struct OsvAffected {
  std::string ecosystem;  // "Debian:12", "PyPI", …
  std::string name;
  std::vector<OsvRange> ranges;
  std::vector<std::string> versions;
  Severity severity = Severity::kUnknown;  // from this entry's ecosystem/database_specific
};
struct OsvAdvisory {
  std::string id;
  std::vector<std::string> aliases;
  std::string summary;
  Severity severity = Severity::kUnknown;  // from "severity" (CVSS) or database_specific
  std::vector<OsvAffected> affected;
};

// The OSV ecosystem a package is filed under, for the image's OS: "Debian:12",
// "Alpine:v3.18", "Rocky Linux:9", "PyPI", "npm", "Go", "Maven". "" when unknown.
std::string EcosystemOf(const Package& p, const OsRelease& os);
// The ecosystem's version order (dpkg, apk, rpm, PEP 440, SemVer); nullptr when kiln has
// none for it.
using VersionCompare = int (*)(std::string_view, std::string_view);
VersionCompare ComparatorFor(std::string_view ecosystem);

// Whether `version` is affected, and the version that fixes it ("" for none known).
struct RangeVerdict {
  bool affected = false;
  std::string fixed;
};
RangeVerdict Evaluate(const OsvAffected& affected, const std::string& version, VersionCompare cmp);

struct Finding {
  std::string id;
  std::vector<std::string> aliases;
  std::string summary;
  const Package* package = nullptr;
  std::string fixed;  // "" when unfixed
  Severity severity = Severity::kUnknown;
};

class OsvDatabase {
 public:
  Status Add(std::string_view json, const std::string& origin);
  size_t size() const { return advisories_.size(); }
  // Every advisory affecting a package of the SBOM, sorted by package then ID.
  std::vector<Finding> Match(const Sbom& sbom) const;

 private:
  std::vector<OsvAdvisory> advisories_;
  // (ecosystem without release, normalised name) -> (advisory, affected entry)
  std::map<std::pair<std::string, std::string>, std::vector<std::pair<size_t, size_t>>> index_;
};

// A directory (searched recursively for *.json), one .json file, or a .zip (or tar) archive
// of OSV JSON files; a file may hold one advisory or an array of them.
Expected<OsvDatabase> LoadOsvDatabase(const std::string& path);

}  // namespace kiln::security
