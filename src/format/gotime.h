// Go's textual forms of a time.Time in UTC.
#pragma once

#include <cstdint>
#include <string>

namespace kiln::format {

// time.Time.String(): "2026-11-27 23:31:32.561643701 +0000 UTC" (trailing zero nanos trimmed).
std::string GoTimeString(int64_t unix_seconds, int32_t nanos);
// time.RFC3339Nano, as encoding/json writes times: "2026-11-27T23:31:32.561643701Z".
std::string GoTimeRfc3339Nano(int64_t unix_seconds, int32_t nanos);

}  // namespace kiln::format
