// The store-wide GC lock (ROOT/gc.lock, flock): every process that may leave files not
// yet referenced by the database (ingest, fresh snapshots) holds it shared; a GC pass
// that deletes files needs it exclusively. So GC never deletes what another live
// process is about to reference, and a process killed mid-write releases it for free.
#pragma once

#include <string>

#include "util/fs.h"
#include "util/status.h"

namespace kiln::store {

class GcLock {
 public:
  static Expected<GcLock> Open(const std::string& path);
  Status LockShared();
  // Tries for up to timeout_ms to turn a shared hold into an exclusive one; returns false
  // (still holding it shared) when other kiln processes are busy.
  bool TryUpgrade(int timeout_ms);
  void Downgrade();

 private:
  explicit GcLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace kiln::store
