#include "format/methods.h"

#include <time.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "format/gotime.h"

namespace kiln::format {
namespace {

using Args = std::span<const Value>;

constexpr int64_t kNanosPerSecond = 1000000000;
constexpr int64_t kMinDuration = std::numeric_limits<int64_t>::min();
constexpr int64_t kMaxDuration = std::numeric_limits<int64_t>::max();
// The zero time.Time, January 1 of year 1, UTC, in Unix seconds.
constexpr int64_t kZeroTimeUnix = -62135596800;

constexpr ParamType kStringParam[] = {ParamType::kString};
constexpr ParamType kTimeParam[] = {ParamType::kTime};
constexpr ParamType kDurationParam[] = {ParamType::kDuration};
constexpr std::span<const ParamType> kNone{};

Value GoInt(int64_t i) { return Value::Int(i, "int"); }
Value Int64(int64_t i) { return Value::Int(i, "int64"); }
Value Duration(int64_t ns) { return Value::Int(ns, "time.Duration"); }

// ---- time.Time ----

GoTime TimeOf(const Value& v) { return v.AsGoTime(); }
GoCivil CivilOfValue(const Value& v) { return CivilOf(v.AsGoTime()); }

// -1, 0 or 1 as a is before, equal to or after b.
int CompareInstants(const GoTime& a, const GoTime& b) {
  if (a.unix_seconds != b.unix_seconds) return a.unix_seconds < b.unix_seconds ? -1 : 1;
  if (a.nanos != b.nanos) return a.nanos < b.nanos ? -1 : 1;
  return 0;
}

// t.Sub(u): the duration between, saturated at the Duration range as Go does.
int64_t SubInstants(const GoTime& t, const GoTime& u) {
  __int128 ns = static_cast<__int128>(t.unix_seconds - u.unix_seconds) * kNanosPerSecond + (t.nanos - u.nanos);
  if (ns > kMaxDuration) return kMaxDuration;
  if (ns < kMinDuration) return kMinDuration;
  return static_cast<int64_t>(ns);
}

Value SameZone(const Value& receiver, int64_t unix_seconds, int32_t nanos) {
  GoTime t = receiver.AsGoTime();
  t.unix_seconds = unix_seconds;
  t.nanos = nanos;
  return Value::Time(t);
}

// time.Local: the zone the process's TZ (or /etc/localtime) gives for that instant.
Value InLocalZone(const Value& receiver) {
  GoTime t = receiver.AsGoTime();
  time_t secs = static_cast<time_t>(t.unix_seconds);
  struct tm tm {};
  if (localtime_r(&secs, &tm) == nullptr) return Value::Time(t.unix_seconds, t.nanos);
  return Value::Time(GoTime{t.unix_seconds, t.nanos, static_cast<int32_t>(tm.tm_gmtoff), tm.tm_zone ? tm.tm_zone : ""});
}

const Method kTimeMethods[] = {
    {"Add", kDurationParam, 1,
     [](const Value& r, Args a) -> Expected<Value> {
       GoTime t = TimeOf(r);
       int64_t d = a[0].AsInt();
       int64_t secs = t.unix_seconds + d / kNanosPerSecond;
       int64_t nanos = t.nanos + d % kNanosPerSecond;
       if (nanos >= kNanosPerSecond) {
         ++secs;
         nanos -= kNanosPerSecond;
       } else if (nanos < 0) {
         --secs;
         nanos += kNanosPerSecond;
       }
       return SameZone(r, secs, static_cast<int32_t>(nanos));
     }},
    {"After", kTimeParam, 1, [](const Value& r, Args a) -> Expected<Value> {
       return Value(CompareInstants(TimeOf(r), TimeOf(a[0])) > 0);
     }},
    {"Before", kTimeParam, 1, [](const Value& r, Args a) -> Expected<Value> {
       return Value(CompareInstants(TimeOf(r), TimeOf(a[0])) < 0);
     }},
    {"Clock", kNone, 3, nullptr},
    {"Date", kNone, 3, nullptr},
    {"Day", kNone, 1, [](const Value& r, Args) -> Expected<Value> { return GoInt(CivilOfValue(r).day); }},
    {"Equal", kTimeParam, 1, [](const Value& r, Args a) -> Expected<Value> {
       return Value(CompareInstants(TimeOf(r), TimeOf(a[0])) == 0);
     }},
    {"Format", kStringParam, 1, [](const Value& r, Args a) -> Expected<Value> {
       return Value(GoTimeFormat(TimeOf(r), a[0].AsString()));
     }},
    {"Hour", kNone, 1, [](const Value& r, Args) -> Expected<Value> { return GoInt(CivilOfValue(r).hour); }},
    {"ISOWeek", kNone, 2, nullptr},
    {"IsZero", kNone, 1, [](const Value& r, Args) -> Expected<Value> {
       return Value(r.UnixSeconds() == kZeroTimeUnix && r.Nanos() == 0);
     }},
    {"Local", kNone, 1, [](const Value& r, Args) -> Expected<Value> { return InLocalZone(r); }},
    {"Minute", kNone, 1, [](const Value& r, Args) -> Expected<Value> { return GoInt(CivilOfValue(r).minute); }},
    {"Month", kNone, 1, [](const Value& r, Args) -> Expected<Value> {
       return Value::Int(CivilOfValue(r).month, "time.Month");
     }},
    {"Nanosecond", kNone, 1, [](const Value& r, Args) -> Expected<Value> { return GoInt(r.Nanos()); }},
    {"Second", kNone, 1, [](const Value& r, Args) -> Expected<Value> { return GoInt(CivilOfValue(r).second); }},
    {"String", kNone, 1, [](const Value& r, Args) -> Expected<Value> { return Value(GoTimeString(TimeOf(r))); }},
    {"Sub", kTimeParam, 1, [](const Value& r, Args a) -> Expected<Value> {
       return Duration(SubInstants(TimeOf(r), TimeOf(a[0])));
     }},
    {"UTC", kNone, 1, [](const Value& r, Args) -> Expected<Value> { return Value::Time(r.UnixSeconds(), r.Nanos()); }},
    {"Unix", kNone, 1, [](const Value& r, Args) -> Expected<Value> { return Int64(r.UnixSeconds()); }},
    {"UnixMicro", kNone, 1, [](const Value& r, Args) -> Expected<Value> {
       return Int64(r.UnixSeconds() * 1000000 + r.Nanos() / 1000);
     }},
    {"UnixMilli", kNone, 1, [](const Value& r, Args) -> Expected<Value> {
       return Int64(r.UnixSeconds() * 1000 + r.Nanos() / 1000000);
     }},
    {"UnixNano", kNone, 1, [](const Value& r, Args) -> Expected<Value> {
       // Go's arithmetic wraps outside 1678..2262; so does this, without undefined behaviour.
       uint64_t ns = static_cast<uint64_t>(r.UnixSeconds()) * kNanosPerSecond + static_cast<uint64_t>(r.Nanos());
       return Int64(static_cast<int64_t>(ns));
     }},
    {"Weekday", kNone, 1, [](const Value& r, Args) -> Expected<Value> {
       return Value::Int(CivilOfValue(r).weekday, "time.Weekday");
     }},
    {"Year", kNone, 1, [](const Value& r, Args) -> Expected<Value> { return GoInt(CivilOfValue(r).year); }},
    {"YearDay", kNone, 1, [](const Value& r, Args) -> Expected<Value> { return GoInt(CivilOfValue(r).yday); }},
    {"Zone", kNone, 2, nullptr},
};

// ---- time.Duration ----

// Go's float conversion of whole units plus the remainder, as Hours/Minutes/Seconds do.
double InUnits(int64_t d, int64_t unit) {
  return static_cast<double>(d / unit) + static_cast<double>(d % unit) / static_cast<double>(unit);
}

bool LessThanHalf(int64_t x, int64_t y) { return static_cast<uint64_t>(x) + static_cast<uint64_t>(x) < static_cast<uint64_t>(y); }

int64_t RoundDuration(int64_t d, int64_t m) {
  if (m <= 0) return d;
  int64_t r = d % m;
  if (d < 0) {
    r = -r;
    if (LessThanHalf(r, m)) return d + r;
    if (d - m + r < d) return d - m + r;  // Go relies on wrapping; here: no overflow below min
    return kMinDuration;
  }
  if (LessThanHalf(r, m)) return d - r;
  if (d <= kMaxDuration - (m - r)) return d + m - r;
  return kMaxDuration;
}

const Method kDurationMethods[] = {
    {"Abs", kNone, 1, [](const Value& r, Args) -> Expected<Value> {
       int64_t d = r.AsInt();
       return Duration(d >= 0 ? d : d == kMinDuration ? kMaxDuration : -d);
     }},
    {"Hours", kNone, 1, [](const Value& r, Args) -> Expected<Value> { return Value(InUnits(r.AsInt(), 3600 * kNanosPerSecond)); }},
    {"Microseconds", kNone, 1, [](const Value& r, Args) -> Expected<Value> { return Int64(r.AsInt() / 1000); }},
    {"Milliseconds", kNone, 1, [](const Value& r, Args) -> Expected<Value> { return Int64(r.AsInt() / 1000000); }},
    {"Minutes", kNone, 1, [](const Value& r, Args) -> Expected<Value> { return Value(InUnits(r.AsInt(), 60 * kNanosPerSecond)); }},
    {"Nanoseconds", kNone, 1, [](const Value& r, Args) -> Expected<Value> { return Int64(r.AsInt()); }},
    {"Round", kDurationParam, 1, [](const Value& r, Args a) -> Expected<Value> {
       return Duration(RoundDuration(r.AsInt(), a[0].AsInt()));
     }},
    {"Seconds", kNone, 1, [](const Value& r, Args) -> Expected<Value> { return Value(InUnits(r.AsInt(), kNanosPerSecond)); }},
    {"String", kNone, 1, [](const Value& r, Args) -> Expected<Value> { return Value(GoDurationString(r.AsInt())); }},
    {"Truncate", kDurationParam, 1, [](const Value& r, Args a) -> Expected<Value> {
       int64_t d = r.AsInt(), m = a[0].AsInt();
       return Duration(m <= 0 ? d : d - d % m);
     }},
};

// ---- time.Month, time.Weekday ----

const Method kMonthMethods[] = {
    {"String", kNone, 1, [](const Value& r, Args) -> Expected<Value> {
       int64_t m = r.AsInt();
       if (m >= 1 && m <= 12) return Value(kGoMonthNames[m - 1]);
       return Value("%!Month(" + std::to_string(m) + ")");
     }},
};

const Method kWeekdayMethods[] = {
    {"String", kNone, 1, [](const Value& r, Args) -> Expected<Value> {
       int64_t d = r.AsInt();
       if (d >= 0 && d <= 6) return Value(kGoWeekdayNames[d]);
       return Value("%!Weekday(" + std::to_string(d) + ")");
     }},
};

std::span<const Method> MethodsOf(const Value& v) {
  if (v.kind() == Kind::kTime || (v.kind() == Kind::kNil && v.type_name() == "*time.Time")) return kTimeMethods;
  if (v.kind() != Kind::kInt) return {};
  std::string_view type = v.type_name();
  if (type == "time.Duration") return kDurationMethods;
  if (type == "time.Month") return kMonthMethods;
  if (type == "time.Weekday") return kWeekdayMethods;
  return {};
}

}  // namespace

const Method* FindMethod(const Value& receiver, std::string_view name) {
  for (const Method& m : MethodsOf(receiver))
    if (m.name == name) return &m;
  return nullptr;
}

}  // namespace kiln::format
