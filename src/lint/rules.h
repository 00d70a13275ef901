// The rule table: one entry per rule ID with its default severity, the one-line reason, the
// fix hint and the explanation `kiln lint --explain ID` prints. The checks are in checks.cc.
#pragma once

#include <string_view>
#include <vector>

#include "lint/lint.h"

namespace kiln::lint {

struct RuleInfo {
  std::string_view id;
  Severity severity;
  std::string_view reason;       // one line: why it matters
  std::string_view hint;         // one line: how to fix it
  std::string_view explanation;  // a paragraph, no links
};

const std::vector<RuleInfo>& AllRules();
const RuleInfo* FindRule(std::string_view id);  // nullptr when unknown

}  // namespace kiln::lint
