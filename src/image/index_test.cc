#include "image/index.h"

#include <gtest/gtest.h>

namespace kiln::image {
namespace {

const char* kD1 = "sha256:14bf6263acb2de94acec0af35a19ad1bee9012b9f9f5fed37808be1b203c5e63";
const char* kD2 = "sha256:0000000000000000000000000000000000000000000000000000000000000001";

IndexEntry Entry(const char* digest, const char* arch, const char* variant = "") {
  IndexEntry e;
  e.media_type = "application/vnd.oci.image.manifest.v1+json";
  e.digest = *Digest::Parse(digest);
  e.size = 343;
  e.platform = Platform{"linux", arch, variant, "", {}};
  return e;
}

TEST(IndexTest, SerializesAsPodmanStoresIt) {
  Index idx;
  EXPECT_EQ(SerializeOciIndex(idx),
            R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":null})");
  IndexEntry e = Entry(kD1, "arm64", "v8");
  e.platform->os_version = "1.0";
  e.annotations["a"] = "b";
  idx.Put(e);
  // Byte for byte what podman 4.3.1 wrote for `manifest add --arch arm64 --variant v8 --os-version 1.0 --annotation a=b`.
  EXPECT_EQ(SerializeOciIndex(idx),
            std::string(R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[)") +
                R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" + kD1 +
                R"(","size":343,"annotations":{"a":"b"},"platform":{"architecture":"arm64","os":"linux","os.version":"1.0","variant":"v8"}}]})");
}

TEST(IndexTest, RoundTripsAndPutReplacesSameDigest) {
  Index idx;
  idx.Put(Entry(kD1, "amd64"));
  idx.Put(Entry(kD2, "arm64", "v8"));
  idx.Put(Entry(kD1, "s390x"));
  auto back = ParseIndex(SerializeOciIndex(idx));
  ASSERT_TRUE(back.ok()) << back.status().message();
  ASSERT_EQ(back->manifests.size(), 2u);
  EXPECT_EQ(back->manifests[0].platform->architecture, "s390x");
  EXPECT_EQ(back->manifests[1].platform->variant, "v8");
  EXPECT_TRUE(back->Remove(*Digest::Parse(kD2)));
  EXPECT_FALSE(back->Remove(*Digest::Parse(kD2)));
}

TEST(IndexTest, InspectIsDockerListWithAnnotations) {
  Index idx;
  EXPECT_EQ(InspectJson(idx), "{\n    \"schemaVersion\": 2,\n    \"mediaType\": "
                              "\"application/vnd.docker.distribution.manifest.list.v2+json\",\n    \"manifests\": null\n}");
  IndexEntry e = Entry(kD1, "amd64");
  e.annotations["x"] = "<&>";
  idx.Put(e);
  std::string out = InspectJson(idx);
  EXPECT_NE(out.find("\"size\": 343,\n            \"digest\""), std::string::npos) << out;
  EXPECT_NE(out.find("\\u003c\\u0026\\u003e"), std::string::npos) << out;
}

TEST(IndexTest, RejectsWhatIsNotAList) {
  EXPECT_FALSE(ParseIndex("nope").ok());
  EXPECT_FALSE(ParseIndex(R"({"mediaType":"application/vnd.oci.image.manifest.v1+json"})").ok());
  EXPECT_FALSE(ParseIndex(R"({"manifests":[{"digest":"sha256:12"}]})").ok());
  EXPECT_FALSE(ParseIndex(R"({"manifests":{}})").ok());
  EXPECT_FALSE(ParseIndex(std::string(R"({"manifests":[{"digest":")") + kD1 + R"(","size":-5}]})").ok());
  EXPECT_FALSE(ParseIndex(std::string(R"({"manifests":[{"digest":")") + kD1 + R"("}]})").ok());
  EXPECT_FALSE(ParseIndex(R"({"manifests":[1]})").ok());
}

TEST(IndexTest, ChoosesByPlatform) {
  Index idx;
  idx.Put(Entry(kD1, "amd64"));
  idx.Put(Entry(kD2, "arm64"));
  auto arm = ChooseInstance(idx, Platform{"linux", "aarch64", "", "", {}});
  ASSERT_TRUE(arm.ok());
  EXPECT_EQ((*arm)->digest.str(), kD2);
  auto v8 = ChooseInstance(idx, Platform{"linux", "arm64", "v8", "", {}});
  ASSERT_TRUE(v8.ok());  // arm64 without a variant is v8
  EXPECT_EQ((*v8)->digest.str(), kD2);
  auto none = ChooseInstance(idx, Platform{"linux", "ppc64le", "", "", {}});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().message(), "no image found in image index for architecture ppc64le, variant \"\", OS linux");
}

TEST(PlatformTest, Parses) {
  auto p = ParsePlatformList("linux/amd64,linux/arm64/v8");
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->size(), 2u);
  EXPECT_EQ((*p)[1].String(), "linux/arm64/v8");
  EXPECT_EQ(ParsePlatform("linux/x86_64")->architecture, "amd64");
  EXPECT_FALSE(ParsePlatform("linux//amd64").ok());
  EXPECT_FALSE(ParsePlatform("a/b/c/d").ok());
}

TEST(PlatformTest, OfMachine) {
  EXPECT_EQ(PlatformOfMachine("x86_64").String(), "linux/amd64");
  EXPECT_EQ(PlatformOfMachine("aarch64").String(), "linux/arm64");
  EXPECT_EQ(PlatformOfMachine("armv7l").String(), "linux/arm/v7");
  EXPECT_EQ(PlatformOfMachine("i686").String(), "linux/386");
  EXPECT_EQ(PlatformOfMachine("s390x").String(), "linux/s390x");
}

}  // namespace
}  // namespace kiln::image
