// The Containerfile (Dockerfile) parser: text in, stages of instructions out. No variable is
// expanded here (that depends on build args and the stage's ENV: see expand.h); the parser
// only splits the text the way Docker's parser does (moby/buildkit frontend/dockerfile/parser
// and instructions), so that the builder can expand each piece in the right scope.
//
//   ASSIGN_OR_RETURN(build::Containerfile file, build::ParseContainerfile(text, "Containerfile"));
//   for (const build::Stage& stage : file.stages) ...
//
// Errors are kInvalidArgument with podman-style text naming file:line, e.g.
//   Containerfile:3: unknown instruction: FOO
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace kiln::build {

struct Heredoc {
  std::string name;     // the delimiter word, unquoted (EOF)
  std::string content;  // the body, each line ending in '\n'; with <<- leading tabs removed
  bool expand = true;   // false when the delimiter was quoted ('EOF' or "EOF")
};

struct Flag {
  std::string name;   // without the dashes: "from", "chown", "mount", "link"
  std::string value;  // after '=', "" when there was none (--link)
  bool has_value = false;
};

struct Instruction {
  int line = 0;          // 1-based line of the keyword
  std::string keyword;   // upper case: "RUN", "COPY", ...
  // The logical line as written, with the keyword as written, continuations (escape char +
  // newline) removed and comment lines inside continuations dropped, leading blanks trimmed
  // (trailing ones kept, as Docker's node.Original keeps them). For a heredoc
  // instruction only the first line (e.g. "RUN <<EOF"). This is what podman prints in
  // "STEP n/m: ..." and what history's created_by shows for metadata steps.
  std::string original;
  std::vector<Flag> flags;  // leading --name[=value] flags, in order, removed from args
  // The text after the keyword and the flags, unexpanded (leading/trailing space trimmed).
  std::string rest;
  bool json = false;  // exec form: rest was a JSON array of strings, now in args
  // By keyword (Docker's parse functions):
  //  FROM, EXPOSE: whitespace-separated words                    (parseStringsWhitespaceDelimited)
  //  COPY, ADD, VOLUME: JSON array or whitespace-separated words (parseMaybeJSONToList)
  //  RUN, CMD, ENTRYPOINT, SHELL: JSON array (json=true) or one element, the raw shell text
  //  ENV, LABEL: flat key, value, key, value... (both "K=V K2=V2" and legacy "K V with spaces");
  //              quotes and escapes kept for the expander
  //  ARG: flat name, value pairs as ENV; a name without default has value "" and is listed
  //       in arg_has_default as false
  //  USER, WORKDIR, STOPSIGNAL, MAINTAINER: one element, the rest
  //  HEALTHCHECK: "NONE", or "CMD" followed by the command as for RUN (json or shell)
  //  ONBUILD: one element, the trigger instruction text (e.g. "RUN echo hi")
  std::vector<std::string> args;
  std::vector<bool> arg_has_default;  // ARG only, one per name
  std::vector<Heredoc> heredocs;      // RUN/COPY/ADD heredocs in order of appearance
};

struct Stage {
  int index = 0;            // 0-based position among stages
  std::string base;         // FROM's image word, unexpanded (may hold $ARG)
  std::string name;         // AS name, lower-cased; "" when none
  std::string platform;     // --platform value, unexpanded; "" when none
  Instruction from;         // the FROM instruction itself
  std::vector<Instruction> instructions;  // after FROM, in order
};

struct Containerfile {
  char escape = '\\';
  std::vector<Instruction> global_args;  // ARG instructions before the first FROM
  std::vector<Stage> stages;
};

// Parses a whole Containerfile. `filename` only labels errors.
Expected<Containerfile> ParseContainerfile(std::string_view text, const std::string& filename);
// Parses one instruction line as written in an ONBUILD trigger (no heredocs, no FROM/ONBUILD).
Expected<Instruction> ParseInstructionLine(std::string_view line, char escape);

}  // namespace kiln::build
