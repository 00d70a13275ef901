#include "containers/security_opts.h"

#include <gtest/gtest.h>

#include "runtime/seccomp_profile.h"
#include "util/fs.h"

namespace kiln::containers {
namespace {

TEST(SecurityOpts, SeccompUnconfinedFileAndDefault) {
  auto unconfined = ParseSecurityOpts({"seccomp=unconfined"}, nullptr);
  ASSERT_TRUE(unconfined.ok());
  EXPECT_EQ(unconfined->seccomp_profile, "");
  std::string debug;
  auto def = ParseSecurityOpts({}, [&](const std::string& m) { debug = m; });
  ASSERT_TRUE(def.ok()) << def.status().message();
  if (PathExists(runtime::kDefaultSeccompProfile)) {
    EXPECT_EQ(def->seccomp_profile, runtime::kDefaultSeccompProfile);
    EXPECT_EQ(debug, "");
  } else {
    EXPECT_EQ(def->seccomp_profile, "");
    EXPECT_NE(debug.find("not found"), std::string::npos);
  }
  std::string file = ::testing::TempDir() + "/profile.json";
  ASSERT_TRUE(WriteFileAtomic(file, R"({"defaultAction":"SCMP_ACT_ALLOW"})").ok());
  auto given = ParseSecurityOpts({"seccomp=" + file, "no-new-privileges", "label=disable"}, nullptr);
  ASSERT_TRUE(given.ok()) << given.status().message();
  EXPECT_EQ(given->seccomp_profile, file);
  EXPECT_TRUE(given->no_new_privileges);
}

TEST(SecurityOpts, ErrorsInPodmansWords) {
  EXPECT_EQ(ParseSecurityOpts({"foo"}, nullptr).status().message(), "invalid --security-opt 1: \"foo\"");
  EXPECT_EQ(ParseSecurityOpts({"foo=bar"}, nullptr).status().message(), "invalid --security-opt 2: \"foo=bar\"");
  EXPECT_EQ(ParseSecurityOpts({"seccomp=/nonexistent/p.json"}, nullptr).status().message(),
            "opening seccomp profile failed: open /nonexistent/p.json: no such file or directory");
  auto nnp = ParseSecurityOpts({"no-new-privileges=false", "seccomp=unconfined"}, nullptr);
  ASSERT_TRUE(nnp.ok());
  EXPECT_FALSE(nnp->no_new_privileges);
}

}  // namespace
}  // namespace kiln::containers
