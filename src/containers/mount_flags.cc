#include "containers/mount_flags.h"

#include <sys/stat.h>

#include <cerrno>
#include <sstream>

namespace kiln::containers {
namespace {

std::vector<std::string> SplitCommas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string p; std::getline(ss, p, ',');) out.push_back(p);
  return out;
}

// Go's strconv.ParseBool, as podman reads "rw=…" and "readonly=…" (its words differ by type).
Expected<bool> MountBool(const std::string& type, const std::string& key, const std::string& value) {
  if (value == "1" || value == "t" || value == "T" || value == "true" || value == "TRUE" || value == "True") return true;
  if (value == "0" || value == "f" || value == "F" || value == "false" || value == "FALSE" || value == "False") return false;
  if (type == "bind")
    return InvalidArgument("'readonly', 'ro', or 'rw' must be set to true or false, instead received \"" + value +
                           "\": must provide an argument for option");
  return InvalidArgument("invalid " + key + " value \"" + value + "\": invalid mount option");
}

Status CheckDestination(const std::string& dst) {
  if (dst.empty() || dst[0] != '/') return InvalidArgument("invalid container path \"" + dst + "\", must be an absolute path");
  return Status::Ok();
}

// One --mount: its type and its key[=value] fields.
struct Fields {
  std::string type, source, destination;
  bool has_rw = false, rw = false;
};

Expected<Fields> ParseFields(const std::string& mount) {
  Fields f;
  std::vector<std::string> parts = SplitCommas(mount);
  for (const auto& p : parts)
    if (p.rfind("type=", 0) == 0) f.type = p.substr(5);
  if (f.type.empty())
    return InvalidArgument("incorrect mount format: should be --mount type=<bind|tmpfs|volume>,[src=<host-dir|volume-name>,]target=<ctr-dir>[,options]");
  if (f.type != "bind" && f.type != "image") {
    if (f.type == "volume" || f.type == "tmpfs" || f.type == "devpts" || f.type == "glob")
      return Unsupported("--mount type=" + f.type + " is not supported by kiln yet");
    return InvalidArgument("invalid filesystem type \"" + f.type + "\"");
  }
  for (const auto& p : parts) {
    const size_t eq = p.find('=');
    const std::string key = p.substr(0, eq), value = eq == std::string::npos ? "" : p.substr(eq + 1);
    const bool has_value = eq != std::string::npos;
    if (key == "type") continue;
    if (key == "src" || key == "source") {
      f.source = value;
    } else if (key == "dst" || key == "destination" || key == "target") {
      f.destination = value;
    } else if (key == "rw" || key == "readwrite") {
      f.has_rw = true;
      f.rw = true;
      if (has_value) {
        ASSIGN_OR_RETURN(f.rw, MountBool(f.type, key, value));
      }
    } else if (f.type == "bind" && (key == "ro" || key == "readonly")) {
      f.has_rw = true;
      bool ro = true;
      if (has_value) {
        ASSIGN_OR_RETURN(ro, MountBool(f.type, key, value));
      }
      f.rw = !ro;
    } else {
      return InvalidArgument(key + ": invalid mount option");
    }
  }
  return f;
}

}  // namespace

Expected<MountFlags> ParseMountFlags(const std::vector<std::string>& mounts) {
  MountFlags out;
  for (const auto& m : mounts) {
    ASSIGN_OR_RETURN(Fields f, ParseFields(m));
    if (f.type == "image") {
      if (f.source.empty() || f.destination.empty())
        return InvalidArgument("must set source and destination for image volume");
      RETURN_IF_ERROR(CheckDestination(f.destination));
      out.images.push_back({f.source, f.destination, f.rw});
      continue;
    }
    if (f.destination.empty()) return InvalidArgument("must set volume destination");
    if (f.source.empty()) f.source = f.destination;  // podman's reading of a bind without src
    RETURN_IF_ERROR(CheckDestination(f.destination));
    struct stat st;
    if (stat(f.source.c_str(), &st) != 0) return InvalidArgument("statfs " + f.source + ": " + GoErrnoText(errno));
    out.binds.push_back({f.source, f.destination, f.has_rw && !f.rw});
  }
  return out;
}

}  // namespace kiln::containers
