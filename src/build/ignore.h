// .containerignore / .dockerignore patterns with Docker's rules (moby/patternmatcher):
// one pattern per line, '#' comments, blank lines ignored, leading/trailing space trimmed,
// patterns cleaned (filepath.Clean) and a leading '/' dropped; '*' '?' '[...]' as Go's
// filepath.Match within one path element, '**' across any number of elements, '!' re-includes;
// the last matching pattern wins; a path is excluded when it or one of its parent
// directories matches.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace kiln::build {

class IgnoreMatcher {
 public:
  IgnoreMatcher() = default;  // excludes nothing
  // Parses an ignore file's text. Bad patterns (e.g. an unterminated '[') are kInvalidArgument.
  static Expected<IgnoreMatcher> Parse(std::string_view file_text);
  static Expected<IgnoreMatcher> FromPatterns(const std::vector<std::string>& patterns);

  // rel_path: relative to the context root, '/'-separated, no leading "./" or '/'.
  bool Excluded(std::string_view rel_path) const;
  // Whether a walk must descend into an excluded directory because a '!' pattern could
  // re-include something below it.
  bool MayReincludeBelow(std::string_view rel_dir) const;
  bool empty() const { return patterns_.empty(); }

 private:
  struct Pattern {
    std::string text;  // cleaned
    bool exclusion = false;  // started with '!'
    std::vector<std::string> parts;  // split on '/'
  };
  std::vector<Pattern> patterns_;
};

// The ignore file of a build: <containerfile>.containerignore or <containerfile>.dockerignore
// beside the Containerfile, else CONTEXT/.containerignore, else CONTEXT/.dockerignore; an
// empty matcher when none exists.
Expected<IgnoreMatcher> LoadIgnoreFile(const std::string& context_dir, const std::string& containerfile_path);

}  // namespace kiln::build
