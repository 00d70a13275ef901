#include <cstring>

#include "cli/app.h"
#include "runtime/runtime.h"

int main(int argc, char** argv) {
  // A container's init (see runtime::StartChroot) is dispatched before anything else runs.
  if (argc > 1 && std::strcmp(argv[1], kiln::runtime::kInitArg) == 0) return kiln::runtime::ChrootInitMain(argc, argv);
  return kiln::cli::Main(argc, argv);
}
