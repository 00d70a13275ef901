// `system check`: verifies that every row of the store refers to whole, correct files, and
// (with repair) removes what cannot be used. Modelled on containers/storage's Check/Repair,
// which podman 5's `system check` reports.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "store/store.h"
#include "util/status.h"

namespace kiln::store {

struct CheckOptions {
  bool quick = false;   // existence and sizes only: no re-hashing of blobs
  int64_t max_unreferenced_age_nanos = 24LL * 3600 * 1000000000;  // podman's --max
};

// Problems by kind, each keyed by what is damaged (chain ID, image ID, container ID, or a
// file's path relative to the root) with one message per problem found.
struct CheckReport {
  std::map<std::string, std::vector<std::string>> layers;
  std::map<std::string, std::vector<std::string>> images;
  std::map<std::string, std::vector<std::string>> containers;
  std::map<std::string, std::vector<std::string>> build_cache;
  std::map<std::string, std::vector<std::string>> files;  // unreferenced past the grace
  int64_t images_checked = 0, layers_checked = 0, containers_checked = 0, blobs_checked = 0;

  bool HasErrors() const {
    return !layers.empty() || !images.empty() || !containers.empty() || !build_cache.empty() || !files.empty();
  }
};

Expected<CheckReport> CheckStore(Store& store, const CheckOptions& options);

struct RepairOptions {
  bool remove_containers = false;  // --force: also the containers of damaged images
};

struct RepairReport {
  std::vector<std::string> removed_images;
  std::vector<std::string> removed_containers;
  std::vector<std::string> removed_build_cache;
  std::vector<std::string> kept_images;  // damaged but used by containers (no --force)
  int64_t removed_layers = 0;
  int64_t removed_files = 0;
  bool files_swept = false;
};

// Removes every damaged image (with its names), dangling cache rows and, with
// remove_containers, containers whose image is damaged or gone; then a GC pass drops the
// layers and files nothing refers to any more. An image whose files are whole is never
// removed.
Expected<RepairReport> RepairStore(Store& store, const CheckReport& report, const RepairOptions& options);

}  // namespace kiln::store
