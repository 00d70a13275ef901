// Go's fmt package over Values: Sprint, Sprintln and Sprintf with Go's verbs, flags and
// error notation (%!d(string=abc), %!d(MISSING), %!(EXTRA string=x)).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "format/value.h"

namespace kiln::format {

std::string GoSprint(std::span<const Value> args);
std::string GoSprintln(std::span<const Value> args);
std::string GoSprintf(std::string_view format, std::span<const Value> args);

// What a template action writes for a value: text/template's printableValue (a top-level
// pointer is followed, a missing value is "<no value>") and then fmt.Fprint.
void AppendPrintable(std::string& out, const Value& v);

}  // namespace kiln::format
