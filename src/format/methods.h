// The methods of the Go types in podman's template data that templates call like fields, as
// text/template does through reflection: {{.Created.Unix}}, {{.Created.Format "2006-01-02"}},
// {{.Created.Month}}, {{.Config.Healthcheck.Interval.Seconds}}. Types: time.Time (inspect's
// Created and History[].Created are *time.Time), time.Month, time.Weekday, time.Duration.
#pragma once

#include <span>
#include <string_view>

#include "format/funcs.h"
#include "format/value.h"
#include "util/status.h"

namespace kiln::format {

struct Method {
  std::string_view name;
  std::span<const ParamType> params;
  // Go's results besides a trailing error; a template can call only a method with one
  // ("can't call method/function "Zone" with 2 results").
  int num_out = 1;
  // Arguments already checked against params. An error is the method's own text.
  Expected<Value> (*call)(const Value& receiver, std::span<const Value> args) = nullptr;
};

// The method `name` of the receiver's Go type (for a pointer, of the type it points to, whose
// methods all have value receivers), or nullptr.
const Method* FindMethod(const Value& receiver, std::string_view name);

}  // namespace kiln::format
