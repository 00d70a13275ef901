#include "store/pods.h"

#include "util/json_text.h"

namespace kiln::store {
namespace {

constexpr const char* kColumns = "id, name, created, infra_id, config";

PodRecord FromRow(const Statement& s) {
  PodRecord p;
  p.id = s.ColumnText(0);
  p.name = s.ColumnText(1);
  p.created = s.ColumnInt(2);
  p.infra_id = s.ColumnText(3);
  p.config = nlohmann::ordered_json::parse(s.ColumnText(4), nullptr, false);
  if (p.config.is_discarded() || !p.config.is_object()) p.config = nlohmann::ordered_json::object();
  return p;
}

bool IsHex(std::string_view s) {
  for (char ch : s)
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return false;
  return s.size() <= 64;
}

}  // namespace

Status NoSuchPod(std::string_view query) {
  return NotFound("no pod with name or ID " + std::string(query) + " found: no such pod");
}

Status Pods::Insert(const PodRecord& p) {
  return db_.Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(Statement taken, db_.Prepare("SELECT 1 FROM pods WHERE name = ?"));
    taken.Bind(1, p.name);
    ASSIGN_OR_RETURN(bool row, taken.Step());
    if (row) return AlreadyExists("adding pod to state: name \"" + p.name + "\" is in use: pod already exists");
    ASSIGN_OR_RETURN(Statement s, db_.Prepare(std::string("INSERT INTO pods (") + kColumns + ") VALUES (?,?,?,?,?)"));
    s.Bind(1, p.id).Bind(2, p.name).Bind(3, p.created).Bind(4, p.infra_id).Bind(5, JsonText(p.config));
    return s.Run();
  });
}

Status Pods::SetInfra(const std::string& id, const std::string& infra_id) {
  ASSIGN_OR_RETURN(Statement s, db_.Prepare("UPDATE pods SET infra_id = ? WHERE id = ?"));
  s.Bind(1, infra_id).Bind(2, id);
  return s.Run();
}

Expected<std::vector<PodRecord>> Pods::List() {
  ASSIGN_OR_RETURN(Statement s, db_.Prepare(std::string("SELECT ") + kColumns + " FROM pods ORDER BY created DESC, id"));
  std::vector<PodRecord> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(FromRow(s));
  }
  return out;
}

Expected<PodRecord> Pods::Lookup(std::string_view query) {
  if (query.empty()) return NoSuchPod(query);
  {
    ASSIGN_OR_RETURN(Statement s, db_.Prepare(std::string("SELECT ") + kColumns + " FROM pods WHERE id = ?1 OR name = ?1"));
    s.Bind(1, query);
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (row) return FromRow(s);
  }
  if (!IsHex(query)) return NoSuchPod(query);
  ASSIGN_OR_RETURN(Statement s, db_.Prepare(std::string("SELECT ") + kColumns +
                                            " FROM pods WHERE substr(id, 1, ?2) = ?1 LIMIT 2"));
  s.Bind(1, query).Bind(2, static_cast<int64_t>(query.size()));
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NoSuchPod(query);
  PodRecord p = FromRow(s);
  ASSIGN_OR_RETURN(bool second, s.Step());
  if (second) return InvalidArgument("more than one result for pod ID " + std::string(query) + ": pod already exists");
  return p;
}

Status Pods::Delete(const std::string& id) {
  ASSIGN_OR_RETURN(Statement s, db_.Prepare("DELETE FROM pods WHERE id = ?"));
  s.Bind(1, id);
  return s.Run();
}

}  // namespace kiln::store
