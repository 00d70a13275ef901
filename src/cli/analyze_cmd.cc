// image analyze: per layer the instruction, size, files added/changed/removed and the bytes
// later layers hide; dive's efficiency and wasted bytes; dive's CI gates (--ci) with exit 1.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "analysis/changes.h"
#include "analysis/waste.h"
#include "cli/commands.h"
#include "format/tabwriter.h"
#include "format/template.h"
#include "format/units.h"
#include "util/json_text.h"

namespace kiln::cli {
namespace {

using ordered_json = nlohmann::ordered_json;

struct AnalyzeOptions {
  std::string image, format;
  bool ci = false;
  // dive's CI rules; "" = dive's default (efficiency 0.9, user wasted 0.1, bytes disabled).
  std::string lowest_efficiency, highest_wasted_bytes, highest_user_wasted_percent;
};

// The history entries that made a layer, one per layer ("" when history and layers disagree).
std::vector<std::string> LayerCommands(const image::ImageConfig& config, size_t layers) {
  std::vector<std::string> out;
  for (const image::HistoryEntry& h : config.History())
    if (!h.empty_layer) out.push_back(h.created_by);
  if (out.size() != layers) out.assign(layers, "");
  return out;
}

Expected<ordered_json> Analyze(store::Store& st, const store::ImageRecord& img, const std::string& name) {
  ASSIGN_OR_RETURN(std::vector<store::LayerInfo> layers, st.ImageLayers(img.id));
  ASSIGN_OR_RETURN(image::ImageConfig config, st.ReadConfig(img));
  std::vector<std::string> dirs;
  for (const auto& l : layers) dirs.push_back(st.snapshots().FsPath(l.chain_id));
  ASSIGN_OR_RETURN(analysis::Waste waste, analysis::AnalyzeLayers(dirs));
  std::vector<std::string> commands = LayerCommands(config, layers.size());
  ordered_json out_layers = ordered_json::array();
  int64_t size = 0, user_size = 0;
  for (size_t i = 0; i < layers.size(); ++i) {
    std::vector<std::string> lowers(dirs.rend() - static_cast<long>(i), dirs.rend());
    ASSIGN_OR_RETURN(std::vector<analysis::Change> changes, analysis::OverlayChanges(lowers, dirs[i]));
    int counts[3] = {0, 0, 0};
    for (const auto& c : changes) ++counts[static_cast<int>(c.kind)];
    size += layers[i].size;
    if (i > 0) user_size += layers[i].size;
    out_layers.push_back({{"Index", i},
                          {"Id", layers[i].chain_id.hex()},
                          {"Digest", layers[i].diff_id.str()},
                          {"Size", layers[i].size},
                          {"CreatedBy", commands[i]},
                          {"Added", counts[static_cast<int>(analysis::ChangeKind::kAdd)]},
                          {"Changed", counts[static_cast<int>(analysis::ChangeKind::kModify)]},
                          {"Removed", counts[static_cast<int>(analysis::ChangeKind::kDelete)]},
                          {"WastedBytes", waste.layer_wasted[i]}});
  }
  ordered_json files = ordered_json::array();
  for (const auto& p : waste.inefficiencies)
    files.push_back({{"Path", p.path}, {"Count", p.count}, {"WastedBytes", p.cumulative}, {"Layers", p.layers}});
  double user_wasted = user_size > 0 ? static_cast<double>(waste.wasted_bytes) / static_cast<double>(user_size) : 0;
  return ordered_json{{"Image", name},
                      {"Id", img.id},
                      {"Size", size},
                      {"UserSize", user_size},
                      {"Efficiency", waste.efficiency},
                      {"WastedBytes", waste.wasted_bytes},
                      {"UserWastedPercent", user_wasted},
                      {"Layers", out_layers},
                      {"Inefficiencies", files}};
}

std::string Percent(double ratio) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f %%", ratio * 100);
  return buf;
}

std::string Text(const ordered_json& a) {
  std::string out = "Image: " + a["Image"].get<std::string>() + " (" + a["Id"].get<std::string>().substr(0, 12) + ")\n\n";
  format::TabWriter tw(0, 8, 2, ' ');
  tw.Write("LAYER\tSIZE\tADDED\tCHANGED\tREMOVED\tWASTED\tCREATED BY\n");
  for (const auto& l : a["Layers"]) {
    tw.Write(std::to_string(l["Index"].get<int>()) + "\t" + format::HumanSize(l["Size"].get<double>()) + "\t" +
             std::to_string(l["Added"].get<int>()) + "\t" + std::to_string(l["Changed"].get<int>()) + "\t" +
             std::to_string(l["Removed"].get<int>()) + "\t" + format::HumanSize(l["WastedBytes"].get<double>()) + "\t" +
             l["CreatedBy"].get<std::string>() + "\n");
  }
  out += tw.Flush() + "\n";
  out += "efficiency: " + Percent(a["Efficiency"].get<double>()) + "\n";
  int64_t wasted = a["WastedBytes"].get<int64_t>();
  out += "wastedBytes: " + std::to_string(wasted) + " bytes (" + format::HumanSize(static_cast<double>(wasted)) + ")\n";
  out += "userWastedPercent: " + Percent(a["UserWastedPercent"].get<double>()) + "\n";
  if (a["Inefficiencies"].empty()) return out;
  format::TabWriter files(0, 8, 2, ' ');
  files.Write("COUNT\tWASTED SPACE\tFILE PATH\n");
  for (const auto& f : a["Inefficiencies"])
    files.Write(std::to_string(f["Count"].get<int>()) + "\t" + format::HumanSize(f["WastedBytes"].get<double>()) + "\t" +
                f["Path"].get<std::string>() + "\n");
  return out + "\nInefficient files:\n" + files.Flush();
}

struct Gate {
  std::string name;
  bool enabled;
  bool pass;
  std::string failure;
};

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

Expected<double> Ratio(const std::string& flag, const std::string& v, double fallback) {
  if (v.empty()) return fallback;
  try {
    size_t used = 0;
    double d = std::stod(v, &used);
    if (used == v.size() && d >= 0 && d <= 1) return d;
  } catch (...) {
  }
  return InvalidArgument("invalid " + flag + " \"" + v + "\": a ratio from 0 to 1");
}

// dive's rules, thresholds and messages; "disabled" turns a rule off.
Expected<std::vector<Gate>> Gates(const ordered_json& a, const AnalyzeOptions& o) {
  std::vector<Gate> gates;
  double eff = a["Efficiency"].get<double>(), user = a["UserWastedPercent"].get<double>();
  int64_t wasted = a["WastedBytes"].get<int64_t>();
  if (o.lowest_efficiency == "disabled") {
    gates.push_back({"lowestEfficiency", false, true, ""});
  } else {
    ASSIGN_OR_RETURN(double t, Ratio("--lowest-efficiency", o.lowest_efficiency, 0.9));
    gates.push_back({"lowestEfficiency", true, eff >= t,
                     "image efficiency is too low (efficiency=" + Number(eff) + " < threshold=" + Number(t) + ")"});
  }
  if (o.highest_wasted_bytes.empty() || o.highest_wasted_bytes == "disabled") {
    gates.push_back({"highestWastedBytes", false, true, ""});
  } else {
    ASSIGN_OR_RETURN(int64_t t, format::ParseHumanBytes(o.highest_wasted_bytes));
    gates.push_back({"highestWastedBytes", true, wasted <= t,
                     "too many bytes wasted (wasted-bytes=" + std::to_string(wasted) + " > threshold=" + std::to_string(t) + ")"});
  }
  if (o.highest_user_wasted_percent == "disabled") {
    gates.push_back({"highestUserWastedPercent", false, true, ""});
  } else {
    ASSIGN_OR_RETURN(double t, Ratio("--highest-user-wasted-percent", o.highest_user_wasted_percent, 0.1));
    gates.push_back({"highestUserWastedPercent", true, user <= t,
                     "too many bytes wasted, relative to the user bytes added (%-user-wasted-bytes=" + Number(user) +
                         " > threshold=" + Number(t) + ")"});
  }
  return gates;
}

// Prints dive's CI summary; true when every enabled rule passed.
bool PrintGates(const std::vector<Gate>& gates) {
  int passed = 0, failed = 0, skipped = 0;
  std::printf("Results:\n");
  for (const Gate& g : gates) {
    if (!g.enabled) {
      ++skipped;
      std::printf("  SKIP: %s: rule disabled\n", g.name.c_str());
    } else if (g.pass) {
      ++passed;
      std::printf("  PASS: %s\n", g.name.c_str());
    } else {
      ++failed;
      std::printf("  FAIL: %s: %s\n", g.name.c_str(), g.failure.c_str());
    }
  }
  std::printf("Result:%s [Total:%zu] [Passed:%d] [Failed:%d] [Warn:0] [Skipped:%d]\n", failed ? "FAIL" : "PASS",
              gates.size(), passed, failed, skipped);
  return failed == 0;
}

Status Render(const ordered_json& a, const std::string& fmt) {
  if (fmt.empty()) {
    std::fputs(Text(a).c_str(), stdout);
  } else if (fmt == "json") {
    std::printf("%s\n", JsonText(a, 4).c_str());
  } else {
    ASSIGN_OR_RETURN(format::Template t, format::Template::Parse("analyze", fmt));
    ASSIGN_OR_RETURN(std::string text, t.Execute(format::Value::FromJson(nlohmann::json::parse(JsonText(a)))));
    if (text.empty() || text.back() != '\n') text += '\n';
    std::fputs(text.c_str(), stdout);
  }
  return Status::Ok();
}

int RunAnalyze(Context& ctx, const AnalyzeOptions& o) {
  auto st = ctx.Store();
  if (!st.ok()) return Fail(st.status());
  auto img = (*st)->LookupImage(o.image);
  if (!img.ok()) return Fail(img.status());
  auto analysis = Analyze(**st, *img, o.image);
  if (!analysis.ok()) return Fail(analysis.status());
  std::vector<Gate> gates;
  if (o.ci) {
    auto g = Gates(*analysis, o);
    if (!g.ok()) return Fail(g.status());
    gates = std::move(*g);
  }
  Status shown = Render(*analysis, o.format);
  if (!shown.ok()) return Fail(shown);
  if (!o.ci) return 0;
  if (o.format.empty()) std::printf("\n");
  return PrintGates(gates) ? 0 : 1;
}

}  // namespace

void RegisterAnalyzeCommand(Registry& r) {
  auto o = std::make_shared<AnalyzeOptions>();
  CLI::App* cmd = AddCommand(r.image, "analyze", "Show where an image's bytes go: layers, wasted space, efficiency");
  cmd->add_option("image", o->image, "IMAGE")->required();
  cmd->add_option("--format", o->format, "json, or a Go template over the analysis");
  cmd->add_flag("--ci", o->ci, "check the rules below and exit 1 when one fails (dive's CI mode)");
  cmd->add_option("--lowest-efficiency", o->lowest_efficiency, "lowest efficiency ratio allowed (default 0.9, or disabled)");
  cmd->add_option("--highest-wasted-bytes", o->highest_wasted_bytes, "most wasted bytes allowed, e.g. 20MB (default disabled)");
  cmd->add_option("--highest-user-wasted-percent", o->highest_user_wasted_percent,
                  "most wasted bytes allowed as a ratio of the bytes above the base layer (default 0.1, or disabled)");
  cmd->callback([&r, o] { r.exit_code = RunAnalyze(r.ctx, *o); });
}

}  // namespace kiln::cli
