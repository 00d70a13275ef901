// container inspect, and inspect of a container: podman's define.InspectContainerData for
// the fields kiln keeps (state, config, host config, mounts), as JSON and as template data.
#pragma once

#include <string>
#include <vector>

#include "cli/context.h"
#include "format/value.h"
#include "store/containers.h"

namespace kiln::cli {

// One container's inspect data (its Go type and field order, so that {{json .}} and
// JSON output match podman's keys).
format::Value ContainerInspectValue(const store::ContainerRecord& c, const std::string& root);

// Prints the containers' inspect data (JSON array, or the template per container).
int PrintContainerInspect(const std::vector<store::ContainerRecord>& containers, const std::string& root,
                          const std::string& format);

}  // namespace kiln::cli
