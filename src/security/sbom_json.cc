#include "security/sbom_json.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <set>

#include "security/license.h"
#include "util/digest.h"

namespace kiln::security {
namespace {

std::string LayerDiffId(const Sbom& sbom, const Package& p) {
  return p.layer < sbom.layers.size() ? sbom.layers[p.layer].diff_id : "";
}
std::string LayerCreatedBy(const Sbom& sbom, const Package& p) {
  return p.layer < sbom.layers.size() ? sbom.layers[p.layer].created_by : "";
}

// "2024-01-02T03:04:05Z", the form both SPDX and CycloneDX ask for.
std::string UtcTimestamp(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// A UUID (version 4 layout, RFC 4122 variant) taken from a digest, so that the same image
// and time give the same document.
std::string UuidFrom(const std::string& seed) {
  std::string h = Digest::OfBytes(seed).hex().substr(0, 32);
  h[12] = '4';
  h[16] = "89ab"[h[16] % 4];
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

// SPDX identifiers are "SPDXRef-" then [A-Za-z0-9.-]+.
std::string SpdxId(const std::string& kind, size_t index, const std::string& name) {
  std::string id = "SPDXRef-" + kind + "-" + std::to_string(index) + "-";
  for (char c : name) id += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ? c : '-';
  return id;
}

std::string ImageDisplayName(const Sbom& sbom) { return sbom.image_name.empty() ? sbom.image_id : sbom.image_name; }

// The package's DEP-5 licenses as one SPDX expression: every license applies to some file,
// so they are joined with AND; NOASSERTION when the package says nothing.
std::string DeclaredLicense(const Package& p, std::vector<std::string>& refs) {
  std::vector<std::string> terms;
  for (const auto& name : p.licenses) {
    std::string expr = SpdxExpression(name, &refs);
    if (expr.empty()) continue;
    if (expr.find(' ') != std::string::npos && p.licenses.size() > 1) expr = "(" + expr + ")";
    if (std::find(terms.begin(), terms.end(), expr) == terms.end()) terms.push_back(expr);
  }
  std::string out;
  for (const auto& t : terms) out += (out.empty() ? "" : " AND ") + t;
  return out.empty() ? "NOASSERTION" : out;
}

// The package's owned files that are regular files in the image (those DigestOwnedFiles
// gave a SHA-1), each once, in the database's order.
std::vector<std::string> DigestedFiles(const Sbom& sbom, const Package& p) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& f : p.files)
    if (sbom.file_sha1.count(f) && seen.insert(f).second) out.push_back(f);
  return out;
}

Json SpdxPackage(const Sbom& sbom, const Package& p, const std::string& id, bool files_analyzed,
                 std::vector<std::string>& refs) {
  Json j = {{"name", p.name},
            {"SPDXID", id},
            {"versionInfo", p.version},
            {"downloadLocation", "NOASSERTION"},
            {"filesAnalyzed", files_analyzed},
            {"licenseConcluded", "NOASSERTION"},
            {"licenseDeclared", DeclaredLicense(p, refs)},
            {"copyrightText", "NOASSERTION"}};
  if (!p.source_name.empty()) j["sourceInfo"] = "built from source package " + p.source_name;
  j["externalRefs"] = Json::array({{{"referenceCategory", "PACKAGE-MANAGER"},
                                    {"referenceType", "purl"},
                                    {"referenceLocator", p.purl}}});
  j["comment"] = "layer " + LayerDiffId(sbom, p) + " (" + LayerCreatedBy(sbom, p) + "), " + p.location;
  return j;
}

Json CycloneDxLicenses(const Package& p) {
  Json out = Json::array();
  for (const auto& name : p.licenses) {
    auto id = SpdxLicenseId(name);
    if (id && id->find('+') == std::string::npos)
      out.push_back({{"license", {{"id", *id}}}});
    else
      out.push_back({{"license", {{"name", name}}}});
  }
  return out;
}

Json CycloneDxComponent(const Sbom& sbom, const Package& p, const std::string& ref) {
  Json j = {{"bom-ref", ref}, {"type", "library"}, {"name", p.name}, {"version", p.version}};
  if (!p.licenses.empty()) j["licenses"] = CycloneDxLicenses(p);
  j["purl"] = p.purl;
  Json props = Json::array({{{"name", "kiln:package:type"}, {"value", p.type}},
                            {{"name", "kiln:package:location"}, {"value", p.location}},
                            {{"name", "kiln:layer:diffID"}, {"value", LayerDiffId(sbom, p)}},
                            {{"name", "kiln:layer:createdBy"}, {"value", LayerCreatedBy(sbom, p)}}});
  if (!p.source_name.empty()) props.push_back({{"name", "kiln:package:source"}, {"value", p.source_name}});
  j["properties"] = std::move(props);
  // The files it owns, as file components of it (the databases' own list, with the SHA-1
  // of what the image holds there).
  Json files = Json::array();
  for (const auto& f : DigestedFiles(sbom, p))
    files.push_back({{"type", "file"}, {"name", f}, {"hashes", Json::array({{{"alg", "SHA-1"}, {"content", sbom.file_sha1.at(f)}}})}});
  if (!files.empty()) j["components"] = std::move(files);
  return j;
}

}  // namespace

Json SbomToJson(const Sbom& sbom) {
  Json layers = Json::array();
  for (const auto& l : sbom.layers) layers.push_back({{"diffID", l.diff_id}, {"createdBy", l.created_by}});
  Json packages = Json::array();
  for (const auto& p : sbom.packages) {
    Json j = {{"name", p.name}, {"version", p.version}, {"type", p.type}, {"purl", p.purl}};
    if (!p.arch.empty()) j["arch"] = p.arch;
    if (!p.source_name.empty()) j["source"] = p.source_name;
    if (!p.source_version.empty()) j["sourceVersion"] = p.source_version;
    j["licenses"] = p.licenses;
    j["location"] = p.location;
    j["layer"] = {{"index", p.layer}, {"diffID", LayerDiffId(sbom, p)}, {"createdBy", LayerCreatedBy(sbom, p)}};
    j["files"] = p.files;
    packages.push_back(std::move(j));
  }
  return {{"image", sbom.image_name},
          {"id", sbom.image_id},
          {"os", {{"id", sbom.os.id}, {"versionID", sbom.os.version_id}, {"prettyName", sbom.os.pretty_name}}},
          {"layers", std::move(layers)},
          {"packages", std::move(packages)}};
}

Json SbomToSpdx(const Sbom& sbom, const DocumentInfo& info) {
  const std::string image_id = "SPDXRef-Image";
  std::vector<std::string> refs;
  Json packages = Json::array();
  Json relationships = Json::array(
      {{{"spdxElementId", "SPDXRef-DOCUMENT"}, {"relationshipType", "DESCRIBES"}, {"relatedSpdxElement", image_id}}});
  packages.push_back({{"name", ImageDisplayName(sbom)},
                      {"SPDXID", image_id},
                      {"versionInfo", sbom.image_id},
                      {"downloadLocation", "NOASSERTION"},
                      {"filesAnalyzed", false},
                      {"licenseConcluded", "NOASSERTION"},
                      {"licenseDeclared", "NOASSERTION"},
                      {"copyrightText", "NOASSERTION"},
                      {"primaryPackagePurpose", "CONTAINER"}});
  Json files = Json::array();
  std::map<std::string, std::string> file_ids;  // path -> SPDXID: a file two packages own is one file
  for (size_t i = 0; i < sbom.packages.size(); ++i) {
    const Package& p = sbom.packages[i];
    const std::string id = SpdxId("Package-" + p.type, i, p.name);
    const std::vector<std::string> owned = DigestedFiles(sbom, p);
    packages.push_back(SpdxPackage(sbom, p, id, !owned.empty(), refs));
    relationships.push_back({{"spdxElementId", image_id}, {"relationshipType", "CONTAINS"}, {"relatedSpdxElement", id}});
    // The files the package's database says it owns: package CONTAINS file, as syft writes it.
    for (const auto& f : owned) {
      auto [it, added] = file_ids.emplace(f, "SPDXRef-File-" + std::to_string(file_ids.size()));
      if (added)
        files.push_back({{"fileName", f},
                         {"SPDXID", it->second},
                         {"checksums", Json::array({{{"algorithm", "SHA1"}, {"checksumValue", sbom.file_sha1.at(f)}}})}});
      relationships.push_back({{"spdxElementId", id}, {"relationshipType", "CONTAINS"}, {"relatedSpdxElement", it->second}});
    }
  }
  Json doc = {{"spdxVersion", "SPDX-2.3"},
              {"dataLicense", "CC0-1.0"},
              {"SPDXID", "SPDXRef-DOCUMENT"},
              {"name", ImageDisplayName(sbom)},
              {"documentNamespace", "https://kiln.invalid/spdx/" + UuidFrom(sbom.image_id + "\n" + std::to_string(info.created_unix))},
              {"creationInfo", {{"created", UtcTimestamp(info.created_unix)},
                                {"creators", Json::array({"Tool: kiln-" + info.tool_version})}}},
              {"documentDescribes", Json::array({image_id})},
              {"packages", std::move(packages)}};
  if (!files.empty()) doc["files"] = std::move(files);
  doc["relationships"] = std::move(relationships);
  if (!refs.empty()) {
    Json extracted = Json::array();
    for (const auto& name : refs)
      extracted.push_back({{"licenseId", LicenseRef(name)},
                           {"name", name},
                           {"extractedText", "The license named \"" + name + "\" in a Debian copyright file (DEP-5)."}});
    doc["hasExtractedLicensingInfos"] = std::move(extracted);
  }
  return doc;
}

Json SbomToCycloneDx(const Sbom& sbom, const DocumentInfo& info) {
  Json components = Json::array();
  if (!sbom.os.id.empty())
    components.push_back({{"bom-ref", "os:" + sbom.os.id + "@" + sbom.os.version_id},
                          {"type", "operating-system"},
                          {"name", sbom.os.id},
                          {"version", sbom.os.version_id},
                          {"description", sbom.os.pretty_name}});
  std::set<std::string> refs;  // bom-refs are unique: the same purl found twice gets a suffix
  for (size_t i = 0; i < sbom.packages.size(); ++i) {
    const Package& p = sbom.packages[i];
    std::string ref = refs.insert(p.purl).second ? p.purl : p.purl + "#" + std::to_string(i);
    components.push_back(CycloneDxComponent(sbom, p, ref));
  }
  return {{"bomFormat", "CycloneDX"},
          {"specVersion", "1.5"},
          {"serialNumber", "urn:uuid:" + UuidFrom(sbom.image_id + "\n" + std::to_string(info.created_unix))},
          {"version", 1},
          {"metadata", {{"timestamp", UtcTimestamp(info.created_unix)},
                        {"tools", {{"components", Json::array({{{"type", "application"},
                                                                {"name", "kiln"},
                                                                {"version", info.tool_version}}})}}},
                        {"component", {{"bom-ref", sbom.image_id.empty() ? "image" : sbom.image_id},
                                       {"type", "container"},
                                       {"name", ImageDisplayName(sbom)},
                                       {"version", sbom.image_id}}}}},
          {"components", std::move(components)}};
}

}  // namespace kiln::security
