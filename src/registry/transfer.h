// pull and push: images between the store and a registry, with podman's progress lines.
#pragma once

#include <functional>
#include <string>

#include "registry/client.h"
#include "registry/config.h"
#include "store/store.h"
#include "util/compression.h"

namespace kiln::registry {

// Receives podman's progress lines ("Copying blob sha256:…"), one per call, without newline.
using ProgressFn = std::function<void(const std::string&)>;

struct PullOptions {
  ClientOptions client;
  std::string os, arch, variant;  // platform; empty: the host's
  int jobs = 3;
  // stderr is a terminal: one live progress bar per layer instead of the "Copying blob" lines.
  bool progress_bars = false;
};

// Pulls `input` (a reference as typed, "docker://" allowed): short names through the
// aliases and unqualified-search registries, prefixes rewritten and mirrors tried per
// registries.conf. Layers are downloaded `jobs` at a time, each verified by digest as it
// streams into the content store, and kept compressed (layer_blobs) for later pushes.
// A lease protects what is fetched; a pull killed halfway leaves it, and a rerun fetches
// only the blobs still missing. Nothing is named until the image commits in one transaction.
Expected<store::ImageRecord> PullImage(store::Store& store, const RegistriesConf& conf, const std::string& input,
                                       const PullOptions& options, const ProgressFn& progress);

struct PushOptions {
  ClientOptions client;
  std::string format;  // "oci", "v2s2" or "" (keep the stored manifest's kind)
  Compression compression = Compression::kGzip;
  int jobs = 3;
  // Put the manifest under its own digest instead of the destination's tag (an instance of
  // a manifest list: only the list gets the tag).
  bool by_digest = false;
};

struct PushResult {
  Digest manifest_digest;
  std::string media_type;
  int64_t size = 0;
};

// Pushes the local image `source` to `destination` (a registry reference, "docker://"
// allowed; empty = source's own name). Blobs the registry has (HEAD) are skipped; a stored
// compressed form of the wanted compression is sent as it is, otherwise the layer is
// compressed once and that form is kept for the next push.
Expected<PushResult> PushImage(store::Store& store, const RegistriesConf& conf, const std::string& source,
                               const std::string& destination, const PushOptions& options,
                               const ProgressFn& progress);


}  // namespace kiln::registry
