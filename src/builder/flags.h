// The flags each instruction accepts (Docker's per-instruction flag sets), and the values
// some of them carry.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "containerfile/containerfile.h"
#include "util/status.h"

namespace kiln::build {

// kInvalidArgument "unknown flag: NAME" for a flag the instruction does not take
// (buildkit: "Unknown flag: NAME"), as podman's builder reports it.
Status CheckFlags(const Instruction& ins);

// The fields of a --mount (and of build's --secret): "type=bind,source=x,target=/y,ro" →
// {type: bind, source: x, target: /y, ro: true}; src, dst, destination and readonly are
// read as source, target, target and ro.
std::map<std::string, std::string> ParseFlagFields(const std::string& value);

// Words joined with single spaces, as Go's strings.Join(words, " ") (history, messages).
std::string JoinWords(const std::vector<std::string>& words);

// Go's time.ParseDuration for HEALTHCHECK's --interval/--timeout/--start-period:
// "30s", "1m30s", "1.5h", "500ms", "0". Nanoseconds.
Expected<int64_t> ParseGoDuration(const std::string& text);

}  // namespace kiln::build
