#include "util/time.h"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

namespace kiln {

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string FormatRfc3339Nano(int64_t unix_nanos) {
  int64_t secs = unix_nanos / 1000000000;
  int64_t frac = unix_nanos % 1000000000;
  if (frac < 0) {
    frac += 1000000000;
    --secs;
  }
  time_t t = static_cast<time_t>(secs);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec);
  std::string out = buf;
  if (frac != 0) {
    char f[16];
    std::snprintf(f, sizeof f, ".%09lld", static_cast<long long>(frac));
    std::string fs = f;
    while (fs.back() == '0') fs.pop_back();
    out += fs;
  }
  return out + "Z";
}

Expected<int64_t> ParseRfc3339(std::string_view text) {
  int y, mo, d, h, mi, s, n = 0;
  std::string str(text);
  if (std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &n) != 6 || n != 19)
    return InvalidArgument("parsing time \"" + str + "\": not RFC 3339");
  std::string_view rest = text.substr(19);
  int64_t frac = 0;
  if (!rest.empty() && rest[0] == '.') {
    size_t i = 1;
    int64_t scale = 100000000;
    for (; i < rest.size() && rest[i] >= '0' && rest[i] <= '9'; ++i) {
      frac += (rest[i] - '0') * scale;
      scale /= 10;
    }
    rest = rest.substr(i);
  }
  int64_t offset = 0;
  if (rest == "Z" || rest == "z") {
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    int oh = (rest[1] - '0') * 10 + (rest[2] - '0');
    int om = (rest[4] - '0') * 10 + (rest[5] - '0');
    offset = (oh * 3600 + om * 60) * (rest[0] == '-' ? -1 : 1);
  } else {
    return InvalidArgument("parsing time \"" + str + "\": bad zone");
  }
  struct tm tm = {};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  int64_t secs = static_cast<int64_t>(timegm(&tm)) - offset;
  return secs * 1000000000 + frac;
}

namespace {

// Go's time.ParseDuration for the units filters use: h, m, s, ms, us, ns.
Expected<int64_t> ParseGoDuration(std::string_view text) {
  if (text.empty()) return InvalidArgument("empty duration");
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) ++i;
    if (start == i) return InvalidArgument("invalid duration \"" + std::string(text) + "\"");
    double value = std::stod(std::string(text.substr(start, i - start)));
    size_t unit_start = i;
    while (i < text.size() && !((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) ++i;
    std::string_view unit = text.substr(unit_start, i - unit_start);
    double scale = unit == "h" ? 3600e9 : unit == "m" ? 60e9 : unit == "s" ? 1e9 : unit == "ms" ? 1e6
                 : unit == "us" || unit == "\u00b5s" ? 1e3 : unit == "ns" ? 1 : 0;
    if (scale == 0) return InvalidArgument("invalid duration \"" + std::string(text) + "\"");
    total += static_cast<int64_t>(value * scale);
  }
  return total;
}

}  // namespace

Expected<int64_t> ParseTimestampOrAge(std::string_view text, int64_t now_nanos) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos)
    return static_cast<int64_t>(std::stoll(std::string(text))) * 1000000000;
  if (auto t = ParseRfc3339(text); t.ok()) return t;
  auto age = ParseGoDuration(text);
  if (!age.ok()) return InvalidArgument("invalid timestamp or duration \"" + std::string(text) + "\"");
  return now_nanos - *age;
}

Expected<int64_t> ParseSourceDateEpoch(std::string_view text) {
  const std::string s(text);
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || v < 0 || errno != 0) return InvalidArgument("invalid SOURCE_DATE_EPOCH \"" + s + "\"");
  return static_cast<int64_t>(v);
}

Expected<int64_t> SourceDateEpoch() {
  const char* sde = std::getenv("SOURCE_DATE_EPOCH");
  if (!sde || !*sde) return int64_t{-1};
  return ParseSourceDateEpoch(sde);
}

}  // namespace kiln
