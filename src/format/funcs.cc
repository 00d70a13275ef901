#include "format/funcs.h"

#include <array>
#include <map>

#include "format/gofmt.h"
#include "format/gojson.h"
#include "util/go_strconv.h"

namespace kiln::format {
namespace {

using P = ParamType;

constexpr std::array<P, 0> kNone{};
constexpr std::array<P, 1> kOneValue{P::kValue};
constexpr std::array<P, 2> kTwoValues{P::kValue, P::kValue};
constexpr std::array<P, 1> kOneString{P::kString};
constexpr std::array<P, 1> kOneAny{P::kAny};
constexpr std::array<P, 2> kTwoStrings{P::kString, P::kString};
constexpr std::array<P, 2> kJoinParams{P::kStringSlice, P::kString};
constexpr std::array<P, 3> kPadParams{P::kString, P::kInt, P::kInt};
constexpr std::array<P, 2> kTruncateParams{P::kString, P::kInt};

const FuncSignature kValueVariadic{kOneValue, P::kValue};
const FuncSignature kAnyVariadic{kNone, P::kAny};

const std::map<std::string_view, FuncId, std::less<>>& FunctionNames() {
  static const std::map<std::string_view, FuncId, std::less<>> kNames = {
      {"and", FuncId::kAnd},     {"call", FuncId::kCall},         {"html", FuncId::kHtml},
      {"index", FuncId::kIndex}, {"slice", FuncId::kSlice},       {"js", FuncId::kJs},
      {"len", FuncId::kLen},     {"not", FuncId::kNot},           {"or", FuncId::kOr},
      {"print", FuncId::kPrint}, {"printf", FuncId::kPrintf},     {"println", FuncId::kPrintln},
      {"urlquery", FuncId::kUrlquery}, {"eq", FuncId::kEq},       {"ge", FuncId::kGe},
      {"gt", FuncId::kGt},       {"le", FuncId::kLe},             {"lt", FuncId::kLt},
      {"ne", FuncId::kNe},       {"join", FuncId::kJoin},         {"json", FuncId::kJson},
      {"lower", FuncId::kLower}, {"pad", FuncId::kPad},           {"split", FuncId::kSplit},
      {"title", FuncId::kTitle}, {"truncate", FuncId::kTruncate}, {"upper", FuncId::kUpper},
  };
  return kNames;
}

Status Error(std::string message) { return InvalidArgument(std::move(message)); }

// ---- Go's reflect view of a Value ----

enum class GoKind { kInvalid, kBool, kInt, kUint, kFloat, kString, kSlice, kMap, kStruct, kPointer };

// The kind after indirectInterface: a nil interface is no value at all.
GoKind KindOf(const Value& v) {
  if (v.IsPointer()) return GoKind::kPointer;
  switch (v.kind()) {
    case Kind::kInvalid:
    case Kind::kNil: return GoKind::kInvalid;
    case Kind::kBool: return GoKind::kBool;
    case Kind::kInt: return GoKind::kInt;
    case Kind::kUint: return GoKind::kUint;
    case Kind::kFloat: return GoKind::kFloat;
    case Kind::kString: return GoKind::kString;
    case Kind::kSlice: return GoKind::kSlice;
    case Kind::kMap: return GoKind::kMap;
    case Kind::kTime:
    case Kind::kStruct: return GoKind::kStruct;
  }
  return GoKind::kInvalid;
}

bool IsBasic(GoKind k) {
  return k == GoKind::kBool || k == GoKind::kInt || k == GoKind::kUint || k == GoKind::kFloat || k == GoKind::kString;
}

bool IsNilValue(const Value& v) {
  return v.kind() == Kind::kInvalid || v.kind() == Kind::kNil || v.IsNilContainer();
}

bool Comparable(const Value& v) {
  switch (KindOf(v)) {
    case GoKind::kSlice:
    case GoKind::kMap: return false;
    case GoKind::kStruct:
      for (const Field& f : v.Fields()) {
        if (!f.method && !Comparable(f.value)) return false;
      }
      return true;
    default: return true;
  }
}

// Go's == on two interface values of comparable types.
bool DeepEqual(const Value& a, const Value& b) {
  if (a.type_name() != b.type_name() || a.kind() != b.kind()) return false;
  if (a.IsPointer()) return a.SameData(b);  // pointers are equal when they point at the same thing
  switch (a.kind()) {
    case Kind::kInvalid:
    case Kind::kNil: return true;
    case Kind::kBool: return a.AsBool() == b.AsBool();
    case Kind::kInt: return a.AsInt() == b.AsInt();
    case Kind::kUint: return a.AsUint() == b.AsUint();
    case Kind::kFloat: return a.AsFloat() == b.AsFloat();
    case Kind::kString: return a.AsString() == b.AsString();
    case Kind::kTime: {
      GoTime ta = a.AsGoTime(), tb = b.AsGoTime();  // Go compares the location too
      return ta.unix_seconds == tb.unix_seconds && ta.nanos == tb.nanos && ta.offset == tb.offset && ta.zone == tb.zone;
    }
    case Kind::kStruct: {
      const auto& fa = a.Fields();
      const auto& fb = b.Fields();
      if (fa.size() != fb.size()) return false;
      for (size_t i = 0; i < fa.size(); ++i) {
        if (fa[i].method) continue;
        if (!DeepEqual(fa[i].value, fb[i].value)) return false;
      }
      return true;
    }
    default: return false;
  }
}

Status BadComparison() { return Error("incompatible types for comparison"); }
Status BadComparisonType() { return Error("invalid type for comparison"); }

Expected<bool> Equal(const Value& a, const Value& b) {
  GoKind k1 = KindOf(a);
  GoKind k2 = KindOf(b);
  if (IsBasic(k1) || IsBasic(k2)) {
    if (k1 != k2) {
      if (k1 == GoKind::kInt && k2 == GoKind::kUint) return a.AsInt() >= 0 && static_cast<uint64_t>(a.AsInt()) == b.AsUint();
      if (k1 == GoKind::kUint && k2 == GoKind::kInt) return b.AsInt() >= 0 && a.AsUint() == static_cast<uint64_t>(b.AsInt());
      if (k1 != GoKind::kInvalid && k2 != GoKind::kInvalid) return BadComparison();
      return false;
    }
    switch (k1) {
      case GoKind::kBool: return a.AsBool() == b.AsBool();
      case GoKind::kInt: return a.AsInt() == b.AsInt();
      case GoKind::kUint: return a.AsUint() == b.AsUint();
      case GoKind::kFloat: return a.AsFloat() == b.AsFloat();
      default: return a.AsString() == b.AsString();
    }
  }
  // Neither is a basic kind: nil-ness, or == on comparable values of one kind.
  if (k1 != k2 && k1 != GoKind::kInvalid && k2 != GoKind::kInvalid) {
    return Error("non-comparable types " + GoSprint(std::span(&a, 1)) + ": " + std::string(a.type_name()) + ", " +
                 std::string(b.type_name()) + ": " + GoSprint(std::span(&b, 1)));
  }
  if (IsNilValue(a) || IsNilValue(b)) return IsNilValue(a) == IsNilValue(b);
  if (!Comparable(b)) {
    return Error("non-comparable type " + GoSprint(std::span(&b, 1)) + ": " + std::string(b.type_name()));
  }
  return DeepEqual(a, b);
}

Expected<bool> Eq(std::span<const Value> args) {
  if (args.size() < 2) return Error("missing argument for comparison");
  for (size_t i = 1; i < args.size(); ++i) {
    ASSIGN_OR_RETURN(bool truth, Equal(args[0], args[i]));
    if (truth) return true;
  }
  return false;
}

Expected<bool> Less(const Value& a, const Value& b) {
  GoKind k1 = KindOf(a);
  if (!IsBasic(k1)) return BadComparisonType();
  GoKind k2 = KindOf(b);
  if (!IsBasic(k2)) return BadComparisonType();
  if (k1 != k2) {
    if (k1 == GoKind::kInt && k2 == GoKind::kUint) return a.AsInt() < 0 || static_cast<uint64_t>(a.AsInt()) < b.AsUint();
    if (k1 == GoKind::kUint && k2 == GoKind::kInt) return b.AsInt() >= 0 && a.AsUint() < static_cast<uint64_t>(b.AsInt());
    return BadComparison();
  }
  switch (k1) {
    case GoKind::kBool: return BadComparisonType();
    case GoKind::kInt: return a.AsInt() < b.AsInt();
    case GoKind::kUint: return a.AsUint() < b.AsUint();
    case GoKind::kFloat: return a.AsFloat() < b.AsFloat();
    default: return a.AsString() < b.AsString();
  }
}

Expected<bool> LessOrEqual(const Value& a, const Value& b) {
  ASSIGN_OR_RETURN(bool less, Less(a, b));
  if (less) return true;
  Value pair[2] = {a, b};
  return Eq(pair);
}

// ---- index, slice, len ----

// A slice or string index (Go's indexArg).
Expected<int64_t> IndexArg(const Value& index, size_t cap) {
  int64_t x = 0;
  switch (KindOf(index)) {
    case GoKind::kInt: x = index.AsInt(); break;
    case GoKind::kUint: x = static_cast<int64_t>(index.AsUint()); break;
    case GoKind::kInvalid: return Error("cannot index slice/array with nil");
    default: return Error("cannot index slice/array with type " + std::string(index.type_name()));
  }
  if (x < 0 || static_cast<uint64_t>(x) > cap) return Error("index out of range: " + std::to_string(x));
  return x;
}

Expected<Value> Index(std::span<const Value> args) {
  Value item = args[0];
  if (KindOf(item) == GoKind::kInvalid && item.kind() != Kind::kNil) return Error("index of untyped nil");
  if (item.kind() == Kind::kNil && !item.IsPointer()) return Error("index of untyped nil");
  for (const Value& index : args.subspan(1)) {
    if (item.kind() == Kind::kNil) return Error("index of nil pointer");
    if (item.IsPointer()) item = item.Elem();
    switch (KindOf(item)) {
      case GoKind::kSlice:
      case GoKind::kString: {
        ASSIGN_OR_RETURN(int64_t x, IndexArg(index, item.Len()));
        if (static_cast<size_t>(x) == item.Len()) {  // Go 1.19 lets reflect panic here
          return Error(item.kind() == Kind::kString ? "reflect: string index out of range"
                                                    : "reflect: slice index out of range");
        }
        if (item.kind() == Kind::kString) {
          item = Value::Uint(static_cast<unsigned char>(item.AsString()[static_cast<size_t>(x)]), "uint8");
        } else {
          item = item.Items()[static_cast<size_t>(x)];
        }
        break;
      }
      case GoKind::kMap: {
        if (KindOf(index) == GoKind::kInvalid) return Error("value is nil; should be of type string");
        if (index.type_name() != "string") {
          return Error("value has type " + std::string(index.type_name()) + "; should be string");
        }
        const Value* found = item.FindKey(index.AsString());
        item = found != nullptr ? *found : item.MapElemZero();
        break;
      }
      default: return Error("can't index item of type " + std::string(item.type_name()));
    }
  }
  return item;
}

Expected<Value> SliceOf(std::span<const Value> args) {
  const Value& item = args[0];
  std::span<const Value> indexes = args.subspan(1);
  if (item.kind() == Kind::kInvalid || (item.kind() == Kind::kNil && !item.IsPointer())) {
    return Error("slice of untyped nil");
  }
  if (indexes.size() > 3) return Error("too many slice indexes: " + std::to_string(indexes.size()));
  GoKind kind = KindOf(item);
  if (kind == GoKind::kString) {
    if (indexes.size() == 3) return Error("cannot 3-index slice a string");
  } else if (kind != GoKind::kSlice) {
    return Error("can't slice item of type " + std::string(item.type_name()));
  }
  size_t cap = item.Len();
  int64_t idx[3] = {0, static_cast<int64_t>(item.Len()), 0};
  for (size_t i = 0; i < indexes.size(); ++i) {
    ASSIGN_OR_RETURN(idx[i], IndexArg(indexes[i], cap));
  }
  if (idx[0] > idx[1]) return Error("invalid slice index: " + std::to_string(idx[0]) + " > " + std::to_string(idx[1]));
  if (indexes.size() == 3 && idx[1] > idx[2]) {
    return Error("invalid slice index: " + std::to_string(idx[1]) + " > " + std::to_string(idx[2]));
  }
  auto from = static_cast<size_t>(idx[0]);
  auto to = static_cast<size_t>(idx[1]);
  if (kind == GoKind::kString) return Value(item.AsString().substr(from, to - from)).WithType(item.type());
  std::vector<Value> items(item.Items().begin() + static_cast<ptrdiff_t>(from),
                           item.Items().begin() + static_cast<ptrdiff_t>(to));
  return Value::Slice(std::move(items), item.type());
}

Expected<Value> Length(const Value& item) {
  if (item.kind() == Kind::kInvalid) return Error("reflect: call of reflect.Value.Type on zero Value");
  if (item.kind() == Kind::kNil) return Error("len of nil pointer");
  Value v = item.IsPointer() ? item.Elem() : item;
  switch (v.kind()) {
    case Kind::kString:
    case Kind::kSlice:
    case Kind::kMap: return Value(static_cast<int>(v.Len()));
    default: return Error("len of type " + std::string(v.type_name()));
  }
}

// ---- html, js, urlquery ----

// text/template's evalArgs: one string as is, else Sprint of the printable values.
std::string ArgsToString(std::span<const Value> args) {
  if (args.size() == 1 && args[0].kind() == Kind::kString && args[0].type_name() == "string") return args[0].AsString();
  std::vector<Value> printable;
  printable.reserve(args.size());
  for (const Value& a : args) {
    if (a.kind() == Kind::kInvalid || (a.kind() == Kind::kNil && !a.IsPointer())) {
      printable.emplace_back("<no value>");
    } else {
      printable.push_back(a.IsPointer() ? a.Elem() : a);
    }
  }
  return GoSprint(printable);
}

std::string HtmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '\0': out += "\xEF\xBF\xBD"; break;
      case '"': out += "&#34;"; break;
      case '\'': out += "&#39;"; break;
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string JsEscape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  while (!s.empty()) {
    auto c = static_cast<unsigned char>(s[0]);
    if (c < 0x80) {
      switch (c) {
        case '\\': out += "\\\\"; break;
        case '\'': out += "\\'"; break;
        case '"': out += "\\\""; break;
        case '<': out += "\\u003C"; break;
        case '>': out += "\\u003E"; break;
        case '&': out += "\\u0026"; break;
        case '=': out += "\\u003D"; break;
        default:
          if (c < ' ') {
            out += "\\u00";
            out += kHex[c >> 4];
            out += kHex[c & 0xF];
          } else {
            out += static_cast<char>(c);
          }
      }
      s.remove_prefix(1);
      continue;
    }
    auto [r, size] = DecodeRune(s);
    if (IsPrint(r)) {
      out.append(s.substr(0, size));
    } else {
      char buf[16];
      std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(r));
      out += buf;
    }
    s.remove_prefix(size);
  }
  return out;
}

std::string UrlQueryEscape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += ch;
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

// ---- podman's string functions ----

// unicode.ToUpper / ToLower for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic.
char32_t ToUpperRune(char32_t r) {
  if (r >= 'a' && r <= 'z') return r - 32;
  if (r < 0x80) return r;
  if ((r >= 0xE0 && r <= 0xFE && r != 0xF7)) return r - 32;
  if (r == 0xFF) return 0x178;
  if (r == 0xB5) return 0x39C;
  if (r == 0x131) return 'I';
  if (r == 0x17F) return 'S';
  if ((r >= 0x100 && r <= 0x137) || (r >= 0x14A && r <= 0x177)) return (r & 1) ? r - 1 : r;
  if ((r >= 0x139 && r <= 0x148) || (r >= 0x179 && r <= 0x17E)) return (r & 1) ? r : r - 1;
  if (r == 0x3C2) return 0x3A3;
  if (r >= 0x3B1 && r <= 0x3C9) return r - 32;
  if (r >= 0x430 && r <= 0x44F) return r - 32;
  if (r >= 0x450 && r <= 0x45F) return r - 80;
  return r;
}

char32_t ToLowerRune(char32_t r) {
  if (r >= 'A' && r <= 'Z') return r + 32;
  if (r < 0x80) return r;
  if (r >= 0xC0 && r <= 0xDE && r != 0xD7) return r + 32;
  if (r == 0x178) return 0xFF;
  if (r == 0x130) return 'i';
  if ((r >= 0x100 && r <= 0x137) || (r >= 0x14A && r <= 0x177)) return (r & 1) ? r : r + 1;
  if ((r >= 0x139 && r <= 0x148) || (r >= 0x179 && r <= 0x17E)) return (r & 1) ? r + 1 : r;
  if (r >= 0x391 && r <= 0x3A9 && r != 0x3A2) return r + 32;
  if (r >= 0x410 && r <= 0x42F) return r + 32;
  if (r >= 0x400 && r <= 0x40F) return r + 80;
  return r;
}

// strings.Map: invalid UTF-8 bytes come out as U+FFFD.
template <typename F>
std::string MapRunes(std::string_view s, F f) {
  std::string out;
  out.reserve(s.size());
  while (!s.empty()) {
    auto [r, size] = DecodeRune(s);
    AppendRune(out, f(r));
    s.remove_prefix(size);
  }
  return out;
}

bool IsAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

std::string CaseMap(std::string_view s, char32_t (*f)(char32_t)) {
  if (IsAscii(s)) {  // Go's fast path keeps the bytes as they are
    std::string out(s);
    for (char& c : out) c = static_cast<char>(f(static_cast<unsigned char>(c)));
    return out;
  }
  return MapRunes(s, f);
}

bool IsUnicodeSpace(char32_t r) {
  return r == '\t' || r == '\n' || r == '\v' || r == '\f' || r == '\r' || r == ' ' || r == 0x85 || r == 0xA0 ||
         r == 0x1680 || (r >= 0x2000 && r <= 0x200A) || r == 0x2028 || r == 0x2029 || r == 0x202F || r == 0x205F ||
         r == 0x3000;
}

// strings.Title's word boundaries.
bool IsSeparator(char32_t r) {
  if (r <= 0x7F) {
    return !((r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || r == '_');
  }
  return IsUnicodeSpace(r);  // other letters, digits and symbols join words
}

std::string Title(std::string_view s) {
  char32_t prev = ' ';
  return MapRunes(s, [&prev](char32_t r) {
    char32_t out = IsSeparator(prev) ? ToUpperRune(r) : r;
    prev = r;
    return out;
  });
}

Value Split(const std::string& s, const std::string& sep) {
  std::vector<std::string> parts;
  if (sep.empty()) {  // one element per UTF-8 sequence
    std::string_view rest = s;
    while (!rest.empty()) {
      size_t size = DecodeRune(rest).second;
      parts.emplace_back(rest.substr(0, size));
      rest.remove_prefix(size);
    }
  } else {
    size_t start = 0;
    for (;;) {
      size_t at = s.find(sep, start);
      if (at == std::string::npos) break;
      parts.push_back(s.substr(start, at - start));
      start = at + sep.size();
    }
    parts.push_back(s.substr(start));
  }
  return Value::StringSlice(parts);
}

Value Join(const Value& items, const std::string& sep) {
  std::string out;
  bool first = true;
  for (const Value& item : items.Items()) {
    if (!first) out += sep;
    first = false;
    out += item.AsString();
  }
  return Value(std::move(out));
}

std::string TrimSpace(std::string s) {
  size_t end = s.find_last_not_of(" \t\n\r\v\f");
  s.erase(end == std::string::npos ? 0 : end + 1);
  size_t begin = s.find_first_not_of(" \t\n\r\v\f");
  s.erase(0, begin == std::string::npos ? s.size() : begin);
  return s;
}

}  // namespace

std::optional<FuncId> LookupFunction(std::string_view name) {
  auto it = FunctionNames().find(name);
  if (it == FunctionNames().end()) return std::nullopt;
  return it->second;
}

const FuncSignature& SignatureOf(FuncId id) {
  static const FuncSignature kOneValueSig{kOneValue, std::nullopt};
  static const FuncSignature kTwoValuesSig{kTwoValues, std::nullopt};
  static const FuncSignature kPrintfSig{kOneString, P::kAny};
  static const FuncSignature kStringSig{kOneString, std::nullopt};
  static const FuncSignature kAnySig{kOneAny, std::nullopt};
  static const FuncSignature kJoinSig{kJoinParams, std::nullopt};
  static const FuncSignature kPadSig{kPadParams, std::nullopt};
  static const FuncSignature kSplitSig{kTwoStrings, std::nullopt};
  static const FuncSignature kTruncateSig{kTruncateParams, std::nullopt};
  switch (id) {
    case FuncId::kAnd:
    case FuncId::kOr:
    case FuncId::kCall:
    case FuncId::kIndex:
    case FuncId::kSlice:
    case FuncId::kEq: return kValueVariadic;
    case FuncId::kHtml:
    case FuncId::kJs:
    case FuncId::kUrlquery:
    case FuncId::kPrint:
    case FuncId::kPrintln: return kAnyVariadic;
    case FuncId::kLen:
    case FuncId::kNot: return kOneValueSig;
    case FuncId::kPrintf: return kPrintfSig;
    case FuncId::kGe:
    case FuncId::kGt:
    case FuncId::kLe:
    case FuncId::kLt:
    case FuncId::kNe: return kTwoValuesSig;
    case FuncId::kJoin: return kJoinSig;
    case FuncId::kJson: return kAnySig;
    case FuncId::kLower:
    case FuncId::kUpper:
    case FuncId::kTitle: return kStringSig;
    case FuncId::kPad: return kPadSig;
    case FuncId::kSplit: return kSplitSig;
    case FuncId::kTruncate: return kTruncateSig;
  }
  return kAnyVariadic;
}

std::string_view ParamTypeName(ParamType type) {
  switch (type) {
    case ParamType::kValue: return "reflect.Value";
    case ParamType::kAny: return "interface {}";
    case ParamType::kString: return "string";
    case ParamType::kInt: return "int";
    case ParamType::kStringSlice: return "[]string";
    case ParamType::kTime: return "time.Time";
    case ParamType::kDuration: return "time.Duration";
  }
  return "";
}

std::string GoToUpper(std::string_view s) { return CaseMap(s, ToUpperRune); }

bool IsTrue(const Value& v) {
  if (v.IsPointer()) return v.kind() != Kind::kNil;
  switch (v.kind()) {
    case Kind::kInvalid:
    case Kind::kNil: return false;
    case Kind::kBool: return v.AsBool();
    case Kind::kInt: return v.AsInt() != 0;
    case Kind::kUint: return v.AsUint() != 0;
    case Kind::kFloat: return v.AsFloat() != 0;
    case Kind::kString:
    case Kind::kSlice:
    case Kind::kMap: return v.Len() > 0;
    case Kind::kTime:
    case Kind::kStruct: return true;
  }
  return false;
}

Expected<Value> CallFunction(FuncId id, std::span<const Value> args) {
  switch (id) {
    case FuncId::kAnd:
    case FuncId::kOr: return Internal("and/or are evaluated by the executor");
    case FuncId::kCall:
      if (KindOf(args[0]) == GoKind::kInvalid) return Error("call of nil");
      return Error("non-function of type " + std::string(args[0].type_name()));
    case FuncId::kHtml: return Value(HtmlEscape(ArgsToString(args)));
    case FuncId::kJs: return Value(JsEscape(ArgsToString(args)));
    case FuncId::kUrlquery: return Value(UrlQueryEscape(ArgsToString(args)));
    case FuncId::kIndex: return Index(args);
    case FuncId::kSlice: return SliceOf(args);
    case FuncId::kLen: return Length(args[0]);
    case FuncId::kNot: return Value(!IsTrue(args[0]));
    case FuncId::kPrint: return Value(GoSprint(args));
    case FuncId::kPrintln: return Value(GoSprintln(args));
    case FuncId::kPrintf: return Value(GoSprintf(args[0].AsString(), args.subspan(1)));
    case FuncId::kEq: {
      ASSIGN_OR_RETURN(bool b, Eq(args));
      return Value(b);
    }
    case FuncId::kNe: {
      ASSIGN_OR_RETURN(bool b, Eq(args));
      return Value(!b);
    }
    case FuncId::kLt: {
      ASSIGN_OR_RETURN(bool b, Less(args[0], args[1]));
      return Value(b);
    }
    case FuncId::kLe: {
      ASSIGN_OR_RETURN(bool b, LessOrEqual(args[0], args[1]));
      return Value(b);
    }
    case FuncId::kGt: {
      ASSIGN_OR_RETURN(bool b, LessOrEqual(args[0], args[1]));
      return Value(!b);
    }
    case FuncId::kGe: {
      ASSIGN_OR_RETURN(bool b, Less(args[0], args[1]));
      return Value(!b);
    }
    case FuncId::kJoin: return Join(args[0], args[1].AsString());
    case FuncId::kJson: return Value(TrimSpace(GoJson(args[0])));
    case FuncId::kLower: return Value(CaseMap(args[0].AsString(), ToLowerRune));
    case FuncId::kUpper: return Value(GoToUpper(args[0].AsString()));
    case FuncId::kTitle: return Value(Title(args[0].AsString()));
    case FuncId::kPad: {
      const std::string& s = args[0].AsString();
      if (s.empty()) return Value(s);
      if (args[1].AsInt() < 0 || args[2].AsInt() < 0) return Error("strings: negative Repeat count");
      return Value(std::string(static_cast<size_t>(args[1].AsInt()), ' ') + s +
                   std::string(static_cast<size_t>(args[2].AsInt()), ' '));
    }
    case FuncId::kSplit: return Split(args[0].AsString(), args[1].AsString());
    case FuncId::kTruncate: {
      const std::string& s = args[0].AsString();
      int64_t n = args[1].AsInt();
      if (static_cast<int64_t>(s.size()) < n) return Value(s);
      if (n < 0) return Error("runtime error: slice bounds out of range [:" + std::to_string(n) + "]");
      return Value(s.substr(0, static_cast<size_t>(n)));
    }
  }
  return Internal("unknown function");
}

}  // namespace kiln::format
