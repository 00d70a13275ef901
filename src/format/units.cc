#include "format/units.h"

#include <cmath>
#include <cstdio>

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

}  // namespace kiln::format
