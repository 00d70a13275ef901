#include "format/gofmt.h"

#include <cmath>

#include "format/gotime.h"
#include "format/methods.h"
#include "util/go_strconv.h"

namespace kiln::format {
namespace {

constexpr std::string_view kLowerDigits = "0123456789abcdefx";
constexpr std::string_view kUpperDigits = "0123456789ABCDEFX";
// Go prints the address of a nested pointer; ours has no address, so a fixed stand-in.
constexpr uint64_t kFakeAddress = 0xc000010000;
// time.Time's "ext" field counts seconds from year 1, not from 1970.
constexpr int64_t kUnixToGoEpochSeconds = 62135596800;

bool IsUntypedNil(const Value& v) {
  return v.kind() == Kind::kInvalid || (v.kind() == Kind::kNil && !v.IsPointer());
}

bool IsTime(const Value& v) {
  return v.kind() == Kind::kTime || (v.kind() == Kind::kNil && v.type_name() == "*time.Time");
}

// One Sprintf/Sprint call: Go's pp and fmt structs folded together.
class Printer {
 public:
  explicit Printer(std::string& out) : buf_(out) {}

  void DoPrint(std::span<const Value> args, bool println);
  void DoPrintf(std::string_view format, std::span<const Value> args);
  void PrintArg(const Value& arg, char32_t verb);

 private:
  struct Flags {
    bool plus = false, minus = false, sharp = false, space = false, zero = false;
    bool plus_v = false, sharp_v = false;
    bool wid_present = false, prec_present = false;
    int wid = 0, prec = 0;
  };

  void PrintValue(const Value& v, char32_t verb, int depth);
  bool HandleMethods(const Value& v, char32_t verb);
  void BadVerb(const Value& v, char32_t verb);
  void PrintTimeFields(const Value& v, char32_t verb);
  void GoStringTime(const Value& v);

  void FmtBool(bool b, char32_t verb);
  void FmtInteger(uint64_t u, bool is_signed, char32_t verb);
  void FmtFloat(double f, char32_t verb);
  void FmtString(std::string_view s, char32_t verb);
  void FmtPointer(const Value& v, char32_t verb);

  void Pad(std::string_view s);
  void WritePadding(int n);
  void IntegerBase(uint64_t u, int base, bool is_signed, char32_t verb, std::string_view digits);
  void Fmt0x64(uint64_t u, bool leading0x);
  void FloatNum(double f, char verb, int prec);
  void FmtS(std::string_view s);
  void FmtQ(std::string_view s);
  void FmtSx(std::string_view s, std::string_view digits);
  void FmtC(uint64_t c);
  void FmtQc(uint64_t c);
  void FmtUnicode(uint64_t u);
  std::string_view Truncate(std::string_view s) const;

  std::string& buf_;
  Flags f_;
  const Value* current_ = nullptr;  // the operand being formatted, for %!verb(type=value)
  bool erroring_ = false;
};

void Printer::Pad(std::string_view s) {
  if (!f_.wid_present || f_.wid == 0) {
    buf_ += s;
    return;
  }
  int width = f_.wid - static_cast<int>(RuneCount(s));
  if (!f_.minus) {
    WritePadding(width);
    buf_ += s;
  } else {
    buf_ += s;
    WritePadding(width);
  }
}

void Printer::WritePadding(int n) {
  if (n > 0) buf_.append(static_cast<size_t>(n), f_.zero ? '0' : ' ');
}

std::string_view Printer::Truncate(std::string_view s) const {
  if (!f_.prec_present) return s;
  size_t pos = 0;
  for (int n = f_.prec; n > 0 && pos < s.size(); --n) pos += DecodeRune(s.substr(pos)).second;
  return s.substr(0, pos);
}

void Printer::FmtS(std::string_view s) { Pad(Truncate(s)); }

void Printer::FmtQ(std::string_view s) {
  s = Truncate(s);
  if (f_.sharp && CanBackquote(s)) {
    Pad("`" + std::string(s) + "`");
  } else if (f_.plus) {
    Pad(QuoteToAscii(s));
  } else {
    Pad(Quote(s));
  }
}

void Printer::FmtSx(std::string_view s, std::string_view digits) {
  int length = static_cast<int>(s.size());
  if (f_.prec_present && f_.prec < length) length = f_.prec;
  int width = 2 * length;
  if (width > 0) {
    if (f_.space) {
      if (f_.sharp) width *= 2;
      width += length - 1;
    } else if (f_.sharp) {
      width += 2;
    }
  } else {
    if (f_.wid_present) WritePadding(f_.wid);
    return;
  }
  if (f_.wid_present && f_.wid > width && !f_.minus) WritePadding(f_.wid - width);
  if (f_.sharp) {
    buf_ += '0';
    buf_ += digits[16];
  }
  for (int i = 0; i < length; ++i) {
    if (f_.space && i > 0) {
      buf_ += ' ';
      if (f_.sharp) {
        buf_ += '0';
        buf_ += digits[16];
      }
    }
    auto c = static_cast<unsigned char>(s[static_cast<size_t>(i)]);
    buf_ += digits[c >> 4];
    buf_ += digits[c & 0xF];
  }
  if (f_.wid_present && f_.wid > width && f_.minus) WritePadding(f_.wid - width);
}

void Printer::IntegerBase(uint64_t u, int base, bool is_signed, char32_t verb, std::string_view digits) {
  bool negative = is_signed && static_cast<int64_t>(u) < 0;
  if (negative) u = 0 - u;
  int prec = 0;
  if (f_.prec_present) {
    prec = f_.prec;
    if (prec == 0 && u == 0) {  // precision 0 and value 0 print nothing but padding
      bool old_zero = f_.zero;
      f_.zero = false;
      WritePadding(f_.wid);
      f_.zero = old_zero;
      return;
    }
  } else if (f_.zero && f_.wid_present) {
    prec = f_.wid;
    if (negative || f_.plus || f_.space) --prec;  // leave room for the sign
  }
  std::string rev;  // digits, least significant first
  do {
    rev += digits[u % static_cast<uint64_t>(base)];
    u /= static_cast<uint64_t>(base);
  } while (u != 0);
  while (static_cast<int>(rev.size()) < prec) rev += '0';
  if (f_.sharp) {
    if (base == 2) rev += "b0";
    if (base == 8 && rev.back() != '0') rev += '0';
    if (base == 16) {
      rev += digits[16];
      rev += '0';
    }
  }
  if (verb == 'O') rev += "o0";
  if (negative) rev += '-';
  else if (f_.plus) rev += '+';
  else if (f_.space) rev += ' ';
  std::string num(rev.rbegin(), rev.rend());
  bool old_zero = f_.zero;
  f_.zero = false;  // zero padding was done above, as precision
  Pad(num);
  f_.zero = old_zero;
}

void Printer::Fmt0x64(uint64_t u, bool leading0x) {
  bool sharp = f_.sharp;
  f_.sharp = leading0x;
  IntegerBase(u, 16, false, 'v', kLowerDigits);
  f_.sharp = sharp;
}

void Printer::FmtC(uint64_t c) {
  std::string s;
  AppendRune(s, c > kMaxRune ? kRuneError : static_cast<char32_t>(c));
  Pad(s);
}

void Printer::FmtQc(uint64_t c) {
  char32_t r = c > kMaxRune ? kRuneError : static_cast<char32_t>(c);
  Pad(f_.plus ? QuoteRuneToAscii(r) : QuoteRune(r));
}

void Printer::FmtUnicode(uint64_t u) {
  int prec = 4;
  if (f_.prec_present && f_.prec > 4) prec = f_.prec;
  std::string hex;
  for (uint64_t v = u; v != 0; v >>= 4) hex.insert(hex.begin(), kUpperDigits[v & 0xF]);
  while (static_cast<int>(hex.size()) < prec) hex.insert(hex.begin(), '0');
  std::string out = "U+" + hex;
  if (f_.sharp && u <= kMaxRune && IsPrint(static_cast<char32_t>(u))) {
    out += " '";
    AppendRune(out, static_cast<char32_t>(u));
    out += "'";
  }
  bool old_zero = f_.zero;
  f_.zero = false;
  Pad(out);
  f_.zero = old_zero;
}

void Printer::FloatNum(double f, char verb, int prec) {
  if (f_.prec_present) prec = f_.prec;
  std::string num = FormatFloat(f, verb == 'F' ? 'f' : verb, prec);
  if (num[0] != '-' && num[0] != '+') num.insert(num.begin(), '+');
  if (f_.space && num[0] == '+' && !f_.plus) num[0] = ' ';
  if (num[1] == 'I' || num[1] == 'N') {  // infinities and NaN are never zero padded
    bool old_zero = f_.zero;
    f_.zero = false;
    if (num[1] == 'N' && !f_.space && !f_.plus) num.erase(0, 1);
    Pad(num);
    f_.zero = old_zero;
    return;
  }
  if (f_.sharp && (verb == 'g' || verb == 'G') && num.find('.') == std::string::npos) {
    // %#g keeps a decimal point; Go also keeps trailing zeros, which we do not model.
    size_t e = num.find_first_of("eE");
    num.insert(e == std::string::npos ? num.size() : e, ".");
  }
  if (f_.plus || num[0] != '+') {
    if (f_.zero && f_.wid_present && f_.wid > static_cast<int>(num.size())) {
      buf_ += num[0];
      WritePadding(f_.wid - static_cast<int>(num.size()));
      buf_.append(num, 1);
      return;
    }
    Pad(num);
    return;
  }
  Pad(std::string_view(num).substr(1));
}

void Printer::FmtBool(bool b, char32_t verb) {
  if (verb == 't' || verb == 'v') {
    Pad(b ? "true" : "false");
  } else {
    BadVerb(*current_, verb);
  }
}

void Printer::FmtInteger(uint64_t u, bool is_signed, char32_t verb) {
  switch (verb) {
    case 'v':
      if (f_.sharp_v && !is_signed) {
        Fmt0x64(u, true);
      } else {
        IntegerBase(u, 10, is_signed, verb, kLowerDigits);
      }
      return;
    case 'd': IntegerBase(u, 10, is_signed, verb, kLowerDigits); return;
    case 'b': IntegerBase(u, 2, is_signed, verb, kLowerDigits); return;
    case 'o':
    case 'O': IntegerBase(u, 8, is_signed, verb, kLowerDigits); return;
    case 'x': IntegerBase(u, 16, is_signed, verb, kLowerDigits); return;
    case 'X': IntegerBase(u, 16, is_signed, verb, kUpperDigits); return;
    case 'c': FmtC(u); return;
    case 'q': FmtQc(u); return;
    case 'U': FmtUnicode(u); return;
    default:
      BadVerb(*current_, verb);
  }
}

void Printer::FmtFloat(double f, char32_t verb) {
  switch (verb) {
    case 'v': FloatNum(f, 'g', -1); return;
    case 'b':
    case 'g':
    case 'G':
    case 'x':
    case 'X': FloatNum(f, verb == 'G' || verb == 'X' ? 'G' : 'g', -1); return;  // %b/%x: not modelled
    case 'f':
    case 'e':
    case 'E':
    case 'F': FloatNum(f, static_cast<char>(verb), 6); return;
    default: BadVerb(*current_, verb);
  }
}

void Printer::FmtString(std::string_view s, char32_t verb) {
  switch (verb) {
    case 'v':
      if (f_.sharp_v) {
        FmtQ(s);
      } else {
        FmtS(s);
      }
      return;
    case 's': FmtS(s); return;
    case 'x': FmtSx(s, kLowerDigits); return;
    case 'X': FmtSx(s, kUpperDigits); return;
    case 'q': FmtQ(s); return;
    default: BadVerb(*current_, verb);
  }
}

void Printer::FmtPointer(const Value& v, char32_t verb) {
  uint64_t u = v.kind() == Kind::kNil ? 0 : kFakeAddress;
  switch (verb) {
    case 'v':
      if (f_.sharp_v) {
        buf_ += '(';
        buf_ += v.type_name();
        buf_ += ")(";
        if (u == 0) {
          buf_ += "nil";
        } else {
          Fmt0x64(u, true);
        }
        buf_ += ')';
      } else if (u == 0) {
        Pad("<nil>");
      } else {
        Fmt0x64(u, !f_.sharp);
      }
      return;
    case 'p': Fmt0x64(u, !f_.sharp); return;
    case 'b':
    case 'o':
    case 'd':
    case 'x':
    case 'X': FmtInteger(u, false, verb); return;
    default: BadVerb(v, verb);
  }
}

void Printer::BadVerb(const Value& v, char32_t verb) {
  erroring_ = true;
  buf_ += "%!";
  AppendRune(buf_, verb);
  buf_ += '(';
  if (IsUntypedNil(v)) {
    buf_ += "<nil>";
  } else {
    buf_ += v.type_name();
    buf_ += '=';
    PrintArg(v, 'v');
  }
  buf_ += ')';
  erroring_ = false;
}

// The String methods of time.Time and time.Duration, as fmt calls them for the verbs that
// accept a string.
bool Printer::HandleMethods(const Value& v, char32_t verb) {
  if (erroring_) return false;
  if (v.kind() == Kind::kInt && v.type_name() == "time.Duration" && !f_.sharp_v &&
      (verb == 'v' || verb == 's' || verb == 'x' || verb == 'X' || verb == 'q')) {
    FmtString(GoDurationString(v.AsInt()), verb);
    return true;
  }
  if (v.kind() == Kind::kInt && !f_.sharp_v && (verb == 'v' || verb == 's' || verb == 'x' || verb == 'X' || verb == 'q')) {
    // time.Month and time.Weekday are Stringers: "November", "Tuesday".
    if (v.type_name() == "time.Month" || v.type_name() == "time.Weekday") {
      auto s = FindMethod(v, "String")->call(v, {});
      FmtString(s.ok() ? s->AsString() : "", verb);
      return true;
    }
  }
  if (!IsTime(v)) return false;
  if (f_.sharp_v) {
    if (v.kind() == Kind::kNil) return false;
    if (v.IsPointer()) buf_ += '&';  // GoString is on the value; the pointer prints as &
    GoStringTime(v);
    return true;
  }
  if (verb != 'v' && verb != 's' && verb != 'x' && verb != 'X' && verb != 'q') return false;
  if (v.kind() == Kind::kNil) {
    buf_ += "<nil>";  // String on a nil *time.Time panics; fmt prints <nil>
    return true;
  }
  FmtString(GoTimeString(v.AsGoTime()), verb);
  return true;
}

void Printer::GoStringTime(const Value& v) {
  // time.Time.GoString: time.Date(2026, time.November, 28, 0, 45, 28, 741834044, time.UTC)
  GoTime t = v.AsGoTime();
  GoCivil c = CivilOf(t);
  buf_ += "time.Date(" + std::to_string(c.year) + ", time." + kGoMonthNames[c.month - 1] + ", " +
          std::to_string(c.day) + ", " + std::to_string(c.hour) + ", " + std::to_string(c.minute) + ", " +
          std::to_string(c.second) + ", " + std::to_string(v.Nanos()) +
          (t.zone == "UTC" && t.offset == 0 ? ", time.UTC)" : ", time.Local)");
}

// A time.Time printed without its String method: its fields {wall ext loc}, as Go stores a
// UTC time without a monotonic reading.
void Printer::PrintTimeFields(const Value& v, char32_t verb) {
  bool names = f_.plus_v || f_.sharp_v;
  if (f_.sharp_v) buf_ += "time.Time";
  buf_ += '{';
  if (names) buf_ += "wall:";
  FmtInteger(static_cast<uint64_t>(v.Nanos()), false, verb);
  buf_ += f_.sharp_v ? ", " : " ";
  if (names) buf_ += "ext:";
  FmtInteger(static_cast<uint64_t>(v.UnixSeconds() + kUnixToGoEpochSeconds), true, verb);
  buf_ += f_.sharp_v ? ", " : " ";
  if (names) buf_ += "loc:";
  FmtPointer(Value::NilPointer("*time.Location"), verb);
  buf_ += '}';
}

void Printer::PrintArg(const Value& arg, char32_t verb) {
  if (IsUntypedNil(arg)) {
    if (verb == 'T' || verb == 'v') {
      Pad("<nil>");
    } else {
      BadVerb(arg, verb);
    }
    return;
  }
  current_ = &arg;
  if (verb == 'T') {
    FmtS(arg.type_name());
    return;
  }
  if (verb == 'p') {
    if (arg.IsPointer() || arg.kind() == Kind::kSlice || arg.kind() == Kind::kMap) {
      Fmt0x64(arg.kind() == Kind::kNil || arg.IsNilContainer() ? 0 : kFakeAddress, !f_.sharp);
    } else {
      BadVerb(arg, verb);
    }
    return;
  }
  switch (arg.kind()) {
    case Kind::kBool: FmtBool(arg.AsBool(), verb); return;
    case Kind::kInt:  // a named integer type (time.Duration) may have a String method
      if (!HandleMethods(arg, verb)) FmtInteger(static_cast<uint64_t>(arg.AsInt()), true, verb);
      return;
    case Kind::kUint: FmtInteger(arg.AsUint(), false, verb); return;
    case Kind::kFloat: FmtFloat(arg.AsFloat(), verb); return;
    case Kind::kString: FmtString(arg.AsString(), verb); return;
    default:
      if (!HandleMethods(arg, verb)) PrintValue(arg, verb, 0);
  }
}

void Printer::PrintValue(const Value& v, char32_t verb, int depth) {
  if (depth > 0 && HandleMethods(v, verb)) return;
  current_ = &v;
  if (v.IsPointer() && v.kind() != Kind::kNil) {
    if (depth == 0) {  // fmt follows a pointer to a composite only at the top level
      buf_ += '&';
      PrintValue(v.Elem(), verb, depth + 1);
    } else {
      FmtPointer(v, verb);
    }
    return;
  }
  switch (v.kind()) {
    case Kind::kInvalid:
      if (depth == 0) {
        buf_ += "<invalid reflect.Value>";
      } else if (verb == 'v') {
        buf_ += "<nil>";
      } else {
        BadVerb(v, verb);
      }
      return;
    case Kind::kNil:
      if (v.IsPointer()) {
        FmtPointer(v, verb);
      } else {
        buf_ += f_.sharp_v ? "interface {}(nil)" : "<nil>";
      }
      return;
    case Kind::kBool: FmtBool(v.AsBool(), verb); return;
    case Kind::kInt: FmtInteger(static_cast<uint64_t>(v.AsInt()), true, verb); return;
    case Kind::kUint: FmtInteger(v.AsUint(), false, verb); return;
    case Kind::kFloat: FmtFloat(v.AsFloat(), verb); return;
    case Kind::kString: FmtString(v.AsString(), verb); return;
    case Kind::kTime: PrintTimeFields(v, verb); return;
    case Kind::kMap: {
      if (f_.sharp_v) {
        buf_ += v.type_name();
        if (v.IsNilContainer()) {
          buf_ += "(nil)";
          return;
        }
        buf_ += '{';
      } else {
        buf_ += "map[";
      }
      bool first = true;
      for (const auto& [key, item] : v.Entries()) {
        if (!first) buf_ += f_.sharp_v ? ", " : " ";
        first = false;
        PrintValue(Value(key), verb, depth + 1);
        buf_ += ':';
        PrintValue(item, verb, depth + 1);
      }
      buf_ += f_.sharp_v ? '}' : ']';
      return;
    }
    case Kind::kStruct: {
      if (f_.sharp_v) buf_ += v.type_name();
      buf_ += '{';
      bool first = true;
      for (const Field& field : v.Fields()) {
        if (field.method) continue;
        if (!first) buf_ += f_.sharp_v ? ", " : " ";
        first = false;
        if (f_.plus_v || f_.sharp_v) {
          buf_ += field.name;
          buf_ += ':';
        }
        PrintValue(field.value, verb, depth + 1);
      }
      buf_ += '}';
      return;
    }
    case Kind::kSlice: {
      if (f_.sharp_v) {
        buf_ += v.type_name();
        if (v.IsNilContainer()) {
          buf_ += "(nil)";
          return;
        }
        buf_ += '{';
      } else {
        buf_ += '[';
      }
      bool first = true;
      for (const Value& item : v.Items()) {
        if (!first) buf_ += f_.sharp_v ? ", " : " ";
        first = false;
        PrintValue(item, verb, depth + 1);
      }
      buf_ += f_.sharp_v ? '}' : ']';
      return;
    }
  }
}

void Printer::DoPrint(std::span<const Value> args, bool println) {
  bool prev_string = false;
  for (size_t i = 0; i < args.size(); ++i) {
    bool is_string = args[i].kind() == Kind::kString;
    // Sprint separates operands with a space only when neither side is a string.
    if (i > 0 && (println || (!is_string && !prev_string))) buf_ += ' ';
    PrintArg(args[i], 'v');
    prev_string = is_string;
  }
  if (println) buf_ += '\n';
}

// fmt's parsenum: a decimal number of at most 1e6, or none.
bool ParseNum(std::string_view s, size_t& i, int& num) {
  num = 0;
  bool found = false;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (num > 1000000) {  // too large: Go gives up on the rest of the format
      i = s.size();
      return false;
    }
    num = num * 10 + (s[i] - '0');
    found = true;
    ++i;
  }
  return found;
}

// An operand used as a width or precision with '*'.
bool IntFromArg(std::span<const Value> args, size_t& arg_num, int& num) {
  num = 0;
  bool ok = false;
  if (arg_num < args.size()) {
    const Value& a = args[arg_num];
    if (a.kind() == Kind::kInt) {
      num = static_cast<int>(a.AsInt());
      ok = a.AsInt() >= INT32_MIN && a.AsInt() <= INT32_MAX;
    } else if (a.kind() == Kind::kUint && a.AsUint() <= INT32_MAX) {
      num = static_cast<int>(a.AsUint());
      ok = true;
    }
    ++arg_num;
    if (num > 1000000 || num < -1000000) {
      num = 0;
      ok = false;
    }
  }
  return ok;
}

void Printer::DoPrintf(std::string_view format, std::span<const Value> args) {
  size_t arg_num = 0;
  bool after_index = false;
  bool reordered = false;
  bool good_arg_num = true;
  const size_t end = format.size();

  // "[n]" argument indexes (1-based).
  auto arg_number = [&](size_t& i) {
    if (i >= end || format[i] != '[') return false;
    reordered = true;
    size_t close = format.find(']', i + 1);
    if (i + 3 > end || close == std::string_view::npos) {
      good_arg_num = false;
      ++i;
      return false;
    }
    size_t j = i + 1;
    int index = 0;
    bool ok = ParseNum(format, j, index) && j == close;
    i = close + 1;
    if (ok && index - 1 >= 0 && static_cast<size_t>(index - 1) < args.size()) {
      arg_num = static_cast<size_t>(index - 1);
      return true;
    }
    good_arg_num = false;
    return ok;
  };

  for (size_t i = 0; i < end;) {
    good_arg_num = true;
    size_t lasti = i;
    while (i < end && format[i] != '%') ++i;
    buf_.append(format.substr(lasti, i - lasti));
    if (i >= end) break;
    ++i;  // skip %
    f_ = Flags{};
    for (; i < end; ++i) {
      char c = format[i];
      if (c == '#') f_.sharp = true;
      else if (c == '0') f_.zero = !f_.minus;  // zero padding only to the left
      else if (c == '+') f_.plus = true;
      else if (c == '-') f_.minus = true, f_.zero = false;
      else if (c == ' ') f_.space = true;
      else break;
    }
    after_index = arg_number(i);
    if (i < end && format[i] == '*') {
      ++i;
      f_.wid_present = IntFromArg(args, arg_num, f_.wid);
      if (!f_.wid_present) buf_ += "%!(BADWIDTH)";
      if (f_.wid < 0) {
        f_.wid = -f_.wid;
        f_.minus = true;
        f_.zero = false;
      }
      after_index = false;
    } else {
      f_.wid_present = ParseNum(format, i, f_.wid);
      if (after_index && f_.wid_present) good_arg_num = false;
    }
    if (i + 1 < end && format[i] == '.') {
      ++i;
      if (after_index) good_arg_num = false;
      after_index = arg_number(i);
      if (i < end && format[i] == '*') {
        ++i;
        f_.prec_present = IntFromArg(args, arg_num, f_.prec);
        if (f_.prec < 0) {
          f_.prec = 0;
          f_.prec_present = false;
        }
        if (!f_.prec_present) buf_ += "%!(BADPREC)";
        after_index = false;
      } else {
        f_.prec_present = ParseNum(format, i, f_.prec);
        if (!f_.prec_present) {
          f_.prec = 0;
          f_.prec_present = true;
        }
      }
    }
    if (!after_index) after_index = arg_number(i);
    if (i >= end) {
      buf_ += "%!(NOVERB)";
      break;
    }
    auto [verb, size] = DecodeRune(format.substr(i));
    i += size;
    if (verb == '%') {
      buf_ += '%';  // a literal percent takes no operand and ignores width and precision
    } else if (!good_arg_num) {
      buf_ += "%!";
      AppendRune(buf_, verb);
      buf_ += "(BADINDEX)";
    } else if (arg_num >= args.size()) {
      buf_ += "%!";
      AppendRune(buf_, verb);
      buf_ += "(MISSING)";
    } else {
      if (verb == 'v') {
        f_.sharp_v = f_.sharp;
        f_.sharp = false;
        f_.plus_v = f_.plus;
        f_.plus = false;
      }
      PrintArg(args[arg_num], verb);
      ++arg_num;
    }
  }
  if (!reordered && arg_num < args.size()) {
    f_ = Flags{};
    buf_ += "%!(EXTRA ";
    for (size_t k = arg_num; k < args.size(); ++k) {
      if (k > arg_num) buf_ += ", ";
      if (IsUntypedNil(args[k])) {
        buf_ += "<nil>";
      } else {
        buf_ += args[k].type_name();
        buf_ += '=';
        PrintArg(args[k], 'v');
      }
    }
    buf_ += ')';
  }
}

}  // namespace

std::string GoSprint(std::span<const Value> args) {
  std::string out;
  Printer(out).DoPrint(args, false);
  return out;
}

std::string GoSprintln(std::span<const Value> args) {
  std::string out;
  Printer(out).DoPrint(args, true);
  return out;
}

std::string GoSprintf(std::string_view format, std::span<const Value> args) {
  std::string out;
  Printer(out).DoPrintf(format, args);
  return out;
}

void AppendPrintable(std::string& out, const Value& v) {
  if (v.kind() == Kind::kInvalid) {
    out += "<no value>";
    return;
  }
  Printer p(out);
  p.PrintArg(v.IsPointer() ? v.Elem() : v, 'v');
}

}  // namespace kiln::format
