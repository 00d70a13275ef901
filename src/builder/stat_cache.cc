#include "builder/stat_cache.h"

#include "util/time.h"

namespace kiln::build {
namespace {

bool SameStamp(const FileStamp& a, const FileStamp& b) {
  return a.size == b.size && a.mtime_ns == b.mtime_ns && a.ctime_ns == b.ctime_ns && a.inode == b.inode &&
         a.mode == b.mode;
}

}  // namespace

Status StoreStatCache::Load() {
  loaded_ = true;
  // A range on the primary key: only this context's files ('0' follows '/').
  std::string dir = context_dir_;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  ASSIGN_OR_RETURN(store::Statement s, store_.db().Prepare("SELECT path, size, mtime, ctime, inode, mode, digest "
                                                           "FROM stat_cache WHERE path >= ?1 AND path < ?2"));
  s.Bind(1, dir == "/" ? "/" : dir + "/").Bind(2, dir == "/" ? "0" : dir + "0");
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    auto digest = Digest::FromHex(s.ColumnText(6));
    if (!digest.ok()) continue;
    Entry e{{s.ColumnInt(1), s.ColumnInt(2), s.ColumnInt(3), static_cast<uint64_t>(s.ColumnInt(4)),
             static_cast<uint32_t>(s.ColumnInt(5))},
            *digest};
    entries_.emplace(s.ColumnText(0), std::move(e));
  }
  return Status::Ok();
}

std::optional<Digest> StoreStatCache::Lookup(const std::string& abs_path, const FileStamp& stamp) {
  // A stamp from the current second may be followed by a write in the same second that
  // leaves mtime unchanged on coarse clocks; ctime/inode still catch most, and the stamp
  // carries nanoseconds here.
  if (!loaded_ && !Load().ok()) return std::nullopt;
  auto it = entries_.find(abs_path);
  if (it == entries_.end() || !SameStamp(it->second.stamp, stamp)) return std::nullopt;
  return it->second.digest;
}

void StoreStatCache::Record(const std::string& abs_path, const FileStamp& stamp, const Digest& content) {
  Entry e{stamp, content};
  entries_[abs_path] = e;
  pending_.emplace_back(abs_path, std::move(e));
}

Status StoreStatCache::Flush() {
  if (pending_.empty()) return Status::Ok();
  Status st = store_.db().Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(store::Statement s, store_.db().Prepare(
                                      "INSERT OR REPLACE INTO stat_cache (path, size, mtime, ctime, inode, mode, digest, "
                                      "used) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    int64_t now = NowNanos();
    for (const auto& [path, e] : pending_) {
      s.Reset();
      s.Bind(1, path).Bind(2, e.stamp.size).Bind(3, e.stamp.mtime_ns).Bind(4, e.stamp.ctime_ns);
      s.Bind(5, static_cast<int64_t>(e.stamp.inode)).Bind(6, static_cast<int64_t>(e.stamp.mode));
      s.Bind(7, e.digest.hex()).Bind(8, now);
      RETURN_IF_ERROR(s.Run());
    }
    return Status::Ok();
  });
  pending_.clear();
  return st;
}

Status ForgetStatCache(store::Store& store) {
  ASSIGN_OR_RETURN(store::Statement s, store.db().Prepare("DELETE FROM stat_cache"));
  return s.Run();
}

}  // namespace kiln::build
