// libFuzzer target: any bytes as a Containerfile through every lint rule (with and without
// context facts, build args and a base-image environment), each finding printed in the three
// report formats, and the same bytes as a lint configuration file. Must neither crash nor hang.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lint/lint.h"
#include "lint/report.h"

namespace {

std::optional<std::vector<std::string>> BaseEnv(const std::string& image) {
  if (image.empty() || image[0] == 'x') return std::nullopt;
  return std::vector<std::string>{"PATH=/usr/bin:/bin", "HOME=/root", "EMPTY=", "NOVALUE"};
}

void LintAndReport(const kiln::lint::Input& input, const kiln::lint::Options& options) {
  auto findings = kiln::lint::Lint(input, options);
  if (!findings.ok()) return;
  (void)kiln::lint::FormatText(*findings);
  (void)kiln::lint::FormatJson(*findings);
  (void)kiln::lint::FormatSarif(*findings);
  for (const kiln::lint::Finding& f : *findings) (void)kiln::lint::Explain(f.rule);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);

  kiln::lint::Input bare{.filename = "Containerfile", .text = text};
  LintAndReport(bare, kiln::lint::Options{});

  kiln::lint::Input full = bare;
  full.context = kiln::lint::ContextFacts{.has_ignore_file = false, .unexcluded_bulk = {".git", "node_modules"}};
  full.build_args = {{"BASE", "busybox"}, {"TAG", ""}, {"V", "1.0"}};
  full.base_env = BaseEnv;
  kiln::lint::Options options;
  options.severity["RunsAsRoot"] = kiln::lint::Severity::kError;
  options.ignore.insert("MergeRunSteps");
  LintAndReport(full, options);

  auto config = kiln::lint::ParseConfig(text, ".kiln-lint.toml");
  if (config.ok()) LintAndReport(full, config->options);
  return 0;
}
