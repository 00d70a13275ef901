#include "store/db.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/fs.h"

namespace kiln::store {
namespace {

// Several kiln commands starting together on a fresh store all open a new database file and
// switch it to WAL at once. SQLite answers some of them SQLITE_BUSY without calling the busy
// handler there; each must wait instead of failing with `database is locked`. Processes,
// not threads: SQLite's file locks behave differently inside one process.
int OpenFromProcesses(const std::string& path, int processes) {
  std::vector<pid_t> children;
  for (int i = 0; i < processes; ++i) {
    pid_t pid = fork();
    if (pid == 0) _exit(Db::Open(path).ok() ? 0 : 1);
    children.push_back(pid);
  }
  int failed = 0;
  for (pid_t pid : children) {
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failed;
  }
  return failed;
}

TEST(DbTest, ProcessesOpeningAFreshFileTogetherAllSucceed) {
  TempDir dir;
  ASSERT_TRUE(dir.Create().ok());
  int failed = 0;
  for (int round = 0; round < 100; ++round)
    failed += OpenFromProcesses(dir.path() + "/kiln" + std::to_string(round) + ".db", 12);
  EXPECT_EQ(failed, 0);
}

TEST(DbTest, OpenedDatabaseIsInWalMode) {
  TempDir dir;
  ASSERT_TRUE(dir.Create().ok());
  auto db = Db::Open(dir.path() + "/kiln.db");
  ASSERT_TRUE(db.ok()) << db.status().message();
  auto mode = (*db)->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  ASSERT_TRUE(*mode->Step());
  EXPECT_EQ(mode->ColumnText(0), "wal");
}

}  // namespace
}  // namespace kiln::store
