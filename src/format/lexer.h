// The tokens of Go's text/template (package text/template/parse, lex.go), with the same
// positions, line numbers and error texts, so that parse errors read like Go's.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::format {

enum class TokenType {
  kError,  // val holds the message
  kBool,
  kChar,  // a printable ASCII character not otherwise handled, e.g. ','
  kCharConstant,
  kComplex,
  kAssign,   // =
  kDeclare,  // :=
  kEof,
  kField,  // .Name
  kIdentifier,
  kLeftDelim,
  kLeftParen,
  kNumber,
  kPipe,
  kRawString,
  kRightDelim,
  kRightParen,
  kSpace,
  kString,
  kText,
  kVariable,  // $ or $name
  // Keywords: after this marker.
  kKeyword,
  kBlock,
  kBreak,
  kContinue,
  kDot,
  kDefine,
  kElse,
  kEnd,
  kIf,
  kNil,
  kRange,
  kTemplate,
  kWith,
};

struct Token {
  TokenType type = TokenType::kEof;
  size_t pos = 0;   // byte offset in the template text
  std::string val;  // the token's text (or an error message)
  int line = 1;     // line where the token starts
};

// Go's item.String(), used in "unexpected X in Y": EOF, <keyword>, or %q (shortened).
std::string DescribeToken(const Token& token);

// The whole token stream, ending with kEof or kError (lexing stops at the first error).
std::vector<Token> Lex(std::string_view text);

}  // namespace kiln::format
