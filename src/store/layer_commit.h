// Directories becoming layers: a build step's or a container's upper dir, or several
// layers flattened into one (--squash-all, commit --squash). Each writes the layer tar into
// the content store and registers the snapshot.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/layer_tar.h"
#include "store/store.h"

namespace kiln::store {

// Writes `upper` (an overlay upper dir) as a deterministic layer tar, then moves it into the
// store as the layer's snapshot: `upper` is gone afterwards. `tar`: the mtime rule of
// --timestamp / SOURCE_DATE_EPOCH (in the tar; the snapshot keeps the files' own times).
Expected<LayerInfo> CommitUpperDir(Store& store, const Digest& parent_chain, const std::string& upper,
                                   const TarOptions& tar);

// The same for an upper dir that stays where it is (a container's, which lives on): the
// snapshot is extracted from the tar.
Expected<LayerInfo> CommitUpperDirCopy(Store& store, const Digest& parent_chain, const std::string& upper);

// Applies the stored layers (bottom first) over `dir`, whiteouts deleting what they name:
// an image's root filesystem as one tree (build --output).
Status ApplyLayersOver(Store& store, const std::vector<LayerInfo>& layers, const std::string& dir);

// One layer without parent: the stored layers `lowers` (bottom first), then the overlay
// upper dir `upper` ("" for none), applied one over the other into a new directory under
// `scratch`, which the caller removes.
Expected<LayerInfo> CommitFlattened(Store& store, const std::vector<LayerInfo>& lowers, const std::string& upper,
                                    const std::string& scratch, const TarOptions& tar);

}  // namespace kiln::store
