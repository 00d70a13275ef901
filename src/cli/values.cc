#include "cli/values.h"

#include <cctype>

#include "format/gotime.h"
#include "format/units.h"
#include "util/json_text.h"
#include "util/time.h"

namespace kiln::cli {

using format::Value;

Value TimeValue(int64_t nanos) {
  int64_t secs = nanos / 1000000000, frac = nanos % 1000000000;
  if (frac < 0) frac += 1000000000, --secs;
  return Value::Time(secs, static_cast<int32_t>(frac));
}

namespace {

Value StringsFromJson(const image::Json& j) {
  std::vector<std::string> items;
  if (j.is_array())
    for (const auto& e : j)
      if (e.is_string()) items.push_back(e.get<std::string>());
  return Value::StringSlice(items);
}

std::string Str(const image::Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Value StringMapFromJson(const image::Json& j, bool nil_when_empty = true) {
  if (!j.is_object() || (j.empty() && nil_when_empty)) return Value::NilMap("map[string]string");
  Value m = Value::Map("map[string]string");
  for (const auto& [k, v] : j.items()) m.Set(k, v.is_string() ? Value(v.get<std::string>()) : Value(JsonText(v)));
  return m;
}

Value SetOfStrings(const image::Json& j) {  // map[string]struct{}
  if (!j.is_object() || j.empty()) return Value::NilMap("map[string]struct {}");
  Value m = Value::Map("map[string]struct {}");
  for (const auto& [k, v] : j.items()) m.Set(k, Value::EmptyStruct());
  return m;
}

Value ImageConfigValue(const image::Json& c) {
  auto strings_or_nil = [&](const char* key) {
    auto it = c.find(key);
    return it != c.end() && it->is_array() ? StringsFromJson(*it) : Value::NilSlice("[]string");
  };
  auto obj = [&](const char* key) {
    auto it = c.find(key);
    return it != c.end() ? *it : image::Json();
  };
  return Value::Struct("v1.ImageConfig")
      .Add("User", "User", Value(Str(c, "User")), true)
      .Add("ExposedPorts", "ExposedPorts", SetOfStrings(obj("ExposedPorts")), true)
      .Add("Env", "Env", strings_or_nil("Env"), true)
      .Add("Entrypoint", "Entrypoint", strings_or_nil("Entrypoint"), true)
      .Add("Cmd", "Cmd", strings_or_nil("Cmd"), true)
      .Add("Volumes", "Volumes", SetOfStrings(obj("Volumes")), true)
      .Add("WorkingDir", "WorkingDir", Value(Str(c, "WorkingDir")), true)
      .Add("Labels", "Labels", StringMapFromJson(obj("Labels")), true)
      .Add("StopSignal", "StopSignal", Value(Str(c, "StopSignal")), true)
      .Add("ArgsEscaped", "ArgsEscaped", Value(c.value("ArgsEscaped", false)), true)
      .AsPointer("*v1.ImageConfig");
}

Value HistoryValue(const image::Json& history) {
  Value list = Value::Slice("[]v1.History");
  if (!history.is_array()) return list;
  for (const auto& h : history) {
    auto created = ParseRfc3339(Str(h, "created"));
    list.Append(Value::Struct("v1.History")
                    .Add("Created", "created", created.ok() ? TimeValue(*created).AsPointer("*time.Time")
                                                            : Value::NilPointer("*time.Time"), true)
                    .Add("CreatedBy", "created_by", Value(Str(h, "created_by")), true)
                    .Add("Author", "author", Value(Str(h, "author")), true)
                    .Add("Comment", "comment", Value(Str(h, "comment")), true)
                    .Add("EmptyLayer", "empty_layer", Value(h.value("empty_layer", false)), true));
  }
  return list;
}

}  // namespace

FieldSet ReferencedFields(std::string_view fmt) {
  for (std::string_view whole_value : {"json", "$", "template", "block", "define"})
    if (fmt.find(whole_value) != std::string_view::npos) return std::nullopt;
  std::set<std::string, std::less<>> fields;
  auto is_ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (size_t open = fmt.find("{{"); open != std::string_view::npos; open = fmt.find("{{", open)) {
    size_t close = fmt.find("}}", open);
    std::string_view action = fmt.substr(open + 2, close == std::string_view::npos ? std::string_view::npos : close - open - 2);
    for (size_t i = 0; i < action.size(); ++i) {
      if (action[i] != '.' || (i > 0 && std::isdigit(static_cast<unsigned char>(action[i - 1])))) continue;
      size_t end = i + 1;
      while (end < action.size() && is_ident(action[end])) ++end;
      if (end == i + 1) return std::nullopt;  // a bare "." can print every field
      fields.emplace(action.substr(i + 1, end - i - 1));
      i = end - 1;
    }
    if (close == std::string_view::npos) break;
    open = close + 2;
  }
  return fields;
}

Value ImageRowValue(const ImageRow& row, bool no_trunc, int64_t now, const FieldSet& wanted) {
  auto want = [&](std::string_view name) { return !wanted || wanted->count(name) > 0; };
  const auto& img = *row.image;
  Value reporter = Value::Struct("images.imageReporter")
                       .Add("Repository", "repository", Value(row.name.repository), true)
                       .Add("Tag", "tag", Value(row.name.tag), true);
  static constexpr std::string_view kSummaryFields[] = {
      "ID", "ParentId", "RepoTags", "RepoDigests", "Created", "Size", "SharedSize", "VirtualSize",
      "Labels", "Containers", "ReadOnly", "Dangling", "Names", "Digest", "History"};
  bool any_summary = !wanted;
  for (auto f : kSummaryFields) any_summary = any_summary || want(f);
  if (any_summary) {
    Value labels = row.labels ? StringMapFromJson(*row.labels) : Value::NilMap("map[string]string");
    Value names = Value::StringSlice(img.names);
    reporter.Embed(Value::Struct("entities.ImageSummary")
                       .Add("ID", "Id", Value(img.id))
                       .Add("ParentId", "ParentId", Value(img.parent))
                       .Add("RepoTags", "RepoTags", names)
                       .Add("RepoDigests", "RepoDigests", Value::StringSlice(RepoDigests(img)))
                       .Add("Created", "Created", Value::Int(img.created / 1000000000, "int64"))
                       .Add("Size", "Size", Value::Int(img.size, "int64"))
                       .Add("SharedSize", "SharedSize", Value::Int(0))
                       .Add("VirtualSize", "VirtualSize", Value::Int(img.size, "int64"))
                       .Add("Labels", "Labels", labels)
                       .Add("Containers", "Containers", Value::Int(0))
                       .Add("ReadOnly", "ReadOnly", Value(false), true)
                       .Add("Dangling", "Dangling", Value(img.names.empty()), true)
                       .Add("Names", "Names", names, true)
                       .Add("Digest", "Digest", Value(img.manifest_digest.str()))
                       .Add("History", "History", Value::StringSlice(img.names_history), true));
  }
  // Podman's reporter methods shadow the summary's fields of the same name; methods are
  // not part of the JSON.
  if (want("ID")) reporter.AddMethod("ID", Value(no_trunc ? "sha256:" + img.id : img.id.substr(0, 12)));
  if (want("Created") || want("CreatedSince")) {
    const std::string ago = format::TimeAgo(img.created, now);
    reporter.AddMethod("Created", Value(ago)).AddMethod("CreatedSince", Value(ago));
  }
  if (want("CreatedAt") || want("CreatedTime")) {
    const std::string at = format::GoTimeString(img.created / 1000000000, 0);
    reporter.AddMethod("CreatedAt", Value(at)).AddMethod("CreatedTime", Value(at));
  }
  if (want("Size")) reporter.AddMethod("Size", Value(format::HumanSizeSpaced(static_cast<double>(img.size))));
  if (want("History")) {
    std::string history;
    for (const auto& h : img.names_history) history += (history.empty() ? "" : ", ") + h;
    reporter.AddMethod("History", Value(history));
  }
  return reporter;
}

// manifest.Schema2HealthConfig behind its pointer; nil when the image has no healthcheck.
Value HealthCheckValue(const image::Json& hc) {
  if (!hc.is_object()) return Value::NilPointer("*manifest.Schema2HealthConfig");
  auto duration = [&](const char* key) { return Value::Int(hc.value(key, int64_t{0}), "time.Duration"); };
  auto test = hc.find("Test");
  return Value::Struct("manifest.Schema2HealthConfig")
      .Add("Test", "Test", test != hc.end() && test->is_array() ? StringsFromJson(*test) : Value::NilSlice("[]string"), true)
      .Add("StartPeriod", "StartPeriod", duration("StartPeriod"), true)
      .Add("Interval", "Interval", duration("Interval"), true)
      .Add("Timeout", "Timeout", duration("Timeout"), true)
      .Add("Retries", "Retries", Value::Int(hc.value("Retries", int64_t{0})), true)
      .AsPointer("*manifest.Schema2HealthConfig");
}

Value InspectValue(const image::Json& j) {
  auto created = ParseRfc3339(Str(j, "Created"));
  const image::Json& gd = j.value("GraphDriver", image::Json::object());
  const image::Json& rootfs = j.value("RootFS", image::Json::object());
  Value layers = Value::Slice("[]digest.Digest");
  for (const auto& l : rootfs.value("Layers", image::Json::array())) layers.Append(Value(l.get<std::string>()).WithType("digest.Digest"));
  return Value::Struct("entities.ImageInspectReport")
      .Add("ID", "Id", Value(Str(j, "Id")))
      .AddMethod("Id", Value(Str(j, "Id")))
      .Add("Digest", "Digest", Value(Str(j, "Digest")).WithType("digest.Digest"))
      .Add("RepoTags", "RepoTags", StringsFromJson(j.value("RepoTags", image::Json::array())))
      .Add("RepoDigests", "RepoDigests", StringsFromJson(j.value("RepoDigests", image::Json::array())))
      .Add("Parent", "Parent", Value(Str(j, "Parent")))
      .Add("Comment", "Comment", Value(Str(j, "Comment")))
      .Add("Created", "Created", created.ok() ? TimeValue(*created).AsPointer("*time.Time") : Value::NilPointer("*time.Time"))
      .Add("Config", "Config", ImageConfigValue(j.value("Config", image::Json::object())))
      .Add("Version", "Version", Value(Str(j, "Version")))
      .Add("Author", "Author", Value(Str(j, "Author")))
      .Add("Architecture", "Architecture", Value(Str(j, "Architecture")))
      .Add("Os", "Os", Value(Str(j, "Os")))
      .Add("Size", "Size", Value::Int(j.value("Size", int64_t{0}), "int64"))
      .Add("VirtualSize", "VirtualSize", Value::Int(j.value("VirtualSize", int64_t{0}), "int64"))
      .Add("GraphDriver", "GraphDriver",
           Value::Struct("define.DriverData")
               .Add("Name", "Name", Value(Str(gd, "Name")))
               .Add("Data", "Data", StringMapFromJson(gd.value("Data", image::Json::object()), false))
               .AsPointer("*define.DriverData"))
      .Add("RootFS", "RootFS",
           Value::Struct("inspect.RootFS").Add("Type", "Type", Value(Str(rootfs, "Type"))).Add("Layers", "Layers", layers)
               .AsPointer("*inspect.RootFS"))
      .Add("Labels", "Labels", StringMapFromJson(j.value("Labels", image::Json())))
      .Add("Annotations", "Annotations", StringMapFromJson(j.value("Annotations", image::Json::object()), false))
      .Add("ManifestType", "ManifestType", Value(Str(j, "ManifestType")))
      .Add("User", "User", Value(Str(j, "User")))
      .Add("History", "History", HistoryValue(j.value("History", image::Json::array())))
      .Add("NamesHistory", "NamesHistory", StringsFromJson(j.value("NamesHistory", image::Json::array())))
      .Add("HealthCheck", "Healthcheck", HealthCheckValue(j.value("Healthcheck", image::Json())), true)
      .AsPointer("*entities.ImageInspectReport");
}

Value HistoryRowValue(const HistoryRow& row, bool no_trunc, bool human, int64_t now) {
  std::string id = no_trunc || row.id == "<missing>" ? row.id : row.id.substr(0, 12);
  std::string created = human ? format::TimeAgo(row.created, now) : FormatRfc3339Nano(row.created / 1000000000 * 1000000000);
  std::string by = row.created_by;
  if (!no_trunc && by.size() > 45) by = by.substr(0, 42) + "...";
  return Value::Struct("images.historyReporter")
      .Add("ID", "id", Value(id))
      .Add("Created", "created", Value(created))
      .Add("CreatedBy", "createdBy", Value(by))
      .Add("Size", "size", Value(format::HumanSizeSpaced(static_cast<double>(row.size))))
      .Add("Comment", "comment", Value(row.comment))
      // podman 4.3.1 leaves Tags empty in history output.
      .Add("Tags", "tags", Value::NilSlice("[]string"))
      .AddMethod("CreatedAt", Value(format::GoTimeString(row.created / 1000000000, static_cast<int32_t>(row.created % 1000000000))))
      .AddMethod("CreatedSince", Value(format::TimeAgo(row.created, now)));
}

}  // namespace kiln::cli
