// The SBOM as documents: kiln's own JSON, SPDX 2.3 and CycloneDX 1.5 (both JSON).
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "security/package.h"

namespace kiln::security {

using Json = nlohmann::ordered_json;

// What a standard document says about its own making.
struct DocumentInfo {
  int64_t created_unix = 0;  // the creation time (SOURCE_DATE_EPOCH when the caller has one)
  std::string tool_version;  // kiln's version
};

// kiln's JSON: {"image", "id", "os", "layers", "packages"}.
Json SbomToJson(const Sbom& sbom);

// SPDX 2.3: the image as the described package, each package CONTAINed by it with its purl
// as a PACKAGE-MANAGER external reference and its DEP-5 licenses as licenseDeclared; each
// owned file in sbom.file_sha1 a file record (SHA1 checksum) the package CONTAINS.
Json SbomToSpdx(const Sbom& sbom, const DocumentInfo& info);

// CycloneDX 1.5: the image as metadata.component (a container), the OS and packages as
// components; the layer that added a package in kiln:layer:* properties; its owned files in
// sbom.file_sha1 as its sub-components of type "file" with a SHA-1 hash.
Json SbomToCycloneDx(const Sbom& sbom, const DocumentInfo& info);

}  // namespace kiln::security
