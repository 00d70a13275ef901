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

// A point in time as podman's filters take it: unix seconds ("1700000000"), RFC 3339,
// or a Go duration back from now ("10m", "24h", "1h30m").
Expected<int64_t> ParseTimestampOrAge(std::string_view text, int64_t now_nanos);

// A SOURCE_DATE_EPOCH value (reproducible-builds.org): unix seconds, a non-negative integer.
Expected<int64_t> ParseSourceDateEpoch(std::string_view text);
// $SOURCE_DATE_EPOCH parsed; -1 when unset or empty.
Expected<int64_t> SourceDateEpoch();

}  // namespace kiln
