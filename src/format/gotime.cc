#include "format/gotime.h"

#include <fmt/format.h>

namespace kiln::format {
namespace {

struct Civil {
  int64_t year;
  unsigned month, day, hour, minute, second;
};

// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
Civil ToCivil(int64_t unix_seconds) {
  int64_t days = unix_seconds / 86400;
  int64_t secs = unix_seconds % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  days += 719468;
  int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  auto doe = static_cast<unsigned>(days - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  unsigned day = doy - (153 * mp + 2) / 5 + 1;
  unsigned month = mp < 10 ? mp + 3 : mp - 9;
  int64_t year = static_cast<int64_t>(yoe) + era * 400 + (month <= 2);
  return {year, month, day, static_cast<unsigned>(secs / 3600), static_cast<unsigned>(secs / 60 % 60),
          static_cast<unsigned>(secs % 60)};
}

// ".999999999" in a Go layout: the fraction without trailing zeros, nothing if zero.
std::string Fraction(int32_t nanos) {
  if (nanos <= 0) return "";
  std::string digits = fmt::format("{:09d}", nanos);
  while (digits.back() == '0') digits.pop_back();
  return "." + digits;
}

std::string Year(int64_t year) {
  if (year < 0) return fmt::format("-{:04d}", -year);
  return fmt::format("{:04d}", year);
}

}  // namespace

std::string GoTimeString(int64_t unix_seconds, int32_t nanos) {
  Civil c = ToCivil(unix_seconds);
  return fmt::format("{}-{:02d}-{:02d} {:02d}:{:02d}:{:02d}{} +0000 UTC", Year(c.year), c.month, c.day, c.hour,
                     c.minute, c.second, Fraction(nanos));
}

std::string GoTimeRfc3339Nano(int64_t unix_seconds, int32_t nanos) {
  Civil c = ToCivil(unix_seconds);
  return fmt::format("{}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}{}Z", Year(c.year), c.month, c.day, c.hour, c.minute,
                     c.second, Fraction(nanos));
}

namespace {

// Go's fmtFrac: the `prec` low decimal digits of v as ".ddd" without trailing zeros (nothing
// when they are all zero), prepended to out; returns v without them.
uint64_t PrependFraction(std::string& out, uint64_t v, int prec) {
  std::string frac;
  bool print = false;
  for (int i = 0; i < prec; ++i) {
    uint64_t digit = v % 10;
    print = print || digit != 0;
    if (print) frac.insert(frac.begin(), static_cast<char>('0' + digit));
    v /= 10;
  }
  if (print) out.insert(0, "." + frac);
  return v;
}

}  // namespace

std::string GoDurationString(int64_t nanoseconds) {
  const bool neg = nanoseconds < 0;
  uint64_t u = neg ? 0 - static_cast<uint64_t>(nanoseconds) : static_cast<uint64_t>(nanoseconds);
  if (u == 0) return "0s";
  std::string out;
  if (u < 1000000000) {  // under a second: the largest unit below it, with a fraction
    const char* unit = u < 1000 ? "ns" : u < 1000000 ? "\u00b5s" : "ms";
    int prec = u < 1000 ? 0 : u < 1000000 ? 3 : 6;
    out = unit;
    u = PrependFraction(out, u, prec);
    out.insert(0, std::to_string(u));
  } else {
    out = "s";
    u = PrependFraction(out, u, 9);
    out.insert(0, std::to_string(u % 60));
    u /= 60;
    if (u > 0) {
      out.insert(0, std::to_string(u % 60) + "m");
      u /= 60;
      if (u > 0) out.insert(0, std::to_string(u) + "h");
    }
  }
  return neg ? "-" + out : out;
}

}  // namespace kiln::format
