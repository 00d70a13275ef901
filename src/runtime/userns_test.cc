#include "runtime/userns.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

namespace kiln::runtime {
namespace {

bool Same(const std::vector<IdMapping>& a, const std::vector<IdMapping>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].container_id != b[i].container_id || a[i].host_id != b[i].host_id || a[i].size != b[i].size) return false;
  return true;
}

TEST(SubordinateRanges, TakesTheUsersLinesByNameOrIdInFileOrder) {
  const std::string text =
      "# comment\n"
      "alice:100000:65536\n"
      "bob:165536:65536\n"
      "1001:300000:1000\n"
      "alice:bad:10\n"
      "alice:400000:0\n";
  auto r = SubordinateRanges(text, "alice", 1001);
  EXPECT_TRUE(Same(r, {{1, 100000, 65536}, {65537, 300000, 1000}}));
  EXPECT_TRUE(SubordinateRanges(text, "carol", 1002).empty());
  EXPECT_TRUE(SubordinateRanges("", "alice", 1001).empty());
}

TEST(NamespaceMappings, RootIsTheCallerAndRangesFollowFromOne) {
  auto m = NamespaceMappings(1000, {{1, 100000, 65536}, {65537, 300000, 10}});
  EXPECT_TRUE(Same(m, {{0, 1000, 1}, {1, 100000, 65536}, {65537, 300000, 10}}));
  EXPECT_TRUE(Same(NamespaceMappings(1000, {}), {{0, 1000, 1}}));
}

TEST(ParseIdMap, ReadsProcUidMap) {
  auto m = ParseIdMap("         0       1000          1\n         1     100000      65536\n");
  EXPECT_TRUE(Same(m, {{0, 1000, 1}, {1, 100000, 65536}}));
  EXPECT_TRUE(Same(ParseIdMap("0 0 4294967295\n"), {{0, 0, 4294967295u}}));
}

// A new user namespace (unmapped or mapped) is not the initial one, whatever the caller's is.
TEST(InInitialUserNamespace, FalseInANewUserNamespace) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (unshare(CLONE_NEWUSER) != 0) _exit(2);
    _exit(InInitialUserNamespace() ? 1 : 0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 2) GTEST_SKIP() << "unprivileged user namespaces are off here";
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace kiln::runtime
