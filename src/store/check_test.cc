#include "store/check.h"

#include <fstream>

#include "store/store_testing.h"

namespace kiln::store {
namespace {

class CheckTest : public StoreTest {
 protected:
  CheckReport Check(bool quick = false) {
    CheckOptions options;
    options.quick = quick;
    auto report = CheckStore(*store_, options);
    EXPECT_TRUE(report.ok()) << report.status().message();
    return report.ok() ? *report : CheckReport{};
  }

  // Overwrites a blob in place with other bytes of the same length.
  void CorruptBlob(const Digest& d) {
    std::string path = store_->content().BlobPath(d);
    auto bytes = ReadFile(path);
    ASSERT_TRUE(bytes.ok());
    std::string changed = *bytes;
    changed[changed.size() / 2] ^= 0x20;
    fs::permissions(path, fs::perms::owner_write, fs::perm_options::add);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << changed;
  }

  Digest DiffIdOf(const ImageRecord& image) {
    auto layers = store_->ImageLayers(image.id);
    EXPECT_TRUE(layers.ok());
    return layers->at(0).diff_id;
  }
};

TEST_F(CheckTest, AWholeStoreHasNoErrors) {
  AddImage("a", {"localhost/a:latest"});
  AddImage("b", {"localhost/b:latest"}, "b");
  CheckReport r = Check();
  EXPECT_FALSE(r.HasErrors());
  EXPECT_EQ(r.images_checked, 2);
  EXPECT_EQ(r.layers_checked, 2);
}

TEST_F(CheckTest, ACorruptLayerTarIsFoundByTheFullCheckOnly) {
  ImageRecord bad = AddImage("a", {"localhost/a:latest"});
  AddImage("b", {"localhost/b:latest"}, "b");
  CorruptBlob(DiffIdOf(bad));
  EXPECT_FALSE(Check(/*quick=*/true).HasErrors());
  CheckReport r = Check();
  ASSERT_EQ(r.layers.size(), 1u);
  EXPECT_NE(r.layers.begin()->second[0].find("corrupt"), std::string::npos);
  ASSERT_EQ(r.images.size(), 1u);
  EXPECT_EQ(r.images.begin()->first, bad.id);
}

TEST_F(CheckTest, RepairRemovesOnlyTheDamagedImageAndLeavesAPassingStore) {
  ImageRecord bad = AddImage("a", {"localhost/a:latest"});
  ImageRecord good = AddImage("b", {"localhost/b:latest"}, "b");
  ASSERT_TRUE(store_->snapshots().Has(store_->ImageLayers(bad.id)->at(0).chain_id));
  fs::remove_all(store_->snapshots().Dir(store_->ImageLayers(bad.id)->at(0).chain_id));
  CheckReport r = Check();
  ASSERT_TRUE(r.HasErrors());
  auto repaired = RepairStore(*store_, r, {});
  ASSERT_TRUE(repaired.ok()) << repaired.status().message();
  EXPECT_EQ(repaired->removed_images, std::vector<std::string>{bad.id});
  EXPECT_FALSE(Check().HasErrors());
  EXPECT_TRUE(store_->LookupImage("localhost/b:latest").ok());
  EXPECT_EQ(store_->LookupImage("localhost/a:latest").status().code(), Code::kNotFound);
  EXPECT_TRUE(store_->GetImage(good.id).ok());
}

TEST_F(CheckTest, AMissingConfigBlobDamagesTheImage) {
  ImageRecord img = AddImage("a", {"localhost/a:latest"});
  ASSERT_TRUE(store_->content().Remove(*Digest::FromHex(img.id)).ok());
  CheckReport r = Check(/*quick=*/true);
  ASSERT_EQ(r.images.count(img.id), 1u);
  EXPECT_NE(r.images[img.id][0].find("config sha256:" + img.id + " is missing"), std::string::npos);
}

TEST_F(CheckTest, OldUnreferencedFilesAreReportedYoungOnesAreNot) {
  AddImage("a", {"localhost/a:latest"});
  ASSERT_TRUE(store_->content().Put("stray bytes").ok());
  EXPECT_FALSE(Check().HasErrors());  // younger than the 24 h default: a command's work
  CheckOptions options;
  options.max_unreferenced_age_nanos = 0;
  auto r = CheckStore(*store_, options);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->files.size(), 1u);
  EXPECT_EQ(r->files.begin()->first, "blobs/sha256/" + Digest::OfBytes("stray bytes").hex());
  ASSERT_TRUE(RepairStore(*store_, *r, {}).ok());
  EXPECT_FALSE(store_->content().Has(Digest::OfBytes("stray bytes")));
}

TEST_F(CheckTest, ADanglingBuildCacheRowIsFoundAndRemoved) {
  AddImage("a", {"localhost/a:latest"});
  ASSERT_TRUE(store_->db().Exec("INSERT INTO build_cache(key, image_id, created) VALUES ('k', 'gone', 0)").ok());
  CheckReport r = Check();
  ASSERT_EQ(r.build_cache.count("k"), 1u);
  ASSERT_TRUE(RepairStore(*store_, r, {}).ok());
  EXPECT_FALSE(Check().HasErrors());
}

// podman 5's "layer content added" and "layer content digest changed": the snapshot no
// longer matches its layer tar, which is whole.
TEST_F(CheckTest, ASnapshotThatNoLongerMatchesItsLayerTarIsFound) {
  ImageRecord added = AddImage("a", {"localhost/a:latest"});
  ImageRecord changed = AddImage("b", {"localhost/b:latest"}, "b");
  ImageRecord whole = AddImage("c", {"localhost/c:latest"}, "c");
  auto fs_of = [&](const ImageRecord& image) {
    auto layers = store_->ImageLayers(image.id);
    EXPECT_TRUE(layers.ok());
    return store_->snapshots().FsPath(layers->at(0).chain_id);
  };
  std::ofstream(fs_of(added) + "/extra") << "x";
  fs::permissions(fs_of(changed) + "/file", fs::perms::owner_write, fs::perm_options::add);
  std::ofstream(fs_of(changed) + "/file", std::ios::trunc) << "B";  // same size, other bytes
  EXPECT_FALSE(Check(/*quick=*/true).HasErrors());
  CheckReport r = Check();
  ASSERT_EQ(r.images.size(), 2u);
  EXPECT_EQ(r.images.count(whole.id), 0u);
  std::string all;
  for (const auto& [chain, problems] : r.layers) all += problems[0] + "\n";
  EXPECT_NE(all.find("snapshot: extra is not in its layer tar"), std::string::npos) << all;
  EXPECT_NE(all.find("snapshot: file: content differs from its layer tar"), std::string::npos) << all;
  // The re-extraction leaves nothing behind.
  for (const auto& e : fs::directory_iterator(store_->root() + "/snapshots"))
    EXPECT_EQ(e.path().filename().string().rfind("tmp-", 0), std::string::npos) << e.path();
}

}  // namespace
}  // namespace kiln::store
