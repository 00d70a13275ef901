// Go's textual forms of a time.Time in UTC and of a time.Duration.
#pragma once

#include <cstdint>
#include <string>

namespace kiln::format {

// time.Time.String(): "2026-11-27 23:31:32.561643701 +0000 UTC" (trailing zero nanos trimmed).
std::string GoTimeString(int64_t unix_seconds, int32_t nanos);
// time.RFC3339Nano, as encoding/json writes times: "2026-11-27T23:31:32.561643701Z".
std::string GoTimeRfc3339Nano(int64_t unix_seconds, int32_t nanos);

// time.Duration.String(): "1h2m3.5s", "1m30s", "5s", "1.5ms", "2µs", "100ns", "0s".
std::string GoDurationString(int64_t nanoseconds);

}  // namespace kiln::format
