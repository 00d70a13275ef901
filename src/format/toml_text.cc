#include "format/toml_text.h"

#include <sstream>

#include "util/fs.h"

namespace kiln::format {
namespace {

Status Invalid(std::string_view what, const std::string& path, const std::string& reason) {
  return InvalidArgument(std::string(what) + " \"" + path + "\": " + reason);
}

// toml++ 3.3.0 (Debian's) reaches __builtin_unreachable() on some non-ASCII characters
// outside comments (is_non_ascii_horizontal_whitespace; upstream issues #190 and #295, found
// by fuzz/registries_conf_fuzz.cc and fuzz/lint_fuzz.cc). Nothing kiln reads from TOML needs
// them (registry locations, option names, paths in practice), so they are refused before
// parsing; comments, which toml++ only skips, may hold any UTF-8.
Status CheckAsciiOutsideComments(std::string_view text, const std::string& path, std::string_view what) {
  enum { kCode, kComment, kBasic, kLiteral, kMultiBasic, kMultiLiteral } state = kCode;
  int line = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    auto starts = [&](std::string_view s) { return text.substr(i, s.size()) == s; };
    if (c == '\n') ++line;
    if (static_cast<unsigned char>(c) >= 0x80 && state != kComment)
      return Invalid(what, path, "non-ASCII character on line " + std::to_string(line) + " (only comments may hold one)");
    switch (state) {
      case kCode:
        if (c == '#') state = kComment;
        else if (starts("\"\"\"")) state = kMultiBasic, i += 2;
        else if (starts("'''")) state = kMultiLiteral, i += 2;
        else if (c == '"') state = kBasic;
        else if (c == '\'') state = kLiteral;
        break;
      case kComment:
        if (c == '\n') state = kCode;
        break;
      case kBasic:
      case kMultiBasic:
        if (c == '\\') {
          if (i + 1 < text.size() && text[i + 1] == '\n') ++line;
          ++i;  // the escaped character cannot end the string
        } else if (state == kBasic && (c == '"' || c == '\n')) {
          state = kCode;
        } else if (state == kMultiBasic && starts("\"\"\"")) {
          state = kCode, i += 2;
        }
        break;
      case kLiteral:
        if (c == '\'' || c == '\n') state = kCode;
        break;
      case kMultiLiteral:
        if (starts("'''")) state = kCode, i += 2;
        break;
    }
  }
  return Status::Ok();
}

}  // namespace

Expected<toml::table> ParseToml(std::string_view text, const std::string& path, std::string_view what) {
  RETURN_IF_ERROR(CheckAsciiOutsideComments(text, path, what));
  try {
    return toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    std::ostringstream reason;
    reason << e.description() << " (line " << e.source().begin.line << ")";
    return Invalid(what, path, reason.str());
  }
}

Expected<toml::table> ParseTomlFile(const std::string& path, std::string_view what) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseToml(text, path, what);
}

}  // namespace kiln::format
