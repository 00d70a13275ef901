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

}  // namespace kiln::format
