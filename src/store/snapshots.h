// Extracted layers: ROOT/snapshots/<chain id hex>/fs, one directory per layer holding only
// that layer's changes (overlayfs form), stacked as lowerdirs at run time. A snapshot is
// built in ROOT/snapshots/tmp-<random>/ and renamed into place when complete, so a
// directory named by a chain ID is always whole.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "util/digest.h"
#include "util/status.h"

namespace kiln::store {

class Snapshots {
 public:
  explicit Snapshots(std::string root);
  Status Init() const;

  std::string Dir(const Digest& chain_id) const;    // .../<hex>
  std::string FsPath(const Digest& chain_id) const; // .../<hex>/fs
  bool Has(const Digest& chain_id) const;
  // Runs fill(fs_dir) in a fresh temporary directory and publishes it as chain_id.
  // If another process published the same snapshot meanwhile, ours is discarded.
  Status Create(const Digest& chain_id, const std::function<Status(const std::string& fs_dir)>& fill) const;

  // For garbage collection only.
  Expected<std::vector<std::string>> ListEntries() const;  // directory names, incl. tmp-*
  Status RemoveEntry(const std::string& name) const;

 private:
  std::string dir_;
};

}  // namespace kiln::store
