#include "security/scan_report.h"

#include <algorithm>
#include <map>

namespace kiln::security {
namespace {

std::string SarifLevel(Severity s) {
  if (s == Severity::kCritical || s == Severity::kHigh) return "error";
  if (s == Severity::kMedium) return "warning";
  return "note";
}

const LayerSummary* LayerOf(const Sbom& sbom, const Package& p) {
  return p.layer < sbom.layers.size() ? &sbom.layers[p.layer] : nullptr;
}

}  // namespace

std::vector<Finding> FilterFindings(std::vector<Finding> findings, Severity min, bool ignore_unfixed) {
  findings.erase(std::remove_if(findings.begin(), findings.end(),
                                [&](const Finding& f) { return f.severity < min || (ignore_unfixed && f.fixed.empty()); }),
                 findings.end());
  return findings;
}

Json FindingsToJson(const Sbom& sbom, const std::vector<Finding>& findings) {
  Json list = Json::array();
  for (const auto& f : findings) {
    const LayerSummary* layer = LayerOf(sbom, *f.package);
    list.push_back({{"id", f.id},
                    {"aliases", f.aliases},
                    {"summary", f.summary},
                    {"severity", SeverityName(f.severity)},
                    {"package", {{"name", f.package->name}, {"version", f.package->version}, {"type", f.package->type},
                                 {"purl", f.package->purl}}},
                    {"fixedIn", f.fixed},
                    {"layer", {{"index", f.package->layer},
                               {"diffID", layer ? layer->diff_id : ""},
                               {"createdBy", layer ? layer->created_by : ""}}}});
  }
  return {{"image", sbom.image_name}, {"id", sbom.image_id}, {"findings", std::move(list)}};
}

Json FindingsToSarif(const Sbom& sbom, const std::vector<Finding>& findings) {
  Json rules = Json::array();
  std::map<std::string, size_t> rule_index;
  Json results = Json::array();
  for (const auto& f : findings) {
    auto [it, fresh] = rule_index.try_emplace(f.id, rule_index.size());
    if (fresh)
      rules.push_back({{"id", f.id},
                       {"shortDescription", {{"text", f.summary.empty() ? f.id : f.summary}}},
                       {"defaultConfiguration", {{"level", SarifLevel(f.severity)}}},
                       {"properties", {{"severity", SeverityName(f.severity)}, {"aliases", f.aliases}}}});
    const Package& p = *f.package;
    std::string text = p.name + " " + p.version + " is affected by " + f.id +
                       (f.fixed.empty() ? " (no fix yet)" : "; fixed in " + f.fixed);
    const LayerSummary* layer = LayerOf(sbom, p);
    Json location = {{"physicalLocation", {{"artifactLocation", {{"uri", p.location.empty() ? "/" : p.location}}}}}};
    if (layer)
      location["logicalLocations"] = Json::array({{{"name", layer->diff_id}, {"kind", "layer"},
                                                   {"fullyQualifiedName", sbom.image_name + "@" + layer->diff_id}}});
    results.push_back({{"ruleId", f.id},
                       {"ruleIndex", it->second},
                       {"level", SarifLevel(f.severity)},
                       {"message", {{"text", text}}},
                       {"locations", Json::array({location})},
                       {"properties", {{"purl", p.purl}, {"installedVersion", p.version}, {"fixedVersion", f.fixed}}}});
  }
  return {{"version", "2.1.0"},
          {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
          {"runs", Json::array({{{"tool", {{"driver", {{"name", "kiln"},
                                                      {"rules", std::move(rules)}}}}},
                                 {"results", std::move(results)}}})}};
}

}  // namespace kiln::security
