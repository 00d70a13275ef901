#include "registry/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "registry/client.h"
#include "registry/curl.h"

namespace kiln::registry {
namespace {

TEST(Base64, RoundTrips) {
  for (std::string s : {"", "a", "ab", "abc", "user:pass", "kilnuser:s3cret!"}) {
    auto d = Base64Decode(Base64Encode(s));
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(*d, s);
  }
  EXPECT_EQ(Base64Encode("user:pass"), "dXNlcjpwYXNz");
  EXPECT_FALSE(Base64Decode("!!").ok());
}

TEST(RegistryError, FormatsLikeContainersImage) {
  EXPECT_EQ(DescribeRegistryError(404, R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]})"),
            "manifest unknown: manifest unknown");
  EXPECT_EQ(DescribeRegistryError(401, ""), "unauthorized: authentication required");
  EXPECT_EQ(DescribeRegistryError(502, "<html>"), "invalid status code from registry 502 (Bad Gateway)");
}

constexpr const char* kConf = R"(
unqualified-search-registries = ["quay.io", "docker.io"]
short-name-mode = "enforcing"
[aliases]
"busybox" = "docker.io/library/busybox"
[[registry]]
prefix = "example.com/foo"
location = "mirror.internal/bar"
insecure = true
[[registry.mirror]]
location = "cache.internal/bar"
[[registry]]
location = "blocked.io"
blocked = true
[[registry]]
prefix = "*.corp.test"
insecure = true
)";

TEST(RegistriesConf, ParsesV2) {
  RegistriesConf c;
  ASSERT_TRUE(MergeRegistriesConf(c, kConf, "/x.conf").ok());
  EXPECT_EQ(c.short_names.unqualified_search_registries, (std::vector<std::string>{"quay.io", "docker.io"}));
  ASSERT_EQ(c.short_names.aliases.size(), 1u);
  EXPECT_EQ(c.short_name_mode, "enforcing");
  ASSERT_EQ(c.registries.size(), 3u);
  EXPECT_EQ(c.registries[0].mirrors.size(), 1u);
  // A drop-in replaces the search list and overrides an alias.
  ASSERT_TRUE(MergeRegistriesConf(c, "unqualified-search-registries = [\"r.io\"]\n[aliases]\n\"busybox\" = \"r.io/bb\"\n", "/y.conf").ok());
  EXPECT_EQ(c.short_names.unqualified_search_registries, (std::vector<std::string>{"r.io"}));
  EXPECT_EQ(c.short_names.aliases[0].second, "r.io/bb");
  EXPECT_FALSE(MergeRegistriesConf(c, "[[registry]\n", "/bad.conf").ok());
}

TEST(RegistriesConf, PrefixMirrorsBlockedWildcards) {
  RegistriesConf c;
  ASSERT_TRUE(MergeRegistriesConf(c, kConf, "/x.conf").ok());
  image::Reference r{"example.com", "foo/app", "1", {}, ""};
  auto s = PullSources(c, r);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->size(), 2u);
  EXPECT_EQ((*s)[0].repository, "cache.internal/bar/app");
  EXPECT_TRUE((*s)[0].mirror);
  EXPECT_EQ((*s)[1].repository, "mirror.internal/bar/app");
  EXPECT_TRUE((*s)[1].insecure);
  // "example.com/foobar" is not under the prefix "example.com/foo".
  image::Reference other{"example.com", "foobar/app", "1", {}, ""};
  EXPECT_EQ((*PullSources(c, other))[0].repository, "example.com/foobar/app");
  image::Reference blocked{"blocked.io", "x", "", {}, ""};
  EXPECT_FALSE(PullSources(c, blocked).ok());
  ASSERT_NE(c.Find("reg.corp.test/a/b"), nullptr);
  EXPECT_TRUE(c.Find("reg.corp.test/a/b")->insecure);
  EXPECT_EQ(c.Find("corp.test/a"), nullptr);
}

TEST(AuthJson, StoreFindRemove) {
  char dir[] = "/tmp/kiln-auth-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  std::string file = std::string(dir) + "/sub/auth.json";
  ASSERT_TRUE(StoreCredentials(file, "r.io", {"u", "p:w"}).ok());
  ASSERT_TRUE(StoreCredentials(file, "r.io/team/app", {"t", "x"}).ok());
  auto c = FindCredentials(file, "r.io", "team/app");
  ASSERT_TRUE(c.ok() && c->has_value());
  EXPECT_EQ((*c)->username, "t");  // most specific key first
  c = FindCredentials(file, "r.io", "other");
  ASSERT_TRUE(c.ok() && c->has_value());
  EXPECT_EQ((*c)->password, "p:w");
  EXPECT_TRUE(RemoveCredentials(file, "r.io").ok());
  EXPECT_EQ(RemoveCredentials(file, "r.io").code(), Code::kNotFound);
  EXPECT_TRUE(RemoveCredentials(file, "").ok());
  c = FindCredentials(file, "r.io", "team/app");
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->has_value());
  std::ofstream(file) << "not json";
  EXPECT_FALSE(FindCredentials(file, "r.io", "x").ok());
}

TEST(LookupCredentials, MostSpecificKeyThenLegacyForms) {
  std::string up = Base64Encode("u:p"), ns = Base64Encode("ns:pw"), old = Base64Encode("old:x");
  std::string text = R"({"auths":{"quay.io":{"auth":")" + up + R"("},"quay.io/team":{"auth":")" + ns +
                     R"("},"https://index.docker.io/v1/":{"auth":")" + old + R"("}}})";
  auto c = LookupCredentials(text, "a.json", false, "quay.io", "team/app");
  ASSERT_TRUE(c.ok() && c->has_value());
  EXPECT_EQ((*c)->username, "ns");
  c = LookupCredentials(text, "a.json", false, "quay.io", "other/app");
  EXPECT_EQ((*c)->username, "u");
  c = LookupCredentials(text, "a.json", false, "docker.io", "library/busybox");
  EXPECT_EQ((*c)->username, "old");
  c = LookupCredentials(text, "a.json", false, "example.com", "x");
  EXPECT_FALSE(c->has_value());
  // legacy ~/.dockercfg: the entries are the top-level object
  c = LookupCredentials(R"({"https://quay.io":{"auth":")" + up + R"("}})", "d", true, "quay.io", "a/b");
  EXPECT_EQ((*c)->username, "u");
}

TEST(LookupCredentials, HostileFilesAreErrorsOrIgnoredEntries) {
  auto bad = LookupCredentials("{\"auths\": {", "/x/auth.json", false, "quay.io", "a");
  EXPECT_EQ(bad.status().message(), "unmarshaling JSON at \"/x/auth.json\": invalid JSON");
  for (const char* text : {R"({"auths":[]})", R"({"auths":{"quay.io":"x"}})", R"({"auths":{"quay.io":{"auth":7}}})",
                           R"({"auths":{"quay.io":{"auth":"!!!"}}})", R"({"auths":{"quay.io":{"auth":"bm9jb2xvbg=="}}})"}) {
    auto c = LookupCredentials(text, "f", false, "quay.io", "a");
    ASSERT_TRUE(c.ok()) << text;
    EXPECT_FALSE(c->has_value()) << text;
  }
}

TEST(ParseChallenge, BearerBasicAndHostileHeaders) {
  auto c = ParseChallenge(R"(Bearer realm="https://auth.example/token",service="reg",scope="repository:a:pull")");
  EXPECT_EQ(c.scheme, "bearer");
  EXPECT_EQ(c.params["realm"], "https://auth.example/token");
  EXPECT_EQ(c.params["service"], "reg");
  EXPECT_EQ(c.params["scope"], "repository:a:pull");
  c = ParseChallenge(R"(BASIC Realm="a \"quoted\" realm")");
  EXPECT_EQ(c.scheme, "basic");
  EXPECT_EQ(c.params["realm"], "a \"quoted\" realm");
  for (const char* h : {"", "Bearer", "Bearer realm", "Bearer realm=\"", "Bearer =,=,=", "Bearer realm=\"\\"})
    (void)ParseChallenge(h);  // no crash, no read past the end (ASan in the fuzz target)
  EXPECT_EQ(ParseChallenge("Bearer realm=\"unterminated").params["realm"], "unterminated");
}

TEST(StoreCredentials, ConcurrentWritersKeepEveryEntry) {
  char tmpl[] = "/tmp/kiln-auth-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string file = std::string(tmpl) + "/sub/auth.json";
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        std::string key = "r" + std::to_string(t) + ".example";
        EXPECT_TRUE(StoreCredentials(file, key, {"u", std::to_string(i)}).ok());
        if (i < 9) {
          EXPECT_TRUE(RemoveCredentials(file, key).ok());
        }
      }
    });
  for (auto& th : threads) th.join();
  for (int t = 0; t < 8; ++t) {
    auto c = FindCredentials(file, "r" + std::to_string(t) + ".example", "x");
    ASSERT_TRUE(c.ok() && c->has_value()) << t;
    EXPECT_EQ((*c)->password, "9");
  }
  struct stat st;
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::filesystem::remove_all(tmpl);
}

TEST(MergeRegistriesConf, NonAsciiOnlyInComments) {
  RegistriesConf conf;
  // What fuzz/registries_conf_fuzz.cc found: toml++ 3.3.0 reaches __builtin_unreachable().
  Status st = MergeRegistriesConf(conf, "\xc8\x95", "/r.conf");
  EXPECT_EQ(st.message(), "loading registries configuration \"/r.conf\": non-ASCII character on line 1 (only comments may hold one)");
  EXPECT_FALSE(MergeRegistriesConf(conf, "s = \"\"\"\\\n\xc2\xa7\"\"\"\n", "/r.conf").ok());  // upstream #190
  EXPECT_FALSE(MergeRegistriesConf(conf, "a = 'x'\nb = \"# \xc3\xa9\"\n", "/r.conf").ok());  // '#' in a string
  EXPECT_TRUE(MergeRegistriesConf(conf,
                                  "# r\xc3\xa9glages \xe2\x80\x94 comment\n"
                                  "unqualified-search-registries = [\"quay.io\"] # \xe6\xb3\xa8\n"
                                  "[aliases]\n\"x\" = 'docker.io/library/x' # \xc3\xa9\n"
                                  "m = \"\"\"a # b\"\"\" # \xc3\xa9\n",
                                  "/r.conf")
                  .ok());
  EXPECT_EQ(conf.short_names.unqualified_search_registries, std::vector<std::string>{"quay.io"});
}

}  // namespace
}  // namespace kiln::registry
