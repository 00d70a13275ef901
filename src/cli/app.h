#pragma once

namespace kiln::cli {
// Parses the command line, runs the command, returns the process exit code.
// outside_unshare: a rootless kiln that joined its user namespace itself (main.cc).
int Main(int argc, char** argv, bool outside_unshare = false);
}  // namespace kiln::cli
