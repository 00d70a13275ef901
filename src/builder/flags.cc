#include "builder/flags.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace kiln::build {

Status CheckFlags(const Instruction& ins) {
  static const std::map<std::string, std::set<std::string>> kAllowed = {
      {"FROM", {"platform"}},
      {"RUN", {"mount", "network", "security"}},
      {"COPY", {"from", "chown", "chmod", "link", "parents", "exclude"}},
      {"ADD", {"chown", "chmod", "link", "checksum", "keep-git-dir", "exclude", "unpack"}},
      {"HEALTHCHECK", {"interval", "timeout", "start-period", "start-interval", "retries"}},
  };
  auto it = kAllowed.find(ins.keyword);
  for (const auto& f : ins.flags)
    if (it == kAllowed.end() || !it->second.count(f.name)) return InvalidArgument("unknown flag: " + f.name);
  return Status::Ok();
}

std::map<std::string, std::string> ParseFlagFields(const std::string& value) {
  std::map<std::string, std::string> out;
  size_t i = 0;
  while (i <= value.size()) {
    size_t j = value.find(',', i);
    if (j == std::string::npos) j = value.size();
    std::string part = value.substr(i, j - i);
    if (!part.empty()) {
      size_t eq = part.find('=');
      out[eq == std::string::npos ? part : part.substr(0, eq)] = eq == std::string::npos ? "true" : part.substr(eq + 1);
    }
    i = j + 1;
  }
  for (const auto& [alias, canonical] : std::vector<std::pair<std::string, std::string>>{
           {"src", "source"}, {"dst", "target"}, {"destination", "target"}, {"readonly", "ro"}})
    if (out.count(alias) && !out.count(canonical)) out[canonical] = out[alias];
  return out;
}

std::string JoinWords(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

Expected<int64_t> ParseGoDuration(const std::string& text) {
  auto bad = [&] { return InvalidArgument("time: invalid duration \"" + text + "\""); };
  if (text == "0") return int64_t{0};
  static const std::pair<const char*, double> kUnits[] = {{"ns", 1},      {"us", 1e3},  {"µs", 1e3}, {"ms", 1e6},
                                                          {"s", 1e9},     {"m", 60e9},  {"h", 3600e9}};
  double total = 0;
  size_t i = 0;
  if (text.empty()) return bad();
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    if (i == start) return bad();
    double value = std::stod(text.substr(start, i - start));
    size_t unit_start = i;
    while (i < text.size() && !std::isdigit(static_cast<unsigned char>(text[i])) && text[i] != '.') ++i;
    std::string unit = text.substr(unit_start, i - unit_start);
    auto u = std::find_if(std::begin(kUnits), std::end(kUnits), [&](const auto& p) { return unit == p.first; });
    if (unit.empty()) return InvalidArgument("time: missing unit in duration \"" + text + "\"");
    if (u == std::end(kUnits)) return InvalidArgument("time: unknown unit \"" + unit + "\" in duration \"" + text + "\"");
    total += value * u->second;
  }
  return static_cast<int64_t>(total);
}

}  // namespace kiln::build
