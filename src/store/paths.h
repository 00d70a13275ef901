#pragma once

#include <string>

namespace kiln::store {

// DESIGN.md: --root, else $KILN_ROOT, else /var/lib/kiln as root and
// $XDG_DATA_HOME/kiln (or ~/.local/share/kiln) rootless (util/rootless.h: also inside
// kiln's user namespace, where kiln runs as uid 0).
std::string DefaultRoot();
// --runroot, else /run/kiln as root, else $XDG_RUNTIME_DIR/kiln (or /tmp/kiln-UID).
std::string DefaultRunRoot();

}  // namespace kiln::store
