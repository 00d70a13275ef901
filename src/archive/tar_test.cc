#include "archive/tar.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>

#include "archive/save.h"

namespace kiln::archive {
namespace {

std::string Archive(const std::function<void(TarWriter&)>& fill) {
  StringWriter out;
  auto sink = WriterSink(out);
  TarWriter tar(*sink);
  fill(tar);
  EXPECT_TRUE(tar.Close().ok());
  return out.Take();
}

TEST(TarWriter, HeaderIsGoArchiveTarUstar) {
  std::string h = FormatTarHeader({"manifest.json", '0', 0444, 206, 0, ""});
  ASSERT_EQ(h.size(), 512u);
  EXPECT_EQ(h.substr(100, 8), std::string("0000444\0", 8));
  EXPECT_EQ(h.substr(124, 12), std::string("00000000316\0", 12));
  EXPECT_EQ(h.substr(136, 12), std::string("00000000000\0", 12));
  EXPECT_EQ(h.substr(257, 8), std::string("ustar\0" "00", 8));
  EXPECT_EQ(h.substr(329, 16), std::string("0000000\0" "0000000\0", 16));
  EXPECT_EQ(h[155], ' ');
  EXPECT_EQ(h[154], '\0');
}

TEST(TarWriter, ReaderReadsWhatWriterWrote) {
  std::string long_name = std::string(120, 'a') + "/" + std::string(90, 'b');
  std::string very_long = std::string(300, 'c');
  std::string tar = Archive([&](TarWriter& t) {
    ASSERT_TRUE(t.AddDir("blobs/").ok());
    ASSERT_TRUE(t.AddBytes("blobs/x", "hello").ok());
    ASSERT_TRUE(t.AddSymlink("id/layer.tar", "../x.tar").ok());
    ASSERT_TRUE(t.AddBytes(long_name, "L").ok());
    ASSERT_TRUE(t.AddBytes(very_long, "V").ok());
  });
  EXPECT_EQ(tar.size() % 512, 0u);
  StringReader in(tar);
  TarReader r(in);
  std::vector<std::pair<std::string, std::string>> got;
  for (;;) {
    auto e = r.Next();
    ASSERT_TRUE(e.ok()) << e.status().message();
    if (!*e) break;
    auto data = ReadAll(r.data());
    ASSERT_TRUE(data.ok());
    got.push_back({(*e)->name + ":" + (*e)->type + ":" + (*e)->linkname, *data});
  }
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0].first, "blobs:5:");
  EXPECT_EQ(got[1], (std::pair<std::string, std::string>{"blobs/x:0:", "hello"}));
  EXPECT_EQ(got[2].first, "id/layer.tar:2:../x.tar");
  EXPECT_EQ(got[3], (std::pair<std::string, std::string>{long_name + ":0:", "L"}));
  EXPECT_EQ(got[4], (std::pair<std::string, std::string>{very_long + ":0:", "V"}));
}

TEST(TarReader, TruncationAndBadChecksum) {
  std::string tar = Archive([](TarWriter& t) { ASSERT_TRUE(t.AddBytes("f", std::string(2000, 'x')).ok()); });
  {
    StringReader in(tar.substr(0, 1000));
    TarReader r(in);
    auto e = r.Next();
    ASSERT_TRUE(e.ok());
    auto data = ReadAll(r.data());
    ASSERT_FALSE(data.ok());
    EXPECT_EQ(data.status().message(), "unexpected EOF");
  }
  {
    std::string bad = tar;
    bad[10] = 'Z';
    StringReader in(bad);
    TarReader r(in);
    auto e = r.Next();
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.status().message(), "archive/tar: invalid tar header");
  }
}

TEST(TarReader, CleanEntryName) {
  EXPECT_EQ(*CleanEntryName("./a//b/../c"), "a/c");
  EXPECT_EQ(*CleanEntryName("dir/"), "dir");
  EXPECT_FALSE(CleanEntryName("../x").ok());
  EXPECT_FALSE(CleanEntryName("a/../../x").ok());
  EXPECT_FALSE(CleanEntryName("/etc/passwd").ok());
  EXPECT_EQ(CleanEntryName("../x").status().message(), "archive entry \"../x\": path escapes the archive");
}

TEST(Save, LegacyLayerIdsAreContainersImages) {
  // podman 4.3.1's `save` of the busybox import: v1 id f3c90993… for this config.
  std::string config =
      R"({"created":"2023-11-14T22:13:20Z","architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["sha256:ddaeee0baf9c431f07e0613d7d17c7c1718cb746dd840d95a48df785ed38fd65"]},"history":[{"created":"2023-11-14T22:13:20Z","created_by":"/bin/sh -c #(nop) ADD file:ddaeee0baf9c431f07e0613d7d17c7c1718cb746dd840d95a48df785ed38fd65 in /","comment":"imported from tarball"}]})";
  auto diff = Digest::Parse("sha256:ddaeee0baf9c431f07e0613d7d17c7c1718cb746dd840d95a48df785ed38fd65");
  auto layers = LegacyLayers({*diff}, config);
  ASSERT_TRUE(layers.ok());
  ASSERT_EQ(layers->size(), 1u);
  EXPECT_EQ((*layers)[0].id, "f3c9099360fa76e503a1841165be21f95f3cb6038cd4f1a55b69a012f4710377");
  EXPECT_EQ((*layers)[0].json,
            R"({"architecture":"amd64","config":{},"container":null,"container_config":null,"created":"2023-11-14T22:13:20Z","docker_version":null,"id":"f3c9099360fa76e503a1841165be21f95f3cb6038cd4f1a55b69a012f4710377","os":"linux"})");
}

TEST(Save, GoCompactJsonEscapesHtml) {
  EXPECT_EQ(GoCompactJson("{ \"a\" : [\"x&y<z>\", 1 ] }"), R"({"a":["x\u0026y\u003cz\u003e",1]})");
  EXPECT_EQ(GoCompactJson(R"({"s":"keep \" and \\ "})"), R"({"s":"keep \" and \\ "})");
}

}  // namespace
}  // namespace kiln::archive
