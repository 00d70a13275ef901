#include "lint/report.h"

#include <nlohmann/json.hpp>

#include <sstream>

#include "format/toml_text.h"
#include "lint/rules.h"
#include "util/json_text.h"

namespace kiln::lint {
namespace {

using ordered_json = nlohmann::ordered_json;

std::string SarifLevel(Severity s) {
  switch (s) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kInfo:
      return "note";
  }
  return "warning";
}

}  // namespace

std::string FormatText(const std::vector<Finding>& findings) {
  std::string out;
  for (const Finding& f : findings) {
    out += f.file + ":" + std::to_string(f.line) + ":" + std::to_string(f.column) + ": " +
           std::string(SeverityName(f.severity)) + ": " + f.rule + ": " + f.message + "\n";
  }
  return out;
}

std::string FormatJson(const std::vector<Finding>& findings) {
  ordered_json arr = ordered_json::array();
  for (const Finding& f : findings) {
    arr.push_back({{"file", f.file},
                   {"line", f.line},
                   {"column", f.column},
                   {"severity", SeverityName(f.severity)},
                   {"rule", f.rule},
                   {"message", f.message}});
  }
  return JsonText(arr, 4) + "\n";
}

std::string FormatSarif(const std::vector<Finding>& findings) {
  ordered_json rules = ordered_json::array();
  for (const RuleInfo& r : AllRules()) {
    rules.push_back({{"id", r.id},
                     {"shortDescription", {{"text", r.reason}}},
                     {"fullDescription", {{"text", r.explanation}}},
                     {"help", {{"text", r.hint}}},
                     {"defaultConfiguration", {{"level", SarifLevel(r.severity)}}}});
  }
  ordered_json results = ordered_json::array();
  for (const Finding& f : findings) {
    ordered_json region = {{"startLine", f.line}, {"startColumn", f.column}};
    ordered_json location = {{"physicalLocation", {{"artifactLocation", {{"uri", f.file}}}, {"region", region}}}};
    results.push_back({{"ruleId", f.rule},
                       {"level", SarifLevel(f.severity)},
                       {"message", {{"text", f.message}}},
                       {"locations", ordered_json::array({location})}});
  }
  ordered_json sarif = {
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs", ordered_json::array({{{"tool", {{"driver", {{"name", "kiln-lint"}, {"rules", rules}}}}},
                                     {"results", results}}})}};
  return JsonText(sarif, 2) + "\n";
}

Expected<std::string> Explain(std::string_view id) {
  const RuleInfo* r = FindRule(id);
  if (!r) return NotFound("unknown lint rule \"" + std::string(id) + "\"");
  std::string out = std::string(r->id) + " (" + std::string(SeverityName(r->severity)) + ")\n";
  out += "  why: " + std::string(r->reason) + "\n";
  out += "  fix: " + std::string(r->hint) + "\n\n";
  // The explanation wrapped at 80 columns, indented.
  std::istringstream words{std::string(r->explanation)};
  std::string line = "  ", word;
  while (words >> word) {
    if (line.size() + word.size() + 1 > 80 && line.size() > 2) {
      out += line + "\n";
      line = "  ";
    }
    line += (line.size() > 2 ? " " : "") + word;
  }
  return out + line + "\n";
}

Expected<Config> ParseConfig(const std::string& text, const std::string& path) {
  ASSIGN_OR_RETURN(toml::table tbl, format::ParseToml(text, path, "lint configuration"));
  auto bad = [&](const std::string& what) { return InvalidArgument("lint configuration \"" + path + "\": " + what); };
  Config config;
  for (auto& [key, node] : tbl) {
    std::string k(key.str());
    if (k == "level") {
      auto s = node.value<std::string>();
      if (!s) return bad("level must be a string");
      Expected<Severity> level = ParseSeverity(*s);
      if (!level.ok()) return bad(level.status().message());
      config.level = *level;
    } else if (k == "ignore") {
      auto* arr = node.as_array();
      if (!arr) return bad("ignore must be an array of rule IDs");
      for (auto& v : *arr) {
        auto id = v.value<std::string>();
        if (!id || !FindRule(*id)) return bad("unknown rule in ignore: " + (id ? *id : std::string("(not a string)")));
        config.options.ignore.insert(*id);
      }
    } else if (k == "severity") {
      auto* t = node.as_table();
      if (!t) return bad("[severity] must be a table");
      for (auto& [rule, value] : *t) {
        std::string id(rule.str());
        if (!FindRule(id)) return bad("unknown rule in [severity]: " + id);
        auto s = value.value<std::string>();
        Expected<Severity> sev = s ? ParseSeverity(*s) : Expected<Severity>(InvalidArgument("not a string"));
        if (!sev.ok()) return bad("severity of " + id + ": " + sev.status().message());
        config.options.severity[id] = *sev;
      }
    } else {
      return bad("unknown key \"" + k + "\"");
    }
  }
  return config;
}

}  // namespace kiln::lint
