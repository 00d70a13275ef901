#include "security/control.h"

#include <algorithm>
#include <strings.h>

namespace kiln::security {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool SameField(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::string ControlParagraph::Get(std::string_view field) const {
  for (const auto& [name, value] : fields_)
    if (SameField(name, field)) return value;
  return "";
}

bool ControlParagraph::Has(std::string_view field) const {
  return std::any_of(fields_.begin(), fields_.end(), [&](const auto& f) { return SameField(f.first, field); });
}

std::vector<ControlParagraph> ParseControl(std::string_view text) {
  std::vector<ControlParagraph> out;
  ControlParagraph current;
  std::string name, value;
  auto finish_field = [&] {
    if (!name.empty()) current.Add(std::move(name), std::move(value));
    name.clear();
    value.clear();
  };
  auto finish_paragraph = [&] {
    finish_field();
    if (!current.empty()) out.push_back(std::move(current));
    current = ControlParagraph();
  };
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (Trim(line).empty()) {
      finish_paragraph();
    } else if (line[0] == ' ' || line[0] == '\t') {
      if (!name.empty()) value += "\n" + std::string(Trim(line));
    } else if (line[0] != '#') {
      finish_field();
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      name = std::string(Trim(line.substr(0, colon)));
      value = std::string(Trim(line.substr(colon + 1)));
    }
  }
  finish_paragraph();
  return out;
}

std::vector<std::string> CopyrightLicenses(std::string_view text) {
  auto paragraphs = ParseControl(text);
  std::vector<std::string> out;
  if (paragraphs.empty() || paragraphs.front().Get("Format").find("copyright-format") == std::string::npos) return out;
  for (const auto& p : paragraphs) {
    std::string license = p.Get("License");
    license = license.substr(0, license.find('\n'));  // the short name; the text follows
    if (!license.empty() && std::find(out.begin(), out.end(), license) == out.end()) out.push_back(license);
  }
  return out;
}

}  // namespace kiln::security
