#include "util/json_text.h"

namespace kiln {

std::string JsonText(const nlohmann::json& j, int indent, char indent_char) {
  return j.dump(indent, indent_char, false, nlohmann::json::error_handler_t::replace);
}

std::string JsonText(const nlohmann::ordered_json& j, int indent, char indent_char) {
  return j.dump(indent, indent_char, false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace kiln
