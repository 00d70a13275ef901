#include "store/lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

namespace kiln::store {

Expected<GcLock> GcLock::Open(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!fd.valid()) return ErrnoError("opening " + path, errno);
  return GcLock(std::move(fd));
}

Status GcLock::LockShared() {
  while (::flock(fd_.get(), LOCK_SH) != 0) {
    if (errno != EINTR) return ErrnoError("locking the store", errno);
  }
  return Status::Ok();
}

bool GcLock::TryUpgrade(int timeout_ms) {
  // flock conversion is not atomic; nothing relies on it being so, since the caller
  // re-reads the database after getting the exclusive lock.
  for (int waited = 0;; waited += 5) {
    if (::flock(fd_.get(), LOCK_EX | LOCK_NB) == 0) return true;
    if (waited >= timeout_ms) break;
    ::usleep(5000);
  }
  (void)LockShared();
  return false;
}

void GcLock::Downgrade() { (void)LockShared(); }

}  // namespace kiln::store
