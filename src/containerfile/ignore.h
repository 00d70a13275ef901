// .containerignore / .dockerignore patterns with Docker's rules (moby/patternmatcher):
// one pattern per line, '#' comments, blank lines ignored, leading/trailing space trimmed,
// patterns cleaned (filepath.Clean) and a leading '/' dropped; '*' '?' '[...]' as Go's
// filepath.Match within one path element, '**' across any number of elements, '!' re-includes;
// the last matching pattern wins; a path is excluded when it or one of its parent
// directories matches.
#pragma once

#include <string>
#include <utility>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace kiln::build {

namespace internal {
// One element of a compiled pattern (patternmatcher's regexp, run as a small NFA).
struct GlobToken {
  enum Kind { kLiteral, kStar, kOne, kClass, kAnyDirs, kAnyRest } kind = kLiteral;
  std::string literal;                                // kLiteral: one character's bytes
  bool negated = false;                               // kClass
  std::vector<std::pair<char32_t, char32_t>> ranges;  // kClass
};
}  // namespace internal

class IgnoreMatcher {
 public:
  IgnoreMatcher() = default;  // excludes nothing
  // Parses an ignore file's text. Bad patterns (e.g. an unterminated '[') are kInvalidArgument.
  static Expected<IgnoreMatcher> Parse(std::string_view file_text);
  static Expected<IgnoreMatcher> FromPatterns(const std::vector<std::string>& patterns);

  // rel_path: relative to the context root, '/'-separated, no leading "./" or '/'.
  bool Excluded(std::string_view rel_path) const;
  // Whether a walk descends into an excluded directory, by buildah's rule (podman's build):
  // a '!' pattern's text followed by "/" starts with the directory's path. A string test, so
  // "!**/keep" never opens an excluded "logs", and "!*/sub1*" opens none.
  bool MayReincludeBelow(std::string_view rel_dir) const;
  // Whether an excluded directory named as a COPY/ADD source is still copied (buildah's
  // includeDirectoryAnyway): a '!' pattern's text starts with "<dir>/".
  bool IncludeDirectoryAnyway(std::string_view rel_dir) const;
  bool empty() const { return patterns_.empty(); }
  // The file the patterns came from ("" when none), for buildah's "filtered out using FILE".
  const std::string& origin() const { return origin_; }
  void set_origin(std::string path) { origin_ = std::move(path); }

 private:
  // patternmatcher's match types: plain text compares as a string, the rest runs the NFA.
  enum class MatchType { kExact, kPrefix, kSuffix, kTokens };
  struct Pattern {
    std::string text;  // cleaned, without the '!'
    bool exclusion = false;  // started with '!'
    std::vector<std::string> parts;  // split on '/'
    MatchType type = MatchType::kExact;
    std::vector<internal::GlobToken> tokens;
  };
  static Expected<Pattern> Compile(std::string text);
  static bool Matches(const Pattern& p, std::string_view path);
  static bool MatchesOrParent(const Pattern& p, std::string_view path);
  std::vector<Pattern> patterns_;
  bool has_exclusions_ = false;
  std::string origin_;
};

// Go's filepath.Match(pattern, name) with '/' as the separator: '*' and '?' never match '/',
// '[...]' classes ('^' negates, ranges, '\\' escapes). A malformed pattern is kInvalidArgument
// ("syntax error in pattern"), whether or not name would match.
Expected<bool> GlobMatch(std::string_view pattern, std::string_view name);
// Whether filepath.Glob would treat pattern as a pattern ('*', '?', '[' or '\\').
bool HasGlobMeta(std::string_view pattern);
// Go's filepath.Clean for '/'-separated paths ("" → ".").
std::string CleanPath(std::string_view path);

// The ignore file of a build: ignore_file (--ignorefile) when given; else
// <containerfile>.containerignore or <containerfile>.dockerignore beside the Containerfile,
// else CONTEXT/.containerignore, else CONTEXT/.dockerignore; an empty matcher when none exists.
Expected<IgnoreMatcher> LoadIgnoreFile(const std::string& context_dir, const std::string& containerfile_path,
                                       const std::string& ignore_file = "");

}  // namespace kiln::build
