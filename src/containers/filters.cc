#include "containers/filters.h"

namespace kiln::containers {

const FilterErrors kListFilterErrors{
    [](const std::string& f) { return "invalid filter \"" + f + "\""; },
    [](const std::string& k) { return k + " is an invalid filter"; },
};

Expected<FilterValues> GroupFilters(const std::vector<std::string>& filters, const std::set<std::string>& keys,
                                    const FilterErrors& errors) {
  FilterValues by_key;
  for (const auto& f : filters) {
    auto eq = f.find('=');
    if (eq == std::string::npos) return InvalidArgument(errors.malformed(f));
    std::string k = f.substr(0, eq);
    if (!keys.count(k)) return InvalidArgument(errors.unknown_key(k));
    by_key[k].push_back(f.substr(eq + 1));
  }
  return by_key;
}

const std::vector<std::string>& ValuesOf(const FilterValues& by_key, const std::string& key) {
  static const std::vector<std::string> kNone;
  auto it = by_key.find(key);
  return it == by_key.end() ? kNone : it->second;
}

}  // namespace kiln::containers
