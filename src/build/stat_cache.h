// The stat cache of context files (path + stat stamp → content digest), kept in the store's
// stat_cache table so that a rebuild of an unchanged context reads no file contents.
#pragma once

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "build/context.h"
#include "store/store.h"

namespace kiln::build {

// StatCache over the store's stat_cache table. Rows are read in one query on first
// use and new ones written in one transaction by Flush(), so hashing a context of thousands
// of files costs two queries, not thousands.
class StoreStatCache final : public StatCache {
 public:
  explicit StoreStatCache(store::Store& store) : store_(store) {}
  std::optional<Digest> Lookup(const std::string& abs_path, const FileStamp& stamp) override;
  void Record(const std::string& abs_path, const FileStamp& stamp, const Digest& content) override;
  Status Flush();

 private:
  struct Entry {
    FileStamp stamp;
    Digest digest;
  };
  Status Load();

  store::Store& store_;
  bool loaded_ = false;
  std::unordered_map<std::string, Entry> entries_;
  std::vector<std::pair<std::string, Entry>> pending_;
};

}  // namespace kiln::build
