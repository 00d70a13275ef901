#include "containers/exec.h"

#include <gtest/gtest.h>
#include <stdlib.h>

namespace kiln::containers {
namespace {

TEST(ExecEnv, FlagsReplaceTheContainersValuesAndAddNewOnes) {
  std::vector<std::string> env = {"PATH=/bin", "FOO=bar", "FOOD=x"};
  EXPECT_EQ(ExecEnv(env, {"FOO=baz", "NEW=1", "NEW=2"}),
            (std::vector<std::string>{"PATH=/bin", "FOOD=x", "FOO=baz", "NEW=2"}));
}

TEST(ExecEnv, AKeyAloneTakesKilnsOwnValueOrNothing) {
  setenv("KILN_EXEC_ENV_TEST", "v", 1);
  unsetenv("KILN_EXEC_ENV_UNSET");
  EXPECT_EQ(ExecEnv({"A=1"}, {"KILN_EXEC_ENV_TEST", "KILN_EXEC_ENV_UNSET"}),
            (std::vector<std::string>{"A=1", "KILN_EXEC_ENV_TEST=v"}));
}

}  // namespace
}  // namespace kiln::containers
