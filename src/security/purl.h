// Package URLs (github.com/package-url/purl-spec): pkg:TYPE/NAMESPACE/NAME@VERSION?QUALIFIERS,
// every part percent-encoded, qualifiers sorted by key.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "security/package.h"

namespace kiln::security {

// Percent-encodes all but the purl spec's unreserved characters (A-Z a-z 0-9 . - _ ~).
std::string PurlEncode(std::string_view s);

std::string MakePurl(std::string_view type, std::string_view namespace_, std::string_view name,
                     std::string_view version, std::vector<std::pair<std::string, std::string>> qualifiers);

// The purl of a catalogued package, with the qualifiers its type uses (arch, distro, epoch).
std::string PackagePurl(const Package& p, const OsRelease& os);

}  // namespace kiln::security
