// Printing findings: compiler style (file:line:col: severity: ID: message), a JSON array,
// and SARIF 2.1.0 for code-review tools. Plus the lint configuration file.
#pragma once

#include <string>
#include <vector>

#include "lint/lint.h"

namespace kiln::lint {

std::string FormatText(const std::vector<Finding>& findings);
std::string FormatJson(const std::vector<Finding>& findings);
std::string FormatSarif(const std::vector<Finding>& findings);
// `kiln lint --explain ID`.
Expected<std::string> Explain(std::string_view id);

// The configuration file (.kiln-lint.toml):
//   level = "info"                 # the lowest severity shown (default "warning")
//   ignore = ["MergeRunSteps"]     # rules never reported
//   [severity]
//   RunsAsRoot = "error"           # per-rule severity
struct Config {
  Options options;
  std::optional<Severity> level;
};
Expected<Config> ParseConfig(const std::string& text, const std::string& path);

}  // namespace kiln::lint
