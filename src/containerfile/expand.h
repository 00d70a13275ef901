// Variable expansion as Docker's shell lexer does it (moby/buildkit frontend/dockerfile/shell):
// $VAR, ${VAR}, ${VAR:-word}, ${VAR-word}, ${VAR:+word}, ${VAR+word}, ${VAR:?msg}, single and
// double quotes, the escape character. Used for the instructions Docker expands: FROM, COPY,
// ADD, ENV, LABEL, ARG, EXPOSE, USER, WORKDIR, VOLUME, STOPSIGNAL, ONBUILD(no), flags' values.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace kiln::build {

// Looks a variable up; nullopt when it is not set.
using VarLookup = std::function<std::optional<std::string>(std::string_view name)>;

// One word: quotes removed, escapes applied, variables substituted (ProcessWord).
Expected<std::string> ExpandWord(std::string_view word, const VarLookup& vars, char escape = '\\');
// Text split into words on unquoted whitespace after expansion (ProcessWords): a variable's
// value is not re-split inside quotes.
Expected<std::vector<std::string>> ExpandWords(std::string_view text, const VarLookup& vars, char escape = '\\');
// Docker's special lexer modes, for the parser's heredoc detection (parser.heredocsFromLine):
// quotes and escape characters kept in the output, unset variables left as written.
struct LexMode {
  bool raw_quotes = false;
  bool raw_escapes = false;
  bool skip_unset = false;
};
Expected<std::vector<std::string>> ExpandWords(std::string_view text, const VarLookup& vars, char escape,
                                               const LexMode& mode);
// The names of the variables a word refers to (for "which ARGs does this step use").
std::vector<std::string> ReferencedVars(std::string_view word, char escape = '\\');

}  // namespace kiln::build
