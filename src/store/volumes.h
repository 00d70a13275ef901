// Volumes' rows in the metadata database: a named or anonymous directory that containers
// mount, ROOT/volumes/<name>/_data as in podman. A class over a Db (the store's, or one a
// container's monitor opened itself to remove the anonymous volumes of a --rm container).
// Which containers use a volume is in the containers' rows (config "volumes"), not here.
// Files first on create (directory, then row), row first on remove, as for containers.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "store/db.h"
#include "util/status.h"

namespace kiln::store {

struct VolumeRecord {
  std::string name;
  std::string driver = "local";
  int64_t created = 0;  // unix nanos
  bool anonymous = false;
  bool needs_copy_up = true;  // podman's NeedsCopyUp: not yet filled from an image
  bool needs_chown = true;    // podman's NeedsChown: not yet mounted by a container
  std::map<std::string, std::string> labels, options;
};

class Volumes {
 public:
  explicit Volumes(Db& db) : db_(db) {}

  // kAlreadyExists with podman's text when the name is taken.
  Status Insert(const VolumeRecord& v);
  Expected<std::vector<VolumeRecord>> List();  // by name
  // kNotFound: `no volume with name "NAME" found: no such volume`.
  Expected<VolumeRecord> Get(std::string_view name);
  bool Exists(std::string_view name);
  // The volume has been mounted (NeedsChown false) and, with copied, filled (NeedsCopyUp false).
  Status MarkMounted(const std::string& name, bool copied);
  Status Delete(const std::string& name);

 private:
  Db& db_;
};

// ROOT/volumes/<name> and the directory containers see, ROOT/volumes/<name>/_data.
std::string VolumeDir(const std::string& root, const std::string& name);
std::string VolumeDataPath(const std::string& root, const std::string& name);
// podman's rule for volume names: [a-zA-Z0-9][a-zA-Z0-9_.-]*.
bool ValidVolumeName(std::string_view name);

}  // namespace kiln::store
