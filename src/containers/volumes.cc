// Volumes of the container engine: create, users, remove, prune, filter, and the -v words.
#include "containers/volumes.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "containers/filters.h"
#include "containers/containers.h"
#include "store/layer_apply.h"
#include "store/layer_tar.h"
#include "util/fs.h"
#include "util/io.h"
#include "util/time.h"

namespace kiln::containers {
namespace {

using Json = nlohmann::ordered_json;

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string p; std::getline(ss, p, sep);) out.push_back(p);
  if (!s.empty() && s.back() == sep) out.emplace_back();
  return out;
}

// K=V (or a lone K, value "") words into a map.
std::map<std::string, std::string> KeyValues(const std::vector<std::string>& words) {
  std::map<std::string, std::string> out;
  for (const auto& w : words) {
    auto eq = w.find('=');
    out[w.substr(0, eq)] = eq == std::string::npos ? "" : w.substr(eq + 1);
  }
  return out;
}

bool IsHostPath(const std::string& s) { return !s.empty() && (s[0] == '/' || s[0] == '.'); }

Status ParseVolumeOptions(const std::string& opts, VolumeSpec& v) {
  for (const auto& opt : Split(opts, ',')) {
    static const std::set<std::string> kIgnored = {"rw",     "z",        "Z",       "bind",  "rbind",  "private",
                                                   "rprivate", "shared", "rshared", "slave", "rslave", "nocopy",
                                                   "copy",   "exec",     "noexec",  "suid",  "nosuid", "dev",
                                                   "nodev",  "U",        "O"};
    if (opt == "ro") v.readonly = true;
    else if (!kIgnored.count(opt)) return InvalidArgument("invalid option type \"" + opt + "\"");
  }
  return Status::Ok();
}

bool MatchesVolumeFilter(const store::VolumeRecord& v, const std::string& key, const std::string& value, bool used) {
  if (key == "name") return v.name.find(value) != std::string::npos;
  if (key == "driver") return v.driver == value;
  if (key == "scope") return value == "local";
  if (key == "anonymous") return v.anonymous == (value == "true" || value == "1");
  if (key == "dangling") return (value == "true" || value == "1") ? !used : used;
  if (key == "label" || key == "opt") {
    const auto& m = key == "label" ? v.labels : v.options;
    auto eq = value.find('=');
    auto it = m.find(value.substr(0, eq));
    return it != m.end() && (eq == std::string::npos || it->second == value.substr(eq + 1));
  }
  return false;
}

struct CopyUpArg {
  std::string destination;
  int fd;
};

// In a child with the container's rootfs mounted: the directory at the mount's destination
// as a tar on fd, or nothing when there is none. A symlink that leads out of the rootfs is
// not followed (that would copy the host's files into the volume).
int TarDestinationInChild(const std::string& rootfs, void* arg) {
  auto* a = static_cast<CopyUpArg*>(arg);
  char root_real[PATH_MAX], src_real[PATH_MAX];
  if (!realpath(rootfs.c_str(), root_real) || !realpath((rootfs + a->destination).c_str(), src_real)) return 0;
  const std::string root = root_real, src = src_real;
  if (src != root && src.rfind(root + "/", 0) != 0) return 0;
  struct stat sb;
  if (stat(src.c_str(), &sb) != 0 || !S_ISDIR(sb.st_mode)) return 0;
  FdWriter w = FdWriter::Borrow(a->fd);
  store::TarOptions opts;
  opts.convert_overlay_whiteouts = false;
  opts.exact_mtime = true;
  Status st = store::WriteLayerTarFromDir(src, w, opts);
  if (!st.ok()) {
    std::fprintf(stderr, "Error: copying up %s: %s\n", a->destination.c_str(), st.message().c_str());
    return 1;
  }
  return 0;
}

bool DirEmpty(const std::string& dir) {
  std::error_code ec;
  return std::filesystem::is_empty(dir, ec) && !ec;
}

// Fills data from the container's rootfs at destination; false when the rootfs has no
// directory there (podman then leaves the volume to be filled by a later container).
Expected<bool> CopyUp(const runtime::ContainerSpec& spec, const std::string& destination, const std::string& data) {
  const std::string tar = spec.dir + "/copy-up.tar";
  UniqueFd fd(open(tar.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd.valid()) return ErrnoError("open " + tar, errno);
  (void)unlink(tar.c_str());  // the descriptor is all that is needed
  CopyUpArg arg{destination, fd.get()};
  RETURN_IF_ERROR(runtime::WithRootfs(spec, TarDestinationInChild, &arg));
  struct stat sb;
  if (fstat(fd.get(), &sb) != 0) return ErrnoError("stat " + tar, errno);
  if (sb.st_size == 0) return false;
  if (lseek(fd.get(), 0, SEEK_SET) != 0) return ErrnoError("seek " + tar, errno);
  FdReader r = FdReader::Borrow(fd.get());
  store::ApplyOptions opts;
  opts.whiteouts = store::WhiteoutPolicy::kKeep;
  store::ApplyStats stats;
  RETURN_IF_ERROR(store::ApplyLayer(r, data, opts, &stats));
  return true;
}

}  // namespace

Status PrepareVolumes(store::Store& st, const store::ContainerRecord& c, const runtime::ContainerSpec& spec) {
  store::Volumes rows(st.db());
  for (const auto& m : MountsOf(c)) {
    ASSIGN_OR_RETURN(store::VolumeRecord v, rows.Get(m.name));
    bool copied = false;
    const std::string data = store::VolumeDataPath(st.root(), v.name);
    if (v.needs_copy_up && !v.options.count("nocopy") && DirEmpty(data)) {
      ASSIGN_OR_RETURN(copied, CopyUp(spec, m.destination, data));
    }
    if (v.needs_chown || copied) RETURN_IF_ERROR(rows.MarkMounted(v.name, copied));
  }
  return Status::Ok();
}

Expected<VolumeSpec> ParseVolumeSpec(const std::string& word) {
  std::vector<std::string> parts = Split(word, ':');
  if (parts.empty() || parts.size() > 3)
    return InvalidArgument(word + ": incorrect volume format, should be [host-dir:]ctr-dir[:option]");
  VolumeSpec v;
  // One word is an anonymous volume, two or three are SRC:DST[:OPTS] (podman has no
  // DST:OPTS form: "/data:ro" is a host path and the container path "ro").
  if (parts.size() == 1) {
    v.kind = VolumeSpec::Kind::kAnonymous;
    v.destination = parts[0];
  } else {
    v.source = parts[0];
    v.destination = parts[1];
    v.kind = IsHostPath(v.source) ? VolumeSpec::Kind::kHost : VolumeSpec::Kind::kNamed;
    if (parts.size() == 3) RETURN_IF_ERROR(ParseVolumeOptions(parts[2], v));
  }
  if (v.destination.empty() || v.destination[0] != '/')
    return InvalidArgument("invalid container path \"" + v.destination + "\", must be an absolute path");
  if (v.kind == VolumeSpec::Kind::kNamed && !store::ValidVolumeName(v.source))
    return InvalidArgument("creating named volume \"" + v.source +
                           "\": running volume create option: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument");
  return v;
}

Expected<store::VolumeRecord> CreateVolume(store::Db& db, const std::string& root, const VolumeCreateOptions& o) {
  store::VolumeRecord v;
  v.name = o.name.empty() ? RandomHex(32) : o.name;
  if (!store::ValidVolumeName(v.name))
    return InvalidArgument("running volume create option: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument");
  if (!o.driver.empty() && o.driver != "local")
    return NotFound("volume " + v.name + " uses volume plugin " + o.driver + " but it could not be retrieved: no volume plugin with name " +
                    o.driver + " available: required plugin missing");
  v.labels = KeyValues(o.labels);
  v.options = KeyValues(o.options);
  for (const auto& [k, val] : v.options) {
    // kiln mounts no devices or tmpfs into volumes: a plain directory is all a volume is.
    if (k != "copy" && k != "nocopy")
      return Unsupported("volume option \"" + k + "\" is not supported by kiln (only plain directory volumes)");
  }
  v.anonymous = o.anonymous;
  v.needs_chown = !o.anonymous;
  v.created = NowNanos();
  store::Volumes rows(db);
  if (rows.Exists(v.name)) return AlreadyExists("volume with name " + v.name + " already exists: volume already exists");
  const std::string dir = store::VolumeDir(root, v.name);
  const bool existed = PathExists(dir);
  RETURN_IF_ERROR(MakeDirs(store::VolumeDataPath(root, v.name)));
  if (Status ins = rows.Insert(v); !ins.ok()) {
    if (!existed) (void)RemoveTree(dir);
    return ins;
  }
  return v;
}

std::vector<VolumeMount> MountsOf(const store::ContainerRecord& c) {
  std::vector<VolumeMount> out;
  for (const auto& m : c.config.value("volumes", Json::array()))
    out.push_back({m.value("name", ""), m.value("destination", ""), m.value("ro", false)});
  return out;
}

std::vector<runtime::BindMount> VolumeBinds(const std::string& root, const std::vector<VolumeMount>& mounts) {
  std::vector<runtime::BindMount> out;
  for (const auto& m : mounts) out.push_back({store::VolumeDataPath(root, m.name), m.destination, m.readonly});
  return out;
}

Expected<UsersByVolume> AllVolumeUsers(store::Db& db) {
  store::Containers rows(db);
  ASSIGN_OR_RETURN(std::vector<store::ContainerRecord> list, rows.List());
  UsersByVolume users;
  for (const auto& c : list) {
    std::set<std::string> names;  // a container that mounts a volume twice counts once
    for (const auto& m : MountsOf(c))
      if (names.insert(m.name).second) users[m.name].push_back(c.id);
  }
  return users;
}

Expected<std::vector<std::string>> VolumeUsers(store::Db& db, const std::string& name) {
  ASSIGN_OR_RETURN(UsersByVolume all, AllVolumeUsers(db));
  return all[name];
}

Status RemoveVolume(store::Store& st, const std::string& name, bool force, int timeout, const WarnFn& warn) {
  store::Volumes rows(st.db());
  ASSIGN_OR_RETURN(store::VolumeRecord v, rows.Get(name));
  ASSIGN_OR_RETURN(std::vector<std::string> users, VolumeUsers(st.db(), v.name));
  if (!users.empty() && !force) {
    std::string ids;
    for (const auto& id : users) ids += (ids.empty() ? "" : ", ") + id;
    return InUse("volume " + v.name + " is being used by the following container(s): " + ids + ": volume is being used");
  }
  store::Containers ctrs(st.db());
  for (const auto& id : users) {
    auto c = ctrs.Get(id);
    if (c.ok()) RETURN_IF_ERROR(Remove(st, *c, true, timeout, warn));
  }
  RETURN_IF_ERROR(rows.Delete(v.name));
  return RemoveTree(store::VolumeDir(st.root(), v.name));
}

void RemoveAnonymousVolumes(store::Db& db, const std::string& root, const store::ContainerRecord& removed) {
  store::Volumes rows(db);
  for (const auto& m : MountsOf(removed)) {
    auto v = rows.Get(m.name);
    if (!v.ok() || !v->anonymous) continue;
    auto users = VolumeUsers(db, v->name);
    if (!users.ok() || !users->empty()) continue;  // another container (--volumes-from) still mounts it
    if (rows.Delete(v->name).ok()) (void)RemoveTree(store::VolumeDir(root, v->name));
  }
}

Expected<std::vector<store::VolumeRecord>> FilterVolumes(store::Db& db, std::vector<store::VolumeRecord> list,
                                                         const std::vector<std::string>& filters) {
  static const FilterErrors kVolumeFilterErrors{
      [](const std::string& f) { return "filter input must be in the form of filter=value: " + f + " is invalid"; },
      [](const std::string& k) { return "\"" + k + "\" is an invalid volume filter"; },
  };
  ASSIGN_OR_RETURN(FilterValues by_key,
                   GroupFilters(filters, {"name", "driver", "scope", "label", "opt", "anonymous", "dangling"},
                                kVolumeFilterErrors));
  UsersByVolume users;  // read only when dangling= asks
  if (by_key.count("dangling")) {
    ASSIGN_OR_RETURN(users, AllVolumeUsers(db));
  }
  return KeepMatching(std::move(list), by_key, [&](const store::VolumeRecord& v, const std::string& k, const std::string& val) {
    return MatchesVolumeFilter(v, k, val, users.count(v.name) > 0);
  });
}

Expected<std::vector<std::string>> PruneVolumes(store::Store& st, const std::vector<std::string>& filters) {
  store::Volumes rows(st.db());
  ASSIGN_OR_RETURN(std::vector<store::VolumeRecord> list, rows.List());
  ASSIGN_OR_RETURN(list, FilterVolumes(st.db(), std::move(list), filters));
  ASSIGN_OR_RETURN(UsersByVolume users, AllVolumeUsers(st.db()));
  std::vector<std::string> removed;
  for (const auto& v : list) {
    if (users.count(v.name)) continue;
    RETURN_IF_ERROR(rows.Delete(v.name));
    RETURN_IF_ERROR(RemoveTree(store::VolumeDir(st.root(), v.name)));
    removed.push_back(v.name);
  }
  return removed;
}

}  // namespace kiln::containers
