// A thin SQLite wrapper: prepared statements, immediate transactions, busy timeout.
// kiln.db is the store's source of truth; every change is one transaction.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "util/status.h"

namespace kiln::store {

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(Statement&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binds are 1-based like SQLite's; each returns *this for chaining.
  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, int64_t value);
  Statement& BindNull(int index);

  // Steps once: true when a row is available, false when done.
  Expected<bool> Step();
  // Steps until done (for statements that return no rows).
  Status Run();
  void Reset();

  std::string ColumnText(int col) const;
  int64_t ColumnInt(int col) const;
  bool ColumnIsNull(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Db {
 public:
  static Expected<std::unique_ptr<Db>> Open(const std::string& path);
  ~Db();

  Status Exec(std::string_view sql);
  Expected<Statement> Prepare(std::string_view sql);
  int64_t Changes() const { return sqlite3_changes64(db_); }
  bool InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

  // Runs fn inside BEGIN IMMEDIATE … COMMIT; rolls back if fn fails.
  template <typename Fn>
  Status Transaction(Fn&& fn) {
    RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    Status st = fn();
    if (!st.ok()) {
      (void)Exec("ROLLBACK");
      return st;
    }
    st = Exec("COMMIT");
    if (!st.ok()) (void)Exec("ROLLBACK");
    return st;
  }

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  Status Error(std::string_view what) const;
  sqlite3* db_;
};

}  // namespace kiln::store
