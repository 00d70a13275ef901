#include "cli/app.h"

namespace kiln::cli {
int Main(int, char**) { return 0; }
}  // namespace kiln::cli
