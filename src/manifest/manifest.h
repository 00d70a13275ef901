// Manifest lists kept in the store (`manifest create/add/annotate/remove/push`, `build
// --manifest`): loading a list by name, making index entries from local or remote images,
// and pushing a list with its instances. podman 4.3.1's behaviour and messages.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "image/index.h"
#include "registry/client.h"
#include "registry/config.h"
#include "registry/transfer.h"
#include "store/store.h"
#include "util/status.h"

namespace kiln::manifest {

struct List {
  store::ImageRecord record;
  image::Index index;
};

// The list a name (or ID) refers to. Errors: "<name>: image not known" (kNotFound);
// "<its name>: image is not a manifest list" for an image that is not a list.
Expected<List> Load(store::Store& store, std::string_view name);
// Stores the list's index under its record (the list's digest changes).
Status Save(store::Store& store, const List& list);
// A new empty list named `name` (normalised as podman's, localhost/ for short names).
Expected<List> Create(store::Store& store, std::string_view name);

// Where remote images come from (`manifest add LIST docker://…`).
struct Remote {
  const registry::RegistriesConf* conf = nullptr;
  registry::ClientOptions client;
};

// The entries an image reference contributes: "containers-storage:NAME" is a local image (a
// local list contributes its entries with `all`, else the one for the host platform); any
// other reference ("docker://" optional) is read from its registry. A single image's entry
// takes its platform from its config.
Expected<std::vector<image::IndexEntry>> EntriesFor(store::Store& store, const std::string& ref, bool all,
                                                    const Remote& remote);
// The entry for a local image record (not a list).
Expected<image::IndexEntry> EntryForImage(store::Store& store, const store::ImageRecord& image);

// The image of `found` for `platform`: a list's instance (Store::InstanceFor), or `found`
// itself when its config is that platform's. Errors name both platforms:
// `NAME: image platform (linux/amd64) does not match the expected platform (linux/arm64)`.
Expected<store::ImageRecord> ImageForPlatform(store::Store& store, const store::ImageRecord& found,
                                              const image::Platform& platform);

// `manifest add`/`annotate` overrides; empty fields are left alone.
struct Overrides {
  std::string os, arch, variant, os_version;
  std::vector<std::string> os_features;
  std::vector<std::string> annotations;  // KEY=VALUE; when given they replace the entry's
};
Status ApplyOverrides(image::IndexEntry& entry, const Overrides& o);

// `build --manifest LIST`: adds the local image to LIST, making the list if there is none
// (an entry of the same digest is replaced). Errors leave the store as it was.
Status AddImageToList(store::Store& store, std::string_view list_name, const std::string& image_id);

struct PushListOptions {
  registry::PushOptions image;  // format applies to the list; instances keep their kind
  bool all = true;
};

// Pushes the list (and with `all` each instance, by digest, first) to `dest`; the pushed
// index lists the digests the instances have in the registry. Returns the index's digest.
Expected<Digest> PushList(store::Store& store, const registry::RegistriesConf& conf, const List& list,
                          const std::string& dest, const PushListOptions& options, const registry::ProgressFn& progress);

}  // namespace kiln::manifest
