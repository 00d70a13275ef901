// Where an image's bytes go (dive's idea): the files of each layer, the bytes a layer holds
// that later layers overwrite or delete, and dive's efficiency score.
//
// dive (wagoodman/dive, filetree.Efficiency) visits the leaves of every layer's own tree
// (files, empty directories, whiteouts) and, per path, sums the sizes of its occurrences
// (cumulative) and keeps the smallest one; a whiteout weighs what it hides (the sizes below
// a deleted directory; 0 for a deleted file). efficiency = sum(smallest) / sum(cumulative)
// over all paths (1 when both are 0); wasted bytes = the cumulative size of every path that
// occurs in more than one layer. Sizes are tar sizes: regular files their length, anything
// else 0, the second name of a hard link 0.
//
//   ASSIGN_OR_RETURN(analysis::Waste w, analysis::AnalyzeLayers({base_fs, top_fs}));
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/status.h"

namespace kiln::analysis {

struct PathWaste {
  std::string path;
  int count = 0;               // layers it occurs in (whiteouts included)
  int64_t cumulative = 0;      // dive's CumulativeSize: the bytes wasted on it
  std::vector<int> layers;     // indexes of the layers it occurs in
};

struct Waste {
  double efficiency = 1.0;
  int64_t wasted_bytes = 0;
  std::vector<PathWaste> inefficiencies;  // paths in 2+ layers, largest first
  // Per layer: bytes of its files that a later layer overwrites or deletes (also below a
  // deleted directory, which dive's score does not count as waste).
  std::vector<int64_t> layer_wasted;
};

// Layer directories in overlay form, bottom first.
Expected<Waste> AnalyzeLayers(const std::vector<std::string>& layers);

}  // namespace kiln::analysis
