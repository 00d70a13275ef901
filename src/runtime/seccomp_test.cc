#include "runtime/seccomp.h"

#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "util/fs.h"

namespace kiln::runtime {
namespace {

TEST(Seccomp, CompiledFilterRefusesWhatTheProfileSays) {
  auto f = ResolveSeccompProfile(R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
    {"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":13},
    {"names":["no_such_syscall_anywhere"],"action":"SCMP_ACT_ERRNO"}]})",
                                 ThisHost());
  ASSERT_TRUE(f.ok()) << f.status().message();
  auto prog = CompileSeccompFilter(*f);
  ASSERT_TRUE(prog.ok()) << prog.status().message();
  ASSERT_FALSE(prog->instructions.empty());
  std::string dir = ::testing::TempDir() + "/seccomp-" + std::to_string(getpid());
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || InstallSeccompProgram(*prog) != 0) _exit(10);
    if (mkdir(dir.c_str(), 0755) == 0) _exit(11);
    _exit(errno == EACCES ? 0 : 12);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(Seccomp, ReadSeccompFilterErrorsInPodmansWords) {
  auto missing = ReadSeccompFilter("/nonexistent/profile.json", {});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "opening seccomp profile failed: open /nonexistent/profile.json: no such file or directory");
  std::string bad = ::testing::TempDir() + "/bad-seccomp.json";
  ASSERT_TRUE(WriteFileAtomic(bad, "{bad").ok());
  auto decoded = ReadSeccompFilter(bad, {});
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().message().rfind("loading seccomp profile (" + bad + ") failed: decoding seccomp profile failed: ", 0), 0u);
  auto none = ReadSeccompFilter("", {});
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST(Seccomp, DefaultProfileCompiles) {
  if (!PathExists(kDefaultSeccompProfile)) GTEST_SKIP() << "containers-common's seccomp.json is not installed";
  auto f = ReadSeccompFilter(kDefaultSeccompProfile, {0, 1, 2});
  ASSERT_TRUE(f.ok()) << f.status().message();
  ASSERT_TRUE(f->has_value());
  auto prog = CompileSeccompFilter(**f);
  ASSERT_TRUE(prog.ok()) << prog.status().message();
  EXPECT_GT(prog->instructions.size(), 100u);
}

}  // namespace
}  // namespace kiln::runtime
