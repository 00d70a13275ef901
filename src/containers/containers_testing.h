// The fixture of the engine's unit tests (containers_test.cc, volumes_test.cc): a store in a
// temporary directory holding localhost/base:1, a one-file image, and a way to create
// containers of it.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "archive/import.h"
#include "archive/tar.h"
#include "containers/containers.h"
#include "util/fs.h"
#include "util/io.h"

namespace kiln::containers {

inline std::string RootfsTar() {
  StringWriter out;
  auto sink = archive::WriterSink(out);
  archive::TarWriter tar(*sink);
  EXPECT_TRUE(tar.AddBytes("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n", 0644).ok());
  EXPECT_TRUE(tar.Close().ok());
  return out.Take();
}

class EngineFixture : public ::testing::Test {
 protected:
  // The image's config changes besides its CMD (e.g. "ENV A=image", "VOLUME /v").
  explicit EngineFixture(std::vector<std::string> image_changes) : image_changes_(std::move(image_changes)) {}

  void SetUp() override {
    setenv("KILN_ISOLATION", "chroot", 1);
    dir_ = std::filesystem::temp_directory_path() / ("kiln-engine-" + RandomHex(6));
    auto st = store::Store::Open({(dir_ / "root").string(), (dir_ / "run").string()});
    ASSERT_TRUE(st.ok()) << st.status().message();
    store_ = std::move(st).value();
    archive::ImportOptions io;
    io.names = {"localhost/base:1"};
    io.changes = {"CMD [\"/bin/sh\", \"-c\", \"true\"]"};
    io.changes.insert(io.changes.end(), image_changes_.begin(), image_changes_.end());
    io.created = 1700000000000000000LL;
    auto imported = archive::ImportRootfs(*store_, std::make_unique<StringReader>(RootfsTar()), io);
    ASSERT_TRUE(imported.ok()) << imported.status().message();
    image_id_ = imported->image.id;
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  store::ContainerRecord MustCreate(CreateOptions o) {
    if (o.image.empty()) o.image = "base:1";
    auto c = Create(*store_, o, nullptr);
    EXPECT_TRUE(c.ok()) << c.status().message();
    return c.ok() ? *c : store::ContainerRecord{};
  }

  std::vector<std::string> image_changes_;
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::string image_id_;
};

}  // namespace kiln::containers
