#include "runtime/seccomp_profile.h"

#include <gtest/gtest.h>

#include "util/fs.h"

namespace kiln::runtime {
namespace {

SeccompHost Amd64(std::vector<std::string> caps = {}) { return {"amd64", std::move(caps), 6, 1}; }

std::vector<std::string> AllNames(const SeccompFilter& f) {
  std::vector<std::string> out;
  for (const auto& r : f.syscalls) out.insert(out.end(), r.names.begin(), r.names.end());
  return out;
}

bool Has(const SeccompFilter& f, const std::string& name) {
  auto n = AllNames(f);
  return std::find(n.begin(), n.end(), name) != n.end();
}

TEST(SeccompProfile, ArchMapTakesTheHostsEntryAndItsSubArchitectures) {
  const char* p = R"({"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,"archMap":[
    {"architecture":"SCMP_ARCH_X86_64","subArchitectures":["SCMP_ARCH_X86","SCMP_ARCH_X32"]},
    {"architecture":"SCMP_ARCH_AARCH64","subArchitectures":["SCMP_ARCH_ARM"]}],"syscalls":[]})";
  auto f = ResolveSeccompProfile(p, Amd64());
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ(f->architectures, (std::vector<std::string>{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}));
  EXPECT_EQ(f->default_errno_ret, 38u);
  auto arm = ResolveSeccompProfile(p, {"arm64", {}, 6, 1});
  ASSERT_TRUE(arm.ok());
  EXPECT_EQ(arm->architectures, (std::vector<std::string>{"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"}));
}

TEST(SeccompProfile, LegacyArchitecturesAndArchMapTogetherAreRefused) {
  auto f = ResolveSeccompProfile(
      R"({"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],"archMap":[{"architecture":"SCMP_ARCH_X86_64"}]})",
      Amd64());
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("use either 'architectures' or 'archMap'"), std::string::npos);
}

TEST(SeccompProfile, IncludesAndExcludesFollowCapsArchesAndKernel) {
  const char* p = R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
    {"names":["mount"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_ADMIN"]}},
    {"names":["reboot"],"action":"SCMP_ACT_ERRNO","errnoRet":1,"excludes":{"caps":["CAP_SYS_BOOT"]}},
    {"names":["arch_prctl"],"action":"SCMP_ACT_ALLOW","includes":{"arches":["amd64","x32"]}},
    {"names":["s390_pci_mmio_read"],"action":"SCMP_ACT_ALLOW","includes":{"arches":["s390x"]}},
    {"names":["not_on_amd64"],"action":"SCMP_ACT_ALLOW","excludes":{"arches":["amd64"]}},
    {"names":["new_call"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"6.2"}},
    {"names":["old_call"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"4.8"}}]})";
  auto plain = ResolveSeccompProfile(p, Amd64());
  ASSERT_TRUE(plain.ok()) << plain.status().message();
  EXPECT_EQ(AllNames(*plain), (std::vector<std::string>{"reboot", "arch_prctl", "old_call"}));
  auto admin = ResolveSeccompProfile(p, Amd64({"CAP_SYS_ADMIN", "CAP_SYS_BOOT"}));
  ASSERT_TRUE(admin.ok());
  EXPECT_TRUE(Has(*admin, "mount"));
  EXPECT_FALSE(Has(*admin, "reboot"));
}

TEST(SeccompProfile, RulesKeepErrnoAndArguments) {
  auto f = ResolveSeccompProfile(R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
    {"name":"personality","action":"SCMP_ACT_ERRNO","errnoRet":13,
     "args":[{"index":0,"value":8,"valueTwo":0,"op":"SCMP_CMP_EQ"}]}]})",
                                 Amd64());
  ASSERT_TRUE(f.ok()) << f.status().message();
  ASSERT_EQ(f->syscalls.size(), 1u);
  const SeccompRule& r = f->syscalls[0];
  EXPECT_EQ(r.names, std::vector<std::string>{"personality"});
  EXPECT_EQ(r.errno_ret, 13u);
  ASSERT_EQ(r.args.size(), 1u);
  EXPECT_EQ(r.args[0].value, 8u);
  EXPECT_EQ(r.args[0].op, "SCMP_CMP_EQ");
  EXPECT_FALSE(f->default_errno_ret.has_value());
}

TEST(SeccompProfile, BadProfilesGetPodmansWords) {
  auto bad_json = ResolveSeccompProfile("{bad", Amd64());
  ASSERT_FALSE(bad_json.ok());
  EXPECT_EQ(bad_json.status().message().rfind("decoding seccomp profile failed: ", 0), 0u);
  auto bad_action = ResolveSeccompProfile(R"({"defaultAction":"SCMP_ACT_BOGUS"})", Amd64());
  ASSERT_FALSE(bad_action.ok());
  EXPECT_EQ(bad_action.status().message(), "string SCMP_ACT_BOGUS is not a valid action for seccomp");
  auto both = ResolveSeccompProfile(R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"a","names":["b"],"action":"SCMP_ACT_ALLOW"}]})", Amd64());
  ASSERT_FALSE(both.ok());
  EXPECT_NE(both.status().message().find("'name' and 'names' were specified"), std::string::npos);
  auto bad_op = ResolveSeccompProfile(R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["a"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"op":"SCMP_CMP_ALMOST"}]}]})", Amd64());
  EXPECT_FALSE(bad_op.ok());
  auto wrong_type = ResolveSeccompProfile(R"({"defaultAction":7})", Amd64());
  EXPECT_FALSE(wrong_type.ok());
}

TEST(SeccompProfile, OciFormRoundTrips) {
  auto f = ResolveSeccompProfile(R"({"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,
    "archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":["SCMP_ARCH_X86"]}],
    "syscalls":[{"names":["read","write"],"action":"SCMP_ACT_ALLOW"},
                {"names":["clone"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":2114060288,"valueTwo":0,"op":"SCMP_CMP_MASKED_EQ"}]}]})",
                                 Amd64());
  ASSERT_TRUE(f.ok());
  auto oci = SeccompFilterToOci(*f);
  EXPECT_EQ(oci["defaultAction"], "SCMP_ACT_ERRNO");
  EXPECT_EQ(oci["architectures"].size(), 2u);
  EXPECT_FALSE(oci["syscalls"][0].contains("args"));
  auto back = SeccompFilterFromOci(oci);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(SeccompFilterToOci(*back), oci);
}

TEST(SeccompProfile, ContainersCommonDefaultProfileResolves) {
  auto text = ReadFile(kDefaultSeccompProfile);
  if (!text.ok()) GTEST_SKIP() << "containers-common's seccomp.json is not installed";
  auto f = ResolveSeccompProfile(*text, Amd64({"CAP_CHOWN", "CAP_SETUID"}));
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ(f->default_action, "SCMP_ACT_ERRNO");
  EXPECT_TRUE(Has(*f, "read"));
  EXPECT_TRUE(Has(*f, "arch_prctl"));
  EXPECT_FALSE(Has(*f, "s390_pci_mmio_read"));
}

TEST(SeccompProfile, ArchNames) {
  EXPECT_EQ(SeccompArchOf("amd64"), "SCMP_ARCH_X86_64");
  EXPECT_EQ(SeccompArchOf("arm64"), "SCMP_ARCH_AARCH64");
  EXPECT_EQ(SeccompArchOf("s390x"), "SCMP_ARCH_S390X");
  EXPECT_EQ(SeccompArchOf("pdp11"), "");
}

}  // namespace
}  // namespace kiln::runtime
