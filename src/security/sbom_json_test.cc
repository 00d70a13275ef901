// The required fields of SPDX 2.3 and CycloneDX 1.5 (e2e validates the whole documents
// against the published schemas in tests/fixtures/schemas).
#include "security/sbom_json.h"

#include <gtest/gtest.h>

#include <regex>

namespace kiln::security {
namespace {

Sbom Sample() {
  Sbom s;
  s.image_name = "localhost/debian:bookworm";
  s.image_id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  s.os = {"debian", "12", "Debian GNU/Linux 12 (bookworm)", "bookworm"};
  s.layers = {{"sha256:" + std::string(64, 'a'), ""}, {"sha256:" + std::string(64, 'b'), "RUN apt-get install jq"}};
  Package bash;
  bash.name = "bash";
  bash.version = "5.2.15-2+b2";
  bash.type = kTypeDeb;
  bash.purl = "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12";
  bash.licenses = {"GPL-3+", "public-domain"};
  Package jq = bash;
  jq.name = "jq";
  jq.version = "1.6-2.1";
  jq.purl = "pkg:deb/debian/jq@1.6-2.1?arch=amd64&distro=debian-12";
  jq.licenses = {"Expat"};
  jq.layer = 1;
  s.packages = {bash, jq};
  return s;
}

TEST(SbomSpdx, RequiredFieldsAndRelationships) {
  Json d = SbomToSpdx(Sample(), {1700000000, "0.1.0"});
  EXPECT_EQ(d["spdxVersion"], "SPDX-2.3");
  EXPECT_EQ(d["dataLicense"], "CC0-1.0");
  EXPECT_EQ(d["SPDXID"], "SPDXRef-DOCUMENT");
  EXPECT_EQ(d["creationInfo"]["created"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(d["creationInfo"]["creators"][0], "Tool: kiln-0.1.0");
  EXPECT_TRUE(std::regex_match(d["documentNamespace"].get<std::string>(), std::regex("https://[^ ]+/[0-9a-f-]{36}")));
  ASSERT_EQ(d["packages"].size(), 3u);  // the image and its two packages
  const std::regex id("SPDXRef-[A-Za-z0-9.-]+");
  for (const auto& p : d["packages"]) {
    for (const char* f : {"name", "SPDXID", "downloadLocation", "licenseConcluded", "licenseDeclared", "copyrightText"})
      EXPECT_TRUE(p.contains(f)) << f;
    EXPECT_TRUE(std::regex_match(p["SPDXID"].get<std::string>(), id));
  }
  const Json& bash = d["packages"][1];
  EXPECT_EQ(bash["licenseDeclared"], "GPL-3.0-or-later AND LicenseRef-public-domain");
  EXPECT_EQ(bash["externalRefs"][0]["referenceType"], "purl");
  EXPECT_EQ(bash["externalRefs"][0]["referenceLocator"], Sample().packages[0].purl);
  EXPECT_EQ(d["hasExtractedLicensingInfos"][0]["licenseId"], "LicenseRef-public-domain");
  EXPECT_EQ(d["relationships"].size(), 3u);  // DESCRIBES the image, which CONTAINS each package
  EXPECT_EQ(d["relationships"][2]["relatedSpdxElement"], d["packages"][2]["SPDXID"]);
}

TEST(SbomCycloneDx, RequiredFieldsLicensesAndLayers) {
  Json d = SbomToCycloneDx(Sample(), {1700000000, "0.1.0"});
  EXPECT_EQ(d["bomFormat"], "CycloneDX");
  EXPECT_EQ(d["specVersion"], "1.5");
  EXPECT_TRUE(std::regex_match(d["serialNumber"].get<std::string>(),
                               std::regex("urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
  EXPECT_EQ(d["metadata"]["component"]["type"], "container");
  ASSERT_EQ(d["components"].size(), 3u);  // the OS and two packages
  EXPECT_EQ(d["components"][0]["type"], "operating-system");
  const Json& jq = d["components"][2];
  EXPECT_EQ(jq["purl"], Sample().packages[1].purl);
  EXPECT_EQ(jq["licenses"][0]["license"]["id"], "MIT");
  EXPECT_EQ(d["components"][1]["licenses"][1]["license"]["name"], "public-domain");
  bool has_layer = false;
  for (const auto& prop : jq["properties"])
    if (prop["name"] == "kiln:layer:diffID") has_layer = prop["value"] == Sample().layers[1].diff_id;
  EXPECT_TRUE(has_layer);
  // Same image, same time: the same document.
  EXPECT_EQ(d.dump(), SbomToCycloneDx(Sample(), {1700000000, "0.1.0"}).dump());
}

// Owned files: the regular ones (those with a SHA-1) become SPDX files the package
// CONTAINS (a file two packages own appears once) and CycloneDX file sub-components.
TEST(SbomFiles, OwnedFilesInSpdxAndCycloneDx) {
  Sbom s = Sample();
  s.packages[0].files = {"/bin", "/bin/bash", "/usr/share/doc/x"};
  s.packages[1].files = {"/usr/bin/jq", "/usr/share/doc/x"};
  s.file_sha1 = {{"/bin/bash", std::string(40, '1')}, {"/usr/bin/jq", std::string(40, '2')},
                 {"/usr/share/doc/x", std::string(40, '3')}};
  Json d = SbomToSpdx(s, {1700000000, "0.1.0"});
  ASSERT_EQ(d["files"].size(), 3u);
  EXPECT_EQ(d["files"][0]["fileName"], "/bin/bash");
  EXPECT_EQ(d["files"][0]["checksums"][0]["algorithm"], "SHA1");
  EXPECT_EQ(d["files"][0]["checksums"][0]["checksumValue"], std::string(40, '1'));
  EXPECT_EQ(d["packages"][1]["filesAnalyzed"], true);
  std::vector<std::string> contains;
  for (const auto& r : d["relationships"])
    if (r["spdxElementId"] != "SPDXRef-Image" && r["relationshipType"] == "CONTAINS")
      contains.push_back(r["spdxElementId"].get<std::string>() + " " + r["relatedSpdxElement"].get<std::string>());
  const std::string bash = d["packages"][1]["SPDXID"], jq = d["packages"][2]["SPDXID"];
  EXPECT_EQ(contains, (std::vector<std::string>{bash + " SPDXRef-File-0", bash + " SPDXRef-File-1",
                                                jq + " SPDXRef-File-2", jq + " SPDXRef-File-1"}));
  Json c = SbomToCycloneDx(s, {1700000000, "0.1.0"});
  const Json& bash_files = c["components"][1]["components"];
  ASSERT_EQ(bash_files.size(), 2u);
  EXPECT_EQ(bash_files[0]["type"], "file");
  EXPECT_EQ(bash_files[0]["name"], "/bin/bash");
  EXPECT_EQ(bash_files[0]["hashes"][0]["alg"], "SHA-1");
  // Without digests (no files): no file records, packages not analysed.
  Json plain = SbomToSpdx(Sample(), {1700000000, "0.1.0"});
  EXPECT_FALSE(plain.contains("files"));
  EXPECT_EQ(plain["packages"][1]["filesAnalyzed"], false);
  EXPECT_FALSE(SbomToCycloneDx(Sample(), {1700000000, "0.1.0"})["components"][1].contains("components"));
}

}  // namespace
}  // namespace kiln::security
