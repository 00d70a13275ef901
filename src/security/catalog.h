// Reads an image's packages, every ecosystem at once, straight from its layers' snapshots.
//
//   LayeredFs fs(layers);
//   ASSIGN_OR_RETURN(Sbom sbom, CatalogImage(fs));
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "security/layered_fs.h"
#include "security/package.h"
#include "util/status.h"

namespace kiln::security {

Expected<Sbom> CatalogImage(const LayeredFs& fs);

// Fills sbom.file_sha1: the SHA-1 of every owned file that the image's final view has as a
// regular file (directories and symlinks the databases list are left out).
Status DigestOwnedFiles(const LayeredFs& fs, Sbom& sbom);

// /etc/os-release (or /usr/lib/os-release) of the final view.
OsRelease ReadOsRelease(const LayeredFs& fs);

// ---- shared by the catalogers ----

// Reads a package database file that later layers rewrite whole (dpkg's status, apk's
// installed, the rpmdb): parse(host_path) is run on the file as each layer that changed it
// left it, and a package's layer is the first one of the run of versions that ends with
// the final view and has it (same name, architecture and version) throughout.
using DatabaseParser = std::function<Expected<std::vector<Package>>(const std::string& host_path)>;
Expected<std::vector<Package>> ReadDatabaseWithOrigins(const LayeredFs& fs, const std::string& path,
                                                      const DatabaseParser& parse);

// The catalogers, each appending what it finds.
Status CatalogDpkg(const LayeredFs& fs, std::vector<Package>& out);
Status CatalogApk(const LayeredFs& fs, std::vector<Package>& out);
Status CatalogRpm(const LayeredFs& fs, std::vector<Package>& out);
// Python distributions, npm packages, Go binaries and Java archives, from one walk of the
// final view.
Status CatalogLanguagePackages(const LayeredFs& fs, std::vector<Package>& out);

// apk's installed database (the text of /lib/apk/db/installed).
std::vector<Package> ParseApkInstalled(std::string_view text);
// One rpm header blob (as rpmdb.sqlite's Packages table holds it); nullopt when malformed
// or a gpg-pubkey pseudo-package.
std::optional<Package> RpmPackageFromHeader(std::string_view blob);
// The Go modules (and "stdlib" at the Go version) of a Go binary's .go.buildinfo section.
std::vector<Package> ParseGoBuildInfo(const std::string& section, const std::string& location);
std::vector<Package> GoBinaryPackages(const std::string& host_path, const std::string& location);
// Java archives by name (.jar, .war, .ear), and the Maven packages one holds (pom.properties,
// else MANIFEST.MF), nested archives one level deep ("app.war:WEB-INF/lib/x.jar").
bool IsJavaArchive(const std::string& path);
std::vector<Package> JavaArchivePackages(const std::string& host_path, const std::string& location);
// The same for an archive's bytes.
std::vector<Package> JavaArchivePackagesInMemory(std::string_view bytes, const std::string& location);
// Every package of an rpmdb.sqlite on this machine, opened read-only.
Expected<std::vector<Package>> ReadRpmSqlite(const std::string& host_path, const std::string& location);

}  // namespace kiln::security
