// podman's --filter KEY=VALUE lists for ps, pod ps and volume ls: values grouped by key, the
// keys checked once; a list keeps what matches every key and, within a key, any of its values.
#pragma once

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "util/status.h"

namespace kiln::containers {

using FilterValues = std::map<std::string, std::vector<std::string>>;

// The texts of a bad filter differ between podman's commands.
struct FilterErrors {
  std::string (*malformed)(const std::string& filter);
  std::string (*unknown_key)(const std::string& key);
};
// ps and pod ps: `invalid filter "x"`, `k is an invalid filter`.
extern const FilterErrors kListFilterErrors;

Expected<FilterValues> GroupFilters(const std::vector<std::string>& filters, const std::set<std::string>& keys,
                                    const FilterErrors& errors = kListFilterErrors);

// The values given for key; none when it was not given.
const std::vector<std::string>& ValuesOf(const FilterValues& by_key, const std::string& key);

// Keeps the items of list for which matches(item, key, value) holds, for every key with some
// value of it.
template <typename T, typename Matches>
std::vector<T> KeepMatching(std::vector<T> list, const FilterValues& by_key, Matches matches) {
  for (const auto& [key, values] : by_key) {
    std::vector<T> kept;
    for (auto& item : list)
      if (std::any_of(values.begin(), values.end(), [&](const std::string& v) { return matches(item, key, v); }))
        kept.push_back(std::move(item));
    list = std::move(kept);
  }
  return list;
}

}  // namespace kiln::containers
