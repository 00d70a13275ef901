// The flags each instruction accepts (Docker's per-instruction flag sets), and the values
// some of them carry.
#pragma once

#include <cstdint>
#include <string>

#include "build/containerfile.h"
#include "util/status.h"

namespace kiln::build {

// kInvalidArgument "unknown flag: NAME" for a flag the instruction does not take
// (buildkit: "Unknown flag: NAME"), as podman's builder reports it.
Status CheckFlags(const Instruction& ins);

// Go's time.ParseDuration for HEALTHCHECK's --interval/--timeout/--start-period:
// "30s", "1m30s", "1.5h", "500ms", "0". Nanoseconds.
Expected<int64_t> ParseGoDuration(const std::string& text);

}  // namespace kiln::build
