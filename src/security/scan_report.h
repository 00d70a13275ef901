// Scan results as documents: kiln's JSON and SARIF 2.1.0 (for code-scanning dashboards).
#pragma once

#include <vector>

#include "security/osv.h"
#include "security/sbom_json.h"

namespace kiln::security {

Json FindingsToJson(const Sbom& sbom, const std::vector<Finding>& findings);
Json FindingsToSarif(const Sbom& sbom, const std::vector<Finding>& findings);

// Keeps the findings at or above `min`, and without a fix only when !ignore_unfixed.
std::vector<Finding> FilterFindings(std::vector<Finding> findings, Severity min, bool ignore_unfixed);

}  // namespace kiln::security
