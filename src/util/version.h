// kiln's version: what `version` prints, and the tag of the pause image that pods' infra
// containers run (podman's "VERSION-BUILT").
#pragma once

namespace kiln {

inline constexpr const char* kKilnVersion = "0.1.0";

}  // namespace kiln
