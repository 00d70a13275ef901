// Java archives (.jar, .war, .ear): the Maven coordinates in META-INF/maven/**/pom.properties,
// failing those the main section of META-INF/MANIFEST.MF, of the archive and of the archives
// nested in it (WEB-INF/lib/*.jar, BOOT-INF/lib/*.jar, an ear's modules), one level deep.
#include <archive.h>
#include <archive_entry.h>

#include <cctype>
#include <map>
#include <memory>

#include "security/catalog.h"

namespace kiln::security {
namespace {

using ArchivePtr = std::unique_ptr<archive, int (*)(archive*)>;

// A nested archive larger than this is not read into memory.
constexpr int64_t kMaxNestedBytes = 256ll << 20;

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  size_t start = s.find_first_not_of(" \t");
  return start == std::string::npos ? "" : s.substr(start);
}

std::string BaseName(const std::string& path) { return path.substr(path.rfind('/') + 1); }

// pom.properties: java.util.Properties "key=value" (or "key: value") lines, '#' comments.
std::map<std::string, std::string> ParseProperties(const std::string& text) {
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::string line = Trim(text.substr(pos, eol - pos));
    pos = eol + 1;
    if (line.empty() || line[0] == '#' || line[0] == '!') continue;
    size_t sep = line.find_first_of("=:");
    if (sep == std::string::npos) continue;
    out[Trim(line.substr(0, sep))] = Trim(line.substr(sep + 1));
  }
  return out;
}

// The main section of a manifest (up to the first blank line); a line starting with a
// space continues the one before.
std::map<std::string, std::string> ParseManifest(const std::string& text) {
  std::map<std::string, std::string> out;
  std::string last;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::string line = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) break;
    if (line[0] == ' ') {
      if (!last.empty()) out[last] += line.substr(1);
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    last = line.substr(0, colon);
    out[last] = Trim(line.substr(colon + 1));
  }
  return out;
}

std::string Get(const std::map<std::string, std::string>& m, const char* key) {
  auto it = m.find(key);
  return it == m.end() ? "" : it->second;
}

// "commons-lang3-3.12.0.jar" -> {"commons-lang3", "3.12.0"}: the version starts at the
// first "-DIGIT".
std::pair<std::string, std::string> NameVersionFromFileName(const std::string& file) {
  std::string stem = file.substr(0, file.rfind('.'));
  for (size_t i = 0; i + 1 < stem.size(); ++i)
    if (stem[i] == '-' && std::isdigit(static_cast<unsigned char>(stem[i + 1]))) return {stem.substr(0, i), stem.substr(i + 1)};
  return {stem, ""};
}

Package MavenPackage(std::string group, std::string artifact, std::string version, const std::string& location) {
  Package p;
  p.type = kTypeMaven;
  p.namespace_ = std::move(group);
  p.name = std::move(artifact);
  p.version = std::move(version);
  p.location = location;
  return p;
}

// The package a manifest describes, for an archive without pom.properties.
std::optional<Package> ManifestPackage(const std::map<std::string, std::string>& m, const std::string& location) {
  auto [file_name, file_version] = NameVersionFromFileName(BaseName(location));
  std::string symbolic = Get(m, "Bundle-SymbolicName");
  symbolic = Trim(symbolic.substr(0, symbolic.find(';')));
  std::string name = Get(m, "Implementation-Title");
  if (name.empty() || name.find(' ') != std::string::npos) name = !symbolic.empty() ? symbolic : file_name;
  std::string version = Get(m, "Implementation-Version");
  if (version.empty()) version = Get(m, "Bundle-Version");
  if (version.empty()) version = Get(m, "Specification-Version");
  if (version.empty()) version = file_version;
  if (name.empty() || version.empty()) return std::nullopt;
  Package p = MavenPackage(Get(m, "Implementation-Vendor-Id"), name, version, location);
  std::string license = Get(m, "Bundle-License");
  if (!license.empty()) p.licenses = {license};
  return p;
}

bool IsArchiveName(const std::string& path) {
  const std::string lower = Lower(path);
  for (const char* ext : {".jar", ".war", ".ear"})
    if (lower.size() > 4 && lower.compare(lower.size() - 4, 4, ext) == 0) return true;
  return false;
}

bool ReadEntry(archive* ar, archive_entry* entry, std::string& out) {
  const int64_t size = archive_entry_size_is_set(entry) ? archive_entry_size(entry) : -1;
  if (size > kMaxNestedBytes) return false;
  out.clear();
  char buf[65536];
  la_ssize_t n;
  while ((n = archive_read_data(ar, buf, sizeof buf)) > 0) {
    out.append(buf, static_cast<size_t>(n));
    if (static_cast<int64_t>(out.size()) > kMaxNestedBytes) return false;
  }
  return n == 0;
}

// The packages of one open archive; `depth` 0 for an archive of the image, 1 for one
// nested in it.
void ReadArchive(archive* ar, const std::string& location, int depth, std::vector<Package>& out) {
  std::vector<Package> poms;
  std::map<std::string, std::string> manifest;
  std::vector<Package> nested;  // read as they come: one nested archive in memory at a time
  archive_entry* entry = nullptr;
  std::string bytes;
  while (archive_read_next_header(ar, &entry) == ARCHIVE_OK) {
    const char* raw = archive_entry_pathname(entry);
    if (!raw || archive_entry_filetype(entry) != AE_IFREG) continue;
    const std::string name = raw;
    const bool pom = name.rfind("META-INF/maven/", 0) == 0 && BaseName(name) == "pom.properties";
    const bool mf = name == "META-INF/MANIFEST.MF";
    const bool inner = depth == 0 && IsArchiveName(name);
    if (!pom && !mf && !inner) continue;
    if (!ReadEntry(ar, entry, bytes)) continue;
    if (pom) {
      auto props = ParseProperties(bytes);
      std::string artifact = Get(props, "artifactId"), version = Get(props, "version");
      if (!artifact.empty() && !version.empty())
        poms.push_back(MavenPackage(Get(props, "groupId"), artifact, version, location));
    } else if (mf) {
      manifest = ParseManifest(bytes);
    } else {
      ArchivePtr inner(archive_read_new(), archive_read_free);
      archive_read_support_format_zip_seekable(inner.get());
      if (archive_read_open_memory(inner.get(), bytes.data(), bytes.size()) == ARCHIVE_OK)
        ReadArchive(inner.get(), location + ":" + name, depth + 1, nested);
    }
  }
  if (!poms.empty()) {
    // A license named by the manifest belongs to the archive's own artifact only when
    // it holds just one.
    std::string license = Get(manifest, "Bundle-License");
    if (poms.size() == 1 && !license.empty()) poms[0].licenses = {license};
    for (auto& p : poms) out.push_back(std::move(p));
  } else if (auto p = ManifestPackage(manifest, location)) {
    out.push_back(std::move(*p));
  }
  for (auto& p : nested) out.push_back(std::move(p));
}

}  // namespace

bool IsJavaArchive(const std::string& path) { return IsArchiveName(path); }

std::vector<Package> JavaArchivePackages(const std::string& host_path, const std::string& location) {
  std::vector<Package> out;
  ArchivePtr ar(archive_read_new(), archive_read_free);
  archive_read_support_format_zip_seekable(ar.get());
  if (archive_read_open_filename(ar.get(), host_path.c_str(), 1 << 16) != ARCHIVE_OK) return out;
  ReadArchive(ar.get(), location, 0, out);
  return out;
}

std::vector<Package> JavaArchivePackagesInMemory(std::string_view bytes, const std::string& location) {
  std::vector<Package> out;
  ArchivePtr ar(archive_read_new(), archive_read_free);
  archive_read_support_format_zip_seekable(ar.get());
  if (archive_read_open_memory(ar.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) return out;
  ReadArchive(ar.get(), location, 0, out);
  return out;
}

}  // namespace kiln::security
