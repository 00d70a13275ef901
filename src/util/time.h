// Instants are int64 nanoseconds since the Unix epoch, UTC.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace kiln {

int64_t NowNanos();
// Go's time.RFC3339Nano in UTC: "2026-11-28T00:45:28.741834044Z", trailing zeros trimmed.
std::string FormatRfc3339Nano(int64_t unix_nanos);
// Accepts RFC 3339 with optional fraction and a Z or ±hh:mm offset.
Expected<int64_t> ParseRfc3339(std::string_view text);

}  // namespace kiln
