#include "runtime/limits.h"

#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sys/resource.h>

#include <algorithm>

namespace kiln::runtime {
namespace {

bool Has(const std::vector<int>& caps, int c) { return std::find(caps.begin(), caps.end(), c) != caps.end(); }

TEST(Capabilities, DefaultSetIsPodmans) {
  auto caps = Capabilities({}, {});
  ASSERT_TRUE(caps.ok());
  EXPECT_EQ(*caps, DefaultCapabilities());
  uint64_t mask = 0;
  for (int c : *caps) mask |= uint64_t{1} << c;
  EXPECT_EQ(mask, 0xa80425fbu);  // podman 4.3.1's CapEff for root in a RUN step
}

TEST(Capabilities, AddAndDropAnySpelling) {
  auto caps = Capabilities({"net_admin", "CAP_SYS_PTRACE"}, {"chown"});
  ASSERT_TRUE(caps.ok());
  EXPECT_TRUE(Has(*caps, CAP_NET_ADMIN));
  EXPECT_TRUE(Has(*caps, CAP_SYS_PTRACE));
  EXPECT_FALSE(Has(*caps, CAP_CHOWN));
  auto all = Capabilities({"ALL"}, {"all"});
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->empty());
  EXPECT_EQ(Capabilities({"all"}, {})->size(), 41u);
  EXPECT_EQ(Capabilities({"foo"}, {}).status().message(), "\"CAP_FOO\": unknown capability");
  EXPECT_EQ(CapabilityName(CAP_NET_RAW), "CAP_NET_RAW");
}

TEST(Ulimit, Forms) {
  auto r = ParseUlimit("nofile=1024:2048");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->resource, RLIMIT_NOFILE);
  EXPECT_EQ(r->name, "RLIMIT_NOFILE");
  EXPECT_EQ(r->soft, 1024u);
  EXPECT_EQ(r->hard, 2048u);
  auto one = ParseUlimit("nproc=100");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->hard, 100u);
  auto inf = ParseUlimit("core=-1");
  ASSERT_TRUE(inf.ok());
  EXPECT_EQ(inf->soft, static_cast<uint64_t>(RLIM_INFINITY));
}

TEST(Ulimit, PodmansErrors) {
  EXPECT_EQ(ParseUlimit("bogus=1").status().message(),
            "ulimit option \"bogus=1\" requires name=SOFT:HARD, failed to be parsed: invalid ulimit type: bogus");
  EXPECT_EQ(ParseUlimit("nofile=x").status().message(),
            "ulimit option \"nofile=x\" requires name=SOFT:HARD, failed to be parsed: strconv.ParseInt: parsing \"x\": "
            "invalid syntax");
  EXPECT_FALSE(ParseUlimit("nofile=10:5").ok());
  EXPECT_FALSE(ParseUlimit("nofile").ok());
}

}  // namespace
}  // namespace kiln::runtime
