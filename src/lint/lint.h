// Containerfile checks: the tutorial's advice (merge RUN steps, clean package caches, order
// COPY for the cache, .containerignore, pinned bases, not root...) and the checks BuildKit
// 0.15's `build --check` makes, each a rule with a stable ID (rules.h lists them).
//
//   lint::Input in{.filename = "Containerfile", .text = text};
//   ASSIGN_OR_RETURN(std::vector<lint::Finding> findings, lint::Lint(in, lint::Options{}));
//
// A file that does not parse is an error (the parser's message), not a finding.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "util/status.h"

namespace kiln::lint {

enum class Severity { kInfo = 0, kWarning = 1, kError = 2 };
std::string_view SeverityName(Severity s);  // "info", "warning", "error"
Expected<Severity> ParseSeverity(std::string_view name);

struct Finding {
  std::string file;
  int line = 0;    // 1-based
  int column = 0;  // 1-based
  Severity severity = Severity::kWarning;
  std::string rule;
  std::string message;
};

// What the checks need to know about the build context (nullopt: linting without one).
struct ContextFacts {
  bool has_ignore_file = false;
  // Top-level entries the context holds that a build should not send (".git",
  // "node_modules", build output) and that no ignore file excludes.
  std::vector<std::string> unexcluded_bulk;
};

// Looks up the environment (KEY=VALUE) of a base image; nullopt when unknown.
using BaseEnvLookup = std::function<std::optional<std::vector<std::string>>(const std::string& image)>;

struct Input {
  std::string filename;  // as findings show it
  std::string text;
  std::optional<ContextFacts> context;
  std::vector<std::pair<std::string, std::string>> build_args;  // --build-arg, for FROM
  BaseEnvLookup base_env;  // may be empty
};

struct Options {
  std::set<std::string> ignore;                  // rule IDs never reported
  std::map<std::string, Severity> severity;      // per-rule overrides
};

// Every finding of every rule, after `# kiln-lint ignore=` comments, `# check=skip=`
// directives and the options, ordered by line and column. Filtering by level is the caller's.
Expected<std::vector<Finding>> Lint(const Input& input, const Options& options);

// Looks at a context directory: its ignore file and the bulky entries it would send.
// containerfile_path may be "" (stdin).
Expected<ContextFacts> ScanContext(const std::string& context_dir, const std::string& containerfile_path);

}  // namespace kiln::lint
