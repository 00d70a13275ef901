// Docker's shell lexer (moby/buildkit frontend/dockerfile/shell/lex.go), byte by byte: a
// recursive scanner that removes quotes and escapes, substitutes variables and, for
// ExpandWords, splits on unquoted whitespace (a variable's value splits too, unless quoted).
#include "containerfile/expand.h"

#include <cstdio>
#include <utility>

namespace kiln::build {
namespace {

constexpr int kEof = -1;
// ${a:-${b:-${c...}}} recurses once per level; bound it so that hostile input cannot
// exhaust the stack (Docker has no limit, but no real Containerfile nests this deep).
constexpr int kMaxDepth = 128;

bool IsSpace(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }
bool IsDigit(int c) { return c >= '0' && c <= '9'; }
bool IsNameChar(int c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsSpecialParam(int c) {
  switch (c) {
    case '@': case '*': case '#': case '?': case '-': case '$': case '!': case '0':
      return true;
    default:
      return false;
  }
}

// Go's %q, enough for error messages.
std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// wordsStruct: collects the words of ProcessWords.
class Words {
 public:
  void AddChar(char c) {
    if (!IsSpace(static_cast<unsigned char>(c))) {
      AddRawChar(c);
    } else if (in_word_ && !buf_.empty()) {
      words_.push_back(std::move(buf_));
      buf_.clear();
      in_word_ = false;
    }
  }
  void AddRawChar(char c) {
    buf_ += c;
    in_word_ = true;
  }
  void AddString(std::string_view s) {
    for (char c : s) AddChar(c);
  }
  void AddRawString(std::string_view s) {
    buf_ += s;
    in_word_ = true;
  }
  std::vector<std::string> Take() {
    if (!buf_.empty()) words_.push_back(std::move(buf_));
    return std::move(words_);
  }

 private:
  std::string buf_;
  std::vector<std::string> words_;
  bool in_word_ = false;
};

struct Piece {
  std::string result;
  std::vector<std::string> words;
};

class Lexer {
 public:
  Lexer(std::string_view text, const VarLookup& vars, char escape, const LexMode& mode,
        std::vector<std::string>* refs = nullptr)
      : text_(text), vars_(vars), escape_(static_cast<unsigned char>(escape)), mode_(mode), refs_(refs) {}

  Expected<Piece> Run() {
    Expected<Piece> piece = StopOn(kEof, mode_.raw_escapes, 0);
    if (!piece.ok()) return InvalidArgument("failed to process " + Quote(text_) + ": " + piece.status().message());
    return piece;
  }

 private:
  int Peek() const { return pos_ < text_.size() ? static_cast<unsigned char>(text_[pos_]) : kEof; }
  int Next() { return pos_ < text_.size() ? static_cast<unsigned char>(text_[pos_++]) : kEof; }

  std::optional<std::string> Get(const std::string& name) {
    if (refs_ != nullptr) refs_->push_back(name);
    return vars_ ? vars_(name) : std::nullopt;
  }

  Expected<Piece> StopOn(int stop, bool raw, int depth);
  Expected<std::string> SingleQuote();
  Expected<std::string> DoubleQuote(bool raw, int depth);
  Expected<std::string> Dollar(bool raw, int depth);
  Expected<std::string> Braced(bool raw, int depth);
  Expected<std::string> Modifier(const std::string& name, int ch, std::string chs, bool null_is_unset,
                                 int depth);
  Expected<std::string> Replace(const std::string& name, int depth);
  Expected<std::string> WordUntil(int stop, bool raw, int depth, const char* missing);
  std::string Name();
  std::string PossibleHeredoc();

  std::string_view text_;
  const VarLookup& vars_;
  int escape_;
  LexMode mode_;
  std::vector<std::string>* refs_;
  size_t pos_ = 0;
};

Expected<Piece> Lexer::StopOn(int stop, bool raw, int depth) {
  if (depth > kMaxDepth) return InvalidArgument("substitutions nested too deeply");
  std::string result;
  Words words;
  while (Peek() != kEof) {
    int c = Peek();
    if (stop != kEof && c == stop) {
      Next();
      return Piece{std::move(result), words.Take()};
    }
    if (c == '$' || c == '<' || (c == '\'' || c == '"')) {
      Expected<std::string> tmp = c == '$'    ? Dollar(raw, depth)
                                  : c == '<'  ? Expected<std::string>(PossibleHeredoc())
                                  : c == '\'' ? SingleQuote()
                                              : DoubleQuote(raw, depth);
      if (!tmp.ok()) return tmp.status();
      result += *tmp;
      if (c == '$') {
        words.AddString(*tmp);
      } else {
        words.AddRawString(*tmp);
      }
      continue;
    }
    c = Next();
    if (c == escape_) {
      if (raw) {
        words.AddRawChar(static_cast<char>(c));
        result += static_cast<char>(c);
      }
      c = Next();  // the escape character escapes anything, except the end of the text
      if (c == kEof) break;
      words.AddRawChar(static_cast<char>(c));
    } else {
      words.AddChar(static_cast<char>(c));
    }
    result += static_cast<char>(c);
  }
  if (stop != kEof) {
    return InvalidArgument(std::string("unexpected end of statement while looking for matching ") +
                           static_cast<char>(stop));
  }
  return Piece{std::move(result), words.Take()};
}

Expected<std::string> Lexer::SingleQuote() {
  std::string result;
  int c = Next();
  if (mode_.raw_quotes) result += static_cast<char>(c);
  for (;;) {
    c = Next();
    if (c == kEof) return InvalidArgument("unexpected end of statement while looking for matching single-quote");
    if (c == '\'') {
      if (mode_.raw_quotes) result += '\'';
      return result;
    }
    result += static_cast<char>(c);
  }
}

Expected<std::string> Lexer::DoubleQuote(bool raw, int depth) {
  std::string result;
  int c = Next();
  if (mode_.raw_quotes) result += static_cast<char>(c);
  for (;;) {
    c = Peek();
    if (c == kEof) return InvalidArgument("unexpected end of statement while looking for matching double-quote");
    if (c == '"') {
      Next();
      if (mode_.raw_quotes) result += '"';
      return result;
    }
    if (c == '$') {
      ASSIGN_OR_RETURN(std::string value, Dollar(raw, depth));
      result += value;
      continue;
    }
    c = Next();
    if (c == escape_) {
      if (raw) result += static_cast<char>(c);
      int after = Peek();
      if (after == kEof) continue;  // an escape at the very end is dropped
      // Only these can be escaped inside double quotes; other escapes stay as written.
      if (after == '"' || after == '$' || after == escape_) c = Next();
    }
    result += static_cast<char>(c);
  }
}

std::string Lexer::Name() {
  std::string name;
  if (IsDigit(Peek())) {
    while (IsDigit(Peek())) name += static_cast<char>(Next());
    return name;
  }
  if (IsSpecialParam(Peek())) return std::string(1, static_cast<char>(Next()));
  while (IsNameChar(Peek())) name += static_cast<char>(Next());
  return name;
}

std::string Lexer::PossibleHeredoc() {
  Next();
  if (Peek() != '<') return "<";
  Next();
  std::string result = "<<";
  while (Peek() == ' ' || Peek() == '\t' || Peek() == '\r') result += static_cast<char>(Next());
  return result;
}

Expected<std::string> Lexer::Dollar(bool raw, int depth) {
  Next();  // $
  if (Peek() == '{') return Braced(raw, depth);
  std::string name = Name();
  if (name.empty()) return std::string("$");
  std::optional<std::string> value = Get(name);
  if (!value && mode_.skip_unset) return "$" + name;
  return value.value_or("");
}

Expected<std::string> Lexer::WordUntil(int stop, bool raw, int depth, const char* missing) {
  Expected<Piece> word = StopOn(stop, raw, depth + 1);
  if (!word.ok()) {
    if (Peek() == kEof) return InvalidArgument(missing);
    return word.status();
  }
  return std::move(word->result);
}

Expected<std::string> Lexer::Braced(bool raw, int depth) {
  (void)raw;
  Next();  // {
  int c = Peek();
  if (c == kEof) return InvalidArgument("syntax error: missing '}'");
  if (c == '{' || c == '}' || c == ':') return InvalidArgument("syntax error: bad substitution");
  std::string name = Name();
  int ch = Next();
  if (ch == kEof) return InvalidArgument("syntax error: missing '}'");
  if (ch == '}') {
    std::optional<std::string> value = Get(name);
    if (!value && mode_.skip_unset) return "${" + name + "}";
    return value.value_or("");
  }
  std::string chs(1, static_cast<char>(ch));
  if (ch == ':') {
    ch = Next();
    if (ch == kEof) return InvalidArgument("syntax error: missing '}'");
    chs += static_cast<char>(ch);
    return Modifier(name, ch, chs, true, depth);
  }
  if (ch == '+' || ch == '-' || ch == '?' || ch == '#' || ch == '%') return Modifier(name, ch, chs, false, depth);
  if (ch == '/') return Replace(name, depth);
  return InvalidArgument("unsupported modifier (" + chs + ") in substitution");
}

// ${name<mod>word} and ${name:<mod>word}. Pattern removal (# %) is parsed as Docker does
// but, like podman's imagebuilder before it, not supported.
Expected<std::string> Lexer::Modifier(const std::string& name, int ch, std::string chs, bool null_is_unset,
                                      int depth) {
  bool pattern = ch == '#' || ch == '%';
  if (null_is_unset && pattern) return InvalidArgument("unsupported modifier (" + chs + ") in substitution");
  ASSIGN_OR_RETURN(std::string word, WordUntil('}', pattern, depth, "syntax error: missing '}'"));
  std::optional<std::string> value = Get(name);
  if (!value && mode_.skip_unset) return "${" + name + chs + word + "}";
  bool empty = !value || (null_is_unset && value->empty());
  switch (ch) {
    case '-':
      return empty ? word : *value;
    case '+':
      return empty ? std::string() : word;
    case '?':
      if (!value) return InvalidArgument(name + ": " + (word.empty() ? "is not allowed to be unset" : word));
      if (empty) return InvalidArgument(name + ": " + (word.empty() ? "is not allowed to be empty" : word));
      return *value;
    default:
      return InvalidArgument("unsupported modifier (" + chs + ") in substitution");
  }
}

// ${name/pattern/replacement}: parsed, kept as written for skip_unset, otherwise unsupported.
Expected<std::string> Lexer::Replace(const std::string& name, int depth) {
  bool all = Peek() == '/';
  if (all) Next();
  ASSIGN_OR_RETURN(std::string pattern, WordUntil('/', true, depth, "syntax error: missing '/' in ${}"));
  ASSIGN_OR_RETURN(std::string replacement, WordUntil('}', true, depth, "syntax error: missing '}'"));
  std::optional<std::string> value = Get(name);
  if (!value && mode_.skip_unset) return "${" + name + "/" + pattern + "/" + replacement + "}";
  return InvalidArgument(std::string("unsupported modifier (") + (all ? "//" : "/") + ") in substitution");
}

}  // namespace

Expected<std::string> ExpandWord(std::string_view word, const VarLookup& vars, char escape) {
  ASSIGN_OR_RETURN(Piece piece, Lexer(word, vars, escape, LexMode{}).Run());
  return std::move(piece.result);
}

Expected<std::vector<std::string>> ExpandWords(std::string_view text, const VarLookup& vars, char escape) {
  return ExpandWords(text, vars, escape, LexMode{});
}

Expected<std::vector<std::string>> ExpandWords(std::string_view text, const VarLookup& vars, char escape,
                                               const LexMode& mode) {
  ASSIGN_OR_RETURN(Piece piece, Lexer(text, vars, escape, mode).Run());
  return std::move(piece.words);
}

std::vector<std::string> ReferencedVars(std::string_view word, char escape) {
  // Every variable looks set and non-empty so that ${X:?} does not stop the scan; the words
  // of ${X:-word} are scanned whatever X holds, as Docker does.
  VarLookup any = [](std::string_view) -> std::optional<std::string> { return std::string("x"); };
  std::vector<std::string> seen;
  (void)Lexer(word, any, escape, LexMode{}, &seen).Run();
  std::vector<std::string> names;
  for (std::string& name : seen) {
    bool dup = false;
    for (const std::string& n : names) dup = dup || n == name;
    if (!dup) names.push_back(std::move(name));
  }
  return names;
}

}  // namespace kiln::build
