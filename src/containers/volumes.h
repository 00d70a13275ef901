// Volumes as the container engine sees them (libpod's volumes): creating named and
// anonymous ones, which containers use one, removing (refused while in use, or taking the
// users with it under force), pruning, the anonymous volumes of a removed container, and
// what `-v`, `--volumes-from` and the image's VOLUMEs ask a new container to mount.
//
//   ASSIGN_OR_RETURN(store::VolumeRecord v, containers::CreateVolume(db, root, {"data"}));
//   containers::RemoveVolume(store, "data", /*force=*/false, 10, warn);   // kInUse while used
#pragma once

#include <map>
#include <string>
#include <vector>

#include "runtime/runtime.h"
#include "store/containers.h"
#include "store/store.h"
#include "store/volumes.h"
#include "util/status.h"

namespace kiln::containers {

using WarnFn = std::function<void(const std::string&)>;

// One -v word: a host directory (SRC starts with / or .), a named volume (NAME:DST) or an
// anonymous one (a lone DST).
struct VolumeSpec {
  enum class Kind { kHost, kNamed, kAnonymous } kind = Kind::kHost;
  std::string source;       // host path or volume name; empty for an anonymous volume
  std::string destination;  // absolute path in the container
  bool readonly = false;
};
// -v [SRC:]DST[:ro|rw|z|Z|bind|rbind|...]: podman's texts for a bad word.
Expected<VolumeSpec> ParseVolumeSpec(const std::string& word);

// A volume mounted by a container, as its row records it (config "volumes").
struct VolumeMount {
  std::string name, destination;
  bool readonly = false;
};

// volume create: a name (else a random anonymous-style ID), --label K=V, --opt K=V.
struct VolumeCreateOptions {
  std::string name;
  std::string driver;                  // "" or "local"
  std::vector<std::string> labels;     // K[=V]
  std::vector<std::string> options;    // K[=V]
  bool anonymous = false;
};
// Makes ROOT/volumes/NAME/_data, then the row; kAlreadyExists when the name is taken.
Expected<store::VolumeRecord> CreateVolume(store::Db& db, const std::string& root, const VolumeCreateOptions& options);

// IDs of the containers whose rows mount the volume, in creation order.
Expected<std::vector<std::string>> VolumeUsers(store::Db& db, const std::string& name);
// The same for every volume some container mounts, from one reading of the containers: for
// commands that ask of each volume (ls --filter dangling, prune, system df).
using UsersByVolume = std::map<std::string, std::vector<std::string>>;
Expected<UsersByVolume> AllVolumeUsers(store::Db& db);
// Removes a volume: refused with kInUse (podman's text, exit 2) while containers use it,
// unless force, which removes those containers first (stopping running ones).
Status RemoveVolume(store::Store& store, const std::string& name, bool force, int timeout, const WarnFn& warn);
// Removes the anonymous volumes a removed container mounted that no other container uses
// (rm -v, run --rm); errors are ignored, as podman does.
void RemoveAnonymousVolumes(store::Db& db, const std::string& root, const store::ContainerRecord& removed);

// volume prune: removes every volume no container uses (matching --filter); their names.
Expected<std::vector<std::string>> PruneVolumes(store::Store& store, const std::vector<std::string>& filters);
// volume ls --filter: name=, driver=, label=K[=V], anonymous=, dangling=true|false, scope=local.
Expected<std::vector<store::VolumeRecord>> FilterVolumes(store::Db& db, std::vector<store::VolumeRecord> list,
                                                         const std::vector<std::string>& filters);

// Before a container starts: fills each of its volumes that has never been filled (and was
// not created with -o nocopy) from what the image (and container) holds at the mount's
// destination, as podman's copy-up does, and records the volumes as mounted.
Status PrepareVolumes(store::Store& store, const store::ContainerRecord& c, const runtime::ContainerSpec& spec);

// The container's volumes in its row's form (config "volumes").
std::vector<VolumeMount> MountsOf(const store::ContainerRecord& c);
// The volumes of a container's row as bind mounts of their _data directories.
std::vector<runtime::BindMount> VolumeBinds(const std::string& root, const std::vector<VolumeMount>& mounts);

}  // namespace kiln::containers
