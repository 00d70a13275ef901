// The Containerfile parser, after moby/buildkit frontend/dockerfile/parser (lines, directives,
// continuations, heredocs, per-keyword argument splitting) and instructions/parse.go (the
// per-keyword argument checks and the stage structure).
#include "containerfile/containerfile.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <utility>

#include "containerfile/expand.h"

namespace kiln::build {
namespace {

// Docker's reWhitespace: [\t\v\f\r ] (not '\n').
bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r'; }
bool IsSpace(char c) { return IsBlank(c) || c == '\n'; }

std::string_view TrimLeft(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  return s;
}
std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}
std::string_view Trim(std::string_view s) { return TrimRight(TrimLeft(s)); }
std::string_view TrimNewline(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  return out;
}
std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

// reWhitespace.Split(s, n) on an already trimmed string; n < 0 for all pieces.
std::vector<std::string> SplitBlank(std::string_view s, int n) {
  std::vector<std::string> out;
  while (!s.empty()) {
    if (n > 0 && static_cast<int>(out.size()) == n - 1) {
      out.emplace_back(s);
      break;
    }
    size_t end = 0;
    while (end < s.size() && !IsBlank(s[end])) ++end;
    out.emplace_back(s.substr(0, end));
    while (end < s.size() && IsBlank(s[end])) ++end;
    s.remove_prefix(end);
  }
  return out;
}

// ---- Parser directives ----------------------------------------------------------------

struct Directives {
  char escape = '\\';
  bool done = false;
  std::vector<std::string> seen;
};

// DirectiveParser.ParseLine: "# name=value" lines at the very top. Sets *is_directive.
Status ParseDirective(std::string_view line, Directives* d, bool* is_directive) {
  *is_directive = false;
  if (d->done) return Status::Ok();
  if (line.empty() || line.front() != '#') {
    d->done = true;
    return Status::Ok();
  }
  line = TrimLeft(line.substr(1));
  size_t i = 0;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  while (i < line.size() && (alpha(line[i]) || (i > 0 && line[i] >= '0' && line[i] <= '9'))) ++i;
  std::string name = Lower(line.substr(0, i));
  std::string_view rest = TrimLeft(line.substr(i));
  if (name.empty() || rest.empty() || rest.front() != '=' || Trim(rest.substr(1)).empty() ||
      (name != "escape" && name != "syntax" && name != "check")) {
    d->done = true;
    return Status::Ok();
  }
  if (std::find(d->seen.begin(), d->seen.end(), name) != d->seen.end()) {
    return InvalidArgument("only one " + name + " parser directive can be used");
  }
  d->seen.push_back(name);
  *is_directive = true;
  if (name != "escape") return Status::Ok();
  std::string_view value = Trim(rest.substr(1));
  if (value != "`" && value != "\\") {
    return InvalidArgument("invalid escape token '" + std::string(value) + "' does not match ` or \\");
  }
  d->escape = value.front();
  return Status::Ok();
}

// ---- Lines ------------------------------------------------------------------------------

bool IsComment(std::string_view line) {
  line = TrimLeft(line);
  return !line.empty() && line.front() == '#';
}

// trimContinuationCharacter: an escape character ending the line (trailing blanks allowed)
// continues it, unless the escape character is itself escaped. Returns true at end of line.
bool TrimContinuation(std::string_view* line, char escape) {
  std::string_view s = *line;
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  if (s.empty() || s.back() != escape) return true;
  s.remove_suffix(1);
  if (!s.empty() && s.back() == escape) return true;
  *line = s;
  return false;
}

class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") text_.remove_prefix(3);
  }
  // The next line with its newline; false at the end.
  bool Next(std::string_view* line) {
    if (pos_ >= text_.size()) return false;
    size_t nl = text_.find('\n', pos_);
    size_t end = nl == std::string_view::npos ? text_.size() : nl + 1;
    *line = text_.substr(pos_, end - pos_);
    pos_ = end;
    ++number_;
    return true;
  }
  int number() const { return number_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int number_ = 0;
};

// ---- Words and flags --------------------------------------------------------------------

// extractBuilderFlags: leading "--..." words (quotes and escapes processed) and the rest.
std::vector<std::string> ExtractFlagWords(std::string_view line, char escape, std::string_view* rest) {
  std::vector<std::string> words;
  size_t pos = 0;
  for (;;) {
    while (pos < line.size() && IsSpace(line[pos])) ++pos;
    if (pos + 1 >= line.size() || line[pos] != '-' || line[pos + 1] != '-') {
      *rest = line.substr(pos);
      return words;
    }
    std::string word;
    char quote = 0;
    for (; pos < line.size() && (quote != 0 || !IsSpace(line[pos])); ++pos) {
      char c = line[pos];
      if (quote == 0 && (c == '\'' || c == '"')) {
        quote = c;
        continue;
      }
      if (quote != 0 && c == quote) {
        quote = 0;
        continue;
      }
      if (c == escape) {
        if (pos + 1 == line.size()) {
          quote = 0;
          continue;
        }
        c = line[++pos];
      }
      word += c;
    }
    if (word == "--") {
      *rest = line.substr(pos);
      return words;
    }
    if (!word.empty()) words.push_back(std::move(word));
  }
}

Flag ToFlag(std::string_view word) {
  word.remove_prefix(std::min<size_t>(2, word.size()));
  Flag flag;
  size_t eq = word.find('=');
  flag.name = std::string(word.substr(0, eq));
  if (eq != std::string_view::npos) {
    flag.value = std::string(word.substr(eq + 1));
    flag.has_value = true;
  }
  return flag;
}

// parseWords: words split on unquoted whitespace, quotes and escapes kept for the expander.
std::vector<std::string> ParseWords(std::string_view rest, char escape) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  bool blank_ok = false;
  char quote = 0;
  auto flush = [&] {
    if (blank_ok || !word.empty()) words.push_back(word);
    word.clear();
    blank_ok = false;
    in_word = false;
  };
  for (size_t pos = 0; pos < rest.size(); ++pos) {
    char c = rest[pos];
    if (!in_word && quote == 0) {
      if (IsSpace(c)) continue;
      in_word = true;
    }
    if (quote == 0) {
      if (IsSpace(c)) {
        flush();
        continue;
      }
      if (c == '\'' || c == '"') {
        quote = c;
        blank_ok = true;
      } else if (c == escape) {
        if (pos + 1 == rest.size()) continue;
        word += c;
        c = rest[++pos];
      }
      word += c;
      continue;
    }
    if (c == quote) {
      quote = 0;
    } else if (c == escape && quote != '\'') {
      if (pos + 1 == rest.size()) {
        quote = 0;
        continue;
      }
      word += c;
      c = rest[++pos];
    }
    word += c;
  }
  if (in_word || quote != 0) flush();
  return words;
}

// ---- JSON -------------------------------------------------------------------------------

enum class JsonForm { kNot, kStrings, kNotStrings };

// parseJSON: a JSON array of strings (exec form), or not JSON at all (shell form).
JsonForm ParseJsonArray(std::string_view rest, std::vector<std::string>* out) {
  rest = TrimLeft(rest);
  if (rest.empty() || rest.front() != '[') return JsonForm::kNot;
  nlohmann::json doc = nlohmann::json::parse(rest.begin(), rest.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_array()) return JsonForm::kNot;
  std::vector<std::string> items;
  for (const nlohmann::json& item : doc) {
    if (!item.is_string()) return JsonForm::kNotStrings;
    items.push_back(item.get<std::string>());
  }
  *out = std::move(items);
  return JsonForm::kStrings;
}

const char kNotStringArray[] = "when using JSON array syntax, arrays must be comprised of strings only";

// parseMaybeJSON (to_list=false) and parseMaybeJSONToList (to_list=true).
Status MaybeJson(Instruction* inst, std::string_view rest, bool to_list) {
  if (rest.empty()) return Status::Ok();
  switch (ParseJsonArray(rest, &inst->args)) {
    case JsonForm::kStrings:
      inst->json = true;
      return Status::Ok();
    case JsonForm::kNotStrings:
      return InvalidArgument(kNotStringArray);
    case JsonForm::kNot:
      break;
  }
  if (to_list) {
    inst->args = SplitBlank(rest, -1);
  } else {
    inst->args = {std::string(rest)};
  }
  return Status::Ok();
}

// ---- Per-keyword arguments --------------------------------------------------------------

Status AtLeastOne(const Instruction& inst) {
  if (inst.args.empty()) return InvalidArgument(inst.keyword + " requires at least one argument");
  return Status::Ok();
}
Status ExactlyOne(const Instruction& inst) {
  if (inst.args.size() != 1) return InvalidArgument(inst.keyword + " requires exactly one argument");
  return Status::Ok();
}

// parseNameVal for ENV and LABEL: "K=V K2=V2" or the legacy "K V with spaces".
Status NameVal(Instruction* inst, char escape) {
  std::vector<std::string> words = ParseWords(inst->rest, escape);
  if (words.empty()) return AtLeastOne(*inst);
  if (words[0].find('=') == std::string::npos) {
    std::vector<std::string> parts = SplitBlank(inst->rest, 2);
    if (parts.size() < 2) return InvalidArgument(inst->keyword + " must have two arguments");
    inst->args = std::move(parts);
  } else {
    for (const std::string& word : words) {
      size_t eq = word.find('=');
      if (eq == std::string::npos) {
        return InvalidArgument("Syntax error - can't find = in \"" + word +
                               "\". Must be of the form: name=value");
      }
      inst->args.push_back(word.substr(0, eq));
      inst->args.push_back(word.substr(eq + 1));
    }
  }
  for (size_t i = 0; i < inst->args.size(); i += 2) {
    if (inst->args[i].empty()) return InvalidArgument(inst->keyword + " names can not be blank");
  }
  return Status::Ok();
}

// parseNameOrNameVal + instructions.parseArg.
Status ArgNames(Instruction* inst, char escape) {
  for (const std::string& word : ParseWords(inst->rest, escape)) {
    size_t eq = word.find('=');
    std::string name = word.substr(0, eq);
    if (name.empty()) return InvalidArgument("ARG names can not be blank");
    inst->args.push_back(name);
    inst->args.push_back(eq == std::string::npos ? std::string() : word.substr(eq + 1));
    inst->arg_has_default.push_back(eq != std::string::npos);
  }
  return AtLeastOne(*inst);
}

// parseHealthConfig + instructions.parseHealthcheck.
Status HealthCheck(Instruction* inst) {
  std::string_view rest = inst->rest;
  size_t sep = 0;
  while (sep < rest.size() && !IsSpace(rest[sep])) ++sep;
  if (sep == 0) return AtLeastOne(*inst);
  std::string type = Upper(rest.substr(0, sep));
  Instruction cmd;
  RETURN_IF_ERROR(MaybeJson(&cmd, TrimLeft(rest.substr(sep)), false));
  if (type == "NONE") {
    if (!cmd.args.empty() || cmd.json) return InvalidArgument("HEALTHCHECK NONE takes no arguments");
  } else if (type == "CMD") {
    if (cmd.args.empty()) return InvalidArgument("Missing command after HEALTHCHECK CMD");
  } else {
    return InvalidArgument("Unknown type \"" + std::string(rest.substr(0, sep)) + "\" in HEALTHCHECK (try CMD)");
  }
  inst->json = cmd.json;
  inst->args = {type};
  inst->args.insert(inst->args.end(), cmd.args.begin(), cmd.args.end());
  return Status::Ok();
}

Status FromArgs(Instruction* inst) {
  inst->args = SplitBlank(inst->rest, -1);
  bool named = inst->args.size() == 3 && Lower(inst->args[1]) == "as";
  if (inst->args.size() != 1 && !named) return InvalidArgument("FROM requires either one or three arguments");
  if (!named) return Status::Ok();
  std::string name = Lower(inst->args[2]);
  bool valid = name.front() >= 'a' && name.front() <= 'z';
  for (char c : name) {
    valid = valid && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.');
  }
  if (!valid) {
    return InvalidArgument("invalid name for build stage: \"" + inst->args[2] +
                           "\", name can't start with a number or contain symbols");
  }
  return Status::Ok();
}

Expected<std::optional<Heredoc>> HeredocFromWord(std::string_view word, bool* chomp);

Status SourcesAndDest(Instruction* inst) {
  RETURN_IF_ERROR(MaybeJson(inst, inst->rest, true));
  bool chomp = false;
  if (inst->args.size() >= 2) {
    Expected<std::optional<Heredoc>> dest = HeredocFromWord(inst->args.back(), &chomp);
    if (dest.ok() && dest->has_value()) return InvalidArgument(inst->keyword + " cannot accept a heredoc as a destination");
  }
  if (inst->args.size() < 2) {
    return InvalidArgument(inst->keyword +
                           " requires at least two arguments, but only one was provided. Destination could "
                           "not be determined");
  }
  return Status::Ok();
}

Status Volume(Instruction* inst) {
  RETURN_IF_ERROR(MaybeJson(inst, inst->rest, true));
  RETURN_IF_ERROR(AtLeastOne(*inst));
  for (const std::string& v : inst->args) {
    if (Trim(v).empty()) return InvalidArgument("VOLUME specified can not be an empty string");
  }
  return Status::Ok();
}

Status Shell(Instruction* inst) {
  RETURN_IF_ERROR(MaybeJson(inst, inst->rest, false));
  RETURN_IF_ERROR(AtLeastOne(*inst));
  if (!inst->json) return InvalidArgument("SHELL requires the arguments to be in JSON form");
  return Status::Ok();
}

Status StringArg(Instruction* inst) {
  if (!inst->rest.empty()) inst->args = {inst->rest};
  return ExactlyOne(*inst);
}

Expected<Instruction> ParseLogical(std::string_view line, char escape, bool trigger);

// parseSubCommand + instructions.parseOnBuild: the trigger text as written.
Status OnBuild(Instruction* inst, char escape) {
  if (inst->rest.empty()) return AtLeastOne(*inst);
  std::string_view text = inst->original;
  text.remove_prefix(std::min(text.size(), static_cast<size_t>(7)));  // "ONBUILD", any case
  text = TrimLeft(text);
  ASSIGN_OR_RETURN(Instruction trigger, ParseLogical(text, escape, true));
  (void)trigger;
  inst->args = {std::string(text)};
  return Status::Ok();
}

Status FillArgs(Instruction* inst, char escape) {
  const std::string& k = inst->keyword;
  if (k == "FROM") return FromArgs(inst);
  if (k == "EXPOSE") {
    inst->args = SplitBlank(inst->rest, -1);
    return AtLeastOne(*inst);
  }
  if (k == "COPY" || k == "ADD") return SourcesAndDest(inst);
  if (k == "VOLUME") return Volume(inst);
  if (k == "RUN" || k == "CMD" || k == "ENTRYPOINT") return MaybeJson(inst, inst->rest, false);
  if (k == "SHELL") return Shell(inst);
  if (k == "ENV" || k == "LABEL") return NameVal(inst, escape);
  if (k == "ARG") return ArgNames(inst, escape);
  if (k == "USER" || k == "WORKDIR" || k == "STOPSIGNAL" || k == "MAINTAINER") return StringArg(inst);
  if (k == "HEALTHCHECK") return HealthCheck(inst);
  if (k == "ONBUILD") return OnBuild(inst, escape);
  return InvalidArgument("unknown instruction: " + k);
}

// newNodeFromLine + splitCommand: keyword, flags, rest, then the keyword's arguments.
Expected<Instruction> ParseLogical(std::string_view line, char escape, bool trigger) {
  Instruction inst;
  std::string_view text = Trim(line);
  // Trailing blanks stay in the original, as in Docker's node.Original: podman prints them
  // in "STEP n/m: …" and in history's created_by.
  inst.original = std::string(TrimNewline(TrimLeft(line)));
  size_t end = 0;
  while (end < text.size() && !IsBlank(text[end])) ++end;
  inst.keyword = Upper(text.substr(0, end));
  std::string_view rest;
  for (std::string& word : ExtractFlagWords(text.substr(end), escape, &rest)) inst.flags.push_back(ToFlag(word));
  inst.rest = std::string(Trim(rest));
  if (trigger) {
    if (inst.keyword == "ONBUILD") return InvalidArgument("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
    if (inst.keyword == "FROM" || inst.keyword == "MAINTAINER") {
      return InvalidArgument(inst.keyword + " isn't allowed as an ONBUILD trigger");
    }
  }
  RETURN_IF_ERROR(FillArgs(&inst, escape));
  return inst;
}

// ---- Heredocs ---------------------------------------------------------------------------

bool CanContainHeredoc(const Instruction& inst, char escape) {
  std::string keyword = inst.keyword;
  bool json = inst.json;
  if (keyword == "ONBUILD" && !inst.args.empty()) {
    Expected<Instruction> trigger = ParseLogical(inst.args[0], escape, true);
    if (!trigger.ok()) return false;
    keyword = trigger->keyword;
    json = trigger->json;
  }
  return !json && (keyword == "RUN" || keyword == "COPY" || keyword == "ADD");
}

// ParseHeredoc: a word of the form [fd]<<[-]WORD (WORD without '<'), or nullopt.
Expected<std::optional<Heredoc>> HeredocFromWord(std::string_view word, bool* chomp) {
  size_t i = 0;
  while (i < word.size() && word[i] >= '0' && word[i] <= '9') ++i;
  if (word.substr(i, 2) != "<<") return std::optional<Heredoc>();
  i += 2;
  *chomp = i < word.size() && word[i] == '-';
  if (*chomp) ++i;
  while (i < word.size() && IsSpace(word[i])) ++i;
  std::string_view rest = word.substr(i);
  if (rest.empty() || rest.find('<') != std::string_view::npos) return std::optional<Heredoc>();
  VarLookup none = [](std::string_view) { return std::optional<std::string>(); };
  LexMode mode;
  mode.skip_unset = true;
  ASSIGN_OR_RETURN(std::vector<std::string> words, ExpandWords(rest, none, '\\', mode));
  if (words.size() != 1) return std::optional<Heredoc>();
  mode.raw_quotes = true;
  ASSIGN_OR_RETURN(std::vector<std::string> raw, ExpandWords(rest, none, '\\', mode));
  if (raw.size() != 1) return InvalidArgument("internal lexing of heredoc produced inconsistent results: " + std::string(rest));
  auto quotes = [](const std::string& s) { return std::count(s.begin(), s.end(), '\'') + std::count(s.begin(), s.end(), '"'); };
  Heredoc doc;
  doc.name = words[0];
  doc.expand = quotes(words[0]) == quotes(raw[0]);
  return std::optional<Heredoc>(std::move(doc));
}

struct PendingHeredoc {
  Heredoc doc;
  bool chomp = false;
};

Expected<std::vector<PendingHeredoc>> HeredocsFromLine(std::string_view line) {
  VarLookup none = [](std::string_view) { return std::optional<std::string>(); };
  LexMode mode;
  mode.raw_quotes = mode.raw_escapes = mode.skip_unset = true;
  Expected<std::vector<std::string>> words = ExpandWords(line, none, '\\', mode);
  std::vector<PendingHeredoc> docs;
  if (!words.ok()) return docs;  // Docker ignores a line its lexer cannot split
  for (const std::string& word : *words) {
    PendingHeredoc pending;
    ASSIGN_OR_RETURN(std::optional<Heredoc> doc, HeredocFromWord(word, &pending.chomp));
    if (!doc) continue;
    pending.doc = std::move(*doc);
    docs.push_back(std::move(pending));
  }
  return docs;
}

std::string ChompTabs(std::string_view content) {
  std::string out;
  bool line_start = true;
  for (char c : content) {
    if (line_start && c == '\t') continue;
    line_start = c == '\n';
    out += c;
  }
  return out;
}

// Reads each heredoc's body from the lines after the instruction.
Status ReadHeredocs(std::string_view line, LineReader* reader, std::vector<Heredoc>* out) {
  ASSIGN_OR_RETURN(std::vector<PendingHeredoc> docs, HeredocsFromLine(line));
  for (PendingHeredoc& pending : docs) {
    std::string content;
    bool terminated = false;
    std::string_view body;
    while (!terminated && reader->Next(&body)) {
      std::string_view end = TrimNewline(body);
      if (pending.chomp) {
        while (!end.empty() && end.front() == '\t') end.remove_prefix(1);
      }
      terminated = end == pending.doc.name;
      if (!terminated) content += body;
    }
    if (!terminated) return InvalidArgument("unterminated heredoc");
    pending.doc.content = pending.chomp ? ChompTabs(content) : std::move(content);
    out->push_back(std::move(pending.doc));
  }
  return Status::Ok();
}

// ---- The file ---------------------------------------------------------------------------

class FileParser {
 public:
  FileParser(std::string_view text, const std::string& filename) : reader_(text), filename_(filename) {}

  Expected<Containerfile> Parse();

 private:
  Status At(int line, const Status& st) const {
    return Status(st.code(), filename_ + ":" + std::to_string(line) + ": " + st.message());
  }
  // The first line of an instruction, processed; false at the end of the text.
  Expected<bool> LogicalLine(std::string* line, int* start);
  Status Add(Instruction inst);

  LineReader reader_;
  const std::string& filename_;
  Directives directives_;
  Containerfile file_;
};

Expected<bool> FileParser::LogicalLine(std::string* line, int* start) {
  std::string_view raw;
  for (;;) {
    if (!reader_.Next(&raw)) return false;
    std::string_view token = TrimLeft(TrimNewline(raw));
    bool directive = false;
    Status st = ParseDirective(token, &directives_, &directive);
    if (!st.ok()) return At(reader_.number(), st);
    if (IsComment(token)) token = {};
    bool end = TrimContinuation(&token, directives_.escape);
    if (end && token.empty()) continue;
    *start = reader_.number();
    *line = std::string(token);
    while (!end && reader_.Next(&raw)) {
      token = TrimNewline(raw);
      if (IsComment(token) || TrimLeft(token).empty()) continue;
      end = TrimContinuation(&token, directives_.escape);
      *line += token;
    }
    return true;
  }
}

Status FileParser::Add(Instruction inst) {
  if (inst.keyword == "FROM") {
    Stage stage;
    stage.index = static_cast<int>(file_.stages.size());
    stage.base = inst.args[0];
    if (inst.args.size() == 3) stage.name = Lower(inst.args[2]);
    for (const Flag& flag : inst.flags) {
      if (flag.name == "platform") stage.platform = flag.value;
    }
    stage.from = std::move(inst);
    file_.stages.push_back(std::move(stage));
    return Status::Ok();
  }
  if (!file_.stages.empty()) {
    file_.stages.back().instructions.push_back(std::move(inst));
    return Status::Ok();
  }
  if (inst.keyword == "ARG") {
    file_.global_args.push_back(std::move(inst));
    return Status::Ok();
  }
  return At(inst.line, InvalidArgument(inst.keyword + " before the first FROM: no build stage in current context"));
}

Expected<Containerfile> FileParser::Parse() {
  std::string line;
  int start = 0;
  bool any = false;
  for (;;) {
    ASSIGN_OR_RETURN(bool more, LogicalLine(&line, &start));
    if (!more) break;
    any = true;
    Expected<Instruction> inst = ParseLogical(line, directives_.escape, false);
    if (!inst.ok()) return At(start, inst.status());
    inst->line = start;
    if (CanContainHeredoc(*inst, directives_.escape) && line.find("<<") != std::string::npos) {
      Status st = ReadHeredocs(line, &reader_, &inst->heredocs);
      if (!st.ok()) return At(start, st);
      if (inst->keyword == "ONBUILD") {
        for (const Heredoc& doc : inst->heredocs) inst->args[0] += "\n" + doc.content + doc.name;
      }
    }
    RETURN_IF_ERROR(Add(std::move(*inst)));
  }
  if (!any) return InvalidArgument(filename_ + ": file with no instructions");
  if (file_.stages.empty()) {
    return InvalidArgument(filename_ + ": no FROM instruction: dockerfile contains no stages to build");
  }
  file_.escape = directives_.escape;
  return std::move(file_);
}

}  // namespace

Expected<Containerfile> ParseContainerfile(std::string_view text, const std::string& filename) {
  return FileParser(text, filename).Parse();
}

Expected<Instruction> ParseInstructionLine(std::string_view line, char escape) {
  return ParseLogical(line, escape, true);
}

}  // namespace kiln::build
