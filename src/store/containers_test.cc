#include "store/containers.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "store/store.h"
#include "util/fs.h"

namespace kiln::store {
namespace {

namespace fs = std::filesystem;

class ContainersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kiln-ctr-" + RandomHex(6));
    auto st = Store::Open({(dir_ / "root").string(), (dir_ / "run").string()});
    ASSERT_TRUE(st.ok()) << st.status().message();
    store_ = std::move(st).value();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  ContainerRecord Make(const std::string& name) {
    ContainerRecord c;
    c.id = NewContainerId();
    c.name = name;
    c.image_id = std::string(64, 'a');
    c.created = ++clock_;
    c.config = {{"command", {"true"}}};
    return c;
  }
  fs::path dir_;
  std::unique_ptr<Store> store_;
  int64_t clock_ = 0;
};

TEST_F(ContainersTest, InsertLookupAndStates) {
  Containers ctrs(store_->db());
  ContainerRecord a = Make("a"), b = Make("b");
  ASSERT_TRUE(ctrs.Insert(a).ok());
  ASSERT_TRUE(ctrs.Insert(b).ok());
  Status dup = ctrs.Insert(Make("a"));
  EXPECT_EQ(dup.code(), Code::kAlreadyExists);
  EXPECT_NE(dup.message().find("the container name \"a\" is already in use"), std::string::npos);

  EXPECT_EQ(ctrs.Lookup("a")->id, a.id);
  EXPECT_EQ(ctrs.Lookup(a.id)->name, "a");
  EXPECT_EQ(ctrs.Lookup(a.id.substr(0, 12))->name, "a");
  EXPECT_EQ(ctrs.Lookup("nosuch").status().message(), "no container with name or ID \"nosuch\" found: no such container");
  EXPECT_EQ(ctrs.Lookup("nosuch").status().code(), Code::kNotFound);

  ASSERT_TRUE(ctrs.MarkRunning(a.id, 42, 7, 41, 100).ok());
  auto r = ctrs.Get(a.id);
  EXPECT_EQ(r->state, "running");
  EXPECT_EQ(r->pid, 42);
  ASSERT_TRUE(ctrs.MarkExited(a.id, 137, 200).ok());
  r = ctrs.Get(a.id);
  EXPECT_EQ(r->state, "exited");
  EXPECT_EQ(r->exit_code, 137);
  EXPECT_EQ(r->pid, 0);
  EXPECT_EQ(r->config["command"][0], "true");

  auto list = ctrs.List();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "a");  // creation order

  // The image is in use now: rmi refuses it (exit 2).
  auto using_ = store_->ContainersUsing(a.image_id);
  EXPECT_EQ(using_->size(), 2u);
  ASSERT_TRUE(ctrs.Delete(a.id).ok());
  EXPECT_FALSE(ctrs.Get(a.id).ok());
  EXPECT_TRUE(ctrs.MarkExited(a.id, 1, 1).ok());  // a late monitor is harmless
}

TEST_F(ContainersTest, MarkLostNeverOverwritesARecordedExitOrARestart) {
  Containers ctrs(store_->db());
  ContainerRecord a = Make("a");
  ASSERT_TRUE(ctrs.Insert(a).ok());
  ASSERT_TRUE(ctrs.MarkRunning(a.id, 42, 7, 41, 100).ok());
  ASSERT_TRUE(ctrs.MarkExited(a.id, 0, 200).ok());  // the monitor got there first
  ASSERT_TRUE(ctrs.MarkLost(a.id, 42, 300).ok());
  EXPECT_EQ(ctrs.Get(a.id)->exit_code, 0);
  EXPECT_EQ(ctrs.Get(a.id)->finished, 200);

  ASSERT_TRUE(ctrs.MarkRunning(a.id, 43, 8, 44, 400).ok());  // started again
  ASSERT_TRUE(ctrs.MarkLost(a.id, 42, 500).ok());             // about the old process
  EXPECT_EQ(ctrs.Get(a.id)->state, "running");
  ASSERT_TRUE(ctrs.MarkLost(a.id, 43, 600).ok());
  EXPECT_EQ(ctrs.Get(a.id)->state, "exited");
  EXPECT_EQ(ctrs.Get(a.id)->exit_code, -1);
}

TEST_F(ContainersTest, RandomNamesAndIds) {
  EXPECT_EQ(NewContainerId().size(), 64u);
  EXPECT_NE(NewContainerId(), NewContainerId());
  EXPECT_NE(RandomContainerName().find('_'), std::string::npos);
}

}  // namespace
}  // namespace kiln::store
