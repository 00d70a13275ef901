#include "security/version.h"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace kiln::security {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAlnum(char c) { return IsDigit(c) || IsAlpha(c); }
int Sign(int v) { return v < 0 ? -1 : v > 0 ? 1 : 0; }

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Compares two digit runs by value, without overflow: leading zeros dropped, then the
// longer run is larger, then the first differing digit decides.
int CompareDigitRuns(std::string_view a, std::string_view b) {
  while (!a.empty() && a.front() == '0') a.remove_prefix(1);
  while (!b.empty() && b.front() == '0') b.remove_prefix(1);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return Sign(a.compare(b));
}

std::string_view TakeWhile(std::string_view& s, bool (*pred)(char)) {
  size_t n = 0;
  while (n < s.size() && pred(s[n])) ++n;
  std::string_view run = s.substr(0, n);
  s.remove_prefix(n);
  return run;
}

// ---------------------------------------------------------------- dpkg

// Debian policy 5.6.12: in the non-digit part letters sort before non-letters, '~' before
// everything, even the end of the part.
int DpkgOrder(int c) {
  if (c == 0 || IsDigit(static_cast<char>(c))) return 0;
  if (IsAlpha(static_cast<char>(c))) return c;
  if (c == '~') return -1;
  return c + 256;
}

int DpkgCompareParts(std::string_view a, std::string_view b) {
  auto at = [](std::string_view s) { return s.empty() ? 0 : static_cast<unsigned char>(s.front()); };
  while (!a.empty() || !b.empty()) {
    while ((!a.empty() && !IsDigit(a.front())) || (!b.empty() && !IsDigit(b.front()))) {
      int ac = DpkgOrder(at(a)), bc = DpkgOrder(at(b));
      if (ac != bc) return Sign(ac - bc);
      if (!a.empty()) a.remove_prefix(1);
      if (!b.empty()) b.remove_prefix(1);
    }
    int c = CompareDigitRuns(TakeWhile(a, IsDigit), TakeWhile(b, IsDigit));
    if (c != 0) return c;
  }
  return 0;
}

// The lenient split dpkg uses when comparing: epoch before the first ':', revision after
// the last '-'.
DpkgVersion SplitDpkg(std::string_view s) {
  DpkgVersion v;
  s = TrimBlanks(s);
  size_t colon = s.find(':');
  if (colon != std::string_view::npos) {
    uint64_t e = 0;
    for (char c : s.substr(0, colon)) e = IsDigit(c) ? std::min<uint64_t>(e * 10 + (c - '0'), UINT32_MAX) : e;
    v.epoch = static_cast<uint32_t>(e);
    s.remove_prefix(colon + 1);
  }
  size_t dash = s.rfind('-');
  if (dash != std::string_view::npos) {
    v.revision = std::string(s.substr(dash + 1));
    s = s.substr(0, dash);
  }
  v.upstream = std::string(s);
  return v;
}

// ---------------------------------------------------------------- apk

// apk's version grammar, token by token: digits separated by '.', one letter, suffixes
// ('_alpha' ... '_p' with an optional number), '~hash', '-rN'.
enum class ApkToken { kInvalid, kDigitOrZero, kDigit, kLetter, kSuffix, kSuffixNo, kRevisionNo, kEnd };

constexpr const char* kApkPreSuffixes[] = {"alpha", "beta", "pre", "rc"};
constexpr const char* kApkPostSuffixes[] = {"cvs", "svn", "git", "hg", "p"};

struct ApkCursor {
  std::string_view rest;
  ApkToken type = ApkToken::kDigit;
};

// Moves past the separator to the next token and classifies it.
void ApkNextToken(ApkCursor& c) {
  ApkToken n = ApkToken::kInvalid;
  const ApkToken prev = c.type;
  if (c.rest.empty()) {
    n = ApkToken::kEnd;
  } else if ((prev == ApkToken::kDigit || prev == ApkToken::kDigitOrZero) && std::islower(static_cast<unsigned char>(c.rest[0]))) {
    n = ApkToken::kLetter;
  } else if (prev == ApkToken::kLetter && IsDigit(c.rest[0])) {
    n = ApkToken::kDigit;
  } else if (prev == ApkToken::kSuffix && IsDigit(c.rest[0])) {
    n = ApkToken::kSuffixNo;
  } else {
    switch (c.rest[0]) {
      case '.': n = ApkToken::kDigitOrZero; break;
      case '_': n = ApkToken::kSuffix; break;
      case '-':
        if (c.rest.size() > 1 && c.rest[1] == 'r') {
          n = ApkToken::kRevisionNo;
          c.rest.remove_prefix(1);
        }
        break;
      default: break;
    }
    c.rest.remove_prefix(1);
  }
  // Tokens come in grammar order; going back is only allowed for the repeatable parts.
  if (n < prev) {
    bool allowed = (n == ApkToken::kDigitOrZero && prev == ApkToken::kDigit) ||
                   (n == ApkToken::kSuffix && prev == ApkToken::kSuffixNo) ||
                   (n == ApkToken::kDigit && prev == ApkToken::kLetter);
    if (!allowed) n = ApkToken::kInvalid;
  }
  c.type = n;
}

// Reads the value of the current token and advances to the next one.
int64_t ApkGetToken(ApkCursor& c) {
  if (c.rest.empty()) {
    c.type = ApkToken::kEnd;
    return 0;
  }
  int64_t v = 0;
  size_t i = 0;
  bool next_is_digit = false;
  switch (c.type) {
    case ApkToken::kDigitOrZero:
      // A component with leading zeros ("1.02") compares as a fraction: more zeros, smaller.
      if (c.rest[0] == '0') {
        while (i < c.rest.size() && c.rest[i] == '0') ++i;
        v = -static_cast<int64_t>(i);
        next_is_digit = true;
        break;
      }
      [[fallthrough]];
    case ApkToken::kDigit:
    case ApkToken::kSuffixNo:
    case ApkToken::kRevisionNo:
      while (i < c.rest.size() && IsDigit(c.rest[i]) && v < (INT64_MAX - 9) / 10) v = v * 10 + (c.rest[i++] - '0');
      while (i < c.rest.size() && IsDigit(c.rest[i])) ++i;
      break;
    case ApkToken::kLetter:
      v = static_cast<unsigned char>(c.rest[i++]);
      break;
    case ApkToken::kSuffix: {
      bool found = false;
      for (size_t k = 0; k < std::size(kApkPreSuffixes) && !found; ++k) {
        std::string_view s = kApkPreSuffixes[k];
        if (c.rest.substr(0, s.size()) == s) {
          v = static_cast<int64_t>(k) - static_cast<int64_t>(std::size(kApkPreSuffixes));
          i = s.size();
          found = true;
        }
      }
      for (size_t k = 0; k < std::size(kApkPostSuffixes) && !found; ++k) {
        std::string_view s = kApkPostSuffixes[k];
        if (c.rest.substr(0, s.size()) == s) {
          v = static_cast<int64_t>(k);
          i = s.size();
          found = true;
        }
      }
      if (found) break;
      c.type = ApkToken::kInvalid;
      return -1;
    }
    default:
      c.type = ApkToken::kInvalid;
      return -1;
  }
  c.rest.remove_prefix(i);
  if (c.rest.empty())
    c.type = ApkToken::kEnd;
  else if (next_is_digit)
    c.type = ApkToken::kDigit;
  else
    ApkNextToken(c);
  return v;
}

// ---------------------------------------------------------------- PEP 440

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool ParseUint(std::string_view digits, uint64_t& out) {
  if (digits.empty() || digits.size() > 19) return false;
  out = 0;
  for (char c : digits) out = out * 10 + (c - '0');
  return true;
}

bool SkipSeparator(std::string_view& s) {
  if (!s.empty() && (s[0] == '.' || s[0] == '-' || s[0] == '_')) {
    s.remove_prefix(1);
    return true;
  }
  return false;
}

// Matches one of the spellings (longest first) at the start of s, case-insensitively.
bool TakeWord(std::string_view& s, std::initializer_list<std::string_view> words) {
  std::string lower = Lower(s.substr(0, 8));
  for (auto w : words)
    if (std::string_view(lower).substr(0, w.size()) == w) {
      s.remove_prefix(w.size());
      return true;
    }
  return false;
}

// An optional separator, then digits (implicitly 0 when absent).
uint64_t TakeImplicitNumber(std::string_view& s) {
  std::string_view probe = s;
  SkipSeparator(probe);
  std::string_view digits = TakeWhile(probe, IsDigit);
  uint64_t n = 0;
  if (!digits.empty() && ParseUint(digits, n)) s = probe;
  return n;
}

bool ParsePreRelease(std::string_view& s, Pep440Version& v) {
  std::string_view probe = s;
  SkipSeparator(probe);
  char kind = 0;
  if (TakeWord(probe, {"alpha", "a"}))
    kind = 'a';
  else if (TakeWord(probe, {"beta", "b"}))
    kind = 'b';
  else if (TakeWord(probe, {"preview", "pre", "rc", "c"}))
    kind = 'c';
  if (!kind) return false;
  v.pre = std::make_pair(kind, TakeImplicitNumber(probe));
  s = probe;
  return true;
}

bool ParsePostRelease(std::string_view& s, Pep440Version& v) {
  std::string_view probe = s;
  // "1.0-5" is an implicit post release.
  if (!probe.empty() && probe[0] == '-' && probe.size() > 1 && IsDigit(probe[1])) {
    probe.remove_prefix(1);
    uint64_t n = 0;
    if (!ParseUint(TakeWhile(probe, IsDigit), n)) return false;
    v.post = n;
    s = probe;
    return true;
  }
  SkipSeparator(probe);
  if (!TakeWord(probe, {"post", "rev", "r"})) return false;
  v.post = TakeImplicitNumber(probe);
  s = probe;
  return true;
}

bool ParseDevRelease(std::string_view& s, Pep440Version& v) {
  std::string_view probe = s;
  SkipSeparator(probe);
  if (!TakeWord(probe, {"dev"})) return false;
  v.dev = TakeImplicitNumber(probe);
  s = probe;
  return true;
}

bool ParseLocal(std::string_view s, Pep440Version& v) {
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i < s.size() && IsAlnum(s[i])) continue;
    if (i < s.size() && s[i] != '.' && s[i] != '-' && s[i] != '_') return false;
    if (i == start) return false;  // empty segment
    v.local.push_back(Lower(s.substr(start, i - start)));
    start = i + 1;
  }
  return !v.local.empty();
}

// packaging's comparison key for the pre/post/dev parts: absent pre sorts after every
// pre-release, except that a bare dev release sorts before all of them.
int ComparePre(const Pep440Version& a, const Pep440Version& b) {
  auto rank = [](const Pep440Version& v) -> std::pair<int, std::pair<char, uint64_t>> {
    if (!v.pre && !v.post && v.dev) return {-1, {}};
    if (!v.pre) return {1, {}};
    return {0, *v.pre};
  };
  auto ra = rank(a), rb = rank(b);
  if (ra < rb) return -1;
  return ra > rb ? 1 : 0;
}

int CompareOptional(const std::optional<uint64_t>& a, const std::optional<uint64_t>& b, bool absent_is_max) {
  if (a.has_value() != b.has_value()) return (a.has_value() == absent_is_max) ? -1 : 1;
  if (!a) return 0;
  return *a < *b ? -1 : *a > *b ? 1 : 0;
}

// Local segments: numeric ones sort after alphanumeric ones and compare as numbers.
int CompareLocalSegment(const std::string& a, const std::string& b) {
  bool an = std::all_of(a.begin(), a.end(), IsDigit), bn = std::all_of(b.begin(), b.end(), IsDigit);
  if (an != bn) return an ? 1 : -1;
  if (an) return CompareDigitRuns(a, b);
  return Sign(a.compare(b));
}

// ---------------------------------------------------------------- SemVer

bool ValidNumericIdentifier(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsDigit) && (s.size() == 1 || s[0] != '0');
}

bool ValidIdentifier(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return IsAlnum(c) || c == '-'; });
}

std::vector<std::string> SplitDots(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i)
    if (i == s.size() || s[i] == '.') {
      out.emplace_back(s.substr(start, i - start));
      start = i + 1;
    }
  return out;
}

int ComparePrereleaseIdentifier(const std::string& a, const std::string& b) {
  bool an = std::all_of(a.begin(), a.end(), IsDigit), bn = std::all_of(b.begin(), b.end(), IsDigit);
  if (an && bn) return CompareDigitRuns(a, b);
  if (an != bn) return an ? -1 : 1;  // numeric identifiers have lower precedence
  return Sign(a.compare(b));
}

}  // namespace

// ---------------------------------------------------------------- dpkg

Expected<DpkgVersion> ParseDpkgVersion(std::string_view s) {
  s = TrimBlanks(s);
  if (s.empty()) return InvalidArgument("version string is empty");
  if (std::any_of(s.begin(), s.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); }))
    return InvalidArgument("version string has embedded spaces");
  size_t colon = s.find(':');
  if (colon != std::string_view::npos) {
    std::string_view epoch = s.substr(0, colon);
    if (epoch.empty() || !std::all_of(epoch.begin(), epoch.end(), IsDigit))
      return InvalidArgument("epoch in version is not number");
    if (epoch.size() > 9 && CompareDigitRuns(epoch, "2147483647") > 0)
      return InvalidArgument("epoch in version is too big");
    if (colon + 1 == s.size()) return InvalidArgument("nothing after colon in version number");
  }
  DpkgVersion v = SplitDpkg(s);
  if (v.upstream.empty()) return InvalidArgument("version number is empty");
  if (!IsDigit(v.upstream[0])) return InvalidArgument("version number does not start with digit");
  for (char c : v.upstream)
    if (!IsAlnum(c) && !std::strchr(".-+~:", c)) return InvalidArgument("invalid character in version number");
  for (char c : v.revision)
    if (!IsAlnum(c) && !std::strchr(".+~", c)) return InvalidArgument("invalid character in revision number");
  return v;
}

int CompareDpkg(std::string_view a, std::string_view b) {
  DpkgVersion va = SplitDpkg(a), vb = SplitDpkg(b);
  if (va.epoch != vb.epoch) return va.epoch < vb.epoch ? -1 : 1;
  int c = DpkgCompareParts(va.upstream, vb.upstream);
  return c != 0 ? c : DpkgCompareParts(va.revision, vb.revision);
}

// ---------------------------------------------------------------- RPM

int RpmVerCmp(std::string_view a, std::string_view b) {
  if (a == b) return 0;
  auto is_separator = [](char c) { return !IsAlnum(c) && c != '~' && c != '^'; };
  while (!a.empty() || !b.empty()) {
    while (!a.empty() && is_separator(a[0])) a.remove_prefix(1);
    while (!b.empty() && is_separator(b[0])) b.remove_prefix(1);
    // '~' sorts before everything, the end included.
    if ((!a.empty() && a[0] == '~') || (!b.empty() && b[0] == '~')) {
      if (a.empty() || a[0] != '~') return 1;
      if (b.empty() || b[0] != '~') return -1;
      a.remove_prefix(1), b.remove_prefix(1);
      continue;
    }
    // '^' sorts after the end but before anything else.
    if ((!a.empty() && a[0] == '^') || (!b.empty() && b[0] == '^')) {
      if (a.empty()) return -1;
      if (b.empty()) return 1;
      if (a[0] != '^') return 1;
      if (b[0] != '^') return -1;
      a.remove_prefix(1), b.remove_prefix(1);
      continue;
    }
    if (a.empty() || b.empty()) break;
    const bool numeric = IsDigit(a[0]);
    std::string_view sa = TakeWhile(a, numeric ? IsDigit : IsAlpha);
    std::string_view sb = TakeWhile(b, numeric ? IsDigit : IsAlpha);
    // A numeric segment is newer than an alphabetic one.
    if (sb.empty()) return numeric ? 1 : -1;
    int c = numeric ? CompareDigitRuns(sa, sb) : Sign(sa.compare(sb));
    if (c != 0) return c;
  }
  if (a.empty() && b.empty()) return 0;
  return a.empty() ? -1 : 1;
}

int CompareRpmEvr(std::string_view a, std::string_view b) {
  struct Evr {
    std::string_view epoch, version, release;
  };
  auto split = [](std::string_view s) {
    Evr e;
    size_t colon = s.find(':');
    if (colon != std::string_view::npos && std::all_of(s.begin(), s.begin() + colon, IsDigit)) {
      e.epoch = s.substr(0, colon);
      s.remove_prefix(colon + 1);
    }
    size_t dash = s.rfind('-');
    e.version = s.substr(0, dash);
    if (dash != std::string_view::npos) e.release = s.substr(dash + 1);
    return e;
  };
  Evr ea = split(a), eb = split(b);
  // A missing epoch is 0.
  int c = CompareDigitRuns(ea.epoch.empty() ? "0" : ea.epoch, eb.epoch.empty() ? "0" : eb.epoch);
  if (c != 0) return c;
  if ((c = RpmVerCmp(ea.version, eb.version)) != 0) return c;
  // A release compared to no release (an advisory's bare version) is not looked at.
  if (ea.release.empty() || eb.release.empty()) return 0;
  return RpmVerCmp(ea.release, eb.release);
}

// ---------------------------------------------------------------- apk

int CompareApk(std::string_view a, std::string_view b) {
  ApkCursor ca{a, ApkToken::kDigit}, cb{b, ApkToken::kDigit};
  int64_t av = 0, bv = 0;
  while (ca.type == cb.type && ca.type != ApkToken::kEnd && ca.type != ApkToken::kInvalid && av == bv) {
    av = ApkGetToken(ca);
    bv = ApkGetToken(cb);
  }
  if (av != bv) return av < bv ? -1 : 1;
  if (ca.type == cb.type) return 0;
  // Equal so far: the longer version is newer, unless what it has more is a pre-release
  // suffix.
  ApkCursor probe = ca;
  if (ca.type == ApkToken::kSuffix && ApkGetToken(probe) < 0) return -1;
  probe = cb;
  if (cb.type == ApkToken::kSuffix && ApkGetToken(probe) < 0) return 1;
  if (ca.type > cb.type) return -1;
  if (cb.type > ca.type) return 1;
  return 0;
}

// ---------------------------------------------------------------- PEP 440

std::string Pep440Version::Normalized() const {
  std::string s;
  if (epoch) s += std::to_string(epoch) + "!";
  for (size_t i = 0; i < release.size(); ++i) s += (i ? "." : "") + std::to_string(release[i]);
  if (pre) s += (pre->first == 'c' ? std::string("rc") : std::string(1, pre->first)) + std::to_string(pre->second);
  if (post) s += ".post" + std::to_string(*post);
  if (dev) s += ".dev" + std::to_string(*dev);
  for (size_t i = 0; i < local.size(); ++i) s += (i ? "." : "+") + local[i];
  return s;
}

Expected<Pep440Version> ParsePep440(std::string_view s) {
  const std::string original(s);
  auto invalid = [&] { return InvalidArgument("Invalid version: '" + original + "'"); };
  s = TrimBlanks(s);
  Pep440Version v;
  if (!s.empty() && (s[0] == 'v' || s[0] == 'V')) s.remove_prefix(1);
  // Epoch: digits followed by '!'.
  size_t bang = s.find('!');
  if (bang != std::string_view::npos) {
    if (!ParseUint(s.substr(0, bang), v.epoch) || !std::all_of(s.begin(), s.begin() + bang, IsDigit)) return invalid();
    s.remove_prefix(bang + 1);
  }
  for (;;) {
    uint64_t n = 0;
    if (!ParseUint(TakeWhile(s, IsDigit), n)) return invalid();
    v.release.push_back(n);
    if (s.size() < 2 || s[0] != '.' || !IsDigit(s[1])) break;
    s.remove_prefix(1);
  }
  ParsePreRelease(s, v);
  ParsePostRelease(s, v);
  ParseDevRelease(s, v);
  if (!s.empty() && s[0] == '+') {
    if (!ParseLocal(s.substr(1), v)) return invalid();
    s = {};
  }
  if (!s.empty()) return invalid();
  return v;
}

int ComparePep440(const Pep440Version& a, const Pep440Version& b) {
  if (a.epoch != b.epoch) return a.epoch < b.epoch ? -1 : 1;
  // Trailing zeros of the release do not count: 1.0 == 1.0.0.
  auto trimmed = [](std::vector<uint64_t> r) {
    while (!r.empty() && r.back() == 0) r.pop_back();
    return r;
  };
  auto ra = trimmed(a.release), rb = trimmed(b.release);
  if (ra != rb) return ra < rb ? -1 : 1;
  if (int c = ComparePre(a, b)) return c;
  if (int c = CompareOptional(a.post, b.post, /*absent_is_max=*/false)) return c;
  if (int c = CompareOptional(a.dev, b.dev, /*absent_is_max=*/true)) return c;
  for (size_t i = 0; i < a.local.size() && i < b.local.size(); ++i)
    if (int c = CompareLocalSegment(a.local[i], b.local[i])) return c;
  if (a.local.size() != b.local.size()) return a.local.size() < b.local.size() ? -1 : 1;
  return 0;
}

int ComparePep440(std::string_view a, std::string_view b) {
  auto va = ParsePep440(a), vb = ParsePep440(b);
  if (!va.ok() || !vb.ok()) return va.ok() == vb.ok() ? Sign(a.compare(b)) : (va.ok() ? 1 : -1);
  return ComparePep440(*va, *vb);
}

// ---------------------------------------------------------------- SemVer

Expected<SemVer> ParseSemVer(std::string_view s) {
  const std::string original(s);
  auto invalid = [&] { return InvalidArgument("invalid semantic version \"" + original + "\""); };
  if (!s.empty() && s[0] == 'v') s.remove_prefix(1);
  SemVer v;
  size_t plus = s.find('+');
  if (plus != std::string_view::npos) {
    v.build = std::string(s.substr(plus + 1));
    for (const auto& id : SplitDots(v.build))
      if (!ValidIdentifier(id)) return invalid();
    s = s.substr(0, plus);
  }
  size_t dash = s.find('-');
  if (dash != std::string_view::npos) {
    v.prerelease = SplitDots(s.substr(dash + 1));
    for (const auto& id : v.prerelease) {
      if (!ValidIdentifier(id)) return invalid();
      if (std::all_of(id.begin(), id.end(), IsDigit) && !ValidNumericIdentifier(id)) return invalid();
    }
    s = s.substr(0, dash);
  }
  auto core = SplitDots(s);
  if (core.size() != 3) return invalid();
  uint64_t* fields[] = {&v.major, &v.minor, &v.patch};
  for (int i = 0; i < 3; ++i)
    if (!ValidNumericIdentifier(core[i]) || !ParseUint(core[i], *fields[i])) return invalid();
  return v;
}

int CompareSemVer(const SemVer& a, const SemVer& b) {
  if (a.major != b.major) return a.major < b.major ? -1 : 1;
  if (a.minor != b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.patch != b.patch) return a.patch < b.patch ? -1 : 1;
  // A pre-release has lower precedence than the release; build metadata is ignored.
  if (a.prerelease.empty() != b.prerelease.empty()) return a.prerelease.empty() ? 1 : -1;
  for (size_t i = 0; i < a.prerelease.size() && i < b.prerelease.size(); ++i)
    if (int c = ComparePrereleaseIdentifier(a.prerelease[i], b.prerelease[i])) return c;
  if (a.prerelease.size() != b.prerelease.size()) return a.prerelease.size() < b.prerelease.size() ? -1 : 1;
  return 0;
}

int CompareSemVer(std::string_view a, std::string_view b) {
  auto va = ParseSemVer(a), vb = ParseSemVer(b);
  if (!va.ok() || !vb.ok()) return va.ok() == vb.ok() ? Sign(a.compare(b)) : (va.ok() ? 1 : -1);
  return CompareSemVer(*va, *vb);
}

// ---- Maven ----

namespace {

// One item of ComparableVersion: a number (its digits without leading zeros, so that
// comparing length then text orders it as Maven's Int/Long/BigInteger items do), a string
// qualifier (aliases resolved) or a sub-list (what follows a '-' or a digit/letter change).
struct MavenItem {
  enum Kind { kNumber, kString, kList } kind = kList;
  std::string text;
  std::vector<MavenItem> items;
};

constexpr size_t kMavenMaxDepth = 64;

const char* const kMavenQualifiers[] = {"alpha", "beta", "milestone", "rc", "snapshot", "", "sp"};

// StringItem.comparableQualifier: the index of a known qualifier, or "7-" + the qualifier.
std::string ComparableQualifier(const std::string& q) {
  for (size_t i = 0; i < std::size(kMavenQualifiers); ++i)
    if (q == kMavenQualifiers[i]) return std::to_string(i);
  return std::to_string(std::size(kMavenQualifiers)) + "-" + q;
}

bool MavenIsNull(const MavenItem& item) {
  switch (item.kind) {
    case MavenItem::kNumber: return item.text == "0";
    case MavenItem::kString: return ComparableQualifier(item.text) == "5";
    default: return item.items.empty();
  }
}

MavenItem MavenString(std::string value, bool followed_by_digit) {
  if (followed_by_digit && value.size() == 1) {
    if (value == "a") value = "alpha";
    else if (value == "b") value = "beta";
    else if (value == "m") value = "milestone";
  }
  if (value == "ga" || value == "final" || value == "release") value = "";
  else if (value == "cr") value = "rc";
  return {MavenItem::kString, value, {}};
}

MavenItem MavenParseItem(bool digits, std::string_view buf) {
  if (!digits) return MavenString(std::string(buf), false);
  size_t nz = buf.find_first_not_of('0');
  return {MavenItem::kNumber, nz == std::string_view::npos ? "0" : std::string(buf.substr(nz)), {}};
}

// ListItem.normalize, applied (as parseVersion does) to every sub-list before the list
// holding it: trailing null items go, scanning back past sub-lists.
void MavenNormalize(MavenItem& list) {
  for (auto& item : list.items)
    if (item.kind == MavenItem::kList) MavenNormalize(item);
  for (size_t i = list.items.size(); i-- > 0;) {
    if (MavenIsNull(list.items[i])) {
      list.items.erase(list.items.begin() + static_cast<long>(i));
    } else if (list.items[i].kind != MavenItem::kList) {
      break;
    }
  }
}

// ComparableVersion.parseVersion. Lists nest: `path` is the chain of open sub-lists, each
// the last item of the one before.
MavenItem MavenParse(std::string_view input) {
  std::string version(input);
  for (auto& c : version) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  MavenItem root;
  std::vector<MavenItem*> path = {&root};
  auto list = [&]() -> MavenItem& { return *path.back(); };
  // Every '-' and digit/letter change nests a list; past kMavenMaxDepth (no real version
  // comes near) items stay in the deepest list, so that the recursive normalising and
  // comparing stay within the stack whatever a hostile pom.properties says.
  auto open_list = [&] {
    if (path.size() >= kMavenMaxDepth) return;
    list().items.push_back(MavenItem{});
    path.push_back(&list().items.back());
  };
  auto zero = MavenItem{MavenItem::kNumber, "0", {}};
  bool digit = false;
  size_t start = 0;
  for (size_t i = 0; i < version.size(); ++i) {
    const char c = version[i];
    const bool is_digit = c >= '0' && c <= '9';
    if (c == '.' || c == '-') {
      list().items.push_back(i == start ? zero : MavenParseItem(digit, std::string_view(version).substr(start, i - start)));
      start = i + 1;
      if (c == '-') open_list();
    } else if (is_digit) {
      if (!digit && i > start) {
        // 1.0.0.X1 < 1.0.0-X2: a qualifier after '.' starts a sub-list as after '-'.
        if (!list().items.empty()) open_list();
        list().items.push_back(MavenString(version.substr(start, i - start), true));
        start = i;
        open_list();
      }
      digit = true;
    } else {
      if (digit && i > start) {
        list().items.push_back(MavenParseItem(true, std::string_view(version).substr(start, i - start)));
        start = i;
        open_list();
      }
      digit = false;
    }
  }
  if (version.size() > start) {
    if (!digit && !list().items.empty()) open_list();
    list().items.push_back(MavenParseItem(digit, std::string_view(version).substr(start)));
  }
  MavenNormalize(root);
  return root;
}

int MavenCompare(const MavenItem& a, const MavenItem* b);

// An item against nothing (the shorter list ran out): Item.compareTo(null).
int MavenCompareNull(const MavenItem& a) {
  switch (a.kind) {
    case MavenItem::kNumber: return a.text == "0" ? 0 : 1;
    case MavenItem::kString: return Sign(ComparableQualifier(a.text).compare("5"));
    default:
      for (const auto& item : a.items)
        if (int c = MavenCompareNull(item)) return c;
      return 0;
  }
}

int MavenCompare(const MavenItem& a, const MavenItem* b) {
  if (!b) return MavenCompareNull(a);
  switch (a.kind) {
    case MavenItem::kNumber:
      if (b->kind != MavenItem::kNumber) return 1;  // 1.1 > 1-sp, 1.1 > 1-1
      if (a.text.size() != b->text.size()) return a.text.size() < b->text.size() ? -1 : 1;
      return Sign(a.text.compare(b->text));
    case MavenItem::kString:
      if (b->kind != MavenItem::kString) return -1;  // 1.any < 1.1, 1.any < 1-1
      return Sign(ComparableQualifier(a.text).compare(ComparableQualifier(b->text)));
    default:
      if (b->kind == MavenItem::kNumber) return -1;  // 1-1 < 1.0.x
      if (b->kind == MavenItem::kString) return 1;   // 1-1 > 1-sp
      for (size_t i = 0; i < std::max(a.items.size(), b->items.size()); ++i) {
        const MavenItem* l = i < a.items.size() ? &a.items[i] : nullptr;
        const MavenItem* r = i < b->items.size() ? &b->items[i] : nullptr;
        int c = l ? MavenCompare(*l, r) : -MavenCompare(*r, nullptr);
        if (c) return c;
      }
      return 0;
  }
}

}  // namespace

int CompareMaven(std::string_view a, std::string_view b) {
  const MavenItem va = MavenParse(a), vb = MavenParse(b);
  return MavenCompare(va, &vb);
}

}  // namespace kiln::security
