#include "image/reference.h"

#include "util/go_strconv.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>

namespace kiln::image {
namespace {

// ---- character classes ------------------------------------------------------------------------
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLowerAlnum(char c) { return IsLower(c) || IsDigit(c); }
bool IsAlnum(char c) { return IsLowerAlnum(c) || IsUpper(c); }
bool IsWord(char c) { return IsAlnum(c) || c == '_'; }  // RE2 \w
bool IsXDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsLowerHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f'); }

bool AllOf(std::string_view s, bool (*pred)(char)) { return std::all_of(s.begin(), s.end(), pred); }
bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// ---- the distribution grammar, one production per function ----------------------------------

// path-component := [a-z0-9]+ (?: (?:[._]|__|[-]*) [a-z0-9]+ )*
bool IsPathComponent(std::string_view s) {
  size_t i = 0;
  while (true) {
    if (i == s.size() || !IsLowerAlnum(s[i])) return false;
    while (i < s.size() && IsLowerAlnum(s[i])) ++i;
    if (i == s.size()) return true;
    if (s[i] == '.') {
      ++i;
    } else if (s[i] == '_') {
      i += (i + 1 < s.size() && s[i + 1] == '_') ? 2 : 1;
    } else if (s[i] == '-') {
      while (i < s.size() && s[i] == '-') ++i;
    } else {
      return false;
    }
  }
}

// domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
bool IsDomainComponent(std::string_view s) {
  if (s.empty() || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  return AllOf(s, [](char c) { return IsAlnum(c) || c == '-'; });
}

// domain := domain-component ('.' domain-component)* (':' [0-9]+)?
bool IsDomain(std::string_view s) {
  const size_t colon = s.find(':');
  if (colon != std::string_view::npos) {
    const std::string_view port = s.substr(colon + 1);
    if (port.empty() || !AllOf(port, IsDigit)) return false;
    s = s.substr(0, colon);
  }
  while (true) {
    const size_t dot = s.find('.');
    if (!IsDomainComponent(s.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    s = s.substr(dot + 1);
  }
}

// tag := [\w][\w.-]{0,127}
bool IsTag(std::string_view s) {
  if (s.empty() || s.size() > kTagLengthMax || !IsWord(s[0])) return false;
  return AllOf(s, [](char c) { return IsWord(c) || c == '.' || c == '-'; });
}

// digest := [A-Za-z][A-Za-z0-9]* (?:[-_+.][A-Za-z][A-Za-z0-9]*)* ':' [[:xdigit:]]{32,}
bool IsReferenceDigest(std::string_view s) {
  const size_t colon = s.find(':');
  if (colon == std::string_view::npos) return false;
  const std::string_view algorithm = s.substr(0, colon), hex = s.substr(colon + 1);
  if (hex.size() < 32 || !AllOf(hex, IsXDigit)) return false;
  bool need_letter = true;
  for (char c : algorithm) {
    if (need_letter) {
      if (!IsLower(c) && !IsUpper(c)) return false;
      need_letter = false;
    } else if (c == '-' || c == '_' || c == '+' || c == '.') {
      need_letter = true;
    } else if (!IsAlnum(c)) {
      return false;
    }
  }
  return !need_letter;
}

// The pieces of a string matched by ReferenceRegexp = ^(name)(?::(tag))?(?:@(digest))?$,
// with name split as anchoredNameRegexp does (the optional domain group is greedy).
struct Pieces {
  std::string_view domain, path, name, tag, digest;
};

// name := (domain '/')? path-component ('/' path-component)*
std::optional<Pieces> MatchName(std::string_view name) {
  const size_t slash = name.find('/');
  auto all_path_components = [](std::string_view s) {
    while (true) {
      const size_t next = s.find('/');
      if (!IsPathComponent(s.substr(0, next))) return false;
      if (next == std::string_view::npos) return true;
      s = s.substr(next + 1);
    }
  };
  if (slash != std::string_view::npos && IsDomain(name.substr(0, slash)) &&
      all_path_components(name.substr(slash + 1))) {
    return Pieces{name.substr(0, slash), name.substr(slash + 1), name, {}, {}};
  }
  if (all_path_components(name)) return Pieces{{}, name, name, {}, {}};
  return std::nullopt;
}

// A ':' after the last '/' can only start the tag (a ':' in the name belongs to a domain's
// port, which is always followed by '/'); '@' can only start the digest.
std::optional<Pieces> MatchReference(std::string_view s) {
  std::string_view digest;
  const size_t at = s.find('@');
  if (at != std::string_view::npos) {
    digest = s.substr(at + 1);
    if (!IsReferenceDigest(digest)) return std::nullopt;
    s = s.substr(0, at);
  }
  std::string_view tag;
  const size_t last_slash = s.rfind('/');
  const size_t colon = s.find(':', last_slash == std::string_view::npos ? 0 : last_slash + 1);
  if (colon != std::string_view::npos) {
    tag = s.substr(colon + 1);
    if (!IsTag(tag)) return std::nullopt;
    s = s.substr(0, colon);
  }
  auto pieces = MatchName(s);
  if (!pieces) return std::nullopt;
  pieces->tag = tag;
  pieces->digest = digest;
  return pieces;
}

// ---- case folding as Go's strings.ToLower sees it -------------------------------------------

// Decodes one UTF-8 sequence at s[i]; returns {code point, length}, {-1, 1} if invalid.
std::pair<int32_t, size_t> DecodeRune(std::string_view s, size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return {b0, 1};
  const size_t len = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC2 ? 2 : 0;
  if (len == 0 || b0 > 0xF4 || i + len > s.size()) return {-1, 1};
  int32_t r = b0 & (0x7F >> len);
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return {-1, 1};
    r = (r << 6) | (b & 0x3F);
  }
  const bool overlong = (len == 3 && r < 0x800) || (len == 4 && r < 0x10000);
  if (overlong || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) return {-1, 1};
  return {r, len};
}

constexpr int32_t kKelvinSign = 0x212A;  // strings.ToLower turns it into ASCII 'k'

// ToLower as far as the grammar can tell: ASCII letters, and the Kelvin sign (the one
// non-ASCII character whose lower case is ASCII). Other non-ASCII stays non-ASCII and fails
// the grammar either way.
std::string LowerForGrammar(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const auto [rune, len] = DecodeRune(s, i);
    if (rune == kKelvinSign) {
      out += 'k';
    } else if (len == 1 && IsUpper(s[i])) {
      out += static_cast<char>(s[i] - 'A' + 'a');
    } else {
      out.append(s.substr(i, len));
    }
    i += len;
  }
  return out;
}

// Whether strings.ToLower(s) != s. Exact for ASCII and invalid UTF-8 (which ToLower replaces
// by U+FFFD); for other scripts it knows Latin-1, Latin Extended-A, Greek and Cyrillic
// capitals — a name with other non-ASCII letters is rejected either way, only the message
// may then read "invalid reference format" instead of "...must be lowercase".
bool IsUnicodeUpper(int32_t r) {
  if (r == kKelvinSign || r == 0x212B) return true;  // Kelvin, Angstrom signs
  if (r >= 0xC0 && r <= 0xDE) return r != 0xD7;
  if (r >= 0x100 && r <= 0x137) return r % 2 == 0;
  if (r >= 0x139 && r <= 0x148) return r % 2 == 1;
  if (r >= 0x14A && r <= 0x177) return r % 2 == 0;
  if (r == 0x178 || r == 0x179 || r == 0x17B || r == 0x17D) return true;
  if (r >= 0x391 && r <= 0x3AB) return r != 0x3A2;
  return r >= 0x400 && r <= 0x42F;
}

bool ChangesWhenLowered(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto [rune, len] = DecodeRune(s, i);
    if (rune < 0 || IsUpper(s[i]) || IsUnicodeUpper(rune)) return true;
    i += len;
  }
  return false;
}

// ---- digests (go-digest v1.0.0 Digest.Validate) -------------------------------------------

struct KnownAlgorithm {
  std::string_view name;
  size_t hex_length;
};
constexpr std::array<KnownAlgorithm, 3> kAlgorithms{{{"sha256", 64}, {"sha384", 96}, {"sha512", 128}}};

// `text` already matched the reference grammar's digest production.
Status ValidateDigestInto(std::string_view text, Reference& ref) {
  const size_t colon = text.find(':');
  const std::string_view algorithm = text.substr(0, colon), hex = text.substr(colon + 1);
  const auto known = std::find_if(kAlgorithms.begin(), kAlgorithms.end(),
                                  [&](const KnownAlgorithm& a) { return a.name == algorithm; });
  if (known == kAlgorithms.end()) {
    // go-digest's own pattern wants a lowercase algorithm before it says "unsupported".
    const bool has_upper = std::any_of(algorithm.begin(), algorithm.end(), IsUpper);
    return InvalidArgument(std::string(has_upper ? kErrDigestInvalidFormat : kErrDigestUnsupported));
  }
  if (hex.size() != known->hex_length) return InvalidArgument(std::string(kErrDigestInvalidLength));
  if (!AllOf(hex, IsLowerHex)) return InvalidArgument(std::string(kErrDigestInvalidFormat));
  if (known->name == "sha256") {
    ref.digest = *Digest::FromHex(hex);
  } else {
    ref.other_digest = std::string(text);
  }
  return Status::Ok();
}

// ---- building blocks of the normalising parsers ---------------------------------------------

constexpr std::string_view kDefaultDomain = "docker.io";
constexpr std::string_view kLegacyDefaultDomain = "index.docker.io";
constexpr std::string_view kOfficialRepoName = "library";
constexpr std::string_view kDefaultTag = "latest";
constexpr std::string_view kLocalhost = "localhost";

bool ContainsAny(std::string_view s, std::string_view chars) {
  return s.find_first_of(chars) != std::string_view::npos;
}

// The registry heuristic shared by podman's short-name logic and docker's normalisation.
bool LooksLikeRegistry(std::string_view component) {
  return ContainsAny(component, ".:") || component == kLocalhost;
}

// reference.splitDockerDomain, returned joined again as "domain/remainder" together with
// where the remainder starts.
struct DockerName {
  std::string joined;
  size_t remainder_start = 0;
  std::string_view remainder() const { return std::string_view(joined).substr(remainder_start); }
};

DockerName SplitDockerDomain(std::string_view name) {
  const size_t slash = name.find('/');
  std::string_view domain = kDefaultDomain, remainder = name;
  if (slash != std::string_view::npos && LooksLikeRegistry(name.substr(0, slash))) {
    domain = name.substr(0, slash);
    remainder = name.substr(slash + 1);
  }
  if (domain == kLegacyDefaultDomain) domain = kDefaultDomain;
  DockerName out{std::string(domain) + "/"};
  if (domain == kDefaultDomain && remainder.find('/') == std::string_view::npos) {
    out.joined += kOfficialRepoName;
    out.joined += '/';
  }
  out.remainder_start = out.joined.size();
  out.joined += remainder;
  return out;
}

void AddDefaultTag(Reference& ref) {  // reference.TagNameOnly
  if (ref.tag.empty() && !ref.has_digest()) ref.tag = kDefaultTag;
}

void DropTagIfDigested(Reference& ref) {  // normalizeTaggedDigestedNamed / ParseDockerRef
  if (ref.has_digest()) ref.tag.clear();
}

bool IsShort(const Reference& parsed) { return !LooksLikeRegistry(parsed.domain); }

Status WithContext(const Status& status, std::string_view input) {
  return Status(status.code(), "normalizing name " + Quote(input) + ": " + status.message());
}

std::string Joined(std::string_view a, std::string_view b) {
  std::string out(a);
  out += b;
  return out;
}

}  // namespace

// ---- Reference --------------------------------------------------------------------------------

std::string Reference::Repository() const {
  if (domain.empty()) return path;
  return domain + "/" + path;
}

std::string Reference::String() const {
  std::string out = Repository();
  if (!tag.empty()) out += ":" + tag;
  if (has_digest()) out += "@" + DigestString();
  return out;
}

// ---- grammar ----------------------------------------------------------------------------------

Expected<Reference> Parse(std::string_view input) {
  const auto pieces = MatchReference(input);
  if (!pieces) {
    if (input.empty()) return InvalidArgument(std::string(kErrNameEmpty));
    if (MatchReference(LowerForGrammar(input))) return InvalidArgument(std::string(kErrNameContainsUppercase));
    return InvalidArgument(std::string(kErrInvalidReferenceFormat));
  }
  if (pieces->name.size() > kNameTotalLengthMax) return InvalidArgument(std::string(kErrNameTooLong));
  Reference ref{std::string(pieces->domain), std::string(pieces->path), std::string(pieces->tag), {}, {}};
  if (!pieces->digest.empty()) RETURN_IF_ERROR(ValidateDigestInto(pieces->digest, ref));
  return ref;
}

Expected<Reference> ParseNormalizedNamed(std::string_view input) {
  if (IsFullId(input)) {
    return InvalidArgument("invalid repository name (" + std::string(input) +
                           "), cannot specify 64-byte hexadecimal strings");
  }
  const DockerName split = SplitDockerDomain(input);
  const std::string_view remainder = split.remainder();
  if (ChangesWhenLowered(remainder.substr(0, remainder.find(':')))) {
    return InvalidArgument(std::string(kErrNormalizedUppercase));
  }
  return Parse(split.joined);
}

Expected<Reference> ParseDockerRef(std::string_view input) {
  ASSIGN_OR_RETURN(Reference ref, ParseNormalizedNamed(input));
  DropTagIfDigested(ref);
  AddDefaultTag(ref);
  return ref;
}

// libimage's Pull for a name without transport: the grammar first (its errors as they are),
// then docker.io normalisation, whose failure podman reports as alltransports' complaint.
Expected<Reference> ParseNormalizedPull(std::string_view input) {
  ASSIGN_OR_RETURN(Reference typed, Parse(input));
  DropTagIfDigested(typed);
  auto ref = ParseDockerRef(typed.String());
  if (ref.ok()) return ref;
  const std::string quoted = "Invalid image name \"" + std::string(input) + "\", ";
  const size_t colon = input.find(':');
  if (colon == std::string_view::npos) return InvalidArgument(quoted + "expected colon-separated transport:reference");
  return InvalidArgument(quoted + "unknown transport \"" + std::string(input.substr(0, colon)) + "\"");
}

bool IsShortName(std::string_view input) {
  const auto parsed = Parse(input);
  return parsed.ok() && IsShort(*parsed);
}

// ---- names kiln creates -----------------------------------------------------------------------

Expected<Reference> ParseNormalizedLocal(std::string_view input) {
  auto parsed = Parse(input);
  if (!parsed.ok()) return WithContext(parsed.status(), input);
  std::string name(input);
  if (IsShort(*parsed)) name = Joined("localhost/", parsed->String());
  ASSIGN_OR_RETURN(Reference ref, ParseNormalizedNamed(name));
  DropTagIfDigested(ref);
  AddDefaultTag(ref);
  return ref;
}

Expected<Reference> ParseTagTarget(std::string_view input) {
  const Status by_digest = InvalidArgument(Joined(input, Joined(": ", kErrTagByDigest)));
  if (StartsWith(input, "sha256:")) return by_digest;  // podman: "ambiguous input"
  auto ref = ParseNormalizedLocal(input);
  if (!ref.ok()) return WithContext(ref.status(), input);
  if (ref->has_digest()) return by_digest;
  return ref;
}

Expected<Reference> ParseUntagTarget(std::string_view input) {
  if (StartsWith(input, "sha256:")) return InvalidArgument(Joined(input, Joined(": ", kErrUntagByDigest)));
  auto ref = ParseNormalizedLocal(input);
  if (!ref.ok()) return WithContext(ref.status(), input);
  return ref;
}

Status TagNotKnown(const Reference& normalized) {
  return NotFound(normalized.String() + ": " + std::string(kErrTagNotKnown));
}

Status ValidateBuildTag(std::string_view input) {
  const std::string context = Joined("tag ", Joined(input, ": "));
  const auto ref = ParseNormalizedNamed(input);
  if (!ref.ok()) return Status(ref.status().code(), context + ref.status().message());
  if (!ref->tag.empty() && ref->has_digest()) return InvalidArgument(Joined(context, kErrBuildTagAndDigest));
  return Status::Ok();
}

// ---- IDs --------------------------------------------------------------------------------------

bool IsFullId(std::string_view s) { return s.size() == 64 && AllOf(s, IsLowerHex); }

bool IsIdPrefix(std::string_view s) { return !s.empty() && s.size() <= 64 && AllOf(s, IsLowerHex); }

// ---- local lookup -----------------------------------------------------------------------------

Status ImageQuery::NotKnown() const {
  if (bare_not_known) return NotFound(std::string(kErrImageUnknown));
  return NotFound(name + ": " + std::string(kErrImageUnknown));
}

namespace {

Status UnsupportedTransport(std::string_view transport) {
  return InvalidArgument("unsupported transport \"" + std::string(transport) +
                         "\" for looking up local images");
}

// alltransports.ParseImageName for the transports podman 4.3.1 registers: whether `input`
// is "<transport>:<reference that transport accepts>". Returns the transport name.
// (tarball: needs an existing file and ostree: is not built in: both fall through.)
std::optional<std::string_view> TransportOf(std::string_view input) {
  const size_t colon = input.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view transport = input.substr(0, colon), rest = input.substr(colon + 1);
  if (transport == "dir" || transport == "oci" || transport == "oci-archive" || transport == "sif") {
    return transport;
  }
  if (transport == "docker-archive" && !rest.empty()) return transport;
  if (transport == "docker" && StartsWith(rest, "//")) {
    const auto ref = ParseNormalizedNamed(rest.substr(2));
    if (ref.ok() && !(ref->has_digest() && !ref->tag.empty())) return transport;
  }
  if (transport == "docker-daemon") {
    if (StartsWith(rest, "sha256:") && IsFullId(rest.substr(7))) return transport;
    // Exactly one of tag and digest; the repository "sha256" is reserved for digests.
    const auto ref = ParseNormalizedNamed(rest);
    const bool reserved = ref.ok() && ref->domain == kDefaultDomain && ref->path == "library/sha256";
    if (ref.ok() && !reserved && (ref->has_digest() != !ref->tag.empty())) return transport;
  }
  if (transport == "containers-storage" && !rest.empty()) return transport;
  return std::nullopt;
}

// "containers-storage:[store]NAME|ID" — a simplified storage-transport lookup: an exact
// normalised name, or an ID / ID prefix of at least 3 digits; misses say "image not known".
std::optional<ImageQuery> StorageTransportQuery(std::string_view rest) {
  if (!rest.empty() && rest[0] == '[') {
    const size_t close = rest.find(']');
    if (close == std::string_view::npos || close < 1) return std::nullopt;
    rest = rest.substr(close + 1);
  }
  ImageQuery query;
  query.bare_not_known = true;
  query.name = std::string(rest);
  if (IsFullId(rest)) {
    query.full_id = query.name;
    return query;
  }
  query.try_id_prefix = rest.size() >= 3 && IsIdPrefix(rest);
  if (auto ref = ParseNormalizedNamed(rest); ref.ok()) {
    AddDefaultTag(*ref);
    query.candidates.push_back(ref->String());
  } else if (!query.try_id_prefix) {
    return std::nullopt;
  }
  return query;
}

// LookupImage's first steps: drop the tag of "name:tag@digest", then IDs.
Expected<std::string> StripTagOfDigested(std::string_view input, Reference* parsed) {
  ASSIGN_OR_RETURN(*parsed, Parse(input));
  if (parsed->tag.empty() || !parsed->has_digest()) return std::string(input);
  parsed->tag.clear();
  return parsed->String();
}

void AddCandidate(ImageQuery& query, const Reference& ref) {
  std::string name = ref.String();
  if (std::find(query.candidates.begin(), query.candidates.end(), name) == query.candidates.end()) {
    query.candidates.push_back(std::move(name));
  }
}

// A short name on `registry` (shortnames.ResolveLocally's completeCandidates).
Status AddRegistryCandidate(ImageQuery& query, std::string_view registry) {
  auto ref = ParseNormalizedNamed(Joined(registry, Joined("/", query.name)));
  if (!ref.ok()) return query.NotKnown();
  AddDefaultTag(*ref);
  AddCandidate(query, *ref);
  return Status::Ok();
}

// The [aliases] entry of a short name keeps the typed tag/digest.
Status AddAliasCandidate(ImageQuery& query, const Reference& typed, const ShortNameConfig& config) {
  Reference bare = typed;
  bare.tag.clear();
  bare.digest = {};
  bare.other_digest.clear();
  const std::string key = bare.String();
  for (const auto& [alias, target] : config.aliases) {
    if (alias != key) continue;
    auto ref = ParseNormalizedNamed(target);
    if (!ref.ok()) return query.NotKnown();
    ref->tag = typed.tag;
    ref->digest = typed.digest;
    ref->other_digest = typed.other_digest;
    AddDefaultTag(*ref);
    AddCandidate(query, *ref);
    return Status::Ok();
  }
  return Status::Ok();
}

Status AddNameCandidates(ImageQuery& query, const Reference& typed, const ShortNameConfig& config) {
  if (!IsShort(typed)) {
    auto ref = ParseNormalizedNamed(query.name);
    if (!ref.ok()) return query.NotKnown();
    AddDefaultTag(*ref);
    AddCandidate(query, *ref);
  } else {
    RETURN_IF_ERROR(AddAliasCandidate(query, typed, config));
    RETURN_IF_ERROR(AddRegistryCandidate(query, kLocalhost));
    for (const auto& registry : config.unqualified_search_registries) {
      RETURN_IF_ERROR(AddRegistryCandidate(query, registry));
    }
  }
  if (auto docker = ParseDockerRef(query.name); docker.ok()) AddCandidate(query, *docker);
  return Status::Ok();
}

void SetUpScan(ImageQuery& query, const Reference& typed) {
  if (typed.has_digest()) {
    query.manifest_digest = typed.digest;  // empty for sha384/sha512: nothing can match
    return;
  }
  if (!IsShort(typed)) return;
  query.scan_names = true;
  query.scan_repository = typed.Repository();
  query.scan_tag = typed.tag.empty() ? std::string(kDefaultTag) : typed.tag;
}

}  // namespace

Expected<ImageQuery> ParseQuery(std::string_view input, const ShortNameConfig& config) {
  if (const auto transport = TransportOf(input)) {
    if (*transport != "containers-storage") return UnsupportedTransport(*transport);
    if (auto query = StorageTransportQuery(input.substr(input.find(':') + 1))) return *query;
  }
  Reference typed;
  ImageQuery query;
  ASSIGN_OR_RETURN(query.name, StripTagOfDigested(input, &typed));
  if (StartsWith(query.name, "sha256:")) {
    const std::string_view hex = std::string_view(query.name).substr(7);
    if (!IsFullId(hex)) return InvalidArgument(query.name + ": " + std::string(kErrNoHexValue));
    query.full_id = std::string(hex);
    return query;
  }
  if (IsFullId(query.name)) {
    query.full_id = query.name;
    return query;
  }
  RETURN_IF_ERROR(AddNameCandidates(query, typed, config));
  query.try_id_prefix = IsIdPrefix(query.name);
  SetUpScan(query, typed);
  return query;
}

bool NameMatches(std::string_view stored_name, const ImageQuery& query) {
  if (!query.scan_names) return false;
  std::string_view repository = stored_name.substr(0, stored_name.find('@'));
  const size_t last_slash = repository.rfind('/');
  const size_t colon = repository.find(':', last_slash == std::string_view::npos ? 0 : last_slash + 1);
  if (colon == std::string_view::npos) return false;  // no tag ("<none>")
  if (repository.substr(colon + 1) != query.scan_tag) return false;
  repository = repository.substr(0, colon);
  const std::string_view wanted = query.scan_repository;
  if (repository.size() < wanted.size() || repository.substr(repository.size() - wanted.size()) != wanted) {
    return false;
  }
  return repository.size() == wanted.size() || repository[repository.size() - wanted.size() - 1] == '/';
}

// ---- images NAME ------------------------------------------------------------------------------

bool MatchesImagesFilter(std::string_view stored_name, std::string_view pattern) {
  const auto ref = Parse(stored_name);
  if (!ref.ok()) return false;
  const std::string full = ref->String();
  auto after_last_slash = [](std::string_view s) { return s.substr(s.rfind('/') + 1); };
  std::vector<std::string> candidates{full, ref->path, std::string(after_last_slash(full))};
  const std::string repository = ref->Repository();
  if (full != repository) {
    const std::string tag_or_digest = full.substr(repository.size());
    candidates.push_back(repository);
    candidates.push_back(ref->path + tag_or_digest);
    candidates.emplace_back(after_last_slash(repository));
  }
  return std::any_of(candidates.begin(), candidates.end(),
                     [&](const std::string& candidate) { return GlobMatch(pattern, candidate); });
}

// ---- Go's path.Match ---------------------------------------------------------------------------
namespace {

struct GlobError {};  // path.ErrBadPattern, carried as a flag

// scanChunk: an optional run of '*' then the text up to the next '*' outside a class.
struct Chunk {
  bool star = false;
  std::string_view text, rest;
};

Chunk ScanChunk(std::string_view pattern) {
  Chunk chunk;
  while (!pattern.empty() && pattern[0] == '*') {
    pattern.remove_prefix(1);
    chunk.star = true;
  }
  bool in_range = false;
  size_t i = 0;
  for (; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\') {
      if (i + 1 < pattern.size()) ++i;
    } else if (c == '[') {
      in_range = true;
    } else if (c == ']') {
      in_range = false;
    } else if (c == '*' && !in_range) {
      break;
    }
  }
  chunk.text = pattern.substr(0, i);
  chunk.rest = pattern.substr(i);
  return chunk;
}

// Go's utf8.DecodeRuneInString: U+FFFD and width 1 for a bad byte.
std::pair<int32_t, size_t> DecodeGoRune(std::string_view s) {
  auto [rune, len] = DecodeRune(s, 0);
  return {rune < 0 ? 0xFFFD : rune, len};
}

// getEsc: one possibly escaped character of a class; false on a malformed class.
bool GetEscaped(std::string_view& chunk, int32_t& rune) {
  if (chunk.empty() || chunk[0] == '-' || chunk[0] == ']') return false;
  if (chunk[0] == '\\') {
    chunk.remove_prefix(1);
    if (chunk.empty()) return false;
  }
  const auto [r, n] = DecodeRune(chunk, 0);
  rune = r;
  chunk.remove_prefix(n);
  return r >= 0 && !chunk.empty();
}

// One [...] class at the start of `chunk` (after '['); sets `matched` for rune r.
bool MatchClass(std::string_view& chunk, int32_t r, bool& matched) {
  const bool negated = !chunk.empty() && chunk[0] == '^';
  if (negated) chunk.remove_prefix(1);
  bool in_class = false;
  for (int ranges = 0;; ++ranges) {
    if (!chunk.empty() && chunk[0] == ']' && ranges > 0) {
      chunk.remove_prefix(1);
      break;
    }
    int32_t lo = 0, hi = 0;
    if (!GetEscaped(chunk, lo)) return false;
    hi = lo;
    if (chunk[0] == '-') {
      chunk.remove_prefix(1);
      if (!GetEscaped(chunk, hi)) return false;
    }
    if (lo <= r && r <= hi) in_class = true;
  }
  matched = in_class != negated;
  return true;
}

// matchChunk: whether `chunk` matches a prefix of s; the rest of s in `rest`.
// Keeps checking the pattern's syntax after a mismatch, as Go does.
bool MatchChunk(std::string_view chunk, std::string_view s, std::string_view& rest, bool& bad) {
  bool failed = false;
  while (!chunk.empty()) {
    if (!failed && s.empty()) failed = true;
    const char c = chunk[0];
    if (c == '[') {
      int32_t r = 0;
      if (!failed) {
        const auto [rune, n] = DecodeGoRune(s);
        r = rune;
        s.remove_prefix(n);
      }
      chunk.remove_prefix(1);
      bool matched = false;
      if (!MatchClass(chunk, r, matched)) return bad = true, false;
      if (!matched) failed = true;
      continue;
    }
    if (c == '?') {
      if (!failed) {
        if (s[0] == '/') failed = true;
        s.remove_prefix(DecodeGoRune(s).second);
      }
      chunk.remove_prefix(1);
      continue;
    }
    if (c == '\\') {
      chunk.remove_prefix(1);
      if (chunk.empty()) return bad = true, false;
    }
    if (!failed) {
      if (chunk[0] != s[0]) failed = true;
      s.remove_prefix(1);
    }
    chunk.remove_prefix(1);
  }
  if (failed) return false;
  rest = s;
  return true;
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view name) {
  bool bad = false;
  while (!pattern.empty()) {
    const Chunk chunk = ScanChunk(pattern);
    pattern = chunk.rest;
    if (chunk.star && chunk.text.empty()) return name.find('/') == std::string_view::npos;
    std::string_view rest;
    if (MatchChunk(chunk.text, name, rest, bad) && (rest.empty() || !pattern.empty())) {
      name = rest;
      continue;
    }
    if (bad) return false;
    bool advanced = false;
    if (chunk.star) {
      for (size_t i = 0; i < name.size() && name[i] != '/'; ++i) {
        if (MatchChunk(chunk.text, name.substr(i + 1), rest, bad)) {
          if (pattern.empty() && !rest.empty()) continue;
          name = rest;
          advanced = true;
          break;
        }
        if (bad) return false;
      }
    }
    if (!advanced) return false;  // (Go then only validates the rest of the pattern)
  }
  return name.empty();
}

}  // namespace kiln::image
