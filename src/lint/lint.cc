#include "lint/lint.h"

#include <algorithm>
#include <map>
#include <sstream>

#include "containerfile/containerfile.h"
#include "containerfile/ignore.h"
#include "lint/checks.h"
#include "lint/rules.h"
#include "util/fs.h"

namespace kiln::lint {
namespace {

std::vector<std::string> SplitLines(std::string_view text) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) {
      if (pos < text.size()) lines.emplace_back(text.substr(pos));
      break;
    }
    std::string_view line = text.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.emplace_back(line);
    pos = nl + 1;
  }
  if (!lines.empty() && lines[0].rfind("\xEF\xBB\xBF", 0) == 0) lines[0].erase(0, 3);
  return lines;
}

std::vector<std::string> SplitList(std::string_view s) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in{std::string(s)};
  while (std::getline(in, item, ',')) {
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// A comment's text after '#', or nullopt for a line that is not a comment.
std::optional<std::string_view> CommentText(std::string_view line) {
  size_t c = line.find_first_not_of(" \t");
  if (c == std::string_view::npos || line[c] != '#') return std::nullopt;
  std::string_view t = line.substr(c + 1);
  t.remove_prefix(std::min(t.size(), t.find_first_not_of(" \t")));
  return t;
}

struct Suppressions {
  std::set<std::string> everywhere;                 // `# check=skip=` (BuildKit's directive)
  bool warnings_are_errors = false;                 // `# check=error=true`
  std::map<int, std::set<std::string>> per_line;    // instruction line -> ignored rules
};

// BuildKit's check directive sits among the parser directives at the top of the file:
// "# check=skip=A,B;error=true".
void ReadCheckDirective(const std::vector<std::string>& lines, Suppressions* s) {
  for (const std::string& line : lines) {
    std::optional<std::string_view> c = CommentText(line);
    if (!c) return;
    if (c->substr(0, 6) != "check=") continue;
    std::string_view rest = c->substr(6);
    size_t start = 0;
    while (start <= rest.size()) {
      size_t semi = rest.find(';', start);
      std::string_view kv = rest.substr(start, semi == std::string_view::npos ? std::string_view::npos : semi - start);
      if (kv.substr(0, 5) == "skip=") {
        for (const std::string& id : SplitList(kv.substr(5))) s->everywhere.insert(id);
      } else if (kv == "error=true") {
        s->warnings_are_errors = true;
      }
      if (semi == std::string_view::npos) break;
      start = semi + 1;
    }
  }
}

// `# kiln-lint ignore=ID[,ID...]` applies to the next instruction.
void ReadIgnoreComments(const std::vector<std::string>& lines, const std::vector<int>& instruction_lines,
                        Suppressions* s) {
  for (size_t i = 0; i < lines.size(); ++i) {
    std::optional<std::string_view> c = CommentText(lines[i]);
    if (!c || c->substr(0, 10) != "kiln-lint ") continue;
    std::string_view rest = c->substr(10);
    rest.remove_prefix(std::min(rest.size(), rest.find_first_not_of(" \t")));
    if (rest.substr(0, 7) != "ignore=") continue;
    int comment_line = static_cast<int>(i) + 1;
    auto next = std::upper_bound(instruction_lines.begin(), instruction_lines.end(), comment_line);
    if (next == instruction_lines.end()) continue;
    for (const std::string& id : SplitList(rest.substr(7))) s->per_line[*next].insert(id);
  }
}

std::vector<int> InstructionLines(const build::Containerfile& file) {
  std::vector<int> lines;
  for (const auto& a : file.global_args) lines.push_back(a.line);
  for (const auto& s : file.stages) {
    lines.push_back(s.from.line);
    for (const auto& i : s.instructions) lines.push_back(i.line);
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

bool Suppressed(const Suppressions& s, const RawFinding& f) {
  if (s.everywhere.count(f.rule) || s.everywhere.count("all")) return true;
  auto it = s.per_line.find(f.line);
  return it != s.per_line.end() && (it->second.count(f.rule) || it->second.count("all"));
}

}  // namespace

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
  }
  return "warning";
}

Expected<Severity> ParseSeverity(std::string_view name) {
  for (Severity s : {Severity::kInfo, Severity::kWarning, Severity::kError}) {
    if (name == SeverityName(s)) return s;
  }
  return InvalidArgument("invalid level \"" + std::string(name) + "\": must be info, warning or error");
}

Expected<std::vector<Finding>> Lint(const Input& input, const Options& options) {
  ASSIGN_OR_RETURN(build::Containerfile file, build::ParseContainerfile(input.text, input.filename));
  std::vector<std::string> lines = SplitLines(input.text);
  Suppressions suppressions;
  ReadCheckDirective(lines, &suppressions);
  ReadIgnoreComments(lines, InstructionLines(file), &suppressions);

  std::vector<Finding> findings;
  for (RawFinding& raw : RunChecks(CheckInput{file, lines, input})) {
    const RuleInfo* rule = FindRule(raw.rule);
    if (!rule) return Internal("lint rule " + raw.rule + " is not in the rule table");
    if (options.ignore.count(raw.rule) || Suppressed(suppressions, raw)) continue;
    Severity severity = rule->severity;
    if (auto it = options.severity.find(raw.rule); it != options.severity.end()) severity = it->second;
    if (suppressions.warnings_are_errors && severity == Severity::kWarning) severity = Severity::kError;
    findings.push_back({input.filename, raw.line, raw.column, severity, std::move(raw.rule), std::move(raw.message)});
  }
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.line, a.column) < std::tie(b.line, b.column);
  });
  return findings;
}

Expected<ContextFacts> ScanContext(const std::string& context_dir, const std::string& containerfile_path) {
  ContextFacts facts;
  std::vector<std::string> candidates = {JoinPath(context_dir, ".containerignore"), JoinPath(context_dir, ".dockerignore")};
  if (!containerfile_path.empty()) {
    candidates.push_back(containerfile_path + ".containerignore");
    candidates.push_back(containerfile_path + ".dockerignore");
  }
  facts.has_ignore_file = std::any_of(candidates.begin(), candidates.end(), PathExists);
  ASSIGN_OR_RETURN(build::IgnoreMatcher matcher, build::LoadIgnoreFile(context_dir, containerfile_path));
  for (const char* name : {".git", "node_modules", "dist", "build", "target", "__pycache__", ".venv"}) {
    if (PathExists(JoinPath(context_dir, name)) && !matcher.Excluded(name)) facts.unexcluded_bulk.push_back(name);
  }
  return facts;
}

}  // namespace kiln::lint
