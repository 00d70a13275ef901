// A store in a temporary directory with helpers that make small images: the fixture of the
// store's unit tests (store_test.cc, check_test.cc).
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "store/store.h"
#include "util/fs.h"
#include "util/time.h"

namespace kiln::store {

namespace fs = std::filesystem;

// A one-file tar made with libarchive.
inline std::string MakeTar(const std::string& name, const std::string& content) {
  std::string out;
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_open(
      a, &out, nullptr,
      [](archive*, void* ctx, const void* buf, size_t n) -> la_ssize_t {
        static_cast<std::string*>(ctx)->append(static_cast<const char*>(buf), n);
        return static_cast<la_ssize_t>(n);
      },
      nullptr);
  archive_entry* e = archive_entry_new();
  archive_entry_set_pathname(e, name.c_str());
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0644);
  archive_entry_set_size(e, static_cast<la_int64_t>(content.size()));
  archive_write_header(a, e);
  archive_write_data(a, content.data(), content.size());
  archive_entry_free(e);
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kiln-store-test-" + RandomHex(6));
    auto s = Store::Open({dir_.string() + "/root", dir_.string() + "/run"});
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(*s);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  // An image of one layer holding `content`; `salt` makes the config (and so the ID) differ.
  ImageRecord AddImage(const std::string& content, std::vector<std::string> names, const std::string& salt = "") {
    auto diff = store_->content().Put(MakeTar("file", content));
    EXPECT_TRUE(diff.ok());
    auto layer = store_->EnsureLayer(Digest(), *diff);
    EXPECT_TRUE(layer.ok()) << layer.status().message();
    image::ImageConfig cfg = image::NewImportConfig(NowNanos(), *diff, "test" + salt);
    NewImage img;
    img.config = cfg.Serialize();
    image::Manifest m;
    m.media_type = std::string(image::kOciManifest);
    m.config = {std::string(image::kOciConfig), Digest::OfBytes(img.config), static_cast<int64_t>(img.config.size())};
    m.layers.push_back({std::string(image::kOciLayerTar), *diff, layer->size});
    img.manifest = m.Serialize();
    img.manifest_type = m.media_type;
    img.layers = {*layer};
    img.names = std::move(names);
    auto rec = store_->CommitImage(img);
    EXPECT_TRUE(rec.ok()) << rec.status().message();
    return *rec;
  }

  size_t CountFiles(const std::string& sub) {
    size_t n = 0;
    for (auto& e : fs::directory_iterator(dir_ / "root" / sub)) (void)e, ++n;
    return n;
  }

  fs::path dir_;
  std::unique_ptr<Store> store_;
};

}  // namespace kiln::store
