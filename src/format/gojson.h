// encoding/json's Marshal of a Value, as podman's `json` template function and inspect use
// it: struct fields by their JSON names with omitempty, map keys sorted, no HTML escaping.
#pragma once

#include <string>

#include "format/value.h"

namespace kiln::format {

// The compact encoding, without the newline json.Encoder adds.
std::string GoJson(const Value& v);

}  // namespace kiln::format
