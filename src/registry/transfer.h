// pull and push: images between the store and a registry, with podman's progress lines.
#pragma once

#include <functional>
#include <string>

#include "registry/client.h"
#include "registry/config.h"
#include "store/store.h"
#include "image/config.h"
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

// A pull in parts, for a caller that goes on with an image's config while its layers are
// still downloading (build --cache-from) and that holds its store's lock only around the
// parts that use the database:
//   ResolveImage   the manifest (an index's instance for the platform) and the config, kept
//                  in the content store; network and files only
//   LeaseImage     a lease on everything the image will reference (database)
//   FetchLayer     one layer's blob, tar and snapshot; network and files only, any thread
//   CommitRemote   the image, named, with the layers' compressed forms recorded (database);
//                  every layer's tar and snapshot must be there
// PullImage is these parts in order.
struct RemoteImage {
  std::string name;           // what the image is called once committed
  FetchedManifest manifest;   // the image manifest chosen (an index's instance)
  image::Manifest parsed;
  std::string config_bytes;
  std::vector<Digest> diff_ids, chain_ids;  // by layer, bottom to top
};
Expected<RemoteImage> ResolveImage(store::Store& store, Client& client, const std::string& reference,
                                   const std::string& name, const PullOptions& options, const ProgressFn& progress);
Expected<std::string> LeaseImage(store::Store& store, const RemoteImage& image);
// Layer i is in the store (tar and snapshot) already.
bool HasLayer(const store::Store& store, const RemoteImage& image, size_t i);
Status FetchLayer(store::Store& store, Client& client, const RemoteImage& image, size_t i, int retries);
// Commits the image and releases the lease (also when it fails).
Expected<store::ImageRecord> CommitRemote(store::Store& store, const RemoteImage& image, const std::string& lease);

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
