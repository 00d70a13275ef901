// The functions a template can call: Go's builtins and podman 4.3.1's report.DefaultFuncs
// (containers/common v0.50 pkg/report/template.go).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "format/value.h"
#include "util/status.h"

namespace kiln::format {

enum class FuncId {
  // Go text/template builtins.
  kAnd, kCall, kHtml, kIndex, kSlice, kJs, kLen, kNot, kOr, kPrint, kPrintf, kPrintln,
  kUrlquery, kEq, kGe, kGt, kLe, kLt, kNe,
  // podman's additions.
  kJoin, kJson, kLower, kPad, kSplit, kTitle, kTruncate, kUpper,
};

// How an argument reaches a function, mirroring the Go parameter type.
enum class ParamType {
  kValue,        // reflect.Value: anything, passed as is
  kAny,          // interface{}: anything; a missing value becomes nil
  kString,       // string
  kInt,          // int
  kStringSlice,  // []string
  kTime,         // time.Time (a method's parameter)
  kDuration,     // time.Duration (a method's parameter)
};

struct FuncSignature {
  std::span<const ParamType> fixed;  // parameters before the variadic one
  std::optional<ParamType> variadic;
};

std::optional<FuncId> LookupFunction(std::string_view name);
const FuncSignature& SignatureOf(FuncId id);
// Go's reflect spelling of a parameter type, for "expected string" / "want 2 got 1".
std::string_view ParamTypeName(ParamType type);

// Calls a function other than and/or (which the executor short-circuits itself) with
// arguments already checked against its signature. An error is the function's own error
// text; the executor wraps it as "error calling NAME: …".
Expected<Value> CallFunction(FuncId id, std::span<const Value> args);

// strings.ToUpper (Unicode beyond Latin, Greek and Cyrillic is left as is).
std::string GoToUpper(std::string_view s);

// Go's truth of a value (text/template isTrue): false, 0, "", nil, empty containers.
bool IsTrue(const Value& v);

}  // namespace kiln::format
