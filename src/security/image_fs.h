// An image in the store as a LayeredFs: its layers' snapshots, bottom to top, each with
// its diffID and the history line that made it.
#pragma once

#include "security/layered_fs.h"
#include "store/store.h"

namespace kiln::security {

Expected<LayeredFs> OpenImageFs(store::Store& store, const store::ImageRecord& image);

}  // namespace kiln::security
