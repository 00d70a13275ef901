// The stat cache of context files (path + stat stamp → content digest), kept in the store's
// stat_cache table so that a rebuild of an unchanged context reads no file contents.
#pragma once

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "builder/context.h"
#include "store/store.h"

namespace kiln::build {

// StatCache over the store's stat_cache table. The rows under the build's context are read
// in one query on first use and new ones written in one transaction by Flush(), so hashing a
// context of thousands of files costs two queries, not thousands.
class StoreStatCache final : public StatCache {
 public:
  StoreStatCache(store::Store& store, std::string context_dir) : store_(store), context_dir_(std::move(context_dir)) {}
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
  std::string context_dir_;
  bool loaded_ = false;
  std::unordered_map<std::string, Entry> entries_;
  std::vector<std::pair<std::string, Entry>> pending_;
};

// system prune: the stat cache is only a speed-up; the next build hashes its context again.
Status ForgetStatCache(store::Store& store);

}  // namespace kiln::build
