#include "format/gojson.h"

#include <cmath>

#include "format/gotime.h"
#include "util/go_strconv.h"

namespace kiln::format {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// encoding/json's string encoding with SetEscapeHTML(false) (Go 1.19).
void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  while (!s.empty()) {
    auto [r, size] = DecodeRune(s);
    if (r == kRuneError && size == 1) {
      out += "\\ufffd";
    } else if (r == '"' || r == '\\') {
      out += '\\';
      out += static_cast<char>(r);
    } else if (r == '\n') {
      out += "\\n";
    } else if (r == '\r') {
      out += "\\r";
    } else if (r == '\t') {
      out += "\\t";
    } else if (r < 0x20) {
      out += "\\u00";
      out += kHex[r >> 4];
      out += kHex[r & 0xF];
    } else if (r == 0x2028 || r == 0x2029) {
      out += r == 0x2028 ? "\\u2028" : "\\u2029";
    } else {
      out.append(s.substr(0, size));
    }
    s.remove_prefix(size);
  }
  out += '"';
}

void AppendJsonFloat(std::string& out, double f) {
  if (std::isnan(f) || std::isinf(f)) {
    out += "null";  // Go fails with UnsupportedValueError; podman's json func then prints nothing useful
    return;
  }
  double abs = std::fabs(f);
  bool exponent = abs != 0 && (abs < 1e-6 || abs >= 1e21);
  std::string num = FormatFloat(f, exponent ? 'e' : 'f', -1);
  if (exponent) {  // clean up e-09 to e-9
    size_t n = num.size();
    if (n >= 4 && num[n - 4] == 'e' && num[n - 3] == '-' && num[n - 2] == '0') num.erase(n - 2, 1);
  }
  out += num;
}

// encoding/json's isEmptyValue, for omitempty.
bool IsEmptyValue(const Value& v) {
  switch (v.kind()) {
    case Kind::kInvalid:
    case Kind::kNil: return true;
    case Kind::kBool: return !v.AsBool();
    case Kind::kInt: return v.AsInt() == 0;
    case Kind::kUint: return v.AsUint() == 0;
    case Kind::kFloat: return v.AsFloat() == 0;
    case Kind::kString:
    case Kind::kSlice:
    case Kind::kMap: return !v.IsPointer() && v.Len() == 0;
    case Kind::kTime:
    case Kind::kStruct: return false;
  }
  return false;
}

void AppendJson(std::string& out, const Value& v);

// A struct's members; an embedded struct's fields are inlined, as encoding/json does.
void AppendJsonFields(std::string& out, const Value& v, bool& first) {
  for (const Field& field : v.Fields()) {
    if (field.embedded && field.value.kind() == Kind::kStruct) {
      AppendJsonFields(out, field.value, first);
      continue;
    }
    if (field.json_name == "-" || (field.omitempty && IsEmptyValue(field.value))) continue;
    if (!first) out += ',';
    first = false;
    AppendJsonString(out, field.json_name);
    out += ':';
    AppendJson(out, field.value);
  }
}

void AppendJson(std::string& out, const Value& v) {
  switch (v.kind()) {
    case Kind::kInvalid:
    case Kind::kNil: out += "null"; return;
    case Kind::kBool: out += v.AsBool() ? "true" : "false"; return;
    case Kind::kInt: out += std::to_string(v.AsInt()); return;
    case Kind::kUint: out += std::to_string(v.AsUint()); return;
    case Kind::kFloat: AppendJsonFloat(out, v.AsFloat()); return;
    case Kind::kString: AppendJsonString(out, v.AsString()); return;
    case Kind::kTime: AppendJsonString(out, GoTimeRfc3339Nano(v.AsGoTime())); return;
    case Kind::kSlice: {
      if (v.IsNilContainer()) {
        out += "null";
        return;
      }
      out += '[';
      bool first = true;
      for (const Value& item : v.Items()) {
        if (!first) out += ',';
        first = false;
        AppendJson(out, item);
      }
      out += ']';
      return;
    }
    case Kind::kMap: {
      if (v.IsNilContainer()) {
        out += "null";
        return;
      }
      out += '{';
      bool first = true;
      for (const auto& [key, item] : v.Entries()) {
        if (!first) out += ',';
        first = false;
        AppendJsonString(out, key);
        out += ':';
        AppendJson(out, item);
      }
      out += '}';
      return;
    }
    case Kind::kStruct: {
      out += '{';
      bool first = true;
      AppendJsonFields(out, v, first);
      out += '}';
      return;
    }
  }
}

}  // namespace

std::string GoJson(const Value& v) {
  std::string out;
  AppendJson(out, v);
  return out;
}

}  // namespace kiln::format
