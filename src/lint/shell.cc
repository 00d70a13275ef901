#include "lint/shell.h"

#include <algorithm>

namespace kiln::lint {
namespace {

bool IsAssignment(const std::string& word) {
  size_t eq = word.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  return std::all_of(word.begin(), word.begin() + static_cast<long>(eq),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// Drops `FOO=1 BAR=2` prefixes, sudo and its flags, so that the program is word 0.
Command Normalise(Command words) {
  size_t i = 0;
  while (i < words.size() && IsAssignment(words[i])) ++i;
  if (i < words.size() && words[i] == "sudo") {
    ++i;
    while (i < words.size() && !words[i].empty() && words[i][0] == '-') ++i;
  }
  words.erase(words.begin(), words.begin() + static_cast<long>(i));
  return words;
}

}  // namespace

std::vector<Command> SimpleCommands(std::string_view script) {
  std::vector<Command> out;
  Command current;
  std::string word;
  bool in_word = false;
  auto end_word = [&] {
    if (in_word) current.push_back(word);
    word.clear();
    in_word = false;
  };
  auto end_command = [&] {
    end_word();
    Command cmd = Normalise(std::move(current));
    if (!cmd.empty()) out.push_back(std::move(cmd));
    current.clear();
  };
  char quote = 0;
  for (size_t i = 0; i < script.size(); ++i) {
    char c = script[i];
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else if (c == '\\' && quote == '"' && i + 1 < script.size()) {
        word += script[++i];
      } else {
        word += c;
      }
      continue;
    }
    switch (c) {
      case '\'':
      case '"':
        quote = c;
        in_word = true;
        break;
      case '\\':
        if (i + 1 < script.size() && script[i + 1] != '\n') {
          word += script[++i];
          in_word = true;
        } else {
          ++i;  // a line continuation
        }
        break;
      case ' ':
      case '\t':
        end_word();
        break;
      case '#':
        if (in_word) {
          word += c;
        } else {
          while (i < script.size() && script[i] != '\n') ++i;
          end_command();
        }
        break;
      case ';':
      case '&':
      case '|':
      case '\n':
      case '(':
      case ')':
        end_command();
        break;
      default:
        word += c;
        in_word = true;
    }
  }
  end_command();
  return out;
}

bool IsProgram(const Command& cmd, std::string_view prog) {
  if (cmd.empty()) return false;
  std::string_view first = cmd[0];
  if (size_t slash = first.rfind('/'); slash != std::string_view::npos) first.remove_prefix(slash + 1);
  return first == prog;
}

std::vector<std::string> Operands(const Command& cmd) {
  std::vector<std::string> out;
  for (size_t i = 1; i < cmd.size(); ++i) {
    if (!cmd[i].empty() && cmd[i][0] != '-') out.push_back(cmd[i]);
  }
  return out;
}

bool HasWord(const Command& cmd, std::string_view word) {
  return std::find(cmd.begin(), cmd.end(), word) != cmd.end();
}

bool HasWordWithPrefix(const Command& cmd, std::string_view prefix) {
  return std::any_of(cmd.begin(), cmd.end(), [&](const std::string& w) { return w.rfind(prefix, 0) == 0; });
}

}  // namespace kiln::lint
