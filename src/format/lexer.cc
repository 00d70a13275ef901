#include "format/lexer.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "util/go_strconv.h"

namespace kiln::format {
namespace {

constexpr std::string_view kLeftDelim = "{{";
constexpr std::string_view kRightDelim = "}}";
constexpr std::string_view kLeftComment = "/*";
constexpr std::string_view kRightComment = "*/";
constexpr size_t kTrimMarkerLen = 2;  // "- " or " -"
constexpr char32_t kEofRune = static_cast<char32_t>(-1);

bool IsSpace(char32_t r) { return r == ' ' || r == '\t' || r == '\r' || r == '\n'; }

// unicode.IsLetter / IsDigit, approximated outside ASCII: any non-ASCII rune that is
// printable counts as a letter (identifiers rarely hold anything else).
bool IsAlphaNumeric(char32_t r) {
  if (r < 0x80) return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9');
  return r != kEofRune && IsPrint(r);
}

bool HasLeftTrimMarker(std::string_view s) {
  return s.size() >= 2 && s[0] == '-' && IsSpace(static_cast<unsigned char>(s[1]));
}
bool HasRightTrimMarker(std::string_view s) {
  return s.size() >= 2 && IsSpace(static_cast<unsigned char>(s[0])) && s[1] == '-';
}

size_t RightTrimLength(std::string_view s) {
  size_t n = s.size();
  while (n > 0 && IsSpace(static_cast<unsigned char>(s[n - 1]))) --n;
  return s.size() - n;
}
size_t LeftTrimLength(std::string_view s) {
  size_t n = 0;
  while (n < s.size() && IsSpace(static_cast<unsigned char>(s[n]))) ++n;
  return n;
}

const std::map<std::string_view, TokenType>& Keywords() {
  static const std::map<std::string_view, TokenType> kKeywords = {
      {".", TokenType::kDot},         {"block", TokenType::kBlock}, {"break", TokenType::kBreak},
      {"continue", TokenType::kContinue}, {"define", TokenType::kDefine}, {"else", TokenType::kElse},
      {"end", TokenType::kEnd},       {"if", TokenType::kIf},       {"range", TokenType::kRange},
      {"nil", TokenType::kNil},       {"template", TokenType::kTemplate}, {"with", TokenType::kWith},
  };
  return kKeywords;
}

std::string FormatRune(char32_t r) {  // Go's %#U
  std::string out = fmt::format("U+{:04X}", static_cast<uint32_t>(r));
  if (IsPrint(r)) {
    out += " '";
    AppendRune(out, r);
    out += "'";
  }
  return out;
}

class Lexer {
 public:
  explicit Lexer(std::string_view input) : input_(input) {}

  std::vector<Token> Run() {
    State state = State::kText;
    while (state != State::kDone) state = Step(state);
    return std::move(tokens_);
  }

 private:
  enum class State {
    kDone,
    kText,
    kLeftDelim,
    kComment,
    kRightDelim,
    kInsideAction,
    kSpace,
    kIdentifier,
    kField,
    kVariable,
    kChar,
    kNumber,
    kQuote,
    kRawQuote,
  };

  State Step(State state) {
    switch (state) {
      case State::kText: return LexText();
      case State::kLeftDelim: return LexLeftDelim();
      case State::kComment: return LexComment();
      case State::kRightDelim: return LexRightDelim();
      case State::kInsideAction: return LexInsideAction();
      case State::kSpace: return LexSpace();
      case State::kIdentifier: return LexIdentifier();
      case State::kField: return LexFieldOrVariable(TokenType::kField);
      case State::kVariable: return LexVariable();
      case State::kChar: return LexChar();
      case State::kNumber: return LexNumber();
      case State::kQuote: return LexQuote();
      case State::kRawQuote: return LexRawQuote();
      case State::kDone: break;
    }
    return State::kDone;
  }

  char32_t Next() {
    if (pos_ >= input_.size()) {
      at_eof_ = true;
      return kEofRune;
    }
    auto [r, size] = DecodeRune(input_.substr(pos_));
    pos_ += size;
    if (r == '\n') ++line_;
    return r;
  }

  char32_t Peek() {
    size_t pos = pos_;
    int line = line_;
    bool at_eof = at_eof_;
    char32_t r = Next();
    pos_ = pos;
    line_ = line;
    at_eof_ = at_eof;
    return r;
  }

  void Backup() {
    if (at_eof_ || pos_ == 0) return;
    size_t p = pos_ - 1;  // step back one UTF-8 sequence
    while (p > 0 && (static_cast<unsigned char>(input_[p]) & 0xC0) == 0x80) --p;
    if (DecodeRune(input_.substr(p)).second != pos_ - p) p = pos_ - 1;
    if (input_[pos_ - 1] == '\n') --line_;
    pos_ = p;
  }

  void Emit(TokenType type) {
    tokens_.push_back(Token{type, start_, std::string(input_.substr(start_, pos_ - start_)), start_line_});
    start_ = pos_;
    start_line_ = line_;
  }

  void Ignore() {
    line_ += static_cast<int>(std::count(input_.begin() + static_cast<ptrdiff_t>(start_),
                                         input_.begin() + static_cast<ptrdiff_t>(pos_), '\n'));
    start_ = pos_;
    start_line_ = line_;
  }

  bool Accept(std::string_view valid) {
    if (valid.find(static_cast<char>(Peek())) != std::string_view::npos && Peek() < 0x80) {
      Next();
      return true;
    }
    return false;
  }

  void AcceptRun(std::string_view valid) {
    while (Accept(valid)) {
    }
  }

  State Errorf(std::string message) {
    tokens_.push_back(Token{TokenType::kError, start_, std::move(message), start_line_});
    return State::kDone;
  }

  State LexText() {
    size_t x = input_.find(kLeftDelim, pos_);
    if (x != std::string_view::npos) {
      if (x > pos_) {
        pos_ = x;
        size_t trim = 0;
        if (HasLeftTrimMarker(input_.substr(pos_ + kLeftDelim.size()))) {
          trim = RightTrimLength(input_.substr(start_, pos_ - start_));
        }
        pos_ -= trim;
        line_ += static_cast<int>(std::count(input_.begin() + static_cast<ptrdiff_t>(start_),
                                             input_.begin() + static_cast<ptrdiff_t>(pos_), '\n'));
        Token text{TokenType::kText, start_, std::string(input_.substr(start_, pos_ - start_)), start_line_};
        start_ = pos_;
        start_line_ = line_;
        pos_ += trim;
        Ignore();
        if (!text.val.empty()) tokens_.push_back(std::move(text));
      }
      return State::kLeftDelim;
    }
    pos_ = input_.size();
    if (pos_ > start_) {
      line_ += static_cast<int>(std::count(input_.begin() + static_cast<ptrdiff_t>(start_), input_.end(), '\n'));
      Emit(TokenType::kText);
    }
    Emit(TokenType::kEof);
    return State::kDone;
  }

  // Is the input at a right delimiter, possibly preceded by a trim marker?
  bool AtRightDelim(bool* trim) {
    std::string_view rest = input_.substr(pos_);
    if (HasRightTrimMarker(rest) && rest.substr(kTrimMarkerLen).starts_with(kRightDelim)) {
      *trim = true;
      return true;
    }
    *trim = false;
    return rest.starts_with(kRightDelim);
  }

  State LexLeftDelim() {
    pos_ += kLeftDelim.size();
    bool trim = HasLeftTrimMarker(input_.substr(pos_));
    size_t after_marker = trim ? kTrimMarkerLen : 0;
    if (input_.substr(pos_ + after_marker).starts_with(kLeftComment)) {
      pos_ += after_marker;
      Ignore();
      return State::kComment;
    }
    Emit(TokenType::kLeftDelim);
    pos_ += after_marker;
    Ignore();
    paren_depth_ = 0;
    return State::kInsideAction;
  }

  State LexComment() {
    pos_ += kLeftComment.size();
    size_t x = input_.find(kRightComment, pos_);
    if (x == std::string_view::npos) return Errorf("unclosed comment");
    pos_ = x + kRightComment.size();
    bool trim = false;
    if (!AtRightDelim(&trim)) return Errorf("comment ends before closing delimiter");
    if (trim) pos_ += kTrimMarkerLen;
    pos_ += kRightDelim.size();
    if (trim) pos_ += LeftTrimLength(input_.substr(pos_));
    Ignore();
    return State::kText;
  }

  State LexRightDelim() {
    bool trim = HasRightTrimMarker(input_.substr(pos_));
    if (trim) {
      pos_ += kTrimMarkerLen;
      Ignore();
    }
    pos_ += kRightDelim.size();
    Emit(TokenType::kRightDelim);
    if (trim) {
      pos_ += LeftTrimLength(input_.substr(pos_));
      Ignore();
    }
    return State::kText;
  }

  State LexInsideAction() {
    bool trim = false;
    if (AtRightDelim(&trim)) {
      if (paren_depth_ == 0) return State::kRightDelim;
      return Errorf("unclosed left paren");
    }
    char32_t r = Next();
    if (r == kEofRune) return Errorf("unclosed action");
    if (IsSpace(r)) {
      Backup();
      return State::kSpace;
    }
    switch (r) {
      case '=': Emit(TokenType::kAssign); return State::kInsideAction;
      case ':':
        if (Next() != '=') return Errorf("expected :=");
        Emit(TokenType::kDeclare);
        return State::kInsideAction;
      case '|': Emit(TokenType::kPipe); return State::kInsideAction;
      case '"': return State::kQuote;
      case '`': return State::kRawQuote;
      case '$': return State::kVariable;
      case '\'': return State::kChar;
      case '.':
        // ".field", unless a digit follows (or nothing does): then a number like ".5".
        if (pos_ < input_.size() && (input_[pos_] < '0' || input_[pos_] > '9')) return State::kField;
        Backup();
        return State::kNumber;
      case '(':
        Emit(TokenType::kLeftParen);
        ++paren_depth_;
        return State::kInsideAction;
      case ')':
        // Emitted before the check: the parser usually reports the stray paren first.
        Emit(TokenType::kRightParen);
        if (--paren_depth_ < 0) return Errorf("unexpected right paren " + FormatRune(r));
        return State::kInsideAction;
      default: break;
    }
    if (r == '+' || r == '-' || (r >= '0' && r <= '9')) {
      Backup();
      return State::kNumber;
    }
    if (IsAlphaNumeric(r)) {
      Backup();
      return State::kIdentifier;
    }
    if (r < 0x80 && IsPrint(r)) {
      Emit(TokenType::kChar);
      return State::kInsideAction;
    }
    return Errorf("unrecognized character in action: " + FormatRune(r));
  }

  State LexSpace() {
    int num_spaces = 0;
    while (IsSpace(Peek())) {
      Next();
      ++num_spaces;
    }
    // A space may begin a trim-marked right delimiter " -}}": leave it for that.
    if (HasRightTrimMarker(input_.substr(pos_ - 1)) &&
        input_.substr(pos_ - 1 + kTrimMarkerLen).starts_with(kRightDelim)) {
      Backup();
      if (num_spaces == 1) return State::kInsideAction;
    }
    Emit(TokenType::kSpace);
    return State::kInsideAction;
  }

  bool AtTerminator() {
    char32_t r = Peek();
    if (IsSpace(r)) return true;
    switch (r) {
      case kEofRune:
      case '.':
      case ',':
      case '|':
      case ':':
      case ')':
      case '(': return true;
      default: break;
    }
    return input_.substr(pos_).starts_with(kRightDelim);
  }

  State LexIdentifier() {
    for (;;) {
      char32_t r = Next();
      if (IsAlphaNumeric(r)) continue;
      Backup();
      std::string_view word = input_.substr(start_, pos_ - start_);
      if (!AtTerminator()) return Errorf("bad character " + FormatRune(r));
      auto it = Keywords().find(word);
      if (it != Keywords().end()) {
        Emit(it->second);
      } else if (word[0] == '.') {
        Emit(TokenType::kField);
      } else if (word == "true" || word == "false") {
        Emit(TokenType::kBool);
      } else {
        Emit(TokenType::kIdentifier);
      }
      return State::kInsideAction;
    }
  }

  State LexVariable() {
    if (AtTerminator()) {  // "$" alone
      Emit(TokenType::kVariable);
      return State::kInsideAction;
    }
    return LexFieldOrVariable(TokenType::kVariable);
  }

  State LexFieldOrVariable(TokenType type) {
    if (AtTerminator()) {  // "." alone
      Emit(type == TokenType::kVariable ? TokenType::kVariable : TokenType::kDot);
      return State::kInsideAction;
    }
    char32_t r = 0;
    for (;;) {
      r = Next();
      if (!IsAlphaNumeric(r)) {
        Backup();
        break;
      }
    }
    if (!AtTerminator()) return Errorf("bad character " + FormatRune(r));
    Emit(type);
    return State::kInsideAction;
  }

  State LexChar() {
    for (;;) {
      char32_t r = Next();
      if (r == '\\') {
        r = Next();
        if (r != kEofRune && r != '\n') continue;
      }
      if (r == kEofRune || r == '\n') return Errorf("unterminated character constant");
      if (r == '\'') break;
    }
    Emit(TokenType::kCharConstant);
    return State::kInsideAction;
  }

  State LexNumber() {
    if (!ScanNumber()) return Errorf("bad number syntax: " + Quote(input_.substr(start_, pos_ - start_)));
    char32_t sign = Peek();
    if (sign == '+' || sign == '-') {  // complex: 1+2i
      if (!ScanNumber() || input_[pos_ - 1] != 'i') {
        return Errorf("bad number syntax: " + Quote(input_.substr(start_, pos_ - start_)));
      }
      Emit(TokenType::kComplex);
    } else {
      Emit(TokenType::kNumber);
    }
    return State::kInsideAction;
  }

  bool ScanNumber() {
    Accept("+-");
    std::string_view digits = "0123456789_";
    if (Accept("0")) {
      if (Accept("xX")) {
        digits = "0123456789abcdefABCDEF_";
      } else if (Accept("oO")) {
        digits = "01234567_";
      } else if (Accept("bB")) {
        digits = "01_";
      }
    }
    AcceptRun(digits);
    if (Accept(".")) AcceptRun(digits);
    if (digits.size() == 10 + 1 && Accept("eE")) {
      Accept("+-");
      AcceptRun("0123456789_");
    }
    if (digits.size() == 16 + 6 + 1 && Accept("pP")) {
      Accept("+-");
      AcceptRun("0123456789_");
    }
    Accept("i");
    if (IsAlphaNumeric(Peek())) {
      Next();
      return false;
    }
    return true;
  }

  State LexQuote() {
    for (;;) {
      char32_t r = Next();
      if (r == '\\') {
        r = Next();
        if (r != kEofRune && r != '\n') continue;
      }
      if (r == kEofRune || r == '\n') return Errorf("unterminated quoted string");
      if (r == '"') break;
    }
    Emit(TokenType::kString);
    return State::kInsideAction;
  }

  State LexRawQuote() {
    for (;;) {
      char32_t r = Next();
      if (r == kEofRune) return Errorf("unterminated raw quoted string");
      if (r == '`') break;
    }
    Emit(TokenType::kRawString);
    return State::kInsideAction;
  }

  std::string_view input_;
  size_t pos_ = 0;
  size_t start_ = 0;
  int line_ = 1;
  int start_line_ = 1;
  bool at_eof_ = false;
  int paren_depth_ = 0;
  std::vector<Token> tokens_;
};

}  // namespace

std::string DescribeToken(const Token& token) {
  if (token.type == TokenType::kEof) return "EOF";
  if (token.type == TokenType::kError) return token.val;
  if (token.type > TokenType::kKeyword) return "<" + token.val + ">";
  if (token.val.size() > 10) {  // Go's %.10q: at most 10 runes, then "..."
    std::string_view s = token.val;
    size_t pos = 0;
    for (int n = 0; n < 10 && pos < s.size(); ++n) pos += DecodeRune(s.substr(pos)).second;
    return Quote(s.substr(0, pos)) + "...";
  }
  return Quote(token.val);
}

std::vector<Token> Lex(std::string_view text) { return Lexer(text).Run(); }

}  // namespace kiln::format
