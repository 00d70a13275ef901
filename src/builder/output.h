// build -o/--output: the final image's files exported as a directory or a tar archive,
// besides the image, with buildah 1.28's option syntax:
//   -o DIR                      type=local,dest=DIR (any value without a comma is a path)
//   -o -                        a tar archive on stdout
//   -o type=local,dest=DIR | type=tar,dest=FILE | type=tar,dest=-
#pragma once

#include <string>

#include "store/store.h"
#include "util/status.h"

namespace kiln::build {

struct BuildOutput {
  bool is_dir = false;     // type=local
  bool to_stdout = false;  // dest=- (tar only)
  std::string path;
};

// buildah's errors, e.g. `invalid type "zip" selected for build output options "type=zip,dest=x"`.
Expected<BuildOutput> ParseBuildOutput(const std::string& value);

// Writes the image's root filesystem (its layers applied in order, whiteouts deleting what
// they name) to the output. A directory is created if missing and merged into if present.
Status ExportBuildOutput(store::Store& store, const std::string& image_id, const BuildOutput& out);

}  // namespace kiln::build
