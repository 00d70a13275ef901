// Just enough of the POSIX shell grammar for the lint rules to read a RUN line: the simple
// commands of a script (split on ; && || | & and newlines), each as its words with quotes
// removed, leading VAR=value assignments and sudo dropped. No expansion, no subshells: a
// rule that reads a command wrongly stays silent rather than inventing a finding.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kiln::lint {

using Command = std::vector<std::string>;

std::vector<Command> SimpleCommands(std::string_view script);

// Whether the command is `prog` (basename compared, "/usr/bin/apt-get" is "apt-get").
bool IsProgram(const Command& cmd, std::string_view prog);
// The words after the program that do not start with '-' (subcommands and operands).
std::vector<std::string> Operands(const Command& cmd);
bool HasWord(const Command& cmd, std::string_view word);
// A word starting with prefix (e.g. "--no-install-recommends" or "/var/lib/apt/lists").
bool HasWordWithPrefix(const Command& cmd, std::string_view prefix);

}  // namespace kiln::lint
