#include "runtime/binfmt.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "util/fs.h"

namespace kiln::runtime {
namespace {

namespace fs = std::filesystem;

class BinfmtTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kiln-binfmt-" + RandomHex(6));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) {
    ASSERT_TRUE(WriteFileAtomic((dir_ / name).string(), text).ok());
  }
  Status Check(const std::string& platform) {
    return CheckEmulator(*image::ParsePlatform(platform), dir_.string());
  }
  fs::path dir_;
};

constexpr const char* kAarch64 =
    "enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: POCF\noffset 0\nmagic 7f454c46\n";

TEST(QemuArchTest, GoNamesToQemuNames) {
  EXPECT_EQ(QemuArch("arm64"), "aarch64");
  EXPECT_EQ(QemuArch("amd64"), "x86_64");
  EXPECT_EQ(QemuArch("arm"), "arm");
  EXPECT_EQ(QemuArch("ppc64le"), "ppc64le");
  EXPECT_EQ(QemuArch("386"), "i386");
}

TEST(QemuArchTest, OnlyAnotherArchitectureNeedsAnEmulator) {
  image::Platform amd64{"linux", "amd64", "", "", {}};
  EXPECT_FALSE(NeedsEmulator(*image::ParsePlatform("linux/amd64"), amd64));
  EXPECT_FALSE(NeedsEmulator(*image::ParsePlatform("linux/x86_64"), amd64));
  EXPECT_FALSE(NeedsEmulator(image::Platform{}, amd64));  // no platform asked: the host's
  EXPECT_TRUE(NeedsEmulator(*image::ParsePlatform("linux/arm64"), amd64));
}

TEST_F(BinfmtTest, RegisteredHandlerWithFixBinaryFlag) {
  Write("register", "");
  Write("status", "enabled\n");
  Write("qemu-aarch64", kAarch64);
  EXPECT_TRUE(Check("linux/arm64").ok());
  Status st = Check("linux/s390x");
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("running linux/s390x programs needs an emulator, and no qemu-s390x handler is registered"),
            std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find("qemu-user-static"), std::string::npos);
}

TEST_F(BinfmtTest, NotMounted) {
  Status st = Check("linux/arm64");
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("binfmt_misc is not mounted"), std::string::npos) << st.message();
}

TEST_F(BinfmtTest, DisabledOrWithoutFixBinary) {
  Write("register", "");
  Write("status", "disabled\n");
  Write("qemu-aarch64", kAarch64);
  EXPECT_NE(Check("linux/arm64").message().find("binfmt_misc is disabled"), std::string::npos);
  Write("status", "enabled\n");
  Write("qemu-aarch64", "disabled\ninterpreter /x\nflags: F\n");
  EXPECT_NE(Check("linux/arm64").message().find("handler is disabled"), std::string::npos);
  Write("qemu-aarch64", "enabled\ninterpreter /x\nflags: OC\n");
  EXPECT_NE(Check("linux/arm64").message().find("lacks the F flag"), std::string::npos);
}

}  // namespace
}  // namespace kiln::runtime
