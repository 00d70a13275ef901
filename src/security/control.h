// Debian's control-file format (deb822): paragraphs of "Field: value" lines, continuation
// lines starting with a blank, paragraphs separated by blank lines. dpkg's status database,
// status.d/ entries and machine-readable copyright files are all written in it.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kiln::security {

class ControlParagraph {
 public:
  // The field's value (continuation lines joined with '\n', the first line trimmed);
  // field names compare case-insensitively, as in deb822. "" when absent.
  std::string Get(std::string_view field) const;
  bool Has(std::string_view field) const;
  void Add(std::string field, std::string value) { fields_.emplace_back(std::move(field), std::move(value)); }
  bool empty() const { return fields_.empty(); }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

std::vector<ControlParagraph> ParseControl(std::string_view text);

// The license short names of a machine-readable debian/copyright file (DEP-5), in order of
// first appearance; empty for a free-form file.
std::vector<std::string> CopyrightLicenses(std::string_view text);

}  // namespace kiln::security
