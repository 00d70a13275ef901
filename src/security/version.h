// Version comparison, exactly as each packaging ecosystem defines it. Every Compare*
// function returns <0, 0 or >0. They never fail: a string outside the ecosystem's grammar
// still gets the ordering that ecosystem's own tool gives it (dpkg, rpm and apk compare
// anything); PEP 440 and SemVer, which do reject strings, have Parse* functions that say
// why, and their Compare* order an invalid version before every valid one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace kiln::security {

// ---- Debian (dpkg): [epoch:]upstream[-revision], '~' sorts before everything ----
struct DpkgVersion {
  uint32_t epoch = 0;
  std::string upstream;
  std::string revision;
};
// dpkg's parseversion: leading/trailing blanks trimmed; the errors dpkg reports (empty,
// bad epoch, empty upstream, blanks inside, upstream not starting with a digit, characters
// outside the policy's set) are errors here.
Expected<DpkgVersion> ParseDpkgVersion(std::string_view s);
int CompareDpkg(std::string_view a, std::string_view b);

// ---- RPM: rpmvercmp on one segment, and [epoch:]version[-release] ----
int RpmVerCmp(std::string_view a, std::string_view b);
int CompareRpmEvr(std::string_view a, std::string_view b);

// ---- Alpine (apk): digits.letter_suffixN-rN ----
int CompareApk(std::string_view a, std::string_view b);

// ---- PEP 440 (PyPI) ----
struct Pep440Version {
  uint64_t epoch = 0;
  std::vector<uint64_t> release;
  std::optional<std::pair<char, uint64_t>> pre;  // 'a', 'b' or 'c' (rc)
  std::optional<uint64_t> post;
  std::optional<uint64_t> dev;
  std::vector<std::string> local;  // lower-cased segments
  std::string Normalized() const;
};
Expected<Pep440Version> ParsePep440(std::string_view s);
int ComparePep440(const Pep440Version& a, const Pep440Version& b);
int ComparePep440(std::string_view a, std::string_view b);

// ---- SemVer 2.0.0 (npm, Go modules; a leading 'v' is accepted) ----
struct SemVer {
  uint64_t major = 0, minor = 0, patch = 0;
  std::vector<std::string> prerelease;
  std::string build;
};
Expected<SemVer> ParseSemVer(std::string_view s);
int CompareSemVer(const SemVer& a, const SemVer& b);
int CompareSemVer(std::string_view a, std::string_view b);

// ---- Maven: org.apache.maven.artifact.versioning.ComparableVersion (maven-artifact 3.9) ----
// Items split at '.', '-' and digit/letter transitions, trailing zeros and release
// qualifiers ("", "ga", "final", "release") dropped; qualifiers order
// alpha < beta < milestone < rc = cr < snapshot < release < sp, unknown ones after sp
// alphabetically. Compares any string, case-insensitively.
int CompareMaven(std::string_view a, std::string_view b);

}  // namespace kiln::security
