// The checks behind the rule table: each reads the parsed file and reports raw findings
// (rule, line, column, message); lint.cc applies severities and suppressions.
#pragma once

#include <string>
#include <vector>

#include "containerfile/containerfile.h"
#include "lint/lint.h"

namespace kiln::lint {

struct RawFinding {
  int line = 0;
  int column = 0;
  std::string rule;
  std::string message;
};

struct CheckInput {
  const build::Containerfile& file;
  const std::vector<std::string>& lines;  // the raw text, line i+1 at [i], newlines removed
  const Input& input;
};

std::vector<RawFinding> RunChecks(const CheckInput& in);

}  // namespace kiln::lint
