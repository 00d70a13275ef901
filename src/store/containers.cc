#include "store/containers.h"

#include <random>

#include "util/fs.h"
#include "util/json_text.h"

namespace kiln::store {
namespace {

constexpr const char* kColumns =
    "id, name, image_id, created, state, config, pid, pid_start, monitor_pid, started, finished, exit_code, pod_id";

ContainerRecord FromRow(const Statement& s) {
  ContainerRecord c;
  c.id = s.ColumnText(0);
  c.name = s.ColumnText(1);
  c.image_id = s.ColumnText(2);
  c.created = s.ColumnInt(3);
  c.state = s.ColumnText(4);
  c.config = nlohmann::ordered_json::parse(s.ColumnText(5), nullptr, false);
  if (c.config.is_discarded() || !c.config.is_object()) c.config = nlohmann::ordered_json::object();
  c.pid = s.ColumnInt(6);
  c.pid_start = s.ColumnInt(7);
  c.monitor_pid = s.ColumnInt(8);
  c.started = s.ColumnInt(9);
  c.finished = s.ColumnInt(10);
  c.exit_code = s.ColumnInt(11);
  c.pod_id = s.ColumnText(12);
  return c;
}

Status NoSuchContainer(std::string_view query) {
  return NotFound("no container with name or ID \"" + std::string(query) + "\" found: no such container");
}

}  // namespace

bool Containers::NameTaken(const std::string& name) {
  auto s = db_.Prepare("SELECT 1 FROM containers WHERE name = ?");
  if (!s.ok()) return false;
  s->Bind(1, name);
  auto row = s->Step();
  return row.ok() && *row;
}

Status Containers::Insert(const ContainerRecord& c) {
  return db_.Transaction([&]() -> Status {
    if (NameTaken(c.name))
      return AlreadyExists("creating container storage: the container name \"" + c.name +
                           "\" is already in use by another container. You have to remove that container to be able to reuse that name: that name is already in use");
    ASSIGN_OR_RETURN(Statement s, db_.Prepare(std::string("INSERT INTO containers (") + kColumns +
                                              ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"));
    s.Bind(1, c.id).Bind(2, c.name).Bind(3, c.image_id).Bind(4, c.created).Bind(5, c.state).Bind(6, JsonText(c.config));
    s.Bind(7, c.pid).Bind(8, c.pid_start).Bind(9, c.monitor_pid).Bind(10, c.started).Bind(11, c.finished).Bind(12, c.exit_code).Bind(13, c.pod_id);
    return s.Run();
  });
}

Expected<std::vector<ContainerRecord>> Containers::List() {
  ASSIGN_OR_RETURN(Statement s, db_.Prepare(std::string("SELECT ") + kColumns + " FROM containers ORDER BY created, id"));
  std::vector<ContainerRecord> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(FromRow(s));
  }
  return out;
}

Expected<ContainerRecord> Containers::Get(const std::string& id) {
  ASSIGN_OR_RETURN(Statement s, db_.Prepare(std::string("SELECT ") + kColumns + " FROM containers WHERE id = ?"));
  s.Bind(1, id);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NoSuchContainer(id);
  return FromRow(s);
}

Expected<ContainerRecord> Containers::Lookup(std::string_view query) {
  if (query.empty()) return NoSuchContainer(query);
  {
    ASSIGN_OR_RETURN(Statement s, db_.Prepare(std::string("SELECT ") + kColumns + " FROM containers WHERE id = ?1 OR name = ?1"));
    s.Bind(1, query);
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (row) return FromRow(s);
  }
  bool hex = query.size() <= 64;
  for (char ch : query) hex = hex && ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'));
  if (!hex) return NoSuchContainer(query);
  ASSIGN_OR_RETURN(Statement s, db_.Prepare(std::string("SELECT ") + kColumns +
                                            " FROM containers WHERE substr(id, 1, ?2) = ?1 LIMIT 2"));
  s.Bind(1, query).Bind(2, static_cast<int64_t>(query.size()));
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NoSuchContainer(query);
  ContainerRecord c = FromRow(s);
  ASSIGN_OR_RETURN(bool second, s.Step());
  if (second)
    return InvalidArgument("more than one result for container ID " + std::string(query) + ": container already exists");
  return c;
}

Status Containers::MarkRunning(const std::string& id, int64_t pid, int64_t pid_start, int64_t monitor_pid, int64_t started) {
  ASSIGN_OR_RETURN(Statement s, db_.Prepare("UPDATE containers SET state = 'running', pid = ?, pid_start = ?, monitor_pid = ?, "
                                            "started = ?, finished = 0, exit_code = 0 WHERE id = ?"));
  s.Bind(1, pid).Bind(2, pid_start).Bind(3, monitor_pid).Bind(4, started).Bind(5, id);
  return s.Run();
}

Status Containers::MarkExited(const std::string& id, int64_t exit_code, int64_t finished) {
  ASSIGN_OR_RETURN(Statement s, db_.Prepare("UPDATE containers SET state = 'exited', pid = 0, pid_start = 0, monitor_pid = 0, "
                                            "finished = ?, exit_code = ? WHERE id = ?"));
  s.Bind(1, finished).Bind(2, exit_code).Bind(3, id);
  return s.Run();
}

Status Containers::MarkLost(const std::string& id, int64_t pid, int64_t finished) {
  ASSIGN_OR_RETURN(Statement s, db_.Prepare("UPDATE containers SET state = 'exited', pid = 0, pid_start = 0, monitor_pid = 0, "
                                            "finished = ?, exit_code = -1 WHERE id = ? AND state = 'running' AND pid = ?"));
  s.Bind(1, finished).Bind(2, id).Bind(3, pid);
  return s.Run();
}

Status Containers::Delete(const std::string& id) {
  ASSIGN_OR_RETURN(Statement s, db_.Prepare("DELETE FROM containers WHERE id = ?"));
  s.Bind(1, id);
  return s.Run();
}

std::string NewContainerId() { return RandomHex(32); }

std::string RandomContainerName() {
  // A short version of docker's namesgenerator (podman uses the same lists).
  static const char* const kLeft[] = {"admiring", "brave",    "clever", "dreamy",  "eager",   "festive",
                                      "gifted",   "happy",    "jolly",  "keen",    "loving",  "modest",
                                      "nifty",    "optimistic", "quirky", "relaxed", "serene",  "trusting",
                                      "upbeat",   "vibrant",  "wizardly", "youthful", "zealous", "focused"};
  static const char* const kRight[] = {"albattani", "babbage", "curie",   "darwin",   "euclid",  "fermi",
                                       "galileo",   "hopper",  "hypatia", "jang",     "kepler",  "lovelace",
                                       "meitner",   "newton",  "noether", "pasteur",  "ritchie", "shannon",
                                       "tesla",     "turing",  "villani", "wozniak",  "yalow",   "zhukovsky"};
  std::random_device rd;
  std::uniform_int_distribution<size_t> l(0, std::size(kLeft) - 1), r(0, std::size(kRight) - 1);
  return std::string(kLeft[l(rd)]) + "_" + kRight[r(rd)];
}

}  // namespace kiln::store
