// The data a template sees: a small dynamic model of the Go values behind podman's output.
//
// Go's text/template works on reflect.Value; the behaviour users can observe (how a value
// prints, which errors name which type, what JSON looks like) depends on the Go type. A
// Value therefore carries its Go type name ("int64", "*v1.ImageConfig", "[]string") next to
// the data. Aggregates share their contents (copying a Value is cheap) and are copied on
// write by the builder methods.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "format/gotime.h"

namespace kiln::format {

// A Go type name as reflect spells it. Built from a character array, meant for string
// literals: names are stored as views and must outlive every Value that carries them.
class TypeName {
 public:
  constexpr TypeName() = default;  // "the default name for the value's kind"
  template <std::size_t N>
  constexpr TypeName(const char (&name)[N]) : name_(name, N - 1) {}  // NOLINT: implicit by design
  constexpr std::string_view view() const { return name_; }
  constexpr bool empty() const { return name_.empty(); }

  // A part of another TypeName (e.g. a map's element type); stays valid as long as it.
  static constexpr TypeName SubstringOf(TypeName whole, size_t pos, size_t n = std::string_view::npos) {
    TypeName t;
    t.name_ = whole.name_.substr(pos, n);
    return t;
  }

 private:
  std::string_view name_;
};

enum class Kind : uint8_t {
  kInvalid,  // "no value": a missing map key (prints <no value>)
  kNil,      // nil interface or nil pointer (prints <nil>)
  kBool,
  kInt,
  kUint,
  kFloat,
  kString,
  kTime,  // time.Time: an instant and the zone it shows in (UTC unless made by Local)
  kSlice,
  kMap,  // string keys, kept sorted
  kStruct,
};

class Value;
struct Field;
struct Aggregate;

class Value {
 public:
  Value() = default;  // untyped nil
  Value(bool b) : kind_(Kind::kBool) { num_.b = b; }                      // NOLINT
  Value(int i) : kind_(Kind::kInt), type_("int") { num_.i = i; }          // NOLINT
  Value(long i) : kind_(Kind::kInt), type_("int64") { num_.i = i; }       // NOLINT: int64_t
  Value(long long i) : kind_(Kind::kInt), type_("int64") { num_.i = i; }  // NOLINT
  Value(unsigned long u) : kind_(Kind::kUint), type_("uint64") { num_.u = u; }       // NOLINT
  Value(unsigned long long u) : kind_(Kind::kUint), type_("uint64") { num_.u = u; }  // NOLINT
  Value(double f) : kind_(Kind::kFloat) { num_.f = f; }                   // NOLINT
  Value(std::string s) : kind_(Kind::kString), str_(std::move(s)) {}      // NOLINT
  Value(std::string_view s) : kind_(Kind::kString), str_(s) {}            // NOLINT
  Value(const char* s) : kind_(Kind::kString), str_(s) {}                 // NOLINT

  static Value Int(int64_t i, TypeName type = "int");
  static Value Uint(uint64_t u, TypeName type = "uint");
  // A time.Time instant in UTC.
  static Value Time(int64_t unix_seconds, int32_t nanos = 0);
  // A time.Time shown in a zone other than UTC (t.zone is copied).
  static Value Time(const GoTime& t);
  // A nil pointer of the given type, e.g. NilPointer("*v1.ImageConfig").
  static Value NilPointer(TypeName pointer_type);
  // The "no value" of a missing map key.
  static Value Invalid();

  // Slices. Elements of "[]interface {}" are boxed (see IsBoxed).
  static Value Slice(TypeName type = "[]interface {}");
  static Value Slice(std::vector<Value> items, TypeName type = "[]interface {}");
  static Value StringSlice(const std::vector<std::string>& items);
  static Value NilSlice(TypeName type = "[]interface {}");  // prints [], JSON null
  Value& Append(Value v) &;
  Value&& Append(Value v) && { return std::move(Append(std::move(v))); }

  // Maps with string keys, e.g. Map("map[string]string"). The element type (after "]")
  // decides what `index` returns for a missing key.
  static Value Map(TypeName type = "map[string]interface {}");
  static Value StringMap(const std::vector<std::pair<std::string, std::string>>& entries);
  static Value NilMap(TypeName type = "map[string]interface {}");  // prints map[], JSON null
  Value& Set(std::string key, Value v) &;
  Value&& Set(std::string key, Value v) && { return std::move(Set(std::move(key), std::move(v))); }

  // Structs: Struct("define.ImageConfig").Add("User", "User", Value("x"), /*omitempty=*/true).
  // Fields print in the order added. A json_name of "-" keeps the field out of JSON.
  static Value Struct(TypeName type);
  static Value EmptyStruct();  // struct{}{}: prints {}
  Value& Add(std::string name, Value v) &;
  Value&& Add(std::string name, Value v) && { return std::move(Add(std::move(name), std::move(v))); }
  Value& Add(std::string name, std::string json_name, Value v, bool omitempty = false) &;
  Value&& Add(std::string name, std::string json_name, Value v, bool omitempty = false) && {
    return std::move(Add(std::move(name), std::move(json_name), std::move(v), omitempty));
  }

  // A method of the struct's Go type, such as podman's reporters' Created() or Size():
  // templates call it like a field (and it wins over an embedded field of that name),
  // but %v, JSON, comparisons and table headers do not see it, as in Go.
  Value& AddMethod(std::string name, Value result) &;
  Value&& AddMethod(std::string name, Value result) && { return std::move(AddMethod(std::move(name), std::move(result))); }

  // An embedded (anonymous) struct field, like Go's `type imageReporter struct { …; ImageSummary }`:
  // its fields are found through this struct and JSON inlines them; %v prints it nested.
  Value& Embed(Value embedded) &;
  Value&& Embed(Value embedded) && { return std::move(Embed(std::move(embedded))); }

  // The same value behind a pointer, e.g. Struct("v1.ImageConfig")...AsPointer("*v1.ImageConfig"):
  // printf prints it as &{...}; field errors name the pointer type.
  Value AsPointer(TypeName pointer_type) const&;
  Value AsPointer(TypeName pointer_type) &&;
  // The same data under another Go type name, e.g. Value("sha256:…").WithType("digest.Digest").
  Value WithType(TypeName type) const&;
  Value WithType(TypeName type) &&;
  // Held in an interface{} (an element of []interface{}): errors name "interface {}".
  Value Boxed(bool boxed = true) const&;
  Value Boxed(bool boxed = true) &&;

  // What a pointer points at: the same data without the pointer ("*T" → "T").
  Value Elem() const;

  // JSON → maps of interface{}, slices of interface{}, int64/uint64/float64, string, bool, nil.
  static Value FromJson(const nlohmann::json& j);

  Kind kind() const { return kind_; }
  bool IsPointer() const { return pointer_; }
  bool IsBoxed() const { return boxed_; }
  bool IsNilContainer() const { return nil_container_; }
  // The dynamic Go type ("%T"), e.g. "int64", "*v1.ImageConfig", "<nil>".
  std::string_view type_name() const;
  // The static type Go names in "can't evaluate field" errors.
  std::string_view static_type_name() const { return boxed_ ? "interface {}" : type_name(); }
  TypeName type() const;

  bool AsBool() const { return num_.b; }
  int64_t AsInt() const { return num_.i; }
  uint64_t AsUint() const { return num_.u; }
  double AsFloat() const { return num_.f; }
  const std::string& AsString() const { return str_; }
  int64_t UnixSeconds() const { return num_.i; }
  int32_t Nanos() const { return nanos_; }
  // A time as the formatting functions take it; its zone name lives as long as the value.
  GoTime AsGoTime() const {
    return GoTime{num_.i, nanos_, zone_offset_, str_.empty() ? std::string_view("UTC") : std::string_view(str_)};
  }

  // Slice elements, map entries (sorted by key) and struct fields; empty for other kinds.
  const std::vector<Value>& Items() const;
  const std::vector<std::pair<std::string, Value>>& Entries() const;
  const std::vector<Field>& Fields() const;
  size_t Len() const;  // elements, entries or bytes of a string

  const Value* FindKey(std::string_view key) const;     // map lookup
  // Whether two aggregates share their contents (Go pointer identity, for eq).
  bool SameData(const Value& other) const { return agg_ == other.agg_; }
  // A struct field by Go name, including fields promoted from embedded structs.
  const Field* FindField(std::string_view name) const;
  // What indexing this map with a missing key yields: the zero value of its element type.
  Value MapElemZero() const;

 private:
  Aggregate& MutableAggregate();

  Kind kind_ = Kind::kNil;
  bool pointer_ = false;
  bool boxed_ = false;
  bool nil_container_ = false;
  int32_t nanos_ = 0;
  int32_t zone_offset_ = 0;  // kTime: seconds east of UTC (the zone's name is in str_, "" for UTC)
  TypeName type_;
  union {
    bool b;
    int64_t i;
    uint64_t u;
    double f;
  } num_{};
  std::string str_;
  std::shared_ptr<Aggregate> agg_;  // shared; copied before a builder method changes it
};

struct Field {
  std::string name;       // Go field name: what {{.Name}} looks up
  std::string json_name;  // encoding/json key; "-" = not encoded
  bool omitempty = false;
  Value value;
  bool embedded = false;  // anonymous struct field: name is the type's name
  bool method = false;    // not a field at all: a method's result (see Value::AddMethod)
};

struct Aggregate {
  std::vector<Value> items;                            // slice
  std::vector<std::pair<std::string, Value>> entries;  // map, sorted by key
  std::vector<Field> fields;                           // struct
};

// The zero value of a Go type given by name ("string" → "", "int64" → 0, "*T" → nil, …).
Value ZeroValueOf(TypeName type);

// Go's rule for element types held in interface{}: "[]interface {}" etc.
bool ElementsAreBoxed(std::string_view container_type);

}  // namespace kiln::format
