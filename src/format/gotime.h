// Go's textual forms of a time.Time and of a time.Duration, and the calendar fields its
// methods return.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kiln::format {

// A time.Time: an instant and the zone it is shown in (offset east of UTC, abbreviation).
struct GoTime {
  int64_t unix_seconds = 0;
  int32_t nanos = 0;
  int32_t offset = 0;
  std::string_view zone = "UTC";
};

// The calendar fields of a time in its zone, as Time.Date/Clock/Weekday/YearDay give them.
struct GoCivil {
  int64_t year;
  int month, day, hour, minute, second;
  int weekday;  // 0 = Sunday
  int yday;     // 1..366
};
GoCivil CivilOf(const GoTime& t);

extern const char* const kGoMonthNames[12];    // "January", …
extern const char* const kGoWeekdayNames[7];   // "Sunday", …

// Time.Format(layout) with Go's layout rules ("2006-01-02 15:04:05.999999999 -0700 MST").
std::string GoTimeFormat(const GoTime& t, std::string_view layout);

// time.Time.String(): "2026-11-27 23:31:32.561643701 +0000 UTC" (trailing zero nanos trimmed).
std::string GoTimeString(const GoTime& t);
std::string GoTimeString(int64_t unix_seconds, int32_t nanos);
// time.RFC3339Nano, as encoding/json writes times: "2026-11-27T23:31:32.561643701Z".
std::string GoTimeRfc3339Nano(const GoTime& t);
std::string GoTimeRfc3339Nano(int64_t unix_seconds, int32_t nanos);

// time.Duration.String(): "1h2m3.5s", "1m30s", "5s", "1.5ms", "2µs", "100ns", "0s".
std::string GoDurationString(int64_t nanoseconds);

}  // namespace kiln::format
