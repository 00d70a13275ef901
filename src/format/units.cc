#include "format/units.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <utility>

namespace kiln::format {

std::string HumanSize(double bytes, int precision) {
  static const char* const kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
  int i = 0;
  while (bytes >= 1000.0 && i < 8) {
    bytes /= 1000.0;
    ++i;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g%s", precision, bytes, kUnits[i]);
  return buf;
}

std::string HumanSizeSpaced(double bytes, int precision) {
  std::string s = HumanSize(bytes, precision);
  size_t unit = s.find_last_of("0123456789") + 1;
  return s.substr(0, unit) + " " + s.substr(unit);
}

std::string HumanDuration(int64_t ns) {
  const double seconds_f = static_cast<double>(ns) / 1e9;
  const int64_t seconds = static_cast<int64_t>(seconds_f);
  if (seconds < 1) return "Less than a second";
  if (seconds == 1) return "1 second";
  if (seconds < 60) return std::to_string(seconds) + " seconds";
  const int64_t minutes = seconds / 60;
  if (minutes == 1) return "About a minute";
  if (minutes < 60) return std::to_string(minutes) + " minutes";
  const int64_t hours = std::llround(seconds_f / 3600.0);
  if (hours == 1) return "About an hour";
  if (hours < 48) return std::to_string(hours) + " hours";
  if (hours < 24 * 7 * 2) return std::to_string(hours / 24) + " days";
  if (hours < 24 * 30 * 2) return std::to_string(hours / 24 / 7) + " weeks";
  if (hours < 24 * 365 * 2) return std::to_string(hours / 24 / 30) + " months";
  return std::to_string(static_cast<int64_t>(seconds_f / 3600.0) / 24 / 365) + " years";
}

std::string TimeAgo(int64_t then_ns, int64_t now_ns) { return HumanDuration(now_ns - then_ns) + " ago"; }

Expected<int64_t> ParseHumanBytes(std::string_view text) {
  auto bad = [&] { return InvalidArgument("invalid size \"" + std::string(text) + "\""); };
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  if (i == 0) return bad();
  double number = 0;
  try {
    number = std::stod(std::string(text.substr(0, i)));
  } catch (...) {
    return bad();
  }
  std::string unit;
  for (char c : text.substr(i))
    if (c != ' ') unit += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const std::pair<const char*, double> kUnits[] = {
      {"", 1},       {"b", 1},       {"k", 1e3},         {"kb", 1e3},         {"kib", 1024.0},     {"ki", 1024.0},
      {"m", 1e6},    {"mb", 1e6},    {"mib", 1048576.0}, {"mi", 1048576.0},   {"g", 1e9},          {"gb", 1e9},
      {"gib", 1073741824.0},          {"gi", 1073741824.0}, {"t", 1e12},        {"tb", 1e12},        {"tib", 1099511627776.0},
      {"ti", 1099511627776.0}};
  for (const auto& [name, factor] : kUnits)
    if (unit == name) return static_cast<int64_t>(number * factor);
  return bad();
}

}  // namespace kiln::format
