// Every expectation here was observed with podman 4.3.1 on this machine, e.g.
//   P="podman --root /tmp/pm-ref/root --runroot /tmp/pm-ref/run"
//   $P tag busybox 'ns/myapp'; $P image inspect --format '{{.RepoTags}}' busybox
//   $P tag busybox MyApp          → Error: normalizing name "MyApp": normalizing name "MyApp": …
//   $P image inspect demo:v2      (lookup), $P images 'b*' (reference filter)
// Error strings are the text podman prints after "Error: ".
#include "image/reference.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <regex>
#include <string>
#include <vector>

namespace kiln::image {
namespace {

const std::string kHex64 = "5f62bcd4c57d8a26cf196d912a21ea77d6fe63c34bf64137b05336fe67b7fa7d";
const std::string kZero64(64, '0');

std::string Repeat(char c, size_t n) { return std::string(n, c); }

template <typename T>
std::string ErrorOf(const Expected<T>& e) {
  return e.ok() ? "<ok>" : e.status().message();
}
std::string ErrorOf(const Status& s) { return s.ok() ? "<ok>" : s.message(); }

// ---- grammar: valid shapes ----------------------------------------------------------------------

struct Shape {
  std::string input, domain, path, tag, digest;
};

TEST(ReferenceParse, ValidShapes) {
  const std::vector<Shape> shapes = {
      {"busybox", "", "busybox", "", ""},
      {"busybox:latest", "", "busybox", "latest", ""},
      {"ns/app", "ns", "app", "", ""},  // the grammar takes "ns" as a domain; podman then adds localhost/
      {"a/b/c/d", "a", "b/c/d", "", ""},
      {"quay.io/example/demo:v2", "quay.io", "example/demo", "v2", ""},
      {"registry:5000/ns/repo:tag", "registry:5000", "ns/repo", "tag", ""},
      {"localhost/foo", "localhost", "foo", "", ""},
      {"localhost:5000/foo", "localhost:5000", "foo", "", ""},
      {"localhost:5000", "", "localhost", "5000", ""},  // no "/": a tag, not a port
      {"foo:5000", "", "foo", "5000", ""},
      {"Quay.IO/x/y:1", "Quay.IO", "x/y", "1", ""},  // domains may be uppercase
      {"A-b.io/c", "A-b.io", "c", "", ""},
      {"xn--80ak6aa92e.com/x", "xn--80ak6aa92e.com", "x", "", ""},
      {"1.2.3.4:5/x", "1.2.3.4:5", "x", "", ""},
      {"a__b", "", "a__b", "", ""},
      {"a--b", "", "a--b", "", ""},
      {"a.b", "", "a.b", "", ""},
      {"a_b.c-d", "", "a_b.c-d", "", ""},
      {"a__b.c/d", "", "a__b.c/d", "", ""},  // "a__b.c" is no valid domain
      {"x_y/z", "", "x_y/z", "", ""},
      {"a:_x", "", "a", "_x", ""},
      {"a:B-9.x", "", "a", "B-9.x", ""},
      {"x@sha256:" + kHex64, "", "x", "", "sha256:" + kHex64},
      {"x:1@sha256:" + kHex64, "", "x", "1", "sha256:" + kHex64},
      {"quay.io/x/y:1@sha256:" + kHex64, "quay.io", "x/y", "1", "sha256:" + kHex64},
      {"sha256:" + kHex64, "", "sha256", kHex64, ""},  // a name "sha256" with a 64-hex tag
      {kHex64, "", kHex64, "", ""},
  };
  for (const auto& s : shapes) {
    SCOPED_TRACE(s.input);
    auto ref = Parse(s.input);
    ASSERT_TRUE(ref.ok()) << ref.status().message();
    EXPECT_EQ(ref->domain, s.domain);
    EXPECT_EQ(ref->path, s.path);
    EXPECT_EQ(ref->tag, s.tag);
    EXPECT_EQ(ref->DigestString(), s.digest);
    EXPECT_EQ(ref->String(), s.input);  // String() round-trips
  }
}

TEST(ReferenceParse, TagLength128IsTheLimit) {
  EXPECT_TRUE(Parse("x:" + Repeat('a', 128)).ok());
  EXPECT_EQ(ErrorOf(Parse("x:" + Repeat('a', 129))), "invalid reference format");
}

TEST(ReferenceParse, NameLength255IsTheLimitAndExcludesTag) {
  EXPECT_TRUE(Parse(Repeat('a', 255)).ok());
  EXPECT_TRUE(Parse(Repeat('a', 255) + ":" + Repeat('t', 128)).ok());
  EXPECT_EQ(ErrorOf(Parse(Repeat('a', 256))), "repository name must not be more than 255 characters");
  EXPECT_TRUE(Parse("quay.io/" + Repeat('a', 247)).ok());
  EXPECT_EQ(ErrorOf(Parse("quay.io/" + Repeat('a', 248))), "repository name must not be more than 255 characters");
}

TEST(ReferenceParse, OtherDigestAlgorithmsAreKeptAsText) {
  auto ref = Parse("x@sha512:" + Repeat('0', 128));
  ASSERT_TRUE(ref.ok());
  EXPECT_TRUE(ref->digest.empty());
  EXPECT_TRUE(ref->has_digest());
  EXPECT_EQ(ref->String(), "x@sha512:" + Repeat('0', 128));
  EXPECT_TRUE(Parse("x@sha384:" + Repeat('0', 96)).ok());
}

// ---- grammar: errors --------------------------------------------------------------------------

TEST(ReferenceParse, Errors) {
  const std::map<std::string, std::string> cases = {
      {"", "repository name must have at least one component"},
      {"MyApp", "repository name must be lowercase"},
      {"UPPER.io/Foo", "repository name must be lowercase"},
      {"localhost/Foo", "repository name must be lowercase"},
      {"86CF", "repository name must be lowercase"},
      {"A:B", "repository name must be lowercase"},  // lower-cased, the whole string would parse
      {"x\xE2\x84\xAA", "repository name must be lowercase"},  // Kelvin sign lower-cases to 'k'
      {"A:b!", "invalid reference format"},
      {"a:b@c", "invalid reference format"},
      {"a:", "invalid reference format"},
      {":latest", "invalid reference format"},
      {"a/", "invalid reference format"},
      {"a/b/", "invalid reference format"},
      {"/a", "invalid reference format"},
      {"a//b", "invalid reference format"},
      {"localhost/", "invalid reference format"},
      {"a:b:c", "invalid reference format"},
      {"a:-x", "invalid reference format"},
      {"a:.x", "invalid reference format"},
      {"a:x!", "invalid reference format"},
      {"a___b", "invalid reference format"},
      {"a-", "invalid reference format"},
      {"-a", "invalid reference format"},
      {"a..b", "invalid reference format"},
      {"a..b/c", "invalid reference format"},
      {"a.b./c", "invalid reference format"},
      {"a.b-/x", "invalid reference format"},
      {"a.b:/x", "invalid reference format"},
      {"a:123x/y", "invalid reference format"},
      {"[::1]:5000/x", "invalid reference format"},
      {"a b", "invalid reference format"},
      {"a\"b", "invalid reference format"},
      {"docker://foo", "invalid reference format"},
      {"\xC3\xA9", "invalid reference format"},   // é
      {"x\xFF", "invalid reference format"},
      {"sha256:", "invalid reference format"},
      {"@sha256:", "invalid reference format"},
      {"x@sha256:abc", "invalid reference format"},  // fewer than 32 hex digits
      {"x@md5:abc", "invalid reference format"},
      {"busybox@sha256:" + Repeat('0', 32), "invalid checksum digest length"},
      {"busybox@md5:" + Repeat('0', 32), "unsupported digest algorithm"},
      {"busybox@sha256:" + Repeat('A', 64), "invalid checksum digest format"},
      {"busybox@SHA256:" + Repeat('0', 64), "invalid checksum digest format"},
  };
  for (const auto& [input, message] : cases) {
    SCOPED_TRACE(input);
    auto ref = Parse(input);
    EXPECT_EQ(ErrorOf(ref), message);
    if (!ref.ok()) {
      EXPECT_EQ(ref.status().code(), Code::kInvalidArgument);
    }
  }
}

// The distribution grammar as regular expressions (docker/reference/regexp.go), used here
// only as an oracle for the hand-written scanner: ECMAScript, like RE2, picks submatches
// leftmost-first, so the optional domain group is greedy in both.
struct GrammarOracle {
  static constexpr const char* kComponent = "[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*";
  static constexpr const char* kDomainComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
  std::string domain = std::string(kDomainComponent) + "(?:\\." + kDomainComponent + ")*(?::[0-9]+)?";
  std::string path = std::string(kComponent) + "(?:/" + kComponent + ")*";
  std::regex reference{"^((?:" + domain + "/)?" + path + ")(?::([\\w][\\w.-]{0,127}))?" +
                       "(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}))?$"};
  std::regex name{"^(?:(" + domain + ")/)?(" + path + ")$"};
};

TEST(ReferenceParse, AgreesWithTheRegexGrammar) {
  const GrammarOracle oracle;
  std::mt19937 rng(20231128);
  const std::string alphabet = "ab0Z.-_:/@";
  const std::string digest = "@sha256:" + kHex64;
  for (int round = 0; round < 20000; ++round) {
    std::string s;
    const int length = 1 + static_cast<int>(rng() % 14);
    for (int i = 0; i < length; ++i) s += alphabet[rng() % alphabet.size()];
    if (rng() % 4 == 0) s += digest;
    SCOPED_TRACE(s);
    std::smatch m;
    const bool valid = std::regex_match(s, m, oracle.reference);
    auto ref = Parse(s);
    ASSERT_EQ(ref.ok(), valid);
    if (valid) {
      std::smatch n;
      const std::string whole_name = m[1].str();
      ASSERT_TRUE(std::regex_match(whole_name, n, oracle.name));
      EXPECT_EQ(ref->domain, n[1].str());
      EXPECT_EQ(ref->path, n[2].str());
      EXPECT_EQ(ref->tag, m[2].str());
      EXPECT_EQ(ref->DigestString(), m[3].str());
    } else {
      std::string lower = s;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      const bool upper = std::regex_match(lower, oracle.reference);
      EXPECT_EQ(ref.status().message(), upper ? "repository name must be lowercase" : "invalid reference format");
    }
  }
}

// ---- docker.io normalisation (pull) ---------------------------------------------------------

TEST(ReferencePull, NormalisesToDockerIo) {
  const std::map<std::string, std::string> cases = {
      {"nginx:1.24-alpine", "docker.io/library/nginx:1.24-alpine"},
      {"nginx", "docker.io/library/nginx:latest"},
      {"user/repo", "docker.io/user/repo:latest"},
      {"docker.io/nginx", "docker.io/library/nginx:latest"},
      {"docker.io/library/nginx", "docker.io/library/nginx:latest"},
      {"index.docker.io/foo", "docker.io/library/foo:latest"},
      {"docker.io:443/x", "docker.io:443/x:latest"},
      {"Docker.IO/foo", "Docker.IO/foo:latest"},
      {"quay.io/x/y", "quay.io/x/y:latest"},
      {"localhost/foo", "localhost/foo:latest"},
      {"localhost:5000/foo:1", "localhost:5000/foo:1"},
      {"x@sha256:" + kHex64, "docker.io/library/x@sha256:" + kHex64},
      {"x:1@sha256:" + kHex64, "docker.io/library/x@sha256:" + kHex64},  // tag dropped
      {"a__b.c/d", "a__b.c/d:latest"},  // docker's quirk: "a__b.c" is split off, then not a domain
  };
  for (const auto& [input, expected] : cases) {
    SCOPED_TRACE(input);
    auto ref = ParseNormalizedPull(input);
    ASSERT_TRUE(ref.ok()) << ref.status().message();
    EXPECT_EQ(ref->String(), expected);
  }
}

TEST(ReferencePull, ParseNormalizedNamedKeepsTagAndDigestAndAddsNoTag) {
  EXPECT_EQ(ParseNormalizedNamed("nginx")->String(), "docker.io/library/nginx");
  EXPECT_EQ(ParseNormalizedNamed("x:1@sha256:" + kHex64)->String(), "docker.io/library/x:1@sha256:" + kHex64);
}

TEST(ReferencePull, DockerRefErrors) {
  // ParseNormalizedNamed's own texts; build -t prints them after "tag <name>: ".
  EXPECT_EQ(ErrorOf(ParseDockerRef("MyApp")), "invalid reference format: repository name must be lowercase");
  EXPECT_EQ(ErrorOf(ParseDockerRef("Foo/bar")), "invalid reference format: repository name must be lowercase");
  EXPECT_EQ(ErrorOf(ParseDockerRef("LOCALHOST/foo")), "invalid reference format: repository name must be lowercase");
  EXPECT_EQ(ErrorOf(ParseDockerRef("quay.io/MyApp")), "invalid reference format: repository name must be lowercase");
  EXPECT_EQ(ErrorOf(ParseDockerRef("quay.io/x:1@sha256:abc")), "invalid reference format");
  EXPECT_EQ(ErrorOf(ParseDockerRef(kHex64)),
            "invalid repository name (" + kHex64 + "), cannot specify 64-byte hexadecimal strings");
  EXPECT_TRUE(ParseDockerRef("docker.io/" + Repeat('a', 237)).ok());
  EXPECT_EQ(ErrorOf(ParseDockerRef("docker.io/" + Repeat('a', 238))),
            "repository name must not be more than 255 characters");  // "library/" pushes it over
}

TEST(ReferencePull, PullErrors) {
  // podman pull NAME → "Error: <this>", exit 125
  EXPECT_EQ(ErrorOf(ParseNormalizedPull("MyApp")), "repository name must be lowercase");
  EXPECT_EQ(ErrorOf(ParseNormalizedPull("quay.io/MyApp")), "repository name must be lowercase");
  EXPECT_EQ(ErrorOf(ParseNormalizedPull("a:b@c")), "invalid reference format");
  EXPECT_EQ(ErrorOf(ParseNormalizedPull("Foo/bar")),
            R"(Invalid image name "Foo/bar", expected colon-separated transport:reference)");
  EXPECT_EQ(ErrorOf(ParseNormalizedPull("Foo/bar:1")), R"(Invalid image name "Foo/bar:1", unknown transport "Foo/bar")");
  EXPECT_EQ(ErrorOf(ParseNormalizedPull("Foo/bar@sha256:" + kHex64)),
            "Invalid image name \"Foo/bar@sha256:" + kHex64 + "\", unknown transport \"Foo/bar@sha256\"");
  EXPECT_EQ(ErrorOf(ParseNormalizedPull("docker.io/" + Repeat('a', 238))),
            "Invalid image name \"docker.io/" + Repeat('a', 238) + "\", expected colon-separated transport:reference");
}

TEST(ReferencePull, ShortNames) {
  for (const char* s : {"nginx", "nginx:1", "user/repo", "ns/app", "Foo/bar", "a__b.c/d", "localhostx/y"}) {
    EXPECT_TRUE(IsShortName(s)) << s;
  }
  for (const char* s : {"docker.io/nginx", "quay.io/x", "localhost/x", "localhost:5000/x", "registry:5000/x",
                        "MyApp", "a:b@c", ""}) {
    EXPECT_FALSE(IsShortName(s)) << s;
  }
}

// ---- names kiln creates (tag, import, commit, build) -----------------------------------------

TEST(ReferenceLocal, NormalisesLikePodmanTag) {
  // podman tag IMG INPUT; podman image inspect --format '{{.RepoTags}}' IMG
  const std::map<std::string, std::string> cases = {
      {"myapp", "localhost/myapp:latest"},
      {"ns/myapp", "localhost/ns/myapp:latest"},
      {"a/b/c/d", "localhost/a/b/c/d:latest"},
      {"quay.io/x/y", "quay.io/x/y:latest"},
      {"quay.io/x/y:v1", "quay.io/x/y:v1"},
      {"quay.io/example/demo:v2", "quay.io/example/demo:v2"},
      {"registry:5000/ns/repo:tag", "registry:5000/ns/repo:tag"},
      {"localhost/foo", "localhost/foo:latest"},
      {"localhost:5000/foo", "localhost:5000/foo:latest"},
      {"localhost", "localhost/localhost:latest"},
      {"localhost:5000", "localhost/localhost:5000"},
      {"foo:5000", "localhost/foo:5000"},
      {"docker.io/nginx", "docker.io/library/nginx:latest"},
      {"docker.io/library/nginx", "docker.io/library/nginx:latest"},
      {"docker.io/x/y", "docker.io/x/y:latest"},
      {"docker.io:443/x", "docker.io:443/x:latest"},
      {"index.docker.io/foo", "docker.io/library/foo:latest"},
      {"Docker.IO/foo", "Docker.IO/foo:latest"},
      {"INDEX.docker.io/foo", "INDEX.docker.io/foo:latest"},
      {"Quay.IO/x/y:1", "Quay.IO/x/y:1"},
      {"A-b.io/c", "A-b.io/c:latest"},
      {"Foo.io/bar:TAG", "Foo.io/bar:TAG"},
      {"a.b.c/x", "a.b.c/x:latest"},
      {"a.b:12/x", "a.b:12/x:latest"},
      {"a-b.c/x", "a-b.c/x:latest"},
      {"1.2.3.4:5/x", "1.2.3.4:5/x:latest"},
      {"xn--80ak6aa92e.com/x", "xn--80ak6aa92e.com/x:latest"},
      {"a__b", "localhost/a__b:latest"},
      {"a--b", "localhost/a--b:latest"},
      {"a.b", "localhost/a.b:latest"},
      {"a-b/c", "localhost/a-b/c:latest"},
      {"a__b.c/d", "localhost/a__b.c/d:latest"},
      {"x_y/z", "localhost/x_y/z:latest"},
      {"a:_x", "localhost/a:_x"},
      {"a:B-9.x", "localhost/a:B-9.x"},
      {"abcdef", "localhost/abcdef:latest"},
      {kHex64, "localhost/" + kHex64 + ":latest"},  // a name, not an ID, for tag
      {"x:" + Repeat('a', 128), "localhost/x:" + Repeat('a', 128)},
      {Repeat('a', 245), "localhost/" + Repeat('a', 245) + ":latest"},  // exactly 255
      {"docker.io/" + Repeat('a', 237), "docker.io/library/" + Repeat('a', 237) + ":latest"},
      {"quay.io/" + Repeat('a', 247), "quay.io/" + Repeat('a', 247) + ":latest"},
  };
  for (const auto& [input, expected] : cases) {
    SCOPED_TRACE(input);
    auto local = ParseNormalizedLocal(input);
    ASSERT_TRUE(local.ok()) << local.status().message();
    EXPECT_EQ(local->String(), expected);
    auto tag = ParseTagTarget(input);
    ASSERT_TRUE(tag.ok()) << tag.status().message();
    EXPECT_EQ(tag->String(), expected);
  }
}

TEST(ReferenceLocal, ReferenceParts) {
  auto ref = ParseNormalizedLocal("ns/myapp");
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(ref->domain, "localhost");
  EXPECT_EQ(ref->path, "ns/myapp");
  EXPECT_EQ(ref->tag, "latest");
  EXPECT_EQ(ref->Repository(), "localhost/ns/myapp");
}

TEST(ReferenceLocal, DigestedNamesKeepDigestDropTag) {
  // commit/build naming (NormalizeName) accepts digests; tag/import refuse them.
  EXPECT_EQ(ParseNormalizedLocal("x:1@sha256:" + kHex64)->String(), "localhost/x@sha256:" + kHex64);
  EXPECT_EQ(ParseNormalizedLocal("sha256:" + kZero64)->String(), "localhost/sha256:" + kZero64);
}

TEST(ReferenceLocal, TagAndImportErrorLines) {
  // podman tag busybox INPUT / podman import FILE INPUT → "Error: <this>", exit 125.
  const std::map<std::string, std::string> cases = {
      {"MyApp", R"(normalizing name "MyApp": normalizing name "MyApp": repository name must be lowercase)"},
      {"UPPER.io/Foo", R"(normalizing name "UPPER.io/Foo": normalizing name "UPPER.io/Foo": repository name must be lowercase)"},
      {"localhost/Foo", R"(normalizing name "localhost/Foo": normalizing name "localhost/Foo": repository name must be lowercase)"},
      {"x\xE2\x84\xAA", "normalizing name \"x\xE2\x84\xAA\": normalizing name \"x\xE2\x84\xAA\": repository name must be lowercase"},
      // Second (normalising) parse: wrapped only once.
      {"Foo/bar", R"(normalizing name "Foo/bar": invalid reference format: repository name must be lowercase)"},
      {"LOCALHOST/foo", R"(normalizing name "LOCALHOST/foo": invalid reference format: repository name must be lowercase)"},
      {"a:b@c", R"(normalizing name "a:b@c": normalizing name "a:b@c": invalid reference format)"},
      {"", R"(normalizing name "": normalizing name "": repository name must have at least one component)"},
      {"a:", R"(normalizing name "a:": normalizing name "a:": invalid reference format)"},
      {"a/", R"(normalizing name "a/": normalizing name "a/": invalid reference format)"},
      {"/a", R"(normalizing name "/a": normalizing name "/a": invalid reference format)"},
      {"a//b", R"(normalizing name "a//b": normalizing name "a//b": invalid reference format)"},
      {"a:b:c", R"(normalizing name "a:b:c": normalizing name "a:b:c": invalid reference format)"},
      {"a:x!", R"(normalizing name "a:x!": normalizing name "a:x!": invalid reference format)"},
      {"a___b", R"(normalizing name "a___b": normalizing name "a___b": invalid reference format)"},
      {"a..b/c", R"(normalizing name "a..b/c": normalizing name "a..b/c": invalid reference format)"},
      {"[::1]:5000/x", R"(normalizing name "[::1]:5000/x": normalizing name "[::1]:5000/x": invalid reference format)"},
      {"docker://foo", R"(normalizing name "docker://foo": normalizing name "docker://foo": invalid reference format)"},
      {"a b", R"(normalizing name "a b": normalizing name "a b": invalid reference format)"},
      {"a\"b", R"(normalizing name "a\"b": normalizing name "a\"b": invalid reference format)"},
      {"a\tb", R"(normalizing name "a\tb": normalizing name "a\tb": invalid reference format)"},
      {"x\xFF", R"(normalizing name "x\xff": normalizing name "x\xff": invalid reference format)"},
      {"docker.io/x\xC3\x89", "normalizing name \"docker.io/x\xC3\x89\": normalizing name \"docker.io/x\xC3\x89\": invalid reference format"},
      {"x:" + Repeat('a', 129), "normalizing name \"x:" + Repeat('a', 129) + "\": normalizing name \"x:" +
                                    Repeat('a', 129) + "\": invalid reference format"},
      {"busybox@sha256:" + Repeat('0', 32), "normalizing name \"busybox@sha256:" + Repeat('0', 32) +
                                                "\": normalizing name \"busybox@sha256:" + Repeat('0', 32) +
                                                "\": invalid checksum digest length"},
      {"busybox@md5:" + Repeat('0', 32), "normalizing name \"busybox@md5:" + Repeat('0', 32) +
                                             "\": normalizing name \"busybox@md5:" + Repeat('0', 32) +
                                             "\": unsupported digest algorithm"},
      {"busybox@SHA256:" + kZero64, "normalizing name \"busybox@SHA256:" + kZero64 +
                                        "\": normalizing name \"busybox@SHA256:" + kZero64 +
                                        "\": invalid checksum digest format"},
      // Too long: only once "localhost/" is added (second parse) vs. already as typed.
      {Repeat('a', 246), "normalizing name \"" + Repeat('a', 246) +
                             "\": repository name must not be more than 255 characters"},
      {Repeat('a', 256), "normalizing name \"" + Repeat('a', 256) + "\": normalizing name \"" + Repeat('a', 256) +
                             "\": repository name must not be more than 255 characters"},
      {"docker.io/" + Repeat('a', 238), "normalizing name \"docker.io/" + Repeat('a', 238) +
                                            "\": repository name must not be more than 255 characters"},
      {"quay.io/" + Repeat('a', 248), "normalizing name \"quay.io/" + Repeat('a', 248) +
                                          "\": normalizing name \"quay.io/" + Repeat('a', 248) +
                                          "\": repository name must not be more than 255 characters"},
      // Digests.
      {"x@sha256:" + kHex64, "x@sha256:" + kHex64 + ": tag by digest not supported"},
      {"x:1@sha256:" + kHex64, "x:1@sha256:" + kHex64 + ": tag by digest not supported"},
      {"busybox@sha512:" + Repeat('0', 128), "busybox@sha512:" + Repeat('0', 128) + ": tag by digest not supported"},
      {"sha256:" + kHex64, "sha256:" + kHex64 + ": tag by digest not supported"},
      {"sha256:abc", "sha256:abc: tag by digest not supported"},
  };
  for (const auto& [input, message] : cases) {
    SCOPED_TRACE(input);
    auto ref = ParseTagTarget(input);
    EXPECT_EQ(ErrorOf(ref), message);
    if (!ref.ok()) {
      EXPECT_EQ(ref.status().code(), Code::kInvalidArgument);
    }
  }
}

TEST(ReferenceLocal, CommitErrorsAreUnwrappedParseErrors) {
  // podman commit CTR NAME prints the lookup's parse error (ParseQuery) unwrapped, then
  // NormalizeName's second-parse errors: "repository name must be lowercase" for MyApp,
  // "invalid reference format: repository name must be lowercase" for Foo/bar.
  EXPECT_EQ(ErrorOf(ParseQuery("MyApp")), "repository name must be lowercase");
  EXPECT_EQ(ErrorOf(ParseQuery("a:b@c")), "invalid reference format");
  EXPECT_EQ(ParseQuery("Foo/bar").status().code(), Code::kNotFound);  // ignored by commit…
  EXPECT_EQ(ErrorOf(ParseNormalizedLocal("Foo/bar")),                // …which then fails here
            "invalid reference format: repository name must be lowercase");
}

TEST(ReferenceLocal, Untag) {
  EXPECT_EQ(ParseUntagTarget("nosuch")->String(), "localhost/nosuch:latest");
  EXPECT_EQ(ErrorOf(TagNotKnown(*ParseUntagTarget("nosuch"))), "localhost/nosuch:latest: tag not known");
  EXPECT_EQ(TagNotKnown(*ParseUntagTarget("nosuch")).code(), Code::kNotFound);
  EXPECT_EQ(ErrorOf(ParseUntagTarget("sha256:abc")), "sha256:abc: untag by digest not supported");
  // Other digested names pass (podman's FIXME) and then are not a tag of the image.
  auto digested = ParseUntagTarget("x@sha256:" + kZero64);
  ASSERT_TRUE(digested.ok());
  EXPECT_EQ(ErrorOf(TagNotKnown(*digested)), "localhost/x@sha256:" + kZero64 + ": tag not known");
  EXPECT_EQ(ErrorOf(ParseUntagTarget("MyApp")),
            R"(normalizing name "MyApp": normalizing name "MyApp": repository name must be lowercase)");
  EXPECT_EQ(ErrorOf(ParseUntagTarget("Foo/bar")),
            R"(normalizing name "Foo/bar": invalid reference format: repository name must be lowercase)");
}

TEST(ReferenceLocal, BuildTagValidation) {
  // podman build -t INPUT . → "Error: <this>", exit 125
  EXPECT_TRUE(ValidateBuildTag("ns/built").ok());
  EXPECT_TRUE(ValidateBuildTag("foo:Bar").ok());
  EXPECT_TRUE(ValidateBuildTag("sha256:" + kZero64).ok());  // stored as localhost/sha256:000…
  EXPECT_EQ(ErrorOf(ValidateBuildTag("MyApp")), "tag MyApp: invalid reference format: repository name must be lowercase");
  EXPECT_EQ(ErrorOf(ValidateBuildTag("Foo/bar")), "tag Foo/bar: invalid reference format: repository name must be lowercase");
  EXPECT_EQ(ErrorOf(ValidateBuildTag("docker.io/Foo:Bar")),
            "tag docker.io/Foo:Bar: invalid reference format: repository name must be lowercase");
  EXPECT_EQ(ErrorOf(ValidateBuildTag("a:b@c")), "tag a:b@c: invalid reference format");
  EXPECT_EQ(ErrorOf(ValidateBuildTag("x:" + Repeat('a', 129))), "tag x:" + Repeat('a', 129) + ": invalid reference format");
  EXPECT_EQ(ErrorOf(ValidateBuildTag("x:1@sha256:" + kHex64)),
            "tag x:1@sha256:" + kHex64 + ": Docker references with both a tag and digest are currently not supported");
  const std::string ab64 = [] { std::string s; for (int i = 0; i < 32; ++i) s += "ab"; return s; }();
  EXPECT_EQ(ErrorOf(ValidateBuildTag(ab64)), "tag " + ab64 + ": invalid repository name (" + ab64 +
                                                 "), cannot specify 64-byte hexadecimal strings");
  // Non-ASCII: upper case (and invalid UTF-8, which Go's ToLower replaces) → "must be lowercase".
  EXPECT_EQ(ErrorOf(ValidateBuildTag("\xC3\x89")), "tag \xC3\x89: invalid reference format: repository name must be lowercase");  // É
  EXPECT_EQ(ErrorOf(ValidateBuildTag("\xCE\xA9")), "tag \xCE\xA9: invalid reference format: repository name must be lowercase");  // Ω
  EXPECT_EQ(ErrorOf(ValidateBuildTag("x\xFF")), "tag x\xFF: invalid reference format: repository name must be lowercase");
  EXPECT_EQ(ErrorOf(ValidateBuildTag("\xC3\xA9")), "tag \xC3\xA9: invalid reference format");  // é
  EXPECT_EQ(ErrorOf(ValidateBuildTag("\xC3\x9F")), "tag \xC3\x9F: invalid reference format");  // ß
}

// ---- IDs --------------------------------------------------------------------------------------

TEST(ReferenceIds, Classifier) {
  EXPECT_TRUE(IsFullId(kHex64));
  EXPECT_FALSE(IsFullId("sha256:" + kHex64));
  EXPECT_FALSE(IsFullId(kHex64.substr(1)));
  EXPECT_FALSE(IsFullId(kHex64 + "0"));
  EXPECT_FALSE(IsFullId(Repeat('A', 64)));
  EXPECT_FALSE(IsFullId(Repeat('g', 64)));
  for (const char* s : {"5", "5f", "b60", "86cf", "abcdef", "0123456789ab"}) EXPECT_TRUE(IsIdPrefix(s)) << s;
  EXPECT_TRUE(IsIdPrefix(kHex64));
  for (const char* s : {"", "86CF", "xyz", "5f:1", "sha256:5f"}) EXPECT_FALSE(IsIdPrefix(s)) << s;
  EXPECT_FALSE(IsIdPrefix(kHex64 + "0"));
}

// ---- lookup plans ---------------------------------------------------------------------------

ShortNameConfig DebianShortNames() {
  // An excerpt of /etc/containers/registries.conf.d/shortnames.conf (Debian 12).
  return {{{"busybox", "docker.io/library/busybox"}, {"alpine", "docker.io/library/alpine"},
           {"fedora", "registry.fedoraproject.org/fedora"}},
          {}};
}

TEST(ReferenceQuery, ShortNameCandidates) {
  auto q = ParseQuery("myapp");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->name, "myapp");
  EXPECT_TRUE(q->full_id.empty());
  EXPECT_EQ(q->candidates, (std::vector<std::string>{"localhost/myapp:latest", "docker.io/library/myapp:latest"}));
  EXPECT_FALSE(q->try_id_prefix);
  EXPECT_TRUE(q->scan_names);
  EXPECT_EQ(q->scan_repository, "myapp");
  EXPECT_EQ(q->scan_tag, "latest");
  EXPECT_TRUE(q->manifest_digest.empty());
  EXPECT_EQ(ErrorOf(q->NotKnown()), "myapp: image not known");
  EXPECT_EQ(q->NotKnown().code(), Code::kNotFound);
}

TEST(ReferenceQuery, AliasComesFirstThenLocalhostThenSearchRegistriesThenDockerIo) {
  ShortNameConfig config = DebianShortNames();
  config.unqualified_search_registries = {"quay.io", "docker.io"};
  auto q = ParseQuery("busybox:1", config);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->candidates, (std::vector<std::string>{"docker.io/library/busybox:1", "localhost/busybox:1",
                                                     "quay.io/busybox:1"}));
  auto fedora = ParseQuery("fedora", config);
  EXPECT_EQ(fedora->candidates.front(), "registry.fedoraproject.org/fedora:latest");
}

TEST(ReferenceQuery, CandidateOrderAsPodmanTracesIt) {
  // CONTAINERS_REGISTRIES_CONF=<unqualified-search-registries = ["quay.io"]>
  //   $P --log-level=debug image inspect NAME   → "Trying \"…\" ..." lines, in this order.
  ShortNameConfig config = DebianShortNames();
  config.unqualified_search_registries = {"quay.io"};
  auto b = ParseQuery("b", config);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->candidates,
            (std::vector<std::string>{"localhost/b:latest", "quay.io/b:latest", "docker.io/library/b:latest"}));
  EXPECT_TRUE(b->try_id_prefix);  // then "Trying \"b\"" (store lookup by ID prefix)
  auto busybox = ParseQuery("busybox:2", config);
  EXPECT_EQ(busybox->candidates, (std::vector<std::string>{"docker.io/library/busybox:2", "localhost/busybox:2",
                                                           "quay.io/busybox:2"}));
  const std::string digest = "sha256:854f4a6bc0dccedf6984a5386cd51557632b44ba30541f7bca502e266f4920a1";
  auto digested = ParseQuery("nosuch:3@" + digest, config);
  EXPECT_EQ(digested->candidates,
            (std::vector<std::string>{"localhost/nosuch@" + digest, "quay.io/nosuch@" + digest,
                                      "docker.io/library/nosuch@" + digest}));
  EXPECT_EQ(digested->manifest_digest.str(), digest);  // "Looking for image with matching recorded digests"
}

TEST(ReferenceQuery, QualifiedNamesHaveOneCandidateAndNoScan) {
  auto q = ParseQuery("quay.io/example/demo");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->candidates, (std::vector<std::string>{"quay.io/example/demo:latest"}));
  EXPECT_FALSE(q->scan_names);
  auto docker = ParseQuery("docker.io/busybox");
  EXPECT_EQ(docker->candidates, (std::vector<std::string>{"docker.io/library/busybox:latest"}));
}

TEST(ReferenceQuery, HexNamesAreNamesFirstThenIdPrefixes) {
  auto q = ParseQuery("b602");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->candidates, (std::vector<std::string>{"localhost/b602:latest", "docker.io/library/b602:latest"}));
  EXPECT_TRUE(q->try_id_prefix);
  EXPECT_TRUE(q->scan_names);
}

TEST(ReferenceQuery, FullIds) {
  auto bare = ParseQuery(kHex64);
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->full_id, kHex64);
  EXPECT_TRUE(bare->candidates.empty());
  EXPECT_FALSE(bare->scan_names);
  auto prefixed = ParseQuery("sha256:" + kHex64);
  ASSERT_TRUE(prefixed.ok());
  EXPECT_EQ(prefixed->full_id, kHex64);
  EXPECT_EQ(ErrorOf(prefixed->NotKnown()), "sha256:" + kHex64 + ": image not known");
}

TEST(ReferenceQuery, DigestedNames) {
  auto q = ParseQuery("busybox:9@sha256:" + kHex64, DebianShortNames());
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->name, "busybox@sha256:" + kHex64);  // tag dropped, also in messages
  EXPECT_EQ(q->candidates, (std::vector<std::string>{"docker.io/library/busybox@sha256:" + kHex64,
                                                     "localhost/busybox@sha256:" + kHex64}));
  EXPECT_EQ(q->manifest_digest.str(), "sha256:" + kHex64);
  EXPECT_FALSE(q->scan_names);
  EXPECT_EQ(ErrorOf(q->NotKnown()), "busybox@sha256:" + kHex64 + ": image not known");
  auto sha512 = ParseQuery("busybox@sha512:" + Repeat('0', 128));
  ASSERT_TRUE(sha512.ok());
  EXPECT_TRUE(sha512->manifest_digest.empty());
  EXPECT_FALSE(sha512->scan_names);
}

TEST(ReferenceQuery, Errors) {
  // podman rmi/image inspect/history/tag SRC → "Error: <this>" (inspect adds "inspecting object: ").
  const std::map<std::string, std::string> cases = {
      {"MyApp", "repository name must be lowercase"},
      {"86CF", "repository name must be lowercase"},
      {"localhost/Foo", "repository name must be lowercase"},
      {"a:b@c", "invalid reference format"},
      {"busybox:", "invalid reference format"},
      {":latest", "invalid reference format"},
      {"@sha256:", "invalid reference format"},
      {"sha256:", "invalid reference format"},
      {"localhost/", "invalid reference format"},
      {"x@sha256:abc", "invalid reference format"},
      {"", "repository name must have at least one component"},
      {"sha256:b", "sha256:b: invalid format: no 64-byte hexadecimal value"},
      {"sha256:b602", "sha256:b602: invalid format: no 64-byte hexadecimal value"},
      {"sha256:abc", "sha256:abc: invalid format: no 64-byte hexadecimal value"},
      {"busybox@sha256:" + Repeat('0', 32), "invalid checksum digest length"},
      {"busybox@md5:" + Repeat('0', 32), "unsupported digest algorithm"},
      {"busybox@sha256:" + Repeat('A', 64), "invalid checksum digest format"},
      {"busybox@SHA256:" + kZero64, "invalid checksum digest format"},
      // Given up before looking: "image not known" (code kNotFound).
      {"Foo/bar", "Foo/bar: image not known"},
      {Repeat('a', 250), Repeat('a', 250) + ": image not known"},  // localhost/ + 250 > 255
      {"docker.io/" + Repeat('a', 245), "docker.io/" + Repeat('a', 245) + ": image not known"},
      // Transports.
      {"docker://busybox", R"(unsupported transport "docker" for looking up local images)"},
      {"docker://x", R"(unsupported transport "docker" for looking up local images)"},
      {"dir:x", R"(unsupported transport "dir" for looking up local images)"},
      {"dir:", R"(unsupported transport "dir" for looking up local images)"},
      {"oci:latest", R"(unsupported transport "oci" for looking up local images)"},
      {"oci:", R"(unsupported transport "oci" for looking up local images)"},
      {"oci-archive:x", R"(unsupported transport "oci-archive" for looking up local images)"},
      {"docker-archive:x", R"(unsupported transport "docker-archive" for looking up local images)"},
      {"sif:x", R"(unsupported transport "sif" for looking up local images)"},
      {"docker-daemon:busybox:latest", R"(unsupported transport "docker-daemon" for looking up local images)"},
      {"docker-daemon:sha256:" + kHex64, R"(unsupported transport "docker-daemon" for looking up local images)"},
      // …and prefixes that are no valid transport reference are ordinary names.
      {"docker-archive:", "invalid reference format"},
      {"docker:", "invalid reference format"},
      {"docker://", "invalid reference format"},
      {"docker://Foo", "invalid reference format"},
      {"docker://x:1@sha256:" + kHex64, "invalid reference format"},
      {"docker-daemon:", "invalid reference format"},
      {"containers-storage:", "invalid reference format"},
  };
  for (const auto& [input, message] : cases) {
    SCOPED_TRACE(input);
    EXPECT_EQ(ErrorOf(ParseQuery(input)), message);
  }
  EXPECT_EQ(ParseQuery("Foo/bar").status().code(), Code::kNotFound);
  EXPECT_EQ(ParseQuery("MyApp").status().code(), Code::kInvalidArgument);
}

TEST(ReferenceQuery, TransportPrefixesThatAreNames) {
  // docker:x, docker-daemon:x and tarball:x are plain names ("docker" tagged "x").
  for (const char* s : {"docker:x", "docker-daemon:x", "tarball:x", "ostree:x"}) {
    auto q = ParseQuery(s);
    ASSERT_TRUE(q.ok()) << s;
    EXPECT_EQ(ErrorOf(q->NotKnown()), std::string(s) + ": image not known");
  }
}

TEST(ReferenceQuery, ContainersStorageTransport) {
  auto by_name = ParseQuery("containers-storage:localhost/busybox");
  ASSERT_TRUE(by_name.ok());
  EXPECT_EQ(by_name->candidates, (std::vector<std::string>{"localhost/busybox:latest"}));
  EXPECT_EQ(ErrorOf(by_name->NotKnown()), "image not known");
  auto by_id = ParseQuery("containers-storage:" + kHex64);
  EXPECT_EQ(by_id->full_id, kHex64);
  auto by_prefix = ParseQuery("containers-storage:5f62");
  EXPECT_TRUE(by_prefix->try_id_prefix);
  auto with_store = ParseQuery("containers-storage:[overlay@/tmp/pm-ref/root]busybox");
  EXPECT_EQ(with_store->candidates, (std::vector<std::string>{"docker.io/library/busybox:latest"}));
  // Not a valid storage reference: an ordinary name "containers-storage" tagged "MyApp".
  auto bad = ParseQuery("containers-storage:MyApp");
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(ErrorOf(bad->NotKnown()), "containers-storage:MyApp: image not known");
}

// ---- the suffix rule ------------------------------------------------------------------------

TEST(ReferenceQuery, NameMatches) {
  auto q = [](const char* input) { return *ParseQuery(input); };
  EXPECT_TRUE(NameMatches("quay.io/example/demo:v2", q("demo:v2")));
  EXPECT_TRUE(NameMatches("quay.io/example/demo:v2", q("example/demo:v2")));
  EXPECT_TRUE(NameMatches("localhost/ns/demo:v2", q("demo:v2")));
  EXPECT_FALSE(NameMatches("quay.io/example/demo:v2", q("mo:v2")));
  EXPECT_FALSE(NameMatches("quay.io/example/demo:v2", q("emo:v2")));
  EXPECT_FALSE(NameMatches("quay.io/example/demo:v2", q("demo")));     // demo:latest
  EXPECT_FALSE(NameMatches("quay.io/example/demo:v2", q("demo:V2")));  // tags are case-sensitive
  EXPECT_TRUE(NameMatches("quay.io/only:1", q("only:1")));
  EXPECT_FALSE(NameMatches("quay.io/only:1", q("only")));
  EXPECT_TRUE(NameMatches("quay.io/a/b/c/deep:2", q("deep:2")));
  EXPECT_TRUE(NameMatches("quay.io/a/b/c/deep:2", q("c/deep:2")));
  EXPECT_TRUE(NameMatches("quay.io/a/b/c/deep:2", q("a/b/c/deep:2")));
  EXPECT_TRUE(NameMatches("registry:5000/ns/repo:tag", q("repo:tag")));
  EXPECT_TRUE(NameMatches("registry:5000/ns/repo:tag", q("ns/repo:tag")));
  EXPECT_TRUE(NameMatches("localhost:5000/x:latest", q("x")));
  EXPECT_FALSE(NameMatches("docker.io/user/repo:latest", q("ser/repo")));
  EXPECT_FALSE(NameMatches("quay.io/x@sha256:" + kHex64, q("x")));  // no tag
  EXPECT_FALSE(NameMatches("quay.io/only:1", q("quay.io/only:1")));  // qualified: no scan
  EXPECT_FALSE(NameMatches("quay.io/only:1", q("io/only:1")));
}

// ---- the whole lookup against the store podman had --------------------------------------------

// A model of the podman store used to verify the lookup rules (images in insertion order).
struct StoredImage {
  std::string id;
  std::vector<std::string> names;
  std::string manifest_digest;
};

const std::vector<StoredImage> kPodmanStore = {
    {"5f62bcd4c57d8a26cf196d912a21ea77d6fe63c34bf64137b05336fe67b7fa7d", {"localhost/busybox:latest"}, ""},
    {"86cf3985ec056f7b99784e1758bf5da1998e70d1021e337b9869611061862071", {"docker.io/library/busybox:latest"}, ""},
    {"05a2775dca0cc04c742ebdc72e84eb6f69151f2e53c5c8bd521a407b0082c35f", {"quay.io/example/demo:v2"},
     "sha256:854f4a6bc0dccedf6984a5386cd51557632b44ba30541f7bca502e266f4920a1"},
    {"b602d6f4c39e28889db685092afda840f166019f0c0e1b6232903c16174135f6",
     {"quay.io/busybox:latest", "quay.io/only:1", "quay.io/a/b/c/deep:2"}, ""},
    {"f4d156303ced4a2c748f8d757761ba8d8f95c8cbd4ae3af8941be289bdf7b328", {"localhost/ns/demo:v2"}, ""},
    {"257c6039f0fe34f2ebf2b1e2f983c7f6de88e3ecefeb4e27e04b1458c9130ac7",
     {"registry:5000/ns/repo:tag", "docker.io/user/repo:latest"}, ""},
    {"b0960ce57aac07f917dededa472a49aada6a6689d07733e00d6da1b693d70247", {"localhost/b602:latest"}, ""},
};

// What the store layer is expected to do with an ImageQuery; returns the image ID or the error.
std::string Resolve(const std::vector<StoredImage>& store, std::string_view input) {
  auto parsed = ParseQuery(input, DebianShortNames());
  if (!parsed.ok()) return "error: " + parsed.status().message();
  const ImageQuery& q = *parsed;
  if (!q.full_id.empty()) {
    for (const auto& image : store)
      if (image.id == q.full_id) return image.id.substr(0, 12);
    return "error: " + q.NotKnown().message();
  }
  for (const auto& candidate : q.candidates)
    for (const auto& image : store)
      for (const auto& name : image.names)
        if (name == candidate) return image.id.substr(0, 12);
  if (q.try_id_prefix) {
    std::vector<std::string> hits;
    for (const auto& image : store)
      if (image.id.starts_with(q.name)) hits.push_back(image.id);
    if (hits.size() == 1) return hits[0].substr(0, 12);
  }
  for (const auto& image : store) {
    if (!q.manifest_digest.empty() && image.manifest_digest == q.manifest_digest.str()) return image.id.substr(0, 12);
    for (const auto& name : image.names)
      if (NameMatches(name, q)) return image.id.substr(0, 12);
  }
  return "error: " + q.NotKnown().message();
}

TEST(ReferenceLookup, AgreesWithPodman) {
  // $P image inspect --format '{{.Id}}' INPUT against the store above.
  const std::string demo_digest = "sha256:854f4a6bc0dccedf6984a5386cd51557632b44ba30541f7bca502e266f4920a1";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"busybox", "86cf3985ec05"},  // the shortnames.conf alias beats localhost/busybox
      {"busybox:latest", "86cf3985ec05"},
      {"localhost/busybox", "5f62bcd4c57d"},
      {"docker.io/busybox", "86cf3985ec05"},
      {"library/busybox", "86cf3985ec05"},
      {"docker.io/library/busybox", "86cf3985ec05"},
      {"quay.io/busybox", "b602d6f4c39e"},
      {"only", "error: only: image not known"},
      {"only:1", "b602d6f4c39e"},
      {"quay.io/only", "error: quay.io/only: image not known"},
      {"quay.io/only:1", "b602d6f4c39e"},
      {"demo", "error: demo: image not known"},
      {"demo:v2", "05a2775dca0c"},  // the older of quay.io/example/demo:v2 and localhost/ns/demo:v2
      {"example/demo:v2", "05a2775dca0c"},
      {"quay.io/example/demo:v2", "05a2775dca0c"},
      {"ns/demo:v2", "f4d156303ced"},
      {"localhost/ns/demo:v2", "f4d156303ced"},
      {"mo:v2", "error: mo:v2: image not known"},
      {"emo:v2", "error: emo:v2: image not known"},
      {"deep:2", "b602d6f4c39e"},
      {"c/deep:2", "b602d6f4c39e"},
      {"b/c/deep:2", "b602d6f4c39e"},
      {"a/b/c/deep:2", "b602d6f4c39e"},
      {"repo:tag", "257c6039f0fe"},
      {"ns/repo:tag", "257c6039f0fe"},
      {"registry:5000/ns/repo:tag", "257c6039f0fe"},
      {"repo", "257c6039f0fe"},
      {"user/repo", "257c6039f0fe"},
      {"docker.io/user/repo", "257c6039f0fe"},
      {"repo:latest", "257c6039f0fe"},
      {"ser/repo", "error: ser/repo: image not known"},
      {"io/only:1", "error: io/only:1: image not known"},
      {"quay.io/example/demo", "error: quay.io/example/demo: image not known"},
      {"example/demo:V2", "error: example/demo:V2: image not known"},
      {"Foo/bar", "error: Foo/bar: image not known"},
      {"foo/bar", "error: foo/bar: image not known"},
      {"Foo.io/bar", "error: Foo.io/bar: image not known"},
      {"docker.io", "error: docker.io: image not known"},
      {"localhost", "error: localhost: image not known"},
      // IDs: names first (localhost/b602 wins over ID b602d6…), then unique prefixes.
      {"b602", "b0960ce57aac"},
      {"b60", "b602d6f4c39e"},
      {"localhost/b602", "b0960ce57aac"},
      {"b", "error: b: image not known"},  // ambiguous: b602…, b096…
      {"b6", "b602d6f4c39e"},
      {"b0", "b0960ce57aac"},
      {"f", "f4d156303ced"},
      {"8", "86cf3985ec05"},
      {"86cf", "86cf3985ec05"},
      {"0", "05a2775dca0c"},
      {"5", "5f62bcd4c57d"},
      {"5f", "5f62bcd4c57d"},
      {"b602d6f4c39e28889db685092afda840f166019f0c0e1b6232903c16174135f6", "b602d6f4c39e"},
      {"sha256:b602d6f4c39e28889db685092afda840f166019f0c0e1b6232903c16174135f6", "b602d6f4c39e"},
      {"86CF", "error: repository name must be lowercase"},
      {"sha256:b", "error: sha256:b: invalid format: no 64-byte hexadecimal value"},
      // Manifest digests: any name with the digest finds the image; the bare digest does not.
      {demo_digest, "error: " + demo_digest + ": image not known"},
      {demo_digest.substr(7), "error: " + demo_digest.substr(7) + ": image not known"},
      {demo_digest.substr(7, 12), "error: " + demo_digest.substr(7, 12) + ": image not known"},
      {"quay.io/example/demo@" + demo_digest, "05a2775dca0c"},
      {"demo@" + demo_digest, "05a2775dca0c"},
      {"whatever/else@" + demo_digest, "05a2775dca0c"},
      {"nosuch.io/else@" + demo_digest, "05a2775dca0c"},
      {"busybox@" + demo_digest, "05a2775dca0c"},
      {"busybox:9@" + demo_digest, "05a2775dca0c"},
      {"busybox@sha256:" + kZero64, "error: busybox@sha256:" + kZero64 + ": image not known"},
      {"busybox:latest@sha256:" + kZero64, "error: busybox@sha256:" + kZero64 + ": image not known"},
      {"busybox@sha512:" + Repeat('0', 128), "error: busybox@sha512:" + Repeat('0', 128) + ": image not known"},
      {"containers-storage:localhost/busybox", "5f62bcd4c57d"},
      {"containers-storage:" + kPodmanStore[0].id, "5f62bcd4c57d"},
      {"containers-storage:5f62", "5f62bcd4c57d"},
      {"containers-storage:quay.io/only", "error: image not known"},
      {"containers-storage:x", "error: image not known"},
  };
  for (const auto& [input, expected] : cases) {
    EXPECT_EQ(Resolve(kPodmanStore, input), expected) << input;
  }
}

TEST(ReferenceLookup, SuffixScanTakesTheOldestImage) {
  // $P tag 86cf quay.io/zzz/demo:v2 — 86cf… is older than 05a2…, so demo:v2 now finds it.
  auto store = kPodmanStore;
  store[1].names.push_back("quay.io/zzz/demo:v2");
  EXPECT_EQ(Resolve(store, "demo:v2"), "86cf3985ec05");
  EXPECT_EQ(Resolve(store, "zzz/demo:v2"), "86cf3985ec05");
}

TEST(ReferenceLookup, WithoutAliasesLocalhostComesFirst) {
  auto q = ParseQuery("busybox");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->candidates.front(), "localhost/busybox:latest");
}

// ---- images NAME --------------------------------------------------------------------------------

TEST(ReferenceImagesFilter, AgreesWithPodman) {
  // $P images PATTERN selected an image iff one of its names matched.
  struct Case {
    std::string pattern, name;
    bool match;
  };
  const std::vector<Case> cases = {
      {"busybox", "localhost/busybox:latest", true},
      {"busybox", "docker.io/library/busybox:latest", true},
      {"busybox", "quay.io/busybox:latest", true},
      {"busybox", "localhost/ns/imp:latest", false},
      {"busybox", "quay.io/example/demo:v2", false},
      {"busybox:latest", "quay.io/busybox:latest", true},
      {"localhost/busybox", "localhost/busybox:latest", true},
      {"localhost/busybox", "docker.io/library/busybox:latest", false},
      {"localhost/busybox:latest", "localhost/busybox:latest", true},
      {"library/busybox", "docker.io/library/busybox:latest", true},
      {"library/busybox", "localhost/busybox:latest", false},
      {"docker.io/library/busybox", "docker.io/library/busybox:latest", true},
      {"demo", "quay.io/example/demo:v2", true},
      {"demo", "localhost/ns/demo:v2", true},
      {"demo:v2", "localhost/ns/demo:v2", true},
      {"example/demo", "quay.io/example/demo:v2", true},
      {"example/demo", "localhost/ns/demo:v2", false},
      {"example/demo:v2", "quay.io/example/demo:v2", true},
      {"quay.io/example/demo", "quay.io/example/demo:v2", true},
      {"quay.io/*/demo:v2", "quay.io/example/demo:v2", true},
      {"*demo*", "localhost/ns/demo:v2", true},
      {"b*", "localhost/ns/built:latest", true},
      {"b*", "localhost/b602:latest", true},
      {"b*", "quay.io/example/demo:v2", false},
      {"b*", "localhost/ns/demo:v2", false},
      {"ns/*", "registry:5000/ns/repo:tag", true},
      {"ns/*", "localhost/ns/imp:latest", true},
      {"ns/*", "docker.io/user/repo:latest", false},
      {"deep", "quay.io/a/b/c/deep:2", true},
      {"c/deep", "quay.io/a/b/c/deep:2", false},
      {"quay.io/a/b/c/deep", "quay.io/a/b/c/deep:2", true},
      {"a/b/c/deep:2", "quay.io/a/b/c/deep:2", true},
      {"repo:latest", "docker.io/user/repo:latest", true},
      {"repo:latest", "registry:5000/ns/repo:tag", false},
      {"user/repo", "docker.io/user/repo:latest", true},
      {"*", "localhost/sha256:" + kZero64, true},
      {"*", "registry:5000/ns/repo:tag", true},
      {"*/*", "quay.io/busybox:latest", true},
      // An image named only quay.io/a/b/c/deep2:2:
      {"*/*", "quay.io/a/b/c/deep2:2", false},
      {"c/deep2", "quay.io/a/b/c/deep2:2", false},
      {"*/deep2", "quay.io/a/b/c/deep2:2", false},
      {"a/*/c/deep2", "quay.io/a/b/c/deep2:2", true},
      {"deep2:2", "quay.io/a/b/c/deep2:2", true},
      {"*/*/*/*", "quay.io/a/b/c/deep2:2", true},
      {"[", "localhost/busybox:latest", false},
      {"b602", "localhost/b602:latest", true},
      {"5f62", "localhost/busybox:latest", false},  // IDs are not names
      {"sha256:5f62", "localhost/busybox:latest", false},
      {"busybox@sha256:*", "localhost/busybox:latest", false},
      {"localhost/*", "localhost/busybox:latest", true},
      {"localhost/*", "docker.io/library/busybox:latest", false},
      {"localhost*", "localhost/busybox:latest", false},
      {"bu?ybox", "localhost/busybox:latest", true},
      {"bu[r-t]ybox", "localhost/busybox:latest", true},
      {"bu[^s]ybox", "localhost/busybox:latest", false},
      {"bu\\sybox", "localhost/busybox:latest", true},
      {"Busybox", "localhost/busybox:latest", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(MatchesImagesFilter(c.name, c.pattern), c.match) << c.pattern << " vs " << c.name;
  }
}

TEST(ReferenceImagesFilter, DigestedNames) {
  const std::string name = "quay.io/x/app@sha256:" + kHex64;
  EXPECT_TRUE(MatchesImagesFilter(name, "app"));
  EXPECT_TRUE(MatchesImagesFilter(name, "x/app"));
  EXPECT_TRUE(MatchesImagesFilter(name, "app@sha256:" + kHex64));
  EXPECT_TRUE(MatchesImagesFilter(name, "x/app@sha256:*"));
  EXPECT_FALSE(MatchesImagesFilter(name, "app:latest"));
}

// ---- Go's path.Match ----------------------------------------------------------------------------

TEST(ReferenceGlob, GoPathMatchTable) {
  // The table of Go's path/match_test.go.
  struct Case {
    const char* pattern;
    const char* name;
    bool match;
  };
  const std::vector<Case> cases = {
      {"abc", "abc", true},       {"*", "abc", true},         {"*c", "abc", true},
      {"a*", "a", true},          {"a*", "abc", true},        {"a*", "ab/c", false},
      {"a*/b", "abc/b", true},    {"a*/b", "a/c/b", false},   {"a*b*c*d*e*/f", "axbxcxdxe/f", true},
      {"a*b*c*d*e*/f", "axbxcxdxexxx/f", true},               {"a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false},
      {"a*b*c*d*e*/f", "axbxcxdxexxx/fff", false},            {"a*b?c*x", "abxbbxdbxebxczzx", true},
      {"a*b?c*x", "abxbbxdbxebxczzy", false},                 {"ab[c]", "abc", true},
      {"ab[b-d]", "abc", true},   {"ab[e-g]", "abc", false},  {"ab[^c]", "abc", false},
      {"ab[^b-d]", "abc", false}, {"ab[^e-g]", "abc", true},  {"a\\*b", "a*b", true},
      {"a\\*b", "ab", false},     {"a?b", "a\xE2\x98\xBA" "b", true},  // a☺b
      {"a[^a]b", "a\xE2\x98\xBA" "b", true},                  {"a???b", "a\xE2\x98\xBA" "b", false},
      {"a[^a][^a][^a]b", "a\xE2\x98\xBA" "b", false},          {"[a-\xCE\xB6]*", "\xCE\xB1", true},  // [a-ζ]* α
      {"*[a-\xCE\xB6]", "A", false},                          {"a?b", "a/b", false},
      {"a*b", "a/b", false},      {"[\\]a]", "]", true},      {"[\\-]", "-", true},
      {"[x\\-]", "x", true},      {"[x\\-]", "-", true},      {"[x\\-]", "z", false},
      {"[\\-x]", "x", true},      {"[\\-x]", "-", true},      {"[\\-x]", "a", false},
      {"[]a]", "]", false},       {"[-]", "-", false},        {"[x-]", "x", false},
      {"[x-]", "-", false},       {"[x-]", "z", false},       {"[-x]", "x", false},
      {"[-x]", "-", false},       {"[-x]", "a", false},       {"\\", "a", false},
      {"[a-b-c]", "a", false},    {"[", "a", false},          {"[^", "a", false},
      {"[^bc", "a", false},       {"a[", "a", false},         {"a[", "ab", false},
      {"a[", "x", false},         {"a/b[", "x", false},       {"*x", "xxx", true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(GlobMatch(c.pattern, c.name), c.match) << c.pattern << " vs " << c.name;
  }
}

// ---- %q -------------------------------------------------------------------------------------------


}  // namespace
}  // namespace kiln::image
