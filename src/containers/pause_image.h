// The image of pods' infra containers, as podman makes it: localhost/podman-pause:VERSION-BUILT,
// built FROM scratch with catatonit (the Debian package's /usr/libexec/podman/catatonit)
// as /catatonit and ENTRYPOINT ["/catatonit", "-P"] when it is not in the store.
#pragma once

#include <string>
#include <vector>

#include "store/store.h"
#include "util/status.h"

namespace kiln::containers {

// "localhost/podman-pause:" + kiln's version + "-0" (kiln records no build time, as a
// podman built without one; `version --format "{{.Server.Version}}-{{.Server.Built}}"`).
std::string PauseImageName();

// Where catatonit is looked for, in podman's order (containers.conf helper_binaries_dir).
std::vector<std::string> CatatonitDirs();

// The pause image's record, built first when missing. The build's context is a temporary
// directory holding only catatonit: never the caller's working directory, whose
// .dockerignore would hide it (podman's bug #13529).
Expected<store::ImageRecord> EnsurePauseImage(store::Store& store);

}  // namespace kiln::containers
