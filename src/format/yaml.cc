#include "format/yaml.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "util/json_text.h"

namespace kiln::format {
namespace {

// What a YAML reader would take for a number (strtod's grammar covers ints, floats, hex,
// inf and nan; quoting a few more strings than yaml.v2 does is harmless).
bool LooksLikeNumber(std::string_view s) {
  std::string text(s);
  char* end = nullptr;
  std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

bool NeedsQuotes(std::string_view s) {
  if (s.empty() || s.front() == ' ' || s.back() == ' ') return true;
  static constexpr std::string_view kReserved[] = {"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~",
                                                   "True", "False", "Yes", "No", "On", "Off", "Null", "NULL", "TRUE", "FALSE"};
  for (auto r : kReserved)
    if (s == r) return true;
  if (LooksLikeNumber(s)) return true;
  if (std::string_view("-?:,[]{}#&*!|>'\"%@`").find(s.front()) != std::string_view::npos) return true;
  if (s.find(": ") != std::string_view::npos || s.find(" #") != std::string_view::npos || s.back() == ':') return true;
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

std::string Scalar(const nlohmann::json& v) {
  if (v.is_null()) return "null";
  if (!v.is_string()) return JsonText(v);
  const std::string& s = v.get_ref<const std::string&>();
  if (!NeedsQuotes(s)) return s;
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02X", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

bool IsInline(const nlohmann::json& v) { return !v.is_structured() || v.empty(); }

std::string InlineValue(const nlohmann::json& v) {
  if (v.is_array()) return "[]";
  if (v.is_object()) return "{}";
  return Scalar(v);
}

void Emit(const nlohmann::json& v, const std::string& indent, std::string& out);

// A list item: "- " then the first line of the element on the same line.
void EmitItem(const nlohmann::json& item, const std::string& indent, std::string& out) {
  out += indent + "- ";
  if (IsInline(item)) {
    out += InlineValue(item) + "\n";
    return;
  }
  std::string nested;
  Emit(item, indent + "  ", nested);
  out += nested.substr(indent.size() + 2);  // the first line without its indentation
}

void Emit(const nlohmann::json& v, const std::string& indent, std::string& out) {
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      out += indent + Scalar(it.key()) + ":";
      if (IsInline(it.value())) {
        out += " " + InlineValue(it.value()) + "\n";
      } else if (it.value().is_array()) {
        out += "\n";
        for (const auto& item : it.value()) EmitItem(item, indent, out);
      } else {
        out += "\n";
        Emit(it.value(), indent + "  ", out);
      }
    }
  } else if (v.is_array()) {
    for (const auto& item : v) EmitItem(item, indent, out);
  } else {
    out += indent + Scalar(v) + "\n";
  }
}

}  // namespace

std::string Yaml(const nlohmann::json& value) {
  if (IsInline(value)) return InlineValue(value) + "\n";
  std::string out;
  Emit(value, "", out);
  return out;
}

}  // namespace kiln::format
