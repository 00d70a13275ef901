// The one way kiln writes JSON text. nlohmann's dump() throws on a string that is not UTF-8
// (a label given as raw bytes, a file name from a layer); Go's encoding/json, which podman's
// output and configs come from, writes U+FFFD for each invalid byte instead. JsonText does the
// same, so bad bytes never become an "internal error" halfway through a command.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace kiln {

// indent < 0: compact, as dump() with no arguments.
std::string JsonText(const nlohmann::json& j, int indent = -1, char indent_char = ' ');
std::string JsonText(const nlohmann::ordered_json& j, int indent = -1, char indent_char = ' ');

}  // namespace kiln
