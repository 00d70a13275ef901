#include "store/volumes.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "store/store.h"
#include "store/store_testing.h"
#include "util/fs.h"

namespace kiln::store {
namespace {

using VolumeRowsTest = StoreTest;  // a store in a temporary directory (store_testing.h)

TEST_F(VolumeRowsTest, InsertGetListDelete) {
  Volumes rows(store_->db());
  VolumeRecord v;
  v.name = "b";
  v.created = 42;
  v.labels = {{"k", "v"}};
  v.options = {{"nocopy", ""}};
  ASSERT_TRUE(rows.Insert(v).ok());
  VolumeRecord a;
  a.name = "a";
  a.anonymous = true;
  a.needs_chown = false;
  ASSERT_TRUE(rows.Insert(a).ok());
  EXPECT_EQ(rows.Insert(v).code(), Code::kAlreadyExists);
  auto got = rows.Get("b");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->created, 42);
  EXPECT_EQ(got->labels, v.labels);
  EXPECT_EQ(got->options, v.options);
  EXPECT_FALSE(got->anonymous);
  EXPECT_TRUE(got->needs_chown);
  auto list = rows.List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "a");
  EXPECT_TRUE((*list)[0].anonymous);
  ASSERT_TRUE(rows.MarkMounted("b", true).ok());
  EXPECT_FALSE(rows.Get("b")->needs_copy_up);
  EXPECT_FALSE(rows.Get("b")->needs_chown);
  ASSERT_TRUE(rows.Delete("b").ok());
  EXPECT_FALSE(rows.Exists("b"));
  EXPECT_EQ(rows.Get("b").status().message(), "no volume with name \"b\" found: no such volume");
}

TEST(VolumeNameTest, PodmansRule) {
  EXPECT_TRUE(ValidVolumeName("a"));
  EXPECT_TRUE(ValidVolumeName("A0_.-x"));
  EXPECT_FALSE(ValidVolumeName(""));
  EXPECT_FALSE(ValidVolumeName("_a"));
  EXPECT_FALSE(ValidVolumeName("a/b"));
  EXPECT_FALSE(ValidVolumeName("a!"));
  EXPECT_EQ(VolumeDataPath("/r", "v"), "/r/volumes/v/_data");
}

}  // namespace
}  // namespace kiln::store
