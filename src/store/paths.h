#pragma once

#include <string>

namespace kiln::store {

// DESIGN.md: --root, else $KILN_ROOT, else /var/lib/kiln as root and
// $XDG_DATA_HOME/kiln (or ~/.local/share/kiln) otherwise.
std::string DefaultRoot();
// --runroot, else /run/kiln as root, else $XDG_RUNTIME_DIR/kiln (or /tmp/kiln-UID).
std::string DefaultRunRoot();

}  // namespace kiln::store
