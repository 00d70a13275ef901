// Views of stored images for the CLI: the rows of `images`, the JSON of `inspect`,
// the rows of `history`. Shared by the table output and --format.
#pragma once

#include <string>
#include <vector>

#include "image/config.h"
#include "store/store.h"

namespace kiln::cli {

// "localhost/busybox:latest" -> {"localhost/busybox", "latest"}; "<none>" parts for none.
struct RepoTag {
  std::string repository;
  std::string tag;
};
RepoTag SplitName(const std::string& name);

// One row of `kiln images`: an image under one of its names (or <none>).
struct ImageRow {
  const store::ImageRecord* image;
  RepoTag name;
  std::string full_name;  // "" for <none>
  const image::Json* labels = nullptr;  // the config's Labels, when they were read
};

// Podman's `inspect` JSON for an image, keys in podman's order.
Expected<image::Json> InspectImage(store::Store& store, const store::ImageRecord& image);

struct HistoryRow {
  std::string id;  // 64 hex or "<missing>"
  int64_t created = 0;
  std::string created_by;
  std::string comment;
  int64_t size = 0;
  std::vector<std::string> tags;
};
// Podman's history algorithm: newest first, IDs of images whose top layer a row's layer is.
Expected<std::vector<HistoryRow>> ImageHistory(store::Store& store, const store::ImageRecord& image);

// RepoDigests: one "repository@digest" per distinct repository among the names.
std::vector<std::string> RepoDigests(const store::ImageRecord& image);

// podman's label filter: "KEY" (present) or "KEY=VALUE", against a config's Labels object.
bool LabelMatches(const image::Json& labels, const std::string& want);

}  // namespace kiln::cli
