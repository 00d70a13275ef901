// The layer cache: step key → the image the step committed.
// A cache entry names an image; the image holds its layers, so GC needs nothing more, and a
// deleted image takes its entries with it (Store::DeleteImage). A lookup is one indexed query.
#pragma once

#include <optional>
#include <string>

#include "store/store.h"

namespace kiln::store {

class BuildCache {
 public:
  explicit BuildCache(Store& store) : store_(store) {}

  // The image a step with this key committed, if that image still exists.
  Expected<std::optional<std::string>> Lookup(const std::string& key);
  Status Record(const std::string& key, const std::string& image_id);

 private:
  Store& store_;
};

}  // namespace kiln::store
