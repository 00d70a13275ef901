// Where `kiln image scan` finds its advisory database when --db is not given: the
// containers.conf files, read in containers/common's order (CONTAINERS_CONF alone when set;
// else /usr/share/containers/containers.conf, /etc/containers/containers.conf, its .d/
// drop-ins, then the user's $XDG_CONFIG_HOME/containers/containers.conf), later files
// overriding earlier ones, from a table podman ignores:
//
//   [kiln]
//   osv_db = "/srv/osv/debian.zip"
#pragma once

#include <string>

#include "util/status.h"

namespace kiln::security {

// The configured path, "" when none; an unreadable or invalid file is an error.
Expected<std::string> ConfiguredOsvDb();

}  // namespace kiln::security
