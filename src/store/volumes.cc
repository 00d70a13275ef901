#include "store/volumes.h"

#include <nlohmann/json.hpp>

#include "util/json_text.h"

namespace kiln::store {
namespace {

constexpr const char* kColumns = "name, driver, created, anonymous, needs_copy_up, needs_chown, labels, options";

std::map<std::string, std::string> StringMap(const std::string& text) {
  std::map<std::string, std::string> out;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return out;
  for (const auto& [k, v] : j.items())
    if (v.is_string()) out[k] = v.get<std::string>();
  return out;
}

std::string MapText(const std::map<std::string, std::string>& m) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : m) j[k] = v;
  return JsonText(j);
}

VolumeRecord FromRow(const Statement& s) {
  VolumeRecord v;
  v.name = s.ColumnText(0);
  v.driver = s.ColumnText(1);
  v.created = s.ColumnInt(2);
  v.anonymous = s.ColumnInt(3) != 0;
  v.needs_copy_up = s.ColumnInt(4) != 0;
  v.needs_chown = s.ColumnInt(5) != 0;
  v.labels = StringMap(s.ColumnText(6));
  v.options = StringMap(s.ColumnText(7));
  return v;
}

Status NoSuchVolume(std::string_view name) {
  return NotFound("no volume with name \"" + std::string(name) + "\" found: no such volume");
}

}  // namespace

Status Volumes::Insert(const VolumeRecord& v) {
  return db_.Transaction([&]() -> Status {
    if (Exists(v.name)) return AlreadyExists("volume with name " + v.name + " already exists: volume already exists");
    ASSIGN_OR_RETURN(Statement s, db_.Prepare(std::string("INSERT INTO volumes (") + kColumns + ") VALUES (?,?,?,?,?,?,?,?)"));
    s.Bind(1, v.name).Bind(2, v.driver).Bind(3, v.created).Bind(4, int64_t{v.anonymous});
    s.Bind(5, int64_t{v.needs_copy_up}).Bind(6, int64_t{v.needs_chown}).Bind(7, MapText(v.labels)).Bind(8, MapText(v.options));
    return s.Run();
  });
}

Expected<std::vector<VolumeRecord>> Volumes::List() {
  ASSIGN_OR_RETURN(Statement s, db_.Prepare(std::string("SELECT ") + kColumns + " FROM volumes ORDER BY name"));
  std::vector<VolumeRecord> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(FromRow(s));
  }
  return out;
}

Expected<VolumeRecord> Volumes::Get(std::string_view name) {
  ASSIGN_OR_RETURN(Statement s, db_.Prepare(std::string("SELECT ") + kColumns + " FROM volumes WHERE name = ?"));
  s.Bind(1, name);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NoSuchVolume(name);
  return FromRow(s);
}

bool Volumes::Exists(std::string_view name) {
  auto s = db_.Prepare("SELECT 1 FROM volumes WHERE name = ?");
  if (!s.ok()) return false;
  s->Bind(1, name);
  auto row = s->Step();
  return row.ok() && *row;
}

Status Volumes::MarkMounted(const std::string& name, bool copied) {
  ASSIGN_OR_RETURN(Statement s, db_.Prepare(copied ? "UPDATE volumes SET needs_chown = 0, needs_copy_up = 0 WHERE name = ?"
                                                   : "UPDATE volumes SET needs_chown = 0 WHERE name = ?"));
  s.Bind(1, name);
  return s.Run();
}

Status Volumes::Delete(const std::string& name) {
  ASSIGN_OR_RETURN(Statement s, db_.Prepare("DELETE FROM volumes WHERE name = ?"));
  s.Bind(1, name);
  return s.Run();
}

std::string VolumeDir(const std::string& root, const std::string& name) { return root + "/volumes/" + name; }
std::string VolumeDataPath(const std::string& root, const std::string& name) { return VolumeDir(root, name) + "/_data"; }

bool ValidVolumeName(std::string_view name) {
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
  if (name.empty() || !alnum(name[0])) return false;
  for (char c : name)
    if (!alnum(c) && c != '_' && c != '.' && c != '-') return false;
  return true;
}

}  // namespace kiln::store
