#include "store/store.h"

#include "store/store_testing.h"

namespace kiln::store {
namespace {

TEST_F(StoreTest, IngestVerifiesDigestAndSize) {
  {
    auto ingest = store_->content().BeginIngest();
    ASSERT_TRUE(ingest.ok());
    ASSERT_TRUE(ingest->Write("hello").ok());
    auto wrong = ingest->Commit(Digest::OfBytes("other"));
    EXPECT_EQ(wrong.status().code(), Code::kCorrupt);
    EXPECT_FALSE(store_->content().Has(Digest::OfBytes("hello")));
  }
  {
    auto again = store_->content().BeginIngest();
    ASSERT_TRUE(again->Write("hello").ok());
    EXPECT_EQ(again->Commit(std::nullopt, 4).status().code(), Code::kCorrupt);
  }
  EXPECT_EQ(CountFiles("ingest"), 0u);  // abandoned ingests leave nothing
}

TEST_F(StoreTest, VerifyDetectsDamage) {
  auto d = store_->content().Put("payload");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(store_->content().Verify(*d).ok());
  ASSERT_TRUE(WriteFileAtomic(store_->content().BlobPath(*d), "tampered").ok());
  EXPECT_EQ(store_->content().Verify(*d).code(), Code::kCorrupt);
}

TEST_F(StoreTest, CommitListsAndLooksUp) {
  ImageRecord img = AddImage("a", {"localhost/app:1"});
  auto list = store_->ListImages();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].names, std::vector<std::string>{"localhost/app:1"});
  for (const std::string& q : std::vector<std::string>{"app:1", "localhost/app:1", img.id, img.id.substr(0, 4), "sha256:" + img.id}) {
    auto found = store_->LookupImage(q);
    ASSERT_TRUE(found.ok()) << q << ": " << found.status().message();
    EXPECT_EQ(found->id, img.id);
  }
  auto missing = store_->LookupImage("nosuch");
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_EQ(missing.status().message(), "nosuch: image not known");
  EXPECT_GT(img.size, 0);
}

TEST_F(StoreTest, NamesMoveBetweenImagesAndKeepHistory) {
  ImageRecord a = AddImage("a", {"localhost/app:1"});
  ImageRecord b = AddImage("b", {});
  ASSERT_TRUE(store_->AddName(b.id, "localhost/app:1").ok());
  EXPECT_TRUE(store_->GetImage(a.id)->names.empty());
  EXPECT_EQ(store_->GetImage(b.id)->names, std::vector<std::string>{"localhost/app:1"});
  ASSERT_TRUE(store_->AddName(b.id, "localhost/app:2").ok());
  EXPECT_EQ(store_->GetImage(b.id)->names_history, (std::vector<std::string>{"localhost/app:2", "localhost/app:1"}));
}

TEST_F(StoreTest, CreateListRefusesATakenNameUnlessMovingIt) {
  const std::string index = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]})";
  ImageRecord img = AddImage("a", {"localhost/l:latest"});
  auto refused = store_->CreateList(index, "localhost/l:latest");
  EXPECT_EQ(refused.status().code(), Code::kAlreadyExists);
  EXPECT_EQ(store_->GetImage(img.id)->names, std::vector<std::string>{"localhost/l:latest"});
  // A load moves the name to the list; loading the same index again keeps that list.
  auto moved = store_->CreateList(index, "localhost/l:latest", /*move_name=*/true);
  ASSERT_TRUE(moved.ok()) << moved.status().message();
  EXPECT_TRUE(Store::IsList(*moved));
  EXPECT_TRUE(store_->GetImage(img.id)->names.empty());
  auto again = store_->CreateList(index, "localhost/l:latest", /*move_name=*/true);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->id, moved->id);
  // Another index under the name: a new list takes it.
  const std::string other = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[],"annotations":{"a":"b"}})";
  auto replaced = store_->CreateList(other, "localhost/l:latest", /*move_name=*/true);
  ASSERT_TRUE(replaced.ok());
  EXPECT_NE(replaced->id, moved->id);
  EXPECT_TRUE(store_->GetImage(moved->id)->names.empty());
  EXPECT_EQ(store_->LookupImage("localhost/l")->id, replaced->id);
}

TEST_F(StoreTest, DeleteThenGcRemovesOnlyUnreferencedFiles) {
  ImageRecord a = AddImage("shared", {"localhost/a:1"});
  ImageRecord b = AddImage("shared", {"localhost/b:1"}, "other config");
  EXPECT_EQ(CountFiles("snapshots"), 1u);
  ASSERT_TRUE(store_->DeleteImage(a.id).ok());
  auto gc = store_->CollectGarbage();
  ASSERT_TRUE(gc.ok());
  EXPECT_TRUE(gc->files_swept);
  EXPECT_EQ(CountFiles("snapshots"), 1u);  // still used by b
  EXPECT_TRUE(store_->LookupImage("b:1").ok());
  ASSERT_TRUE(store_->DeleteImage(b.id).ok());
  ASSERT_TRUE(store_->CollectGarbage().ok());
  EXPECT_EQ(CountFiles("snapshots"), 0u);
  EXPECT_EQ(CountFiles("blobs/sha256"), 0u);
}

TEST_F(StoreTest, GcSweepsLeftoversOfACrash) {
  // What a killed import leaves: an ingest file, a half-made snapshot, an unreferenced blob.
  ASSERT_TRUE(WriteFileAtomic((dir_ / "root/ingest/deadbeef").string(), "partial").ok());
  fs::create_directories(dir_ / "root/snapshots/tmp-0123/fs");
  ASSERT_TRUE(store_->content().Put("orphan").ok());
  ASSERT_TRUE(store_->CollectGarbage().ok());
  EXPECT_EQ(CountFiles("ingest"), 0u);
  EXPECT_EQ(CountFiles("snapshots"), 0u);
  EXPECT_EQ(CountFiles("blobs/sha256"), 0u);
}

TEST_F(StoreTest, GcLeavesFilesAloneWhileAnotherProcessHoldsTheStore) {
  auto other = Store::Open({dir_.string() + "/root", dir_.string() + "/run"});
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(store_->content().Put("written by the other process").ok());
  auto gc = store_->CollectGarbage();
  ASSERT_TRUE(gc.ok());
  EXPECT_FALSE(gc->files_swept);
  EXPECT_EQ(CountFiles("blobs/sha256"), 1u);
}

TEST_F(StoreTest, DeletingAnImageTakesItsDanglingParents) {
  ImageRecord base = AddImage("base", {});
  ImageRecord child = AddImage("child", {"localhost/child:1"});
  ASSERT_TRUE(store_->db().Exec("UPDATE images SET parent = '" + base.id + "' WHERE id = '" + child.id + "'").ok());
  auto deleted = store_->DeleteImage(child.id);
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, (std::vector<std::string>{child.id, base.id}));
}

TEST_F(StoreTest, SchemaIsVersioned) {
  auto s = store_->db().Prepare("PRAGMA user_version");
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(*s->Step());
  EXPECT_GE(s->ColumnInt(0), 1);
}

}  // namespace
}  // namespace kiln::store
