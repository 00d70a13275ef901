// Human-readable sizes and ages exactly as podman prints them (docker/go-units).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace kiln::format {

// go-units HumanSizeWithPrecision: decimal units, "%.*g%s" — "1.998MB", "0B".
std::string HumanSize(double bytes, int precision = 4);
// Podman's tables put a space before the unit: "2.16 MB", "0 B" (images, history).
std::string HumanSizeSpaced(double bytes, int precision = 3);
// go-units HumanDuration: "Less than a second", "About a minute", "3 weeks", …
std::string HumanDuration(int64_t nanoseconds);
// HumanDuration(now - then) + " ago".
std::string TimeAgo(int64_t then_unix_nanos, int64_t now_unix_nanos);

// go-humanize ParseBytes (dive's size flags): "20MB" = 20e6, "20MiB" = 20*2^20, "1.5 kB",
// "300" (bytes); units case-insensitive, B optional ("20M").
Expected<int64_t> ParseHumanBytes(std::string_view text);

}  // namespace kiln::format
