#include "format/gotime.h"

#include <algorithm>

namespace kiln::format {
namespace {

// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
void FromDays(int64_t days, int64_t& year, int& month, int& day) {
  days += 719468;
  int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  auto doe = static_cast<unsigned>(days - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  year = static_cast<int64_t>(yoe) + era * 400 + (month <= 2);
}

bool IsLeap(int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

int DayOfYear(int64_t year, int month, int day) {
  static const int kBefore[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  return kBefore[month - 1] + day + (month > 2 && IsLeap(year) ? 1 : 0);
}

// Go's appendInt: '-' for negatives, then zero-padded to `width` digits.
void AppendInt(std::string& out, int64_t x, int width) {
  uint64_t u = x < 0 ? 0 - static_cast<uint64_t>(x) : static_cast<uint64_t>(x);
  if (x < 0) out += '-';
  std::string digits = std::to_string(u);
  if (static_cast<int>(digits.size()) < width) out.append(width - digits.size(), '0');
  out += digits;
}

// The layout elements (Go's std chunks).
enum class Std {
  kNone, kLongMonth, kMonth, kNumMonth, kZeroMonth, kLongWeekDay, kWeekDay, kDay, kUnderDay, kZeroDay,
  kUnderYearDay, kZeroYearDay, kHour, kHour12, kZeroHour12, kMinute, kZeroMinute, kSecond, kZeroSecond,
  kLongYear, kYear, kPM, kpm, kTZ, kISO8601TZ, kISO8601SecondsTZ, kISO8601ShortTZ, kISO8601ColonTZ,
  kISO8601ColonSecondsTZ, kNumTZ, kNumSecondsTz, kNumShortTZ, kNumColonTZ, kNumColonSecondsTZ,
  kFracSecond0, kFracSecond9,
};

struct Chunk {
  size_t prefix_len;  // literal text before the element
  Std std = Std::kNone;
  size_t std_len = 0;     // bytes of the element in the layout
  int frac_digits = 0;    // kFracSecond*: how many digits
  char separator = '.';   // kFracSecond*: '.' or ','
};

bool StartsWithLower(std::string_view s) { return !s.empty() && s[0] >= 'a' && s[0] <= 'z'; }

// The first layout element in `layout` (Go's nextStdChunk); std kNone when there is none.
Chunk NextChunk(std::string_view layout) {
  auto at = [&](size_t i, std::string_view word) { return layout.substr(i, word.size()) == word; };
  for (size_t i = 0; i < layout.size(); ++i) {
    auto found = [&](Std std, size_t len) { return Chunk{i, std, len}; };
    switch (layout[i]) {
      case 'J':
        if (at(i, "January")) return found(Std::kLongMonth, 7);
        if (at(i, "Jan") && !StartsWithLower(layout.substr(i + 3))) return found(Std::kMonth, 3);
        break;
      case 'M':
        if (at(i, "Monday")) return found(Std::kLongWeekDay, 6);
        if (at(i, "Mon") && !StartsWithLower(layout.substr(i + 3))) return found(Std::kWeekDay, 3);
        if (at(i, "MST")) return found(Std::kTZ, 3);
        break;
      case '0':
        if (i + 1 < layout.size() && layout[i + 1] >= '1' && layout[i + 1] <= '6') {
          static const Std kZero[] = {Std::kZeroMonth, Std::kZeroDay, Std::kZeroHour12,
                                      Std::kZeroMinute, Std::kZeroSecond, Std::kYear};
          return found(kZero[layout[i + 1] - '1'], 2);
        }
        if (at(i, "002")) return found(Std::kZeroYearDay, 3);
        break;
      case '1':
        if (at(i, "15")) return found(Std::kHour, 2);
        return found(Std::kNumMonth, 1);
      case '2':
        if (at(i, "2006")) return found(Std::kLongYear, 4);
        return found(Std::kDay, 1);
      case '_':
        if (at(i, "_2")) {
          if (at(i + 1, "2006")) return Chunk{i + 1, Std::kLongYear, 4};  // a literal '_', then the year
          return found(Std::kUnderDay, 2);
        }
        if (at(i, "__2")) return found(Std::kUnderYearDay, 3);
        break;
      case '3': return found(Std::kHour12, 1);
      case '4': return found(Std::kMinute, 1);
      case '5': return found(Std::kSecond, 1);
      case 'P':
        if (at(i, "PM")) return found(Std::kPM, 2);
        break;
      case 'p':
        if (at(i, "pm")) return found(Std::kpm, 2);
        break;
      case '-':
        if (at(i, "-070000")) return found(Std::kNumSecondsTz, 7);
        if (at(i, "-07:00:00")) return found(Std::kNumColonSecondsTZ, 9);
        if (at(i, "-0700")) return found(Std::kNumTZ, 5);
        if (at(i, "-07:00")) return found(Std::kNumColonTZ, 6);
        if (at(i, "-07")) return found(Std::kNumShortTZ, 3);
        break;
      case 'Z':
        if (at(i, "Z070000")) return found(Std::kISO8601SecondsTZ, 7);
        if (at(i, "Z07:00:00")) return found(Std::kISO8601ColonSecondsTZ, 9);
        if (at(i, "Z0700")) return found(Std::kISO8601TZ, 5);
        if (at(i, "Z07:00")) return found(Std::kISO8601ColonTZ, 6);
        if (at(i, "Z07")) return found(Std::kISO8601ShortTZ, 3);
        break;
      case '.':
      case ',':
        // ".000" / ",999": a fractional second, when the run of digits ends the number.
        if (i + 1 < layout.size() && (layout[i + 1] == '0' || layout[i + 1] == '9')) {
          char digit = layout[i + 1];
          size_t j = i + 1;
          while (j < layout.size() && layout[j] == digit) ++j;
          if (j >= layout.size() || layout[j] < '0' || layout[j] > '9') {
            Chunk c = found(digit == '0' ? Std::kFracSecond0 : Std::kFracSecond9, j - i);
            c.frac_digits = static_cast<int>(j - i - 1);
            c.separator = layout[i];
            return c;
          }
        }
        break;
      default: break;
    }
  }
  return Chunk{layout.size()};
}

void AppendFraction(std::string& out, int32_t nanos, const Chunk& c) {
  bool trim = c.std == Std::kFracSecond9;
  if (trim && (c.frac_digits == 0 || nanos == 0)) return;
  std::string digits = std::to_string(nanos);
  digits.insert(0, 9 - std::min<size_t>(9, digits.size()), '0');
  if (c.frac_digits < 9) digits.resize(c.frac_digits);
  if (trim)
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
  if (trim && digits.empty()) return;
  out += c.separator;
  out += digits;
}

void AppendZone(std::string& out, const GoTime& t, Std std) {
  bool iso = std == Std::kISO8601TZ || std == Std::kISO8601ColonTZ || std == Std::kISO8601SecondsTZ ||
             std == Std::kISO8601ShortTZ || std == Std::kISO8601ColonSecondsTZ;
  if (iso && t.offset == 0) {
    out += 'Z';
    return;
  }
  int zone = t.offset / 60;
  int abs_offset = t.offset < 0 ? -t.offset : t.offset;
  out += zone < 0 ? '-' : '+';
  if (zone < 0) zone = -zone;
  AppendInt(out, zone / 60, 2);
  bool colon = std == Std::kISO8601ColonTZ || std == Std::kNumColonTZ || std == Std::kISO8601ColonSecondsTZ ||
               std == Std::kNumColonSecondsTZ;
  if (colon) out += ':';
  if (std != Std::kNumShortTZ && std != Std::kISO8601ShortTZ) AppendInt(out, zone % 60, 2);
  if (std == Std::kISO8601SecondsTZ || std == Std::kNumSecondsTz || std == Std::kNumColonSecondsTZ ||
      std == Std::kISO8601ColonSecondsTZ) {
    if (colon) out += ':';
    AppendInt(out, abs_offset % 60, 2);
  }
}

void AppendElement(std::string& out, const GoTime& t, const GoCivil& c, const Chunk& chunk) {
  int hour12 = c.hour % 12 == 0 ? 12 : c.hour % 12;
  switch (chunk.std) {
    case Std::kNone: break;
    case Std::kYear: AppendInt(out, (c.year < 0 ? -c.year : c.year) % 100, 2); break;
    case Std::kLongYear: AppendInt(out, c.year, 4); break;
    case Std::kMonth: out.append(kGoMonthNames[c.month - 1], 3); break;
    case Std::kLongMonth: out += kGoMonthNames[c.month - 1]; break;
    case Std::kNumMonth: AppendInt(out, c.month, 0); break;
    case Std::kZeroMonth: AppendInt(out, c.month, 2); break;
    case Std::kWeekDay: out.append(kGoWeekdayNames[c.weekday], 3); break;
    case Std::kLongWeekDay: out += kGoWeekdayNames[c.weekday]; break;
    case Std::kDay: AppendInt(out, c.day, 0); break;
    case Std::kUnderDay:
      if (c.day < 10) out += ' ';
      AppendInt(out, c.day, 0);
      break;
    case Std::kZeroDay: AppendInt(out, c.day, 2); break;
    case Std::kUnderYearDay:
      if (c.yday < 100) out += c.yday < 10 ? "  " : " ";
      AppendInt(out, c.yday, 0);
      break;
    case Std::kZeroYearDay: AppendInt(out, c.yday, 3); break;
    case Std::kHour: AppendInt(out, c.hour, 2); break;
    case Std::kHour12: AppendInt(out, hour12, 0); break;
    case Std::kZeroHour12: AppendInt(out, hour12, 2); break;
    case Std::kMinute: AppendInt(out, c.minute, 0); break;
    case Std::kZeroMinute: AppendInt(out, c.minute, 2); break;
    case Std::kSecond: AppendInt(out, c.second, 0); break;
    case Std::kZeroSecond: AppendInt(out, c.second, 2); break;
    case Std::kPM: out += c.hour >= 12 ? "PM" : "AM"; break;
    case Std::kpm: out += c.hour >= 12 ? "pm" : "am"; break;
    case Std::kTZ:
      if (!t.zone.empty()) {
        out += t.zone;
      } else {  // no name known: -0700
        AppendZone(out, t, Std::kNumTZ);
      }
      break;
    case Std::kFracSecond0:
    case Std::kFracSecond9: AppendFraction(out, t.nanos, chunk); break;
    default: AppendZone(out, t, chunk.std); break;
  }
}

}  // namespace

const char* const kGoMonthNames[12] = {"January", "February", "March",     "April",   "May",      "June",
                                       "July",    "August",   "September", "October", "November", "December"};
const char* const kGoWeekdayNames[7] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};

GoCivil CivilOf(const GoTime& t) {
  int64_t local = t.unix_seconds + t.offset;
  int64_t days = local / 86400;
  int64_t secs = local % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  GoCivil c{};
  FromDays(days, c.year, c.month, c.day);
  c.hour = static_cast<int>(secs / 3600);
  c.minute = static_cast<int>(secs / 60 % 60);
  c.second = static_cast<int>(secs % 60);
  c.weekday = static_cast<int>(((days % 7) + 7 + 4) % 7);  // 1970-01-01 was a Thursday
  c.yday = DayOfYear(c.year, c.month, c.day);
  return c;
}

std::string GoTimeFormat(const GoTime& t, std::string_view layout) {
  GoCivil c = CivilOf(t);
  std::string out;
  while (!layout.empty()) {
    Chunk chunk = NextChunk(layout);
    out.append(layout.substr(0, chunk.prefix_len));
    if (chunk.std == Std::kNone) break;
    AppendElement(out, t, c, chunk);
    layout.remove_prefix(chunk.prefix_len + chunk.std_len);
  }
  return out;
}

std::string GoTimeString(const GoTime& t) { return GoTimeFormat(t, "2006-01-02 15:04:05.999999999 -0700 MST"); }
std::string GoTimeString(int64_t unix_seconds, int32_t nanos) { return GoTimeString(GoTime{unix_seconds, nanos}); }

std::string GoTimeRfc3339Nano(const GoTime& t) { return GoTimeFormat(t, "2006-01-02T15:04:05.999999999Z07:00"); }
std::string GoTimeRfc3339Nano(int64_t unix_seconds, int32_t nanos) {
  return GoTimeRfc3339Nano(GoTime{unix_seconds, nanos});
}

namespace {

// Go's fmtFrac: the `prec` low decimal digits of v as ".ddd" without trailing zeros (nothing
// when they are all zero), prepended to out; returns v without them.
uint64_t PrependFraction(std::string& out, uint64_t v, int prec) {
  std::string frac;
  bool print = false;
  for (int i = 0; i < prec; ++i) {
    uint64_t digit = v % 10;
    print = print || digit != 0;
    if (print) frac.insert(frac.begin(), static_cast<char>('0' + digit));
    v /= 10;
  }
  if (print) out.insert(0, "." + frac);
  return v;
}

}  // namespace

std::string GoDurationString(int64_t nanoseconds) {
  const bool neg = nanoseconds < 0;
  uint64_t u = neg ? 0 - static_cast<uint64_t>(nanoseconds) : static_cast<uint64_t>(nanoseconds);
  if (u == 0) return "0s";
  std::string out;
  if (u < 1000000000) {  // under a second: the largest unit below it, with a fraction
    const char* unit = u < 1000 ? "ns" : u < 1000000 ? "\u00b5s" : "ms";
    int prec = u < 1000 ? 0 : u < 1000000 ? 3 : 6;
    out = unit;
    u = PrependFraction(out, u, prec);
    out.insert(0, std::to_string(u));
  } else {
    out = "s";
    u = PrependFraction(out, u, 9);
    out.insert(0, std::to_string(u % 60));
    u /= 60;
    if (u > 0) {
      out.insert(0, std::to_string(u % 60) + "m");
      u /= 60;
      if (u > 0) out.insert(0, std::to_string(u) + "h");
    }
  }
  return neg ? "-" + out : out;
}

}  // namespace kiln::format
