#include "store/build_cache.h"

#include "util/time.h"

namespace kiln::store {

Expected<std::optional<std::string>> BuildCache::Lookup(const std::string& key) {
  ASSIGN_OR_RETURN(Statement s, store_.db().Prepare(
                                    "SELECT c.image_id FROM build_cache c JOIN images i ON i.id = c.image_id "
                                    "WHERE c.key = ?"));
  s.Bind(1, key);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(s.ColumnText(0));
}

Status BuildCache::Record(const std::string& key, const std::string& image_id) {
  ASSIGN_OR_RETURN(Statement s, store_.db().Prepare(
                                    "INSERT OR REPLACE INTO build_cache (key, image_id, created) VALUES (?, ?, ?)"));
  s.Bind(1, key).Bind(2, image_id).Bind(3, NowNanos());
  return s.Run();
}

}  // namespace kiln::store
