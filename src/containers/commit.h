// `commit`: a container's changes (its upper dir) as a new image on top of its image, as
// podman commit makes it: the container's command, environment and working directory become
// the image's, `--change` instructions apply on top, one history entry "/bin/sh" whose comment
// names the container's image. A running container is committed as it is at that moment
// (kiln does not pause it; docs/compat.md).
#pragma once

#include <string>
#include <vector>

#include "store/containers.h"
#include "store/store.h"
#include "util/status.h"

namespace kiln::containers {

struct CommitOptions {
  std::vector<std::string> names;    // normalised image names to give it (none: dangling)
  std::vector<std::string> changes;  // -c/--change instructions
  std::string author;                // -a
  std::string message;               // -m: Docker format only, as podman
  bool docker_format = false;        // -f docker
  bool squash = false;               // -s: the image's layers and the changes as one layer
  bool include_volumes = false;      // --include-volumes: the container's volumes become image VOLUMEs
};

// Checks the options first (bad input changes nothing), then writes the layer and the image.
Expected<store::ImageRecord> Commit(store::Store& store, const store::ContainerRecord& c, const CommitOptions& options);

}  // namespace kiln::containers
