#include "store/db.h"

#include <algorithm>
#include <chrono>
#include <thread>

namespace kiln::store {

Statement& Statement::Bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Expected<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Internal(std::string("database: ") + sqlite3_errmsg(db_));
}

Status Statement::Run() {
  for (;;) {
    ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Status::Ok();
  }
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Statement::ColumnText(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
}

int64_t Statement::ColumnInt(int col) const { return sqlite3_column_int64(stmt_, col); }
bool Statement::ColumnIsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

namespace {

constexpr int kBusyTimeoutMs = 30000;

// Switching a new database file into WAL mode needs an exclusive lock, and SQLite returns
// SQLITE_BUSY at once, without calling the busy handler, when another process holds any lock
// on it: several kiln commands starting together on a fresh store saw `database is locked`.
// Wait for them here as the busy handler does elsewhere.
int EnterWalMode(sqlite3* db) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
  auto pause = std::chrono::milliseconds(1);
  for (;;) {
    int rc = sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
    if ((rc & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() >= deadline) return rc;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
}

}  // namespace

Expected<std::unique_ptr<Db>> Db::Open(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  std::unique_ptr<Db> db(new Db(raw));
  if (rc != SQLITE_OK) return IoError("opening database " + path + ": " + sqlite3_errstr(rc));
  // Many kiln processes share the file: wait for each other instead of failing.
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  if (int wal = EnterWalMode(raw); wal != SQLITE_OK) return db->Error("PRAGMA journal_mode=WAL");
  // WAL + NORMAL is durable across process crashes (kill -9); only an OS crash can lose
  // the last transactions, never corrupt the database.
  RETURN_IF_ERROR(db->Exec("PRAGMA synchronous=NORMAL"));
  RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys=ON"));
  // Each kiln command is one short connection, the last to close: SQLite then checkpoints
  // the WAL (kept: readers never replay a long WAL) and, by default, deletes the WAL and
  // -shm files, so that the next command creates them again (and its first write syncs the
  // directory). Kept at zero length instead, they cost no command a create, unlink or
  // directory sync.
  int persist = 1;
  sqlite3_file_control(raw, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
  RETURN_IF_ERROR(db->Exec("PRAGMA journal_size_limit=0"));
  return db;
}

Db::~Db() { sqlite3_close_v2(db_); }

Status Db::Error(std::string_view what) const {
  return Internal("database: " + std::string(what) + ": " + sqlite3_errmsg(db_));
}

Status Db::Exec(std::string_view sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string msg = err ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  return Internal("database: " + msg);
}

Expected<Statement> Db::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return Error(sql);
  return Statement(db_, stmt);
}

}  // namespace kiln::store
