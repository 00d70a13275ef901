// --mount of run and create, podman's syntax: type=bind|image, src=/source=, dst=/
// destination=/target=, and the options of each type (bind: ro/readonly, rw/readwrite;
// image: rw/readwrite). Parsing only, no lookups; a bind's source must exist.
#pragma once

#include <string>
#include <vector>

#include "runtime/runtime.h"
#include "util/status.h"

namespace kiln::containers {

struct ImageMountRequest {
  std::string source;  // the image as the user named it
  std::string destination;
  bool rw = false;
};

struct MountFlags {
  std::vector<runtime::BindMount> binds;
  std::vector<ImageMountRequest> images;
};

// Errors in podman's words and order (`invalid filesystem type "x"`, `X: invalid mount
// option`, `must set source and destination for image volume`…).
Expected<MountFlags> ParseMountFlags(const std::vector<std::string>& mounts);

}  // namespace kiln::containers
