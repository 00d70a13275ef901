#include "store/snapshots.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "util/fs.h"
#include "util/top_dir.h"

namespace kiln::store {
namespace {

// One syncfs() per snapshot instead of one fsync() per file: the whole filesystem's
// dirty data goes to disk in one go before the snapshot is published.
Status SyncFilesystemOf(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError("open " + path, errno);
  if (::syncfs(fd.get()) != 0) return ErrnoError("syncfs " + path, errno);
  return Status::Ok();
}

}  // namespace

Snapshots::Snapshots(std::string root) : dir_(JoinPath(root, "snapshots")) {}

Status Snapshots::Init() const {
  RETURN_IF_ERROR(MakeDirs(dir_));
  MarkTopDir(dir_);  // each snapshot an unrelated tree
  return Status::Ok();
}

std::string Snapshots::Dir(const Digest& chain_id) const { return JoinPath(dir_, chain_id.hex()); }
std::string Snapshots::FsPath(const Digest& chain_id) const { return JoinPath(Dir(chain_id), "fs"); }
bool Snapshots::Has(const Digest& chain_id) const { return PathExists(FsPath(chain_id)); }

Status Snapshots::Create(const Digest& chain_id,
                         const std::function<Status(const std::string& fs_dir)>& fill) const {
  std::string tmp = JoinPath(dir_, "tmp-" + RandomHex(8));
  std::string fs = JoinPath(tmp, "fs");
  if (::mkdir(tmp.c_str(), 0700) != 0) return ErrnoError("creating " + tmp, errno);
  if (::mkdir(fs.c_str(), 0755) != 0) return ErrnoError("creating " + fs, errno);
  Status st = fill(fs);
  if (st.ok()) st = SyncFilesystemOf(tmp);
  if (st.ok() && ::rename(tmp.c_str(), Dir(chain_id).c_str()) != 0) {
    // Someone else finished the same layer first: theirs is as good as ours.
    if (errno != EEXIST && errno != ENOTEMPTY) st = ErrnoError("publishing snapshot " + chain_id.hex(), errno);
  }
  if (PathExists(tmp)) (void)RemoveTree(tmp);
  if (!st.ok()) return st;
  return FsyncPath(dir_);
}

Expected<std::vector<std::string>> Snapshots::ListEntries() const {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir_.c_str());
  if (!d) return ErrnoError("listing " + dir_, errno);
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") out.push_back(std::move(name));
  }
  ::closedir(d);
  return out;
}

Status Snapshots::RemoveEntry(const std::string& name) const {
  // Rename first so that a crash half-way through the delete never leaves a partial
  // directory under a chain ID name.
  std::string path = JoinPath(dir_, name);
  if (name.rfind("tmp-", 0) != 0) {
    std::string doomed = JoinPath(dir_, "tmp-" + RandomHex(8));
    if (::rename(path.c_str(), doomed.c_str()) != 0) return ErrnoError("removing snapshot " + name, errno);
    path = doomed;
  }
  return RemoveTree(path);
}

}  // namespace kiln::store
