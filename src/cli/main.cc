#include <cstring>

#include "cli/app.h"
#include "cli/context.h"
#include "runtime/runtime.h"
#include "runtime/userns.h"

int main(int argc, char** argv) {
  // A container's init (see runtime::StartChroot) is dispatched before anything else runs.
  if (argc > 1 && std::strcmp(argv[1], kiln::runtime::kInitArg) == 0) return kiln::runtime::ChrootInitMain(argc, argv);
  // Rootless: into the user's namespace while the process is still single-threaded.
  auto userns = kiln::runtime::EnterUserNamespace();
  if (!userns.ok()) return kiln::cli::Fail(userns.status());
  if (!userns->warning.empty()) kiln::cli::Warn(userns->warning);
  return kiln::cli::Main(argc, argv, userns->joined);
}
