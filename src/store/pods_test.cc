#include "store/pods.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "store/containers.h"
#include "store/store.h"
#include "store/store_testing.h"
#include "util/fs.h"

namespace kiln::store {
namespace {

// The store fixture of store_testing.h.
class PodsTest : public StoreTest {
 protected:
  PodRecord Make(const std::string& name) {
    PodRecord p;
    p.id = RandomHex(32);
    p.name = name;
    p.created = ++clock_;
    p.config = {{"labels", {{"a", "b"}}}};
    return p;
  }
  int64_t clock_ = 0;
};

TEST_F(PodsTest, InsertLookupListDelete) {
  Pods pods(store_->db());
  PodRecord a = Make("a"), b = Make("b");
  ASSERT_TRUE(pods.Insert(a).ok());
  ASSERT_TRUE(pods.Insert(b).ok());
  auto by_name = pods.Lookup("a");
  ASSERT_TRUE(by_name.ok());
  EXPECT_EQ(by_name->id, a.id);
  EXPECT_EQ(by_name->config["labels"]["a"], "b");
  auto by_prefix = pods.Lookup(b.id.substr(0, 12));
  ASSERT_TRUE(by_prefix.ok());
  EXPECT_EQ(by_prefix->name, "b");
  auto list = pods.List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "b");  // newest first
  ASSERT_TRUE(pods.SetInfra(a.id, std::string(64, 'c')).ok());
  EXPECT_EQ(pods.Lookup("a")->infra_id, std::string(64, 'c'));
  ASSERT_TRUE(pods.Delete(a.id).ok());
  auto gone = pods.Lookup("a");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().message(), "no pod with name or ID a found: no such pod");
}

TEST_F(PodsTest, NameTakenIsPodmansError) {
  Pods pods(store_->db());
  ASSERT_TRUE(pods.Insert(Make("p")).ok());
  Status again = pods.Insert(Make("p"));
  EXPECT_EQ(again.code(), Code::kAlreadyExists);
  EXPECT_EQ(again.message(), "adding pod to state: name \"p\" is in use: pod already exists");
}

TEST_F(PodsTest, ContainersKeepTheirPod) {
  Containers rows(store_->db());
  ContainerRecord c;
  c.id = NewContainerId();
  c.name = "member";
  c.image_id = std::string(64, 'a');
  c.pod_id = std::string(64, 'b');
  ASSERT_TRUE(rows.Insert(c).ok());
  EXPECT_EQ(rows.Lookup("member")->pod_id, std::string(64, 'b'));
}

}  // namespace
}  // namespace kiln::store
