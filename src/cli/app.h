#pragma once

namespace kiln::cli {
// Parses the command line, runs the command, returns the process exit code.
int Main(int argc, char** argv);
}  // namespace kiln::cli
