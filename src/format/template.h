// Go's text/template, byte for byte: parse once, execute per value.
//
//   ASSIGN_OR_RETURN(Template t, Template::Parse("inspect", "{{.Os}}/{{.Architecture}}"));
//   ASSIGN_OR_RETURN(std::string text, t.Execute(image_value));
//
// Errors carry Go's messages, e.g. `template: inspect:1:13: executing "inspect" at
// <.NoSuchField>: can't evaluate field NoSuchField in type interface {}`. The functions
// available are Go's builtins plus podman's (json, lower, upper, title, join, split,
// truncate, pad).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "format/value.h"
#include "util/status.h"

namespace kiln::format {

struct ParsedTemplates;

// Guards for untrusted templates (Go has none; the defaults only stop runaway output).
struct ExecLimits {
  size_t max_output_bytes = size_t{1} << 30;
  uint64_t max_steps = 0;  // actions and text nodes walked; 0 = unlimited
};

class Template {
 public:
  // `name` appears in error messages ("inspect", "images", …).
  static Expected<Template> Parse(std::string name, std::string_view text);

  // Appends the output to *out. On an error *out keeps what was written before it, as
  // Go's writer would have.
  Status Execute(const Value& data, std::string* out, const ExecLimits& limits = {}) const;
  Expected<std::string> Execute(const Value& data) const;

  const std::string& name() const;

 private:
  explicit Template(std::shared_ptr<const ParsedTemplates> parsed) : parsed_(std::move(parsed)) {}
  std::shared_ptr<const ParsedTemplates> parsed_;  // immutable: copies share it
};

}  // namespace kiln::format
