#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <set>

#include "archive/import.h"
#include "archive/load.h"
#include "archive/save.h"
#include "archive/tar.h"
#include "util/compression.h"
#include "util/fs.h"

namespace kiln::archive {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/kiln-saveload-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { (void)RemoveTree(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string LayerTar() {
  StringWriter out;
  auto sink = WriterSink(out);
  TarWriter tar(*sink);
  EXPECT_TRUE(tar.AddBytes("hello.txt", "hello\n", 0644).ok());
  EXPECT_TRUE(tar.Close().ok());
  return out.Take();
}

std::map<std::string, std::string> ReadArchive(const std::string& path) {
  auto in = OpenFileReader(path);
  EXPECT_TRUE(in.ok());
  TarReader r(**in);
  std::map<std::string, std::string> files;
  for (;;) {
    auto e = r.Next();
    EXPECT_TRUE(e.ok());
    if (!e.ok() || !*e) break;
    auto data = ReadAll(r.data());
    EXPECT_TRUE(data.ok());
    files[(*e)->name] = *data;
  }
  return files;
}

class NullProgress final : public Progress {};

TEST(SaveLoad, RoundTripAndStoredGzipForm) {
  TempDir dir;
  auto store = store::Store::Open({dir.path() + "/a", dir.path() + "/a-run"});
  ASSERT_TRUE(store.ok()) << store.status().message();
  ImportOptions io;
  io.names = {"localhost/hello:1"};
  io.created = 1700000000000000000LL;
  auto imported = ImportRootfs(**store, std::make_unique<StringReader>(LayerTar()), io);
  ASSERT_TRUE(imported.ok()) << imported.status().message();
  Digest diff_id = Digest::OfBytes(LayerTar());

  // The layer's gzip form as a pull would have kept it.
  StringWriter gz_out;
  auto gz = OpenCompressor(Compression::kGzip, std::make_unique<WriterRef>(gz_out), 9);
  ASSERT_TRUE(gz.ok());
  std::string tar = LayerTar();
  ASSERT_TRUE((*gz)->Write(tar.data(), tar.size()).ok());
  ASSERT_TRUE((*gz)->Close().ok());
  auto blob = (*store)->content().Put(gz_out.data());
  ASSERT_TRUE(blob.ok());
  ASSERT_TRUE((*store)->AddLayerBlob(diff_id, {*blob, std::string(image::kOciLayerGzip),
                                               static_cast<int64_t>(gz_out.data().size())}).ok());

  NullProgress progress;
  SaveOptions so;
  so.format = SaveFormat::kOciArchive;
  so.images = {"hello:1"};
  so.output = dir.path() + "/o.tar";
  ASSERT_TRUE(SaveImages(**store, so, progress).ok());
  auto files = ReadArchive(so.output);
  EXPECT_EQ(files.count("blobs/sha256/" + blob->hex()), 1u) << "the stored gzip form is reused";
  EXPECT_EQ(files["blobs/sha256/" + blob->hex()], gz_out.data());
  EXPECT_NE(files["index.json"].find("\"org.opencontainers.image.ref.name\":\"localhost/hello:1\""), std::string::npos);

  so.format = SaveFormat::kDockerArchive;
  so.output = dir.path() + "/d.tar";
  ASSERT_TRUE(SaveImages(**store, so, progress).ok());
  files = ReadArchive(so.output);
  EXPECT_EQ(files[diff_id.hex() + ".tar"], LayerTar());

  // Both load into a fresh store as the same image.
  for (const char* name : {"/o.tar", "/d.tar"}) {
    TempDir other;
    auto dest = store::Store::Open({other.path() + "/b", other.path() + "/b-run"});
    ASSERT_TRUE(dest.ok());
    auto in = OpenFileReader(dir.path() + name);
    ASSERT_TRUE(in.ok());
    auto loaded = LoadArchive(**dest, std::move(*in), 0, progress);
    ASSERT_TRUE(loaded.ok()) << name << ": " << loaded.status().message();
    EXPECT_EQ(loaded->loaded, std::vector<std::string>{"localhost/hello:1"});
    auto img = (*dest)->LookupImage("hello:1");
    ASSERT_TRUE(img.ok());
    EXPECT_EQ(img->id, imported->image.id);
  }
}

TEST(SaveLoad, RefusedArchivesLeaveNoIngestFiles) {
  TempDir dir;
  auto store = store::Store::Open({dir.path() + "/a", dir.path() + "/a-run"});
  ASSERT_TRUE(store.ok());
  NullProgress progress;
  StringWriter out;
  auto sink = WriterSink(out);
  TarWriter tar(*sink);
  ASSERT_TRUE(tar.AddBytes("layer.tar", LayerTar()).ok());
  ASSERT_TRUE(tar.AddSymlink("escape", "../../etc").ok());
  ASSERT_TRUE(tar.Close().ok());
  auto loaded = LoadArchive(**store, std::make_unique<StringReader>(out.Take()), 0, progress);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("points outside the archive"), std::string::npos);
  EXPECT_TRUE(::rmdir((dir.path() + "/a/ingest").c_str()) == 0) << "ingest/ must be empty";
}

}  // namespace
}  // namespace kiln::archive
