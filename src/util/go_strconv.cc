#include "util/go_strconv.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace kiln {
namespace {

constexpr char kLowerHex[] = "0123456789abcdef";

bool IsSurrogate(char32_t r) { return r >= 0xD800 && r <= 0xDFFF; }
bool ValidRune(char32_t r) { return r <= kMaxRune && !IsSurrogate(r); }

void AppendEscapedRune(std::string& out, char32_t r, char quote, bool ascii_only) {
  if (r == static_cast<char32_t>(quote) || r == '\\') {
    out += '\\';
    AppendRune(out, r);
    return;
  }
  if (ascii_only ? (r < 0x80 && IsPrint(r)) : IsPrint(r)) {
    AppendRune(out, r);
    return;
  }
  switch (r) {
    case '\a': out += "\\a"; return;
    case '\b': out += "\\b"; return;
    case '\f': out += "\\f"; return;
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    case '\v': out += "\\v"; return;
    default: break;
  }
  if (r < ' ' || r == 0x7f) {
    out += "\\x";
    out += kLowerHex[(r >> 4) & 0xF];
    out += kLowerHex[r & 0xF];
    return;
  }
  if (!ValidRune(r)) r = kRuneError;
  int shift = r < 0x10000 ? 12 : 28;
  out += r < 0x10000 ? "\\u" : "\\U";
  for (; shift >= 0; shift -= 4) out += kLowerHex[(r >> shift) & 0xF];
}

std::string QuoteWith(std::string_view s, char quote, bool ascii_only) {
  std::string out;
  out.reserve(s.size() + 2);
  out += quote;
  while (!s.empty()) {
    auto [r, size] = DecodeRune(s);
    if (size == 1 && r == kRuneError) {
      out += "\\x";
      out += kLowerHex[static_cast<unsigned char>(s[0]) >> 4];
      out += kLowerHex[static_cast<unsigned char>(s[0]) & 0xF];
    } else {
      AppendEscapedRune(out, r, quote, ascii_only);
    }
    s.remove_prefix(size);
  }
  out += quote;
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Status SyntaxError() { return InvalidArgument("invalid syntax"); }

// strconv.UnquoteChar: decodes the first character or escape of s inside a literal quoted
// with `quote`; advances s.
Expected<char32_t> UnquoteChar(std::string_view& s, char quote, bool* multibyte) {
  *multibyte = false;
  unsigned char c = s[0];
  if (c == static_cast<unsigned char>(quote) && (quote == '\'' || quote == '"')) return SyntaxError();
  if (c >= 0x80) {
    auto [r, size] = DecodeRune(s);
    s.remove_prefix(size);
    *multibyte = true;
    return r;
  }
  if (c != '\\') {
    s.remove_prefix(1);
    return static_cast<char32_t>(c);
  }
  if (s.size() <= 1) return SyntaxError();
  char e = s[1];
  s.remove_prefix(2);
  switch (e) {
    case 'a': return U'\a';
    case 'b': return U'\b';
    case 'f': return U'\f';
    case 'n': return U'\n';
    case 'r': return U'\r';
    case 't': return U'\t';
    case 'v': return U'\v';
    case 'x':
    case 'u':
    case 'U': {
      size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
      if (s.size() < n) return SyntaxError();
      char32_t v = 0;
      for (size_t i = 0; i < n; ++i) {
        int h = HexValue(s[i]);
        if (h < 0) return SyntaxError();
        v = (v << 4) | static_cast<char32_t>(h);
      }
      s.remove_prefix(n);
      if (e == 'x') return v;  // a single byte, not a rune
      if (!ValidRune(v)) return SyntaxError();
      *multibyte = true;
      return v;
    }
    case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
      char32_t v = static_cast<char32_t>(e - '0');
      if (s.size() < 2) return SyntaxError();
      for (int i = 0; i < 2; ++i) {
        if (s[i] < '0' || s[i] > '7') return SyntaxError();
        v = (v << 3) | static_cast<char32_t>(s[i] - '0');
      }
      s.remove_prefix(2);
      if (v > 255) return SyntaxError();
      return v;
    }
    case '\\': return U'\\';
    case '\'':
    case '"':
      if (e != quote) return SyntaxError();
      return static_cast<char32_t>(e);
    default: return SyntaxError();
  }
}

// Go's underscoreOK: underscores only between digits (or after a base prefix).
bool UnderscoreOk(std::string_view s) {
  char saw = '^';
  size_t i = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  bool hex = false;
  if (s.size() >= 2 && s[0] == '0') {
    char b = static_cast<char>(s[1] | 0x20);
    if (b == 'x' || b == 'o' || b == 'b') {
      hex = b == 'x';
      i = 2;
      saw = '0';
    }
  }
  for (; i < s.size(); ++i) {
    char c = s[i];
    char lower = static_cast<char>(c | 0x20);
    if ((c >= '0' && c <= '9') || (hex && lower >= 'a' && lower <= 'f')) {
      saw = '0';
      continue;
    }
    if (c == '_') {
      if (saw != '0') return false;
      saw = '_';
      continue;
    }
    if (saw == '_') return false;
    saw = '!';
  }
  return saw != '_';
}

// strconv.ParseUint(s, 0, 64) without a sign.
std::optional<uint64_t> ParseUnsigned(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int base = 10;
  bool prefixed = false;
  if (s[0] == '0' && s.size() > 1) {
    char b = static_cast<char>(s[1] | 0x20);
    if (b == 'x') base = 16, prefixed = true;
    else if (b == 'o') base = 8, prefixed = true;
    else if (b == 'b') base = 2, prefixed = true;
    else base = 8;
  }
  std::string_view digits = prefixed ? s.substr(2) : s;
  if (base == 8 && !prefixed) digits = s.substr(1);
  bool underscores = false;
  uint64_t v = 0;
  bool any = prefixed ? false : true;  // "0" alone is fine; "0x" is not
  if (!prefixed && base == 8) any = true;
  for (char c : digits) {
    if (c == '_') {
      underscores = true;
      continue;
    }
    int d = HexValue(c);
    if (d < 0 || d >= base) return std::nullopt;
    if (v > (std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) {
      return std::nullopt;  // out of range
    }
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
    any = true;
  }
  if (!any || (prefixed && digits.empty())) return std::nullopt;
  if (underscores && !UnderscoreOk(s)) return std::nullopt;
  return v;
}

std::optional<int64_t> ParseSigned(std::string_view s) {
  bool negative = false;
  std::string_view body = s;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  auto u = ParseUnsigned(body);
  if (!u) return std::nullopt;
  if (negative) {
    if (*u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + 1) return std::nullopt;
    return static_cast<int64_t>(0 - *u);
  }
  if (*u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  return static_cast<int64_t>(*u);
}

// strconv.ParseFloat(s, 64): decimal and hex floats, underscores, "inf"/"nan" spellings.
std::optional<double> ParseFloat(std::string_view s) {
  if (s.empty()) return std::nullopt;
  if (s.find('_') != std::string_view::npos && !UnderscoreOk(s)) return std::nullopt;
  std::string clean;
  for (char c : s) {
    if (c != '_') clean += c;
  }
  std::string_view body = clean;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) body.remove_prefix(1);
  std::string lower;
  for (char c : body) lower += static_cast<char>(c | 0x20);
  if (lower == "inf" || lower == "infinity" || lower == "nan") {
    double v = lower == "nan" ? std::nan("") : std::numeric_limits<double>::infinity();
    return clean[0] == '-' ? -v : v;
  }
  // Go accepts only digits, '.', exponents and hex prefixes; strtod accepts more.
  bool hex = lower.starts_with("0x");
  for (size_t i = hex ? 2 : 0; i < lower.size(); ++i) {
    char c = lower[i];
    bool ok = (c >= '0' && c <= '9') || c == '.' || (hex && ((c >= 'a' && c <= 'f') || c == 'p')) ||
              (!hex && c == 'e') || ((c == '+' || c == '-') && i > 0 && (lower[i - 1] == 'e' || lower[i - 1] == 'p'));
    if (!ok) return std::nullopt;
  }
  if (hex && lower.find('p') == std::string::npos) return std::nullopt;  // Go requires an exponent
  char* end = nullptr;
  double v = std::strtod(clean.c_str(), &end);
  if (end != clean.c_str() + clean.size()) return std::nullopt;
  if (std::isinf(v)) return std::nullopt;  // ParseFloat reports ErrRange
  return v;
}

// Shortest or rounded decimal digits of |f|: digits without trailing zeros and the
// position of the decimal point (value = 0.DIGITS × 10^point).
struct Decimal {
  std::string digits;
  int point = 0;
};

Decimal ToDecimal(double f, int significant /* -1 = shortest */) {
  char buf[64];
  std::to_chars_result r = significant < 0
                               ? std::to_chars(buf, buf + sizeof buf, std::fabs(f), std::chars_format::scientific)
                               : std::to_chars(buf, buf + sizeof buf, std::fabs(f), std::chars_format::scientific,
                                               significant - 1);
  std::string_view text(buf, static_cast<size_t>(r.ptr - buf));
  size_t e = text.find('e');
  Decimal d;
  for (char c : text.substr(0, e)) {
    if (c != '.') d.digits += c;
  }
  int exp = std::atoi(std::string(text.substr(e + 1)).c_str());
  while (d.digits.size() > 1 && d.digits.back() == '0') d.digits.pop_back();
  if (d.digits == "0") {
    d.digits.clear();
    d.point = 0;
  } else {
    d.point = exp + 1;
  }
  return d;
}

// strconv's %e from decimal digits with prec digits after the point.
std::string FormatE(bool negative, const Decimal& d, int prec, char e) {
  std::string out = negative ? "-" : "";
  out += d.digits.empty() ? '0' : d.digits[0];
  if (prec > 0) {
    out += '.';
    for (int i = 1; i <= prec; ++i) out += i < static_cast<int>(d.digits.size()) ? d.digits[static_cast<size_t>(i)] : '0';
  }
  out += e;
  int exp = d.digits.empty() ? 0 : d.point - 1;
  out += exp < 0 ? '-' : '+';
  exp = std::abs(exp);
  if (exp < 10) out += '0';
  out += std::to_string(exp);
  return out;
}

// strconv's %f from decimal digits with prec digits after the point.
std::string FormatF(bool negative, const Decimal& d, int prec) {
  std::string out = negative ? "-" : "";
  auto digit = [&](int i) { return i >= 0 && i < static_cast<int>(d.digits.size()) ? d.digits[static_cast<size_t>(i)] : '0'; };
  if (d.point > 0) {
    for (int i = 0; i < d.point; ++i) out += digit(i);
  } else {
    out += '0';
  }
  if (prec > 0) {
    out += '.';
    for (int i = 0; i < prec; ++i) out += digit(d.point + i);
  }
  return out;
}

}  // namespace

std::pair<char32_t, size_t> DecodeRune(std::string_view s) {
  if (s.empty()) return {kRuneError, 0};
  auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char c0 = b(0);
  if (c0 < 0x80) return {c0, 1};
  auto cont = [&](size_t i) { return i < s.size() && (b(i) & 0xC0) == 0x80; };
  if (c0 >= 0xC2 && c0 <= 0xDF && cont(1)) return {(char32_t(c0 & 0x1F) << 6) | (b(1) & 0x3F), 2};
  if (c0 >= 0xE0 && c0 <= 0xEF && cont(1) && cont(2)) {
    char32_t r = (char32_t(c0 & 0x0F) << 12) | (char32_t(b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    if (r >= 0x800 && !IsSurrogate(r)) return {r, 3};
    return {kRuneError, 1};
  }
  if (c0 >= 0xF0 && c0 <= 0xF4 && cont(1) && cont(2) && cont(3)) {
    char32_t r = (char32_t(c0 & 0x07) << 18) | (char32_t(b(1) & 0x3F) << 12) | (char32_t(b(2) & 0x3F) << 6) |
                 (b(3) & 0x3F);
    if (r >= 0x10000 && r <= kMaxRune) return {r, 4};
  }
  return {kRuneError, 1};
}

void AppendRune(std::string& out, char32_t r) {
  if (!ValidRune(r)) r = kRuneError;
  if (r < 0x80) {
    out += static_cast<char>(r);
  } else if (r < 0x800) {
    out += static_cast<char>(0xC0 | (r >> 6));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else if (r < 0x10000) {
    out += static_cast<char>(0xE0 | (r >> 12));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (r >> 18));
    out += static_cast<char>(0x80 | ((r >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  }
}

size_t RuneCount(std::string_view s) {
  size_t n = 0;
  while (!s.empty()) {
    s.remove_prefix(DecodeRune(s).second);
    ++n;
  }
  return n;
}

bool ValidUtf8(std::string_view s) {
  while (!s.empty()) {
    auto [r, size] = DecodeRune(s);
    if (r == kRuneError && size == 1) return false;
    s.remove_prefix(size);
  }
  return true;
}

// Exact for ASCII and Latin-1; beyond that, the categories Go rejects that matter in
// practice (controls, format characters, separators, private use, non-characters).
bool IsPrint(char32_t r) {
  if (r < 0x20 || r == 0x7F) return false;
  if (r < 0x7F) return true;
  if (r <= 0x9F || r == 0xA0 || r == 0xAD) return false;
  if (!ValidRune(r)) return false;
  if (r == 0x1680 || (r >= 0x2000 && r <= 0x200F) || (r >= 0x2028 && r <= 0x202F) ||
      (r >= 0x205F && r <= 0x206F) || r == 0x3000 || r == 0xFEFF || (r >= 0xFFF9 && r <= 0xFFFB))
    return false;
  if ((r >= 0xE000 && r <= 0xF8FF) || r >= 0xF0000) return false;  // private use
  if ((r & 0xFFFE) == 0xFFFE) return false;                         // non-characters
  if (r >= 0xE0000 && r <= 0xE007F) return false;                   // tags
  return true;
}

std::string Quote(std::string_view s) { return QuoteWith(s, '"', false); }
std::string QuoteToAscii(std::string_view s) { return QuoteWith(s, '"', true); }

std::string QuoteRune(char32_t r) {
  if (!ValidRune(r)) r = kRuneError;
  std::string out = "'";
  AppendEscapedRune(out, r, '\'', false);
  return out + "'";
}

std::string QuoteRuneToAscii(char32_t r) {
  if (!ValidRune(r)) r = kRuneError;
  std::string out = "'";
  AppendEscapedRune(out, r, '\'', true);
  return out + "'";
}

bool CanBackquote(std::string_view s) {
  while (!s.empty()) {
    auto [r, size] = DecodeRune(s);
    s.remove_prefix(size);
    if (size > 1) {
      if (r == 0xFEFF) return false;
      continue;
    }
    if (r == kRuneError) return false;
    if ((r < ' ' && r != '\t') || r == '`' || r == 0x7F) return false;
  }
  return true;
}

Expected<std::string> Unquote(std::string_view literal) {
  if (literal.size() < 2) return SyntaxError();
  char quote = literal.front();
  if (quote != literal.back()) return SyntaxError();
  std::string_view body = literal.substr(1, literal.size() - 2);
  if (quote == '`') {
    if (body.find('`') != std::string_view::npos) return SyntaxError();
    std::string out;
    for (char c : body) {
      if (c != '\r') out += c;  // Go drops carriage returns from raw strings
    }
    return out;
  }
  if (quote != '"' && quote != '\'') return SyntaxError();
  if (body.find('\n') != std::string_view::npos) return SyntaxError();
  std::string out;
  while (!body.empty()) {
    bool multibyte = false;
    ASSIGN_OR_RETURN(char32_t r, UnquoteChar(body, quote, &multibyte));
    if (r < 0x80 || !multibyte) {
      out += static_cast<char>(r);
    } else {
      AppendRune(out, r);
    }
    if (quote == '\'' && !body.empty()) return SyntaxError();
  }
  if (quote == '\'' && out.empty()) return SyntaxError();
  return out;
}

Expected<char32_t> UnquoteCharLiteral(std::string_view literal) {
  std::string_view rest = literal.substr(1);
  if (rest.empty()) return SyntaxError();
  bool multibyte = false;
  ASSIGN_OR_RETURN(char32_t r, UnquoteChar(rest, literal[0], &multibyte));
  if (rest != "'") return InvalidArgument("malformed character constant: " + std::string(literal));
  return r;
}

std::string FormatFloat(double f, char fmt, int prec) {
  bool negative = std::signbit(f);
  if (std::isnan(f)) return "NaN";
  if (std::isinf(f)) return negative ? "-Inf" : "+Inf";
  char lower = static_cast<char>(fmt | 0x20);
  char e = fmt == 'E' || fmt == 'G' ? 'E' : 'e';
  if (lower == 'f') {
    if (prec < 0) {
      Decimal d = ToDecimal(f, -1);
      int digits_after_point = std::max(static_cast<int>(d.digits.size()) - d.point, 0);
      return FormatF(negative, d, digits_after_point);
    }
    char buf[400];
    auto r = std::to_chars(buf, buf + sizeof buf, std::fabs(f), std::chars_format::fixed, prec);
    return (negative ? "-" : "") + std::string(buf, r.ptr);
  }
  if (lower == 'e') {
    Decimal d = ToDecimal(f, prec < 0 ? -1 : prec + 1);
    int p = prec < 0 ? std::max(static_cast<int>(d.digits.size()) - 1, 0) : prec;
    return FormatE(negative, d, p, e);
  }
  // %g: Go's rule for choosing between %e and %f.
  bool shortest = prec < 0;
  if (prec == 0) prec = 1;
  Decimal d = ToDecimal(f, shortest ? -1 : prec);
  int nd = static_cast<int>(d.digits.size());
  if (shortest) prec = std::max(nd, 1);
  int eprec = prec;
  if (eprec > nd && nd >= d.point) eprec = nd;
  if (shortest) eprec = 6;
  int exp = d.digits.empty() ? 0 : d.point - 1;
  if (exp < -4 || exp >= eprec) {
    if (prec > nd) prec = nd;
    return FormatE(negative, d, std::max(prec - 1, 0), e);
  }
  if (prec > d.point) prec = nd;
  return FormatF(negative, d, std::max(prec - d.point, 0));
}

Expected<NumberLiteral> ParseNumberLiteral(std::string_view text) {
  NumberLiteral n;
  std::string_view unsigned_text = text;
  if (auto u = ParseUnsigned(unsigned_text); u && !text.empty() && text[0] != '+' && text[0] != '-') {
    n.is_uint = true;
    n.uint_value = *u;
  }
  if (auto i = ParseSigned(text)) {
    n.is_int = true;
    n.int_value = *i;
    if (*i == 0) {
      n.is_uint = true;  // -0
      n.uint_value = 0;
    }
  }
  if (n.is_int) {
    n.is_float = true;
    n.float_value = static_cast<double>(n.int_value);
  } else if (n.is_uint) {
    n.is_float = true;
    n.float_value = static_cast<double>(n.uint_value);
  } else if (auto f = ParseFloat(text)) {
    if (text.find_first_of(".eEpP") == std::string_view::npos) {
      return InvalidArgument("integer overflow: " + Quote(text));
    }
    n.is_float = true;
    n.float_value = *f;
    if (*f >= -9.2233720368547758e18 && *f < 9.2233720368547758e18 && std::trunc(*f) == *f) {
      n.is_int = true;
      n.int_value = static_cast<int64_t>(*f);
    }
    if (*f >= 0 && *f < 1.8446744073709552e19 && std::trunc(*f) == *f) {
      n.is_uint = true;
      n.uint_value = static_cast<uint64_t>(*f);
    }
  }
  if (!n.is_int && !n.is_uint && !n.is_float) {
    return InvalidArgument("illegal number syntax: " + Quote(text));
  }
  return n;
}

}  // namespace kiln
