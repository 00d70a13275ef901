// What save and load tell the user while they work. The CLI decides the form (podman's
// plain lines, a progress bar on a terminal, or nothing with -q); the engine only reports.
#pragma once

#include <cstdint>
#include <string>

namespace kiln::archive {

class Progress {
 public:
  virtual ~Progress() = default;
  // A line of podman's copy log: "Copying blob sha256:…", "Writing manifest to image destination"…
  virtual void Line(const std::string&) {}
  // Bytes moved so far out of `total` (0 when unknown).
  virtual void Bytes(uint64_t /*done*/, uint64_t /*total*/) {}
};

}  // namespace kiln::archive
