#include "security/license.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace kiln::security {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// DEP-5's names (copyright-format 1.0, "License Specification"), lower-cased, with their
// SPDX identifiers. A trailing "+" means "or any later version".
const std::map<std::string, std::string>& Dep5Names() {
  static const std::map<std::string, std::string> names = {
      {"apache-2.0", "Apache-2.0"},   {"artistic", "Artistic-1.0"},   {"artistic-1.0", "Artistic-1.0"},
      {"artistic-2.0", "Artistic-2.0"}, {"bsd-2-clause", "BSD-2-Clause"}, {"bsd-3-clause", "BSD-3-Clause"},
      {"bsd-4-clause", "BSD-4-Clause"}, {"cc0-1.0", "CC0-1.0"},        {"expat", "MIT"},
      {"mit", "MIT"},                 {"isc", "ISC"},                 {"zlib", "Zlib"},
      {"mpl-1.1", "MPL-1.1"},         {"mpl-2.0", "MPL-2.0"},         {"openssl", "OpenSSL"},
      {"python-2.0", "Python-2.0"},   {"psf-2", "Python-2.0"},        {"x11", "X11"},
      {"curl", "curl"},               {"bsl-1.0", "BSL-1.0"},         {"unicode-dfs-2016", "Unicode-DFS-2016"},
      {"ftl", "FTL"},                 {"sleepycat", "Sleepycat"},     {"wtfpl", "WTFPL"},
      {"zpl-2.1", "ZPL-2.1"},         {"cc-by-4.0", "CC-BY-4.0"},     {"cc-by-sa-4.0", "CC-BY-SA-4.0"},
      {"ofl-1.1", "OFL-1.1"},         {"epl-1.0", "EPL-1.0"},         {"epl-2.0", "EPL-2.0"},
      {"bzip2-1.0.6", "bzip2-1.0.6"},
  };
  return names;
}

// The GNU licenses, whose SPDX identifiers say -only or -or-later.
std::optional<std::string> GnuLicense(const std::string& lower, bool or_later) {
  static const std::map<std::string, std::string> gnu = {
      {"gpl-1", "GPL-1.0"},   {"gpl-2", "GPL-2.0"},   {"gpl-3", "GPL-3.0"},   {"lgpl-2", "LGPL-2.0"},
      {"lgpl-2.0", "LGPL-2.0"}, {"lgpl-2.1", "LGPL-2.1"}, {"lgpl-3", "LGPL-3.0"}, {"agpl-3", "AGPL-3.0"},
      {"gfdl-1.2", "GFDL-1.2"}, {"gfdl-1.3", "GFDL-1.3"}, {"gpl-2.0", "GPL-2.0"}, {"gpl-3.0", "GPL-3.0"},
      {"lgpl-3.0", "LGPL-3.0"}, {"agpl-3.0", "AGPL-3.0"}, {"gpl-1.0", "GPL-1.0"},
  };
  auto it = gnu.find(lower);
  if (it == gnu.end()) return std::nullopt;
  return it->second + (or_later ? "-or-later" : "-only");
}

std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> words;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t end = s.find_first_of(" \t,", pos);
    if (end == std::string_view::npos) end = s.size();
    if (end > pos) words.emplace_back(s.substr(pos, end - pos));
    pos = end + 1;
  }
  return words;
}

}  // namespace

std::string LicenseRef(std::string_view name) {
  std::string out = "LicenseRef-";
  for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ? c : '-';
  return out;
}

std::optional<std::string> SpdxLicenseId(std::string_view dep5_name) {
  std::string lower = Lower(dep5_name);
  const bool or_later = !lower.empty() && lower.back() == '+';
  if (or_later) lower.pop_back();
  if (auto gnu = GnuLicense(lower, or_later)) return gnu;
  auto it = Dep5Names().find(lower);
  if (it == Dep5Names().end()) return std::nullopt;
  return or_later ? it->second + "+" : it->second;
}

std::string SpdxExpression(std::string_view dep5_field, std::vector<std::string>* refs) {
  // "A or B and C", "GPL-2+ with OpenSSL exception": SPDX operators between license names;
  // an exception clause is folded into a LicenseRef (its SPDX id would need a list of its own).
  std::vector<std::string> words = Words(dep5_field.substr(0, dep5_field.find('\n')));
  std::string out, pending;
  auto flush = [&] {
    if (pending.empty()) return;
    std::string term;
    if (auto id = SpdxLicenseId(pending)) {
      term = *id;
    } else {
      term = LicenseRef(pending);
      if (refs && std::find(refs->begin(), refs->end(), pending) == refs->end()) refs->push_back(pending);
    }
    out += term;
    pending.clear();
  };
  for (const auto& w : words) {
    const std::string lw = Lower(w);
    if (lw == "or" || lw == "and") {
      flush();
      if (!out.empty() && out.back() != ' ') out += lw == "or" ? " OR " : " AND ";
    } else {
      pending += (pending.empty() ? "" : "-") + w;
    }
  }
  flush();
  while (out.size() >= 4 && (out.ends_with(" OR ") || out.ends_with(" AND ")))
    out.resize(out.ends_with(" OR ") ? out.size() - 4 : out.size() - 5);
  return out;
}

}  // namespace kiln::security
