// Image references ("quay.io/ns/app:1.0", "busybox", "name@sha256:…") parsed and normalised
// exactly as podman 4.3.1 does it. Pure data, no I/O.
//
// Sources this mirrors (the versions podman 4.3.1 vendors): containers/image v5.23.1
// docker/reference (the distribution grammar, Parse, ParseNormalizedNamed, ParseDockerRef),
// go-digest v1.0.0 (digest validation), containers/common v0.50.1 libimage (NormalizeName,
// Image.Tag/Untag, Runtime.LookupImage, the images "reference" filter), buildah v1.28.0
// (build -t validation). Every behaviour below was checked against the real podman.
//
// Which function each command needs:
//   tag/import TARGET         ParseTagTarget      (prints "Error: " + status.message())
//   untag NAME                ParseUntagTarget, then TagNotKnown(ref) if the image lacks it
//   commit NAME, build naming ParseNormalizedLocal (commit first tries ParseQuery: an existing
//                             image found by a *name* candidate keeps that resolved name)
//   build -t NAME (check)     ValidateBuildTag, then ParseNormalizedLocal for the stored name
//   pull NAME                 ParseNormalizedPull + IsShortName (short names go through
//                             registries.conf search in registry/)
//   rmi/inspect/history/tag SRC/save…  ParseQuery → ImageQuery, executed by the store
//   images NAME               MatchesImagesFilter(stored name, NAME) per stored name
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/digest.h"
#include "util/status.h"

namespace kiln::image {

// ---- Error texts, verbatim from podman 4.3.1 (what follows "Error: ") -----------------------
inline constexpr std::string_view kErrInvalidReferenceFormat = "invalid reference format";
inline constexpr std::string_view kErrNameContainsUppercase = "repository name must be lowercase";
inline constexpr std::string_view kErrNameEmpty = "repository name must have at least one component";
inline constexpr std::string_view kErrNameTooLong = "repository name must not be more than 255 characters";
// From ParseNormalizedNamed (docker.io normalisation, 2nd step of NormalizeName, build -t).
inline constexpr std::string_view kErrNormalizedUppercase =
    "invalid reference format: repository name must be lowercase";
inline constexpr std::string_view kErrDigestInvalidFormat = "invalid checksum digest format";
inline constexpr std::string_view kErrDigestInvalidLength = "invalid checksum digest length";
inline constexpr std::string_view kErrDigestUnsupported = "unsupported digest algorithm";
inline constexpr std::string_view kErrTagByDigest = "tag by digest not supported";
inline constexpr std::string_view kErrUntagByDigest = "untag by digest not supported";
inline constexpr std::string_view kErrTagNotKnown = "tag not known";
// "sha256:<not 64 hex>" typed as an image: "<input>: invalid format: no 64-byte hexadecimal value".
inline constexpr std::string_view kErrNoHexValue = "invalid format: no 64-byte hexadecimal value";
// Lookups that find nothing: "<name>: image not known" (rmi exits 1, the others 125).
// An ambiguous ID prefix is NOT a separate error in podman: it simply does not match, and
// the lookup ends in "<prefix>: image not known" (checked: two IDs starting with "b",
// `podman rmi b` → "Error: b: image not known", exit 1).
inline constexpr std::string_view kErrImageUnknown = "image not known";
inline constexpr std::string_view kErrBuildTagAndDigest =
    "Docker references with both a tag and digest are currently not supported";

inline constexpr size_t kNameTotalLengthMax = 255;  // domain + "/" + path, tag/digest excluded
inline constexpr size_t kTagLengthMax = 128;

// A parsed reference. After Parse() the domain may be empty ("ns/app" has domain "ns",
// "app" has none); the normalising parsers always fill it.
struct Reference {
  std::string domain;        // "docker.io", "quay.io", "localhost:5000"; case kept as typed
  std::string path;          // "library/nginx", "ns/app"
  std::string tag;           // "" = none
  Digest digest;             // the @sha256:… part
  // A valid sha384/sha512 digest ("sha512:<128 hex>"). podman accepts these in names;
  // kiln stores sha256 content only, so such a reference can never match a local image.
  std::string other_digest;

  bool has_digest() const { return !digest.empty() || !other_digest.empty(); }
  std::string DigestString() const { return digest.empty() ? other_digest : digest.str(); }
  // "domain/path" (Go's Named.Name()); podman's REPOSITORY column.
  std::string Repository() const;
  // Repository[:tag][@digest] — both when both are set, like Go's reference.String().
  std::string String() const;

  friend bool operator==(const Reference&, const Reference&) = default;
};

// ---- The distribution grammar ---------------------------------------------------------------
// reference.Parse: the grammar only, no normalisation (domain only if the first component
// is followed by "/" and is a valid domain — "ns/app" gives domain "ns").
Expected<Reference> Parse(std::string_view input);
// reference.ParseNormalizedNamed: the first component is a registry iff it contains "." or
// ":" or is "localhost"; otherwise "docker.io" is added, plus "library/" for one-component
// names; "index.docker.io" becomes "docker.io". No default tag.
Expected<Reference> ParseNormalizedNamed(std::string_view input);
// reference.ParseDockerRef: ParseNormalizedNamed, tag dropped when a digest is present,
// ":latest" when neither. "nginx:1.24-alpine" → docker.io/library/nginx:1.24-alpine.
Expected<Reference> ParseDockerRef(std::string_view input);
// Names to pull (no transport prefix; IDs and "sha256:" are the caller's): ParseDockerRef
// with podman pull's errors — grammar errors as they are ("repository name must be
// lowercase" for MyApp and quay.io/MyApp), a failing normalisation as
// `Invalid image name "Foo/bar", expected colon-separated transport:reference` or
// `Invalid image name "Foo/bar:1", unknown transport "Foo/bar"`.
Expected<Reference> ParseNormalizedPull(std::string_view input);
// shortnames.IsShortName: parses, and the parsed domain is not a registry (see above).
bool IsShortName(std::string_view input);

// ---- Names kiln creates -----------------------------------------------------------------------
// libimage.NormalizeName: a short name gets "localhost/" ("myapp" → localhost/myapp:latest,
// "ns/app" → localhost/ns/app:latest), registries stay, docker.io names are normalised,
// ":latest" if no tag and no digest, the tag is dropped if a digest is present.
// Errors: a grammar error is wrapped `normalizing name "<input>": <err>`; an error of the
// second (normalising) parse is not wrapped (e.g. "Foo/bar" → kErrNormalizedUppercase).
Expected<Reference> ParseNormalizedLocal(std::string_view input);
// Image.Tag (tag, import): as ParseNormalizedLocal, with podman's complete error line:
//   "sha256:…" or any digest     → "<input>: tag by digest not supported"
//   otherwise                    → `normalizing name "<input>": ` + ParseNormalizedLocal error
// e.g. `normalizing name "MyApp": normalizing name "MyApp": repository name must be lowercase`.
Expected<Reference> ParseTagTarget(std::string_view input);
// Image.Untag: as ParseTagTarget but "untag by digest not supported" only for "sha256:…"
// (podman lets other digested names through; they then fail with "tag not known").
Expected<Reference> ParseUntagTarget(std::string_view input);
// "<localhost/name:tag>: tag not known" for untag of a name the image does not have.
Status TagNotKnown(const Reference& normalized);
// buildah's check of every build -t value: "tag <input>: <ParseNormalizedNamed error>", or
// "tag <input>: Docker references with both a tag and digest are currently not supported".
Status ValidateBuildTag(std::string_view input);

// ---- Image IDs ------------------------------------------------------------------------------
// 64 lowercase hex: a full image ID (also accepted with a "sha256:" prefix, see ParseQuery).
bool IsFullId(std::string_view s);
// 1 to 64 lowercase hex: may be an image ID prefix (podman accepts even one digit, e.g.
// `podman rmi 5` when only one ID starts with 5). Tried after the name candidates.
bool IsIdPrefix(std::string_view s);

// ---- Looking up a local image (rmi, inspect, history, tag SRC, save, run…) --------------------
// registries.conf settings that shape short-name lookups; empty = none configured.
struct ShortNameConfig {
  // [aliases]: short name (no tag) → repository, e.g. {"busybox", "docker.io/library/busybox"}
  // (Debian ships /etc/containers/registries.conf.d/shortnames.conf with 60 of these).
  std::vector<std::pair<std::string, std::string>> aliases;
  std::vector<std::string> unqualified_search_registries;
};

// What libimage's LookupImage does, as a plan the store executes top to bottom; the first
// step that finds an image wins:
//  1. full_id set ("<64hex>" or "sha256:<64hex>"): that image ID, nothing else.
//  2. each of `candidates`, an exact compare with stored names, in order.
//  3. if try_id_prefix: `name` as an ID prefix that exactly one image ID starts with
//     (an ambiguous prefix just does not match).
//  4. scanning all images in store order (oldest first — podman keeps insertion order):
//     if manifest_digest is set, the first image one of whose manifest digests equals it
//     (the name part is ignored: "anything@sha256:<d>" finds the image whose manifest is d);
//     else if scan_names, the first image having a stored name n with NameMatches(n, query).
//  5. nothing: NotKnown() → "<name>: image not known".
struct ImageQuery {
  // The name in podman's messages: the input, minus the tag of "name:tag@digest".
  std::string name;
  std::string full_id;
  std::vector<std::string> candidates;
  bool try_id_prefix = false;
  Digest manifest_digest;
  bool scan_names = false;
  std::string scan_repository;  // for NameMatches: the short repository as typed, "ns/app"
  std::string scan_tag;         // its tag, "latest" if none
  bool bare_not_known = false;  // "containers-storage:…": podman then says only "image not known"

  Status NotKnown() const;
};

// Parses what a user typed to name a local image. Errors are podman's, unwrapped:
// grammar errors (kErrInvalidReferenceFormat, kErrNameContainsUppercase, kErrNameEmpty,
// digest errors), "<input>: invalid format: no 64-byte hexadecimal value",
// `unsupported transport "docker" for looking up local images`, and NotKnown() (code
// kNotFound) for names podman gives up on before looking (e.g. "Foo/bar", or a short name
// too long once "localhost/" is added).
// Candidate order for a short name: the alias, localhost/NAME, NAME on each unqualified-search
// registry, docker.io/library/NAME (":latest" added where no tag/digest). Note: with Debian's
// shortnames.conf, `busybox` finds docker.io/library/busybox before localhost/busybox.
Expected<ImageQuery> ParseQuery(std::string_view input, const ShortNameConfig& config = {});

// Step 4's name rule (libimage inRepoTags), per stored name (a normalised string such as
// "quay.io/example/demo:v2"); cheap, no allocation. True iff the stored tag equals the
// query's (default latest) and the stored repository is the query's repository or ends in
// "/" + it: "demo:v2" and "example/demo:v2" match quay.io/example/demo:v2, "mo:v2" does not,
// "demo" means demo:latest. Names stored by digest only have no tag and never match.
bool NameMatches(std::string_view stored_name, const ImageQuery& query);

// ---- images NAME (the "reference" filter) -----------------------------------------------------
// True iff the Go path.Match pattern matches one of: the stored name, its path, its last
// component with tag, and when tagged/digested also the repository, path+tag, last component
// without tag. "busybox", "library/busybox", "docker.io/library/busybox", "busybox:latest",
// "b*", "*/busybox" all select docker.io/library/busybox:latest; "c/deep" does not select
// quay.io/a/b/c/deep:2. podman then lists every name of a selected image.
bool MatchesImagesFilter(std::string_view stored_name, std::string_view pattern);
// Go's path.Match; a malformed pattern matches nothing (podman ignores the error).
bool GlobMatch(std::string_view pattern, std::string_view name);


}  // namespace kiln::image
