#include "containers/mount_flags.h"

#include <gtest/gtest.h>

namespace kiln::containers {
namespace {

std::string Error(const std::vector<std::string>& mounts) {
  auto m = ParseMountFlags(mounts);
  return m.ok() ? "" : m.status().message();
}

TEST(MountFlags, ImageMountsReadOnlyUnlessRwOrReadwrite) {
  auto m = ParseMountFlags({"type=image,src=busybox,dst=/a", "type=image,source=busybox,target=/b,rw=true",
                            "type=image,src=x,destination=/c,readwrite", "type=image,src=x,dst=/d,rw=false"});
  ASSERT_TRUE(m.ok()) << m.status().message();
  ASSERT_EQ(m->images.size(), 4u);
  EXPECT_EQ(m->images[0].source, "busybox");
  EXPECT_EQ(m->images[0].destination, "/a");
  EXPECT_FALSE(m->images[0].rw);
  EXPECT_TRUE(m->images[1].rw);
  EXPECT_TRUE(m->images[2].rw);
  EXPECT_FALSE(m->images[3].rw);
  EXPECT_TRUE(m->binds.empty());
}

TEST(MountFlags, BindMounts) {
  auto m = ParseMountFlags({"type=bind,src=/tmp,dst=/a", "type=bind,src=/tmp,dst=/b,ro", "type=bind,src=/tmp,dst=/c,readonly=false",
                            "type=bind,dst=/tmp"});
  ASSERT_TRUE(m.ok()) << m.status().message();
  ASSERT_EQ(m->binds.size(), 4u);
  EXPECT_FALSE(m->binds[0].readonly);
  EXPECT_TRUE(m->binds[1].readonly);
  EXPECT_FALSE(m->binds[2].readonly);
  EXPECT_EQ(m->binds[3].source, "/tmp");  // podman reads a missing src as the destination
}

TEST(MountFlags, ErrorsInPodmansWords) {
  EXPECT_EQ(Error({"type=image,dst=/m"}), "must set source and destination for image volume");
  EXPECT_EQ(Error({"type=image,src=x"}), "must set source and destination for image volume");
  EXPECT_EQ(Error({"type=image,src=x,dst=/m,rw=maybe"}), "invalid rw value \"maybe\": invalid mount option");
  EXPECT_EQ(Error({"type=image,src=x,dst=/m,foo=1"}), "foo: invalid mount option");
  EXPECT_EQ(Error({"type=image,src=x,dst=/m,ro"}), "ro: invalid mount option");
  EXPECT_EQ(Error({"type=bogus,src=/x,dst=/m"}), "invalid filesystem type \"bogus\"");
  EXPECT_EQ(Error({"src=/tmp,dst=/m"}),
            "incorrect mount format: should be --mount type=<bind|tmpfs|volume>,[src=<host-dir|volume-name>,]target=<ctr-dir>[,options]");
  EXPECT_EQ(Error({"type=bind,src=/nonexistent-kiln,dst=/m"}), "statfs /nonexistent-kiln: no such file or directory");
  EXPECT_EQ(Error({"type=bind,src=/tmp,dst=m"}), "invalid container path \"m\", must be an absolute path");
  EXPECT_EQ(Error({"type=image,src=x,dst=m"}), "invalid container path \"m\", must be an absolute path");
  EXPECT_EQ(Error({"type=bind,src=/tmp"}), "must set volume destination");
  EXPECT_EQ(Error({"type=bind,src=/tmp,dst=/m,ro=maybe"}),
            "'readonly', 'ro', or 'rw' must be set to true or false, instead received \"maybe\": must provide an argument for option");
}

}  // namespace
}  // namespace kiln::containers
