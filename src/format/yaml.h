// YAML as podman prints `info` (sigs.k8s.io/yaml: the JSON encoding re-emitted by yaml.v2):
// keys sorted, two-space indentation, list items at their key's indentation, strings quoted
// only when plain YAML would read them as something else.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace kiln::format {

std::string Yaml(const nlohmann::json& value);

}  // namespace kiln::format
