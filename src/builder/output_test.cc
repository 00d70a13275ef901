#include "builder/output.h"

#include <gtest/gtest.h>

namespace kiln::build {
namespace {

TEST(BuildOutput, PathWithoutCommaIsADirectory) {
  auto o = ParseBuildOutput("out/dir");
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->is_dir);
  EXPECT_EQ(o->path, "out/dir");
  auto typed = ParseBuildOutput("type=tar");  // no comma: buildah takes it as a path too
  ASSERT_TRUE(typed.ok());
  EXPECT_TRUE(typed->is_dir);
  EXPECT_EQ(typed->path, "type=tar");
}

TEST(BuildOutput, DashAndTarToStdout) {
  for (const char* v : {"-", "type=tar,dest=-", "dest=-,type=tar"}) {
    auto o = ParseBuildOutput(v);
    ASSERT_TRUE(o.ok()) << v;
    EXPECT_TRUE(o->to_stdout) << v;
    EXPECT_FALSE(o->is_dir) << v;
  }
}

TEST(BuildOutput, TypedForms) {
  auto local = ParseBuildOutput("type=local,dest=/x");
  ASSERT_TRUE(local.ok());
  EXPECT_TRUE(local->is_dir);
  EXPECT_EQ(local->path, "/x");
  auto tar = ParseBuildOutput("type=tar,dest=/x.tar");
  ASSERT_TRUE(tar.ok());
  EXPECT_FALSE(tar->is_dir);
  EXPECT_FALSE(tar->to_stdout);
}

TEST(BuildOutput, BuildahErrors) {
  EXPECT_EQ(ParseBuildOutput("type=zip,dest=x").status().message(),
            "invalid type \"zip\" selected for build output options \"type=zip,dest=x\"");
  EXPECT_EQ(ParseBuildOutput("type=tar,dest=x,").status().message(),
            "invalid build output options \"type=tar,dest=x,\", expected format key=value");
  EXPECT_EQ(ParseBuildOutput("dest=a,dest=b").status().message(), "duplicate \"dest\" not supported");
  EXPECT_EQ(ParseBuildOutput("type=tar,src=x").status().message(),
            "unrecognized key \"src\" in build output option: \"type=tar,src=x\"");
  EXPECT_EQ(ParseBuildOutput("type=tar,type=local").status().message(), "duplicate \"type\" not supported");
  EXPECT_FALSE(ParseBuildOutput("type=local,dest=-").ok());
  EXPECT_FALSE(ParseBuildOutput("type=local,dest=").ok());
}

}  // namespace
}  // namespace kiln::build
