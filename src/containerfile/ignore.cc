// Ignore rules as moby/patternmatcher applies them, with Go's filepath.Match syntax. Each
// pattern is compiled to a token list and run as a small NFA over the path (one pass, no
// backtracking), which stands in for the regexp patternmatcher builds.
#include "containerfile/ignore.h"

#include <cstdint>

#include "util/fs.h"

namespace kiln::build {

using internal::GlobToken;

namespace {

constexpr char32_t kRuneError = 0xFFFD;

struct Rune {
  char32_t value = kRuneError;
  size_t size = 1;
};

// utf8.DecodeRuneInString: invalid or truncated sequences decode as (RuneError, 1).
Rune DecodeRune(std::string_view s, size_t i) {
  auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return {b0, 1};
  size_t n = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC2 ? 2 : 0;
  if (n == 0 || b0 > 0xF4 || i + n > s.size()) return {};
  char32_t r = b0 & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return {};
    r = (r << 6) | (b & 0x3F);
  }
  static constexpr char32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (r < kMin[n] || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) return {};
  return {r, n};
}

Status BadPattern() { return InvalidArgument("syntax error in pattern"); }

// filepath.Match's getEsc: one class character, possibly escaped.
Expected<char32_t> ClassChar(std::string_view p, size_t* pos) {
  if (*pos >= p.size() || p[*pos] == '-' || p[*pos] == ']') return BadPattern();
  if (p[*pos] == '\\') {
    ++*pos;
    if (*pos >= p.size()) return BadPattern();
  }
  Rune r = DecodeRune(p, *pos);
  if (r.value == kRuneError && r.size == 1) return BadPattern();
  *pos += r.size;
  if (*pos >= p.size()) return BadPattern();
  return r.value;
}

// A '[...]' class starting at p[*pos] == '['.
Expected<GlobToken> ParseClass(std::string_view p, size_t* pos) {
  GlobToken t;
  t.kind = GlobToken::kClass;
  ++*pos;
  if (*pos < p.size() && p[*pos] == '^') {
    t.negated = true;
    ++*pos;
  }
  for (;;) {
    if (*pos < p.size() && p[*pos] == ']' && !t.ranges.empty()) {
      ++*pos;
      return t;
    }
    ASSIGN_OR_RETURN(char32_t lo, ClassChar(p, pos));
    char32_t hi = lo;
    if (p[*pos] == '-') {
      ++*pos;
      ASSIGN_OR_RETURN(hi, ClassChar(p, pos));
    }
    t.ranges.emplace_back(lo, hi);
  }
}

GlobToken Literal(std::string_view p, size_t* pos) {
  Rune r = DecodeRune(p, *pos);
  GlobToken t;
  t.literal = std::string(p.substr(*pos, r.size));
  *pos += r.size;
  return t;
}

// Tokenizes a pattern. With double_star, "**" is patternmatcher's any-directories token and
// *type receives patternmatcher's match type; without, it is filepath.Match syntax.
enum class Kind { kExact, kPrefix, kSuffix, kTokens };
Expected<std::vector<GlobToken>> Tokenize(std::string_view p, bool double_star, Kind* type) {
  std::vector<GlobToken> out;
  Kind kind = Kind::kExact;
  size_t pos = 0;
  while (pos < p.size()) {
    bool first = pos == 0;
    char c = p[pos];
    if (c == '*' && double_star && pos + 1 < p.size() && p[pos + 1] == '*') {
      pos += 2;
      if (pos < p.size() && p[pos] == '/') ++pos;
      GlobToken t;
      if (pos == p.size()) {
        t.kind = GlobToken::kAnyRest;
        kind = kind == Kind::kExact ? Kind::kPrefix : Kind::kTokens;
      } else {
        t.kind = GlobToken::kAnyDirs;
        kind = Kind::kTokens;
      }
      if (first) kind = Kind::kSuffix;
      out.push_back(std::move(t));
    } else if (c == '*' || c == '?') {
      GlobToken t;
      t.kind = c == '*' ? GlobToken::kStar : GlobToken::kOne;
      out.push_back(std::move(t));
      ++pos;
      kind = Kind::kTokens;
    } else if (c == '\\') {
      if (++pos >= p.size()) return BadPattern();
      out.push_back(Literal(p, &pos));
      kind = Kind::kTokens;
    } else if (c == '[') {
      ASSIGN_OR_RETURN(GlobToken t, ParseClass(p, &pos));
      out.push_back(std::move(t));
      kind = Kind::kTokens;
    } else {
      if (c == ']') kind = Kind::kTokens;
      out.push_back(Literal(p, &pos));
    }
  }
  if (type) *type = kind;
  return out;
}

bool ClassMatches(const GlobToken& t, char32_t r) {
  bool in = false;
  for (const auto& [lo, hi] : t.ranges) in = in || (lo <= r && r <= hi);
  return in != t.negated;
}

// The token list as an NFA. State i = "token i is next"; state n accepts. For kAnyDirs,
// bit 1 marks the state active (inside "(.*/)?") and bit 2 that its closure was added.
class Nfa {
 public:
  explicit Nfa(const std::vector<GlobToken>& tokens) : t_(tokens), cur_(tokens.size() + 1), next_(tokens.size() + 1) {
    Add(cur_, 0);
  }

  void Step(std::string_view path, size_t i, Rune r) {
    std::fill(next_.begin(), next_.end(), 0);
    for (size_t j = 0; j < t_.size(); ++j) {
      if (cur_[j] & 1) StepState(j, path.substr(i, r.size), r.value);
    }
    cur_.swap(next_);
  }
  bool Accepting() const { return cur_[t_.size()] & 1; }

 private:
  void Add(std::vector<char>& set, size_t j) {
    for (; j <= t_.size(); ++j) {
      if (set[j] & 2) return;
      set[j] |= 3;
      if (j == t_.size()) return;
      auto k = t_[j].kind;
      if (k != GlobToken::kStar && k != GlobToken::kAnyDirs && k != GlobToken::kAnyRest) return;
    }
  }

  void StepState(size_t j, std::string_view bytes, char32_t r) {
    const GlobToken& t = t_[j];
    switch (t.kind) {
      case GlobToken::kLiteral:
        if (bytes == t.literal) Add(next_, j + 1);
        break;
      case GlobToken::kStar:
        if (r != '/') Add(next_, j);
        break;
      case GlobToken::kOne:
        if (r != '/') Add(next_, j + 1);
        break;
      case GlobToken::kClass:
        if (ClassMatches(t, r)) Add(next_, j + 1);
        break;
      case GlobToken::kAnyDirs:
        next_[j] |= 1;
        if (r == '/') Add(next_, j + 1);
        break;
      case GlobToken::kAnyRest:
        Add(next_, j);
        break;
    }
  }

  const std::vector<GlobToken>& t_;
  std::vector<char> cur_;
  std::vector<char> next_;
};

// Runs the NFA over path; on_boundary(accepting) is called before each '/' and at the end.
template <typename F>
Nfa RunNfa(const std::vector<GlobToken>& tokens, std::string_view path, F&& on_boundary) {
  Nfa nfa(tokens);
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/' && i > 0) on_boundary(nfa.Accepting());
    Rune r = DecodeRune(path, i);
    nfa.Step(path, i, r);
    i += r.size;
  }
  on_boundary(nfa.Accepting());
  return nfa;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// buildkit's ignorefile.ReadAll per line (after the comment check): trim, clean, drop a
// leading '/', keep the '!'.
std::string NormalizeLine(std::string_view line) {
  line = TrimSpace(line);
  if (line.empty()) return "";
  bool invert = line[0] == '!';
  if (invert) line = TrimSpace(line.substr(1));
  std::string p;
  if (!line.empty()) {
    p = CleanPath(line);
    if (p.size() > 1 && p[0] == '/') p.erase(0, 1);
  }
  return invert ? "!" + p : p;
}

std::vector<std::string> Split(std::string_view s) {
  std::vector<std::string> out;
  size_t pos = 0;
  for (;;) {
    size_t slash = s.find('/', pos);
    out.emplace_back(s.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos));
    if (slash == std::string_view::npos) return out;
    pos = slash + 1;
  }
}

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::string_view TrimSlashes(std::string_view s) {
  while (!s.empty() && s.front() == '/') s.remove_prefix(1);
  while (!s.empty() && s.back() == '/') s.remove_suffix(1);
  return s;
}
bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::string CleanPath(std::string_view path) {
  bool rooted = !path.empty() && path[0] == '/';
  std::vector<std::string_view> parts;
  size_t kept = 0;  // parts that are not leading ".."
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view part = path.substr(pos, slash - pos);
    pos = slash + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (kept > 0) {
        parts.pop_back();
        --kept;
      } else if (!rooted) {
        parts.push_back(part);
      }
      continue;
    }
    parts.push_back(part);
    ++kept;
  }
  std::string out = rooted ? "/" : "";
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += '/';
    out += parts[i];
  }
  return out.empty() ? "." : out;
}

bool HasGlobMeta(std::string_view pattern) { return pattern.find_first_of("*?[\\") != std::string_view::npos; }

Expected<bool> GlobMatch(std::string_view pattern, std::string_view name) {
  ASSIGN_OR_RETURN(std::vector<GlobToken> tokens, Tokenize(pattern, false, nullptr));
  return RunNfa(tokens, name, [](bool) {}).Accepting();
}

Expected<IgnoreMatcher::Pattern> IgnoreMatcher::Compile(std::string text) {
  Pattern p;
  text = CleanPath(TrimSpace(text));
  if (text[0] == '!') {
    if (text.size() == 1) return InvalidArgument("illegal exclusion pattern: \"!\"");
    p.exclusion = true;
    text.erase(0, 1);
  }
  Kind kind;
  auto tokens = Tokenize(text, true, &kind);
  if (!tokens.ok()) return tokens.status().Wrap("ignore pattern \"" + text + "\"");
  p.tokens = std::move(tokens).value();
  p.type = static_cast<MatchType>(kind);
  p.parts = Split(text);
  p.text = std::move(text);
  return p;
}

Expected<IgnoreMatcher> IgnoreMatcher::FromPatterns(const std::vector<std::string>& patterns) {
  IgnoreMatcher m;
  for (const std::string& raw : patterns) {
    std::string line = NormalizeLine(raw);
    if (line.empty()) continue;
    ASSIGN_OR_RETURN(Pattern p, Compile(std::move(line)));
    m.has_exclusions_ = m.has_exclusions_ || p.exclusion;
    m.patterns_.push_back(std::move(p));
  }
  return m;
}

Expected<IgnoreMatcher> IgnoreMatcher::Parse(std::string_view file_text) {
  std::vector<std::string> lines;
  if (StartsWith(file_text, "\xEF\xBB\xBF")) file_text.remove_prefix(3);
  size_t pos = 0;
  while (pos < file_text.size()) {
    size_t nl = file_text.find('\n', pos);
    if (nl == std::string_view::npos) nl = file_text.size();
    std::string_view line = file_text.substr(pos, nl - pos);
    pos = nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty() && line[0] == '#') continue;
    lines.emplace_back(line);
  }
  return FromPatterns(lines);
}

bool IgnoreMatcher::Matches(const Pattern& p, std::string_view path) {
  switch (p.type) {
    case MatchType::kExact:
      return path == p.text;
    case MatchType::kPrefix:
      return StartsWith(path, std::string_view(p.text).substr(0, p.text.size() - 2));
    case MatchType::kSuffix: {
      std::string_view suffix = std::string_view(p.text).substr(2);
      return EndsWith(path, suffix) || (suffix[0] == '/' && path == suffix.substr(1));
    }
    case MatchType::kTokens:
      return RunNfa(p.tokens, path, [](bool) {}).Accepting();
  }
  return false;
}

bool IgnoreMatcher::MatchesOrParent(const Pattern& p, std::string_view path) {
  if (p.type == MatchType::kTokens) {
    bool any = false;
    RunNfa(p.tokens, path, [&](bool accepting) { any = any || accepting; });
    return any;
  }
  if (Matches(p, path)) return true;
  for (size_t i = 1; i < path.size(); ++i) {
    if (path[i] == '/' && Matches(p, path.substr(0, i))) return true;
  }
  return false;
}

bool IgnoreMatcher::Excluded(std::string_view rel_path) const {
  if (rel_path.empty() || rel_path == ".") return false;
  bool matched = false;
  for (const Pattern& p : patterns_) {
    if (p.exclusion != matched) continue;
    if (MatchesOrParent(p, rel_path)) matched = !p.exclusion;
  }
  return matched;
}

// buildah's copier (v1.28): it descends into an excluded directory when the text of a '!'
// pattern plus "/" starts with the directory's path, a string comparison, not a match.
bool IgnoreMatcher::MayReincludeBelow(std::string_view rel_dir) const {
  if (!has_exclusions_) return false;
  std::string_view dir = TrimSlashes(rel_dir);
  for (const Pattern& p : patterns_) {
    if (p.exclusion && StartsWith(std::string(TrimSlashes(p.text)) + "/", dir)) return true;
  }
  return false;
}

// buildah's includeDirectoryAnyway: a '!' pattern's text starts with "<dir>/".
bool IgnoreMatcher::IncludeDirectoryAnyway(std::string_view rel_dir) const {
  if (!has_exclusions_) return false;
  std::string prefix = std::string(TrimSlashes(rel_dir)) + "/";
  for (const Pattern& p : patterns_) {
    if (p.exclusion && StartsWith(p.text, prefix)) return true;
  }
  return false;
}

Expected<IgnoreMatcher> LoadIgnoreFile(const std::string& context_dir, const std::string& containerfile_path,
                                       const std::string& ignore_file) {
  std::vector<std::string> candidates;
  if (!ignore_file.empty()) {
    candidates.push_back(ignore_file);
  } else {
    if (!containerfile_path.empty()) {
      candidates.push_back(containerfile_path + ".containerignore");
      candidates.push_back(containerfile_path + ".dockerignore");
    }
    candidates.push_back(JoinPath(context_dir, ".containerignore"));
    candidates.push_back(JoinPath(context_dir, ".dockerignore"));
  }
  for (const std::string& path : candidates) {
    if (ignore_file.empty() && !PathExists(path)) continue;
    ASSIGN_OR_RETURN(std::string text, ReadFile(path));
    auto m = IgnoreMatcher::Parse(text);
    if (!m.ok()) return m.status().Wrap("parsing " + path);
    m->set_origin(path);
    return m;
  }
  return IgnoreMatcher();
}

}  // namespace kiln::build
