// containers.conf, read as podman reads it (containers/common's order): CONTAINERS_CONF alone
// when set; else /usr/share/containers/containers.conf, /etc/containers/containers.conf, its
// containers.conf.d/*.conf drop-ins in name order, then the user's
// $XDG_CONFIG_HOME/containers/containers.conf (~/.config/...); later files override earlier
// ones key by key. Only the keys kiln uses are kept:
//
//   [engine]
//   runtime = "runc"                  # the OCI runtime, as the global --runtime
//   [kiln]                            # a table podman ignores
//   osv_db = "/srv/osv/debian.zip"    # image scan's default --db
#pragma once

#include <string>
#include <vector>

#include "util/status.h"

namespace kiln::config {

struct ContainersConf {
  std::string runtime;  // [engine] runtime; "" when unset
  std::string osv_db;   // [kiln] osv_db; "" when unset
};

// The files to read, in order (whether they exist or not).
std::vector<std::string> ContainersConfFiles();
// Reads the files that exist; an unreadable or invalid one is an error naming it.
Expected<ContainersConf> LoadContainersConf();

}  // namespace kiln::config
