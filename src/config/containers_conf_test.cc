#include "config/containers_conf.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace kiln::config {
namespace {

class ContainersConfTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/containers_conf_test";
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { unsetenv("CONTAINERS_CONF"); }
  std::string Write(const std::string& text) {
    std::string path = dir_ + "/containers.conf";
    std::ofstream(path) << text;
    return path;
  }
  std::string dir_;
};

TEST_F(ContainersConfTest, ContainersConfAloneIsReadWhenSet) {
  setenv("CONTAINERS_CONF", Write("[engine]\nruntime=\"crun\"\n[kiln]\nosv_db=\"/db.zip\"\n").c_str(), 1);
  EXPECT_EQ(ContainersConfFiles(), std::vector<std::string>{dir_ + "/containers.conf"});
  auto conf = LoadContainersConf();
  ASSERT_TRUE(conf.ok()) << conf.status().message();
  EXPECT_EQ(conf->runtime, "crun");
  EXPECT_EQ(conf->osv_db, "/db.zip");
}

TEST_F(ContainersConfTest, UnsetKeysStayEmptyAndABadFileIsAnError) {
  setenv("CONTAINERS_CONF", Write("[containers]\ndefault_ulimits=[]\n").c_str(), 1);
  auto conf = LoadContainersConf();
  ASSERT_TRUE(conf.ok());
  EXPECT_EQ(conf->runtime, "");
  setenv("CONTAINERS_CONF", Write("[engine\n").c_str(), 1);
  auto bad = LoadContainersConf();
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().message().starts_with("decoding configuration file \"" + dir_ + "/containers.conf\": "));
}

}  // namespace
}  // namespace kiln::config
