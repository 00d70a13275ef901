// Debian copyright short license names (DEP-5, "GPL-2+", "Expat", "BSD-3-clause", "GPL-2+ or
// Artistic") as SPDX license expressions. DEP-5 names most licenses as SPDX does, with a few
// spellings of its own; a name with no SPDX identifier becomes "LicenseRef-<name>", which SPDX
// documents must then describe (hasExtractedLicensingInfos).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::security {

// The SPDX identifier of one DEP-5 short name ("GPL-2+" -> "GPL-2.0-or-later"); nullopt when
// SPDX has none.
std::optional<std::string> SpdxLicenseId(std::string_view dep5_name);

// A DEP-5 License field's first line ("GPL-2+ or Artistic-1.0") as an SPDX expression
// ("GPL-2.0-or-later OR Artistic-1.0"); unknown names become LicenseRef-* and are appended
// to *refs (without duplicates) when refs is not null.
std::string SpdxExpression(std::string_view dep5_field, std::vector<std::string>* refs = nullptr);

// "LicenseRef-" and the name with every character outside [A-Za-z0-9.-] replaced by '-'.
std::string LicenseRef(std::string_view name);

}  // namespace kiln::security
