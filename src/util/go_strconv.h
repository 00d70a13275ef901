// The parts of Go's strconv and unicode/utf8 that kiln needs (templates, podman's quoted
// messages), with Go's exact output. Shared by format/ and image/, so it lives here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/status.h"

namespace kiln {

constexpr char32_t kRuneError = 0xFFFD;
constexpr char32_t kMaxRune = 0x10FFFF;

// utf8.DecodeRuneInString: the rune at the start of s and its size; (RuneError, 1) for a
// bad byte, (RuneError, 0) for an empty string.
std::pair<char32_t, size_t> DecodeRune(std::string_view s);
// utf8.AppendRune: invalid runes (surrogates, > MaxRune) become U+FFFD.
void AppendRune(std::string& out, char32_t r);
size_t RuneCount(std::string_view s);
bool ValidUtf8(std::string_view s);

// unicode.IsPrint (an approximation outside ASCII: see the .cc).
bool IsPrint(char32_t r);

// strconv.Quote / QuoteToASCII / QuoteRune / QuoteRuneToASCII / CanBackquote.
std::string Quote(std::string_view s);
std::string QuoteToAscii(std::string_view s);
std::string QuoteRune(char32_t r);
std::string QuoteRuneToAscii(char32_t r);
bool CanBackquote(std::string_view s);

// strconv.Unquote for "…", `…` and '…' literals (errors say "invalid syntax").
Expected<std::string> Unquote(std::string_view literal);
// The rune of a character literal such as 'a' or '\n'; errors as Go's parser reports them.
Expected<char32_t> UnquoteCharLiteral(std::string_view literal);

// strconv.FormatFloat(f, fmt, prec, 64) for fmt in "eEfFgG"; prec -1 = shortest.
std::string FormatFloat(double f, char fmt, int prec);

// A number literal as text/template's parser reads it (parse.NumberNode).
struct NumberLiteral {
  bool is_int = false, is_uint = false, is_float = false;
  int64_t int_value = 0;
  uint64_t uint_value = 0;
  double float_value = 0;
};
// Error messages are Go's: `illegal number syntax: "0x"`, `integer overflow: 08`.
Expected<NumberLiteral> ParseNumberLiteral(std::string_view text);

}  // namespace kiln
