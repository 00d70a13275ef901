#include "format/value.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace kiln::format {
namespace {

const Aggregate& EmptyAggregate() {
  static const Aggregate kEmpty;
  return kEmpty;
}

std::string_view DefaultTypeName(Kind kind) {
  switch (kind) {
    case Kind::kInvalid:
    case Kind::kNil: return "<nil>";
    case Kind::kBool: return "bool";
    case Kind::kInt: return "int";
    case Kind::kUint: return "uint";
    case Kind::kFloat: return "float64";
    case Kind::kString: return "string";
    case Kind::kTime: return "time.Time";
    case Kind::kSlice: return "[]interface {}";
    case Kind::kMap: return "map[string]interface {}";
    case Kind::kStruct: return "struct {}";
  }
  return "<nil>";
}

}  // namespace

bool ElementsAreBoxed(std::string_view container_type) {
  return container_type.ends_with("]interface {}");
}

Value ZeroValueOf(TypeName type) {
  std::string_view t = type.view();
  if (t == "string") return Value(std::string()).WithType(type);
  if (t == "bool") return Value(false);
  if (t == "struct {}") return Value::EmptyStruct();
  if (t == "float64" || t == "float32") return Value(0.0).WithType(type);
  if (t == "int" || t == "int8" || t == "int16" || t == "int32" || t == "int64") return Value::Int(0, type);
  if (t == "uint" || t == "uint8" || t == "uint16" || t == "uint32" || t == "uint64" || t == "uintptr") {
    return Value::Uint(0, type);
  }
  if (t.starts_with("[]")) return Value::NilSlice(type);
  if (t.starts_with("map[")) return Value::NilMap(type);
  if (t.starts_with("*")) return Value::NilPointer(type);
  return Value();  // interfaces and anything unknown: nil
}

Value Value::Int(int64_t i, TypeName type) {
  Value v;
  v.kind_ = Kind::kInt;
  v.num_.i = i;
  v.type_ = type;
  return v;
}

Value Value::Uint(uint64_t u, TypeName type) {
  Value v;
  v.kind_ = Kind::kUint;
  v.num_.u = u;
  v.type_ = type;
  return v;
}

Value Value::Time(int64_t unix_seconds, int32_t nanos) {
  Value v;
  v.kind_ = Kind::kTime;
  v.num_.i = unix_seconds;
  v.nanos_ = nanos;
  return v;
}

Value Value::Time(const GoTime& t) {
  Value v = Time(t.unix_seconds, t.nanos);
  v.zone_offset_ = t.offset;
  if (t.zone != "UTC" || t.offset != 0) v.str_ = std::string(t.zone);
  return v;
}

Value Value::NilPointer(TypeName pointer_type) {
  Value v;
  v.kind_ = Kind::kNil;
  v.pointer_ = true;
  v.type_ = pointer_type;
  return v;
}

Value Value::Invalid() {
  Value v;
  v.kind_ = Kind::kInvalid;
  return v;
}

Value Value::Slice(TypeName type) {
  Value v;
  v.kind_ = Kind::kSlice;
  v.type_ = type;
  return v;
}

Value Value::Slice(std::vector<Value> items, TypeName type) {
  Value v = Slice(type);
  if (ElementsAreBoxed(type.view())) {
    for (Value& item : items) item.boxed_ = true;
  }
  v.agg_ = std::make_shared<Aggregate>();
  v.agg_->items = std::move(items);
  return v;
}

Value Value::StringSlice(const std::vector<std::string>& items) {
  std::vector<Value> values(items.begin(), items.end());
  return Slice(std::move(values), "[]string");
}

Value Value::NilSlice(TypeName type) {
  Value v = Slice(type);
  v.nil_container_ = true;
  return v;
}

Value& Value::Append(Value item) & {
  item.boxed_ = ElementsAreBoxed(type_name());
  nil_container_ = false;
  MutableAggregate().items.push_back(std::move(item));
  return *this;
}

Value Value::Map(TypeName type) {
  Value v;
  v.kind_ = Kind::kMap;
  v.type_ = type;
  return v;
}

Value Value::StringMap(const std::vector<std::pair<std::string, std::string>>& entries) {
  Value v = Map("map[string]string");
  for (const auto& [key, value] : entries) v.Set(key, Value(value));
  return v;
}

Value Value::NilMap(TypeName type) {
  Value v = Map(type);
  v.nil_container_ = true;
  return v;
}

Value& Value::Set(std::string key, Value item) & {
  item.boxed_ = ElementsAreBoxed(type_name());
  nil_container_ = false;
  auto& entries = MutableAggregate().entries;
  auto it = std::lower_bound(entries.begin(), entries.end(), key,
                             [](const auto& entry, const std::string& k) { return entry.first < k; });
  if (it != entries.end() && it->first == key) {
    it->second = std::move(item);
  } else {
    entries.emplace(it, std::move(key), std::move(item));
  }
  return *this;
}

Value Value::Struct(TypeName type) {
  Value v;
  v.kind_ = Kind::kStruct;
  v.type_ = type;
  return v;
}

Value Value::EmptyStruct() { return Struct("struct {}"); }

Value& Value::Add(std::string name, Value v) & {
  std::string json_name = name;
  return Add(std::move(name), std::move(json_name), std::move(v), false);
}

Value& Value::Add(std::string name, std::string json_name, Value v, bool omitempty) & {
  MutableAggregate().fields.push_back(
      Field{std::move(name), std::move(json_name), omitempty, std::move(v)});
  return *this;
}

Value& Value::AddMethod(std::string name, Value result) & {
  Field field{std::move(name), "-", false, std::move(result)};
  field.method = true;
  MutableAggregate().fields.push_back(std::move(field));
  return *this;
}

Value& Value::Embed(Value embedded) & {
  std::string_view type = embedded.type_name();
  if (type.starts_with('*')) type.remove_prefix(1);
  size_t dot = type.rfind('.');
  std::string name(dot == std::string_view::npos ? type : type.substr(dot + 1));
  Field field{name, name, false, std::move(embedded)};
  field.embedded = true;
  MutableAggregate().fields.push_back(std::move(field));
  return *this;
}

Value Value::AsPointer(TypeName pointer_type) const& { return Value(*this).AsPointer(pointer_type); }
Value Value::AsPointer(TypeName pointer_type) && {
  pointer_ = true;
  type_ = pointer_type;
  return std::move(*this);
}

Value Value::WithType(TypeName type) const& { return Value(*this).WithType(type); }
Value Value::WithType(TypeName type) && {
  type_ = type;
  return std::move(*this);
}

Value Value::Boxed(bool boxed) const& { return Value(*this).Boxed(boxed); }
Value Value::Boxed(bool boxed) && {
  boxed_ = boxed;
  return std::move(*this);
}

Value Value::Elem() const {
  Value v = *this;
  if (pointer_) {
    v.pointer_ = false;
    if (v.type_.view().starts_with('*')) v.type_ = TypeName::SubstringOf(type_, 1);
  }
  return v;
}

Value Value::FromJson(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null: return Value();
    case nlohmann::json::value_t::boolean: return Value(j.get<bool>());
    case nlohmann::json::value_t::number_integer: return Value::Int(j.get<int64_t>(), "int64");
    case nlohmann::json::value_t::number_unsigned: {
      uint64_t u = j.get<uint64_t>();
      if (u <= static_cast<uint64_t>(INT64_MAX)) return Value::Int(static_cast<int64_t>(u), "int64");
      return Value::Uint(u, "uint64");
    }
    case nlohmann::json::value_t::number_float: return Value(j.get<double>());
    case nlohmann::json::value_t::string: return Value(j.get<std::string>());
    case nlohmann::json::value_t::array: {
      std::vector<Value> items;
      items.reserve(j.size());
      for (const auto& item : j) items.push_back(FromJson(item));
      return Slice(std::move(items));
    }
    case nlohmann::json::value_t::object: {
      Value m = Map();
      for (const auto& [key, item] : j.items()) m.Set(key, FromJson(item));
      return m;
    }
    default: return Value();  // binary and discarded values do not occur in parsed JSON
  }
}

std::string_view Value::type_name() const {
  if (!type_.empty()) return type_.view();
  return DefaultTypeName(kind_);
}

TypeName Value::type() const { return type_; }

const std::vector<Value>& Value::Items() const { return (agg_ ? *agg_ : EmptyAggregate()).items; }
const std::vector<std::pair<std::string, Value>>& Value::Entries() const {
  return (agg_ ? *agg_ : EmptyAggregate()).entries;
}
const std::vector<Field>& Value::Fields() const { return (agg_ ? *agg_ : EmptyAggregate()).fields; }

size_t Value::Len() const {
  switch (kind_) {
    case Kind::kString: return str_.size();
    case Kind::kSlice: return Items().size();
    case Kind::kMap: return Entries().size();
    default: return 0;
  }
}

const Value* Value::FindKey(std::string_view key) const {
  const auto& entries = Entries();
  auto it = std::lower_bound(entries.begin(), entries.end(), key,
                             [](const auto& entry, std::string_view k) { return entry.first < k; });
  if (it == entries.end() || it->first != key) return nullptr;
  return &it->second;
}

const Field* Value::FindField(std::string_view name) const {
  for (const Field& f : Fields()) {
    if (f.name == name) return &f;
  }
  for (const Field& f : Fields()) {  // promoted fields, as Go's FieldByName finds them
    if (!f.embedded) continue;
    if (const Field* promoted = f.value.FindField(name)) return promoted;
  }
  return nullptr;
}

Value Value::MapElemZero() const {
  TypeName t = type_.empty() ? TypeName("map[string]interface {}") : type_;
  size_t close = t.view().find(']');
  if (close == std::string_view::npos) return Value();
  Value zero = ZeroValueOf(TypeName::SubstringOf(t, close + 1));
  zero.boxed_ = ElementsAreBoxed(t.view());
  return zero;
}

Aggregate& Value::MutableAggregate() {
  if (!agg_) {
    agg_ = std::make_shared<Aggregate>();
  } else if (agg_.use_count() > 1) {
    agg_ = std::make_shared<Aggregate>(*agg_);  // copy on write: others keep the old contents
  }
  return *agg_;
}

}  // namespace kiln::format
