// What an SBOM holds: the packages found in an image, where each came from, and the OS.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace kiln::security {

// The package types, as the purl spec names them.
inline constexpr const char* kTypeDeb = "deb";
inline constexpr const char* kTypeApk = "apk";
inline constexpr const char* kTypeRpm = "rpm";
inline constexpr const char* kTypePython = "pypi";
inline constexpr const char* kTypeNpm = "npm";
inline constexpr const char* kTypeGo = "golang";
inline constexpr const char* kTypeMaven = "maven";

struct OsRelease {
  std::string id;          // "debian"
  std::string version_id;  // "12"
  std::string pretty_name;
  std::string version_codename;
};

struct Package {
  std::string name;
  std::string version;
  std::string type;       // one of kType*
  std::string namespace_; // purl namespace: "debian", "alpine", a Maven group, an npm scope
  std::string arch;
  std::string source_name;     // dpkg Source:, rpm source, apk origin; empty when the same
  std::string source_version;  // when the source's version differs
  std::vector<std::string> licenses;
  std::vector<std::string> files;  // owned files, as the package database lists them
  std::string location;            // where the record was read ("/var/lib/dpkg/status")
  size_t layer = 0;                // index of the layer that added it
  std::string purl;
};

struct LayerSummary {
  std::string diff_id;
  std::string created_by;
};

struct Sbom {
  std::string image_name;  // as the user named it
  std::string image_id;
  OsRelease os;
  std::vector<LayerSummary> layers;
  std::vector<Package> packages;  // sorted by type, name, version
  // The SHA-1 (hex) of each owned file (a path of some Package::files) that is a regular
  // file in the image; filled by DigestOwnedFiles for the SPDX and CycloneDX documents.
  std::map<std::string, std::string> file_sha1;
};

// The name advisories use for the package's ecosystem: Debian advisories are filed by
// source package (as Debian's tracker does), apk ones by origin.
std::string AdvisoryName(const Package& p);

}  // namespace kiln::security
