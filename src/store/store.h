// The store: the one way to open kiln's state. It ties together the metadata database,
// the content store, the snapshots and the GC lock (DESIGN.md, "The store").
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "image/config.h"
#include "image/index.h"
#include "image/reference.h"
#include "store/content_store.h"
#include "store/db.h"
#include "store/lock.h"
#include "store/snapshots.h"
#include "util/digest.h"
#include "util/status.h"

namespace kiln::store {

struct StoreOptions {
  std::string root;     // empty: DefaultRoot()
  std::string runroot;  // empty: DefaultRunRoot()
  // How snapshots are mounted (runtime/layer_mount.h), as resolved by the caller: the store
  // only hands it on, since every driver reads the same snapshots.
  std::string graph_driver = "overlay";  // "overlay" or "vfs"
  std::string mount_program;             // overlay through this FUSE program; "" the kernel's
};

struct LayerInfo {
  Digest chain_id;
  Digest parent_chain;  // empty for a base layer
  Digest diff_id;       // digest of the uncompressed tar, stored as a blob
  int64_t size = 0;     // uncompressed bytes
};

struct ImageRecord {
  std::string id;  // 64 hex: the config digest
  Digest manifest_digest;
  std::string manifest_type;
  int64_t created = 0;  // unix nanos, from the config
  int64_t size = 0;     // podman's Size
  int64_t added = 0;
  std::string top_layer;  // chain id hex, '' for no layers
  std::string parent;     // image id this one was built on
  std::vector<std::string> names;          // in the order given (RepoTags)
  std::vector<std::string> names_history;  // newest first (NamesHistory)
};

struct NewImage {
  std::string config;    // exact bytes; the image ID is their digest
  std::string manifest;  // exact bytes
  std::string manifest_type;
  std::vector<LayerInfo> layers;  // bottom to top, snapshots already made
  std::vector<std::string> names;  // normalised names to give it
  std::string parent;
};

struct GcReport {
  int64_t layers_removed = 0;
  int64_t blobs_removed = 0;
  bool files_swept = false;  // false when other kiln processes were busy
};

class Store {
 public:
  static Expected<std::unique_ptr<Store>> Open(const StoreOptions& options);

  const std::string& root() const { return root_; }
  const std::string& runroot() const { return runroot_; }
  const std::string& graph_driver() const { return graph_driver_; }
  const std::string& mount_program() const { return mount_program_; }
  const ContentStore& content() const { return content_; }
  const Snapshots& snapshots() const { return snapshots_; }
  Db& db() { return *db_; }

  // Layers. The uncompressed tar must already be in the content store as blob diff_id;
  // makes its snapshot (extracting it) unless it exists.
  Expected<LayerInfo> EnsureLayer(const Digest& parent_chain, const Digest& diff_id);
  // The same, for a layer whose tree already exists in overlay form (a build container's
  // upper dir, on the store's filesystem, whose tar is blob diff_id): the directory is moved
  // into place instead of extracting the tar again. `dir` is gone afterwards if it was used.
  Expected<LayerInfo> AdoptLayerDir(const Digest& parent_chain, const Digest& diff_id, const std::string& dir);
  Expected<std::vector<LayerInfo>> ImageLayers(const std::string& image_id);
  Expected<std::optional<LayerInfo>> FindLayer(const Digest& chain_id);

  // Images.
  Expected<ImageRecord> CommitImage(const NewImage& image);
  // Manifest lists: an image row with no config and no layers whose manifest is the index
  // blob; its ID is random, as podman's (a list has no config to name it). GC keeps it, and
  // its index blob, while it has a name, like any image. Code::kAlreadyExists when the name
  // is taken: podman's `image name "N" is already associated with image "ID": that name is
  // already in use`. With move_name (load of a saved list) the name moves to the new list
  // instead, and a list that has the name and this very index is kept as it is.
  Expected<ImageRecord> CreateList(const std::string& index_bytes, const std::string& name, bool move_name = false);
  // Replaces the list's index (manifest digest and size follow).
  Status UpdateList(const std::string& id, const std::string& index_bytes);
  static bool IsList(const ImageRecord& image);
  // The image (not list) whose stored manifest has this digest: a list's instance.
  Expected<std::optional<ImageRecord>> ImageByManifest(const Digest& manifest_digest);
  // A list's instance for the platform (as containers/image matches platforms), which must
  // be in the store; any other image as it is. What `run` and `save` of a list name use.
  Expected<ImageRecord> InstanceFor(const ImageRecord& image, const image::Platform& platform);
  Expected<std::vector<ImageRecord>> ListImages();
  Expected<ImageRecord> GetImage(const std::string& id);
  // Finds an image by name (full or short, podman's rules), full ID or unique ID prefix.
  // Not found: Code::kNotFound with "<query>: image not known".
  Expected<ImageRecord> LookupImage(std::string_view query);
  Expected<image::ImageConfig> ReadConfig(const ImageRecord& image) const;
  Expected<std::vector<std::string>> ChildrenOf(const std::string& id);
  Expected<std::vector<std::string>> ContainersUsing(const std::string& id);

  // Gives the image a normalised name; the name moves if another image had it.
  Status AddName(const std::string& id, const std::string& name);
  // Takes the name away; the image stays (dangling if it was the last).
  Status RemoveName(const std::string& id, const std::string& name);
  // Deletes the image's row and then its parents that are left dangling and childless;
  // with_containers also forgets the containers made from it (rmi -f).
  // Returns the deleted IDs in order. Files go in the next GC pass.
  Expected<std::vector<std::string>> DeleteImage(const std::string& id, bool with_containers = false);

  // Leases keep the blobs and layers of work in progress (a pull) from GC until released or
  // expired; a process killed mid-pull leaves its lease, so a rerun finds what it fetched.
  Expected<std::string> CreateLease(int64_t ttl_nanos);
  // kind: "blob" (ref "sha256:…" or hex) or "layer" (chain ID hex).
  Status AddLeaseRef(const std::string& lease, std::string_view kind, const std::string& ref);
  Status ReleaseLease(const std::string& lease);

  // Compressed forms of a layer (layer_blobs): the blob as a registry has it, kept so that a
  // push can send it unchanged. GC keeps them while the layer lives. A form may be recorded
  // without its bytes (a pull that found the layer in the store already): users check
  // content().Has, and a push asks the destination for such a form before compressing.
  struct LayerBlob {
    Digest blob;
    std::string media_type;
    int64_t size = 0;
  };
  Status AddLayerBlob(const Digest& diff_id, const LayerBlob& blob);
  Expected<std::vector<LayerBlob>> LayerBlobs(const Digest& diff_id);
  // The diffID a stored compressed blob decompresses to, if recorded.
  Expected<std::optional<Digest>> DiffIdOfBlob(const Digest& blob);

  // Mark and sweep: drops layer rows no image, container or lease needs, then (if no
  // other kiln process is busy) deletes unreferenced blobs, snapshots and ingest leftovers.
  Expected<GcReport> CollectGarbage();
  // `system reset`: forgets every image, layer, container and cache entry, then sweeps.
  Status RemoveEverything();
  // Blobs, snapshot directories and ingest files that no row refers to: what the next GC
  // sweep would delete (for `system check`). Absolute paths.
  Expected<std::vector<std::string>> UnreferencedFiles();
  // Extracts the stored layer tar diff_id into fs_dir as a snapshot (overlay whiteouts):
  // how every snapshot made from a tar is made, and how `system check` remakes one.
  Status ExtractLayer(const Digest& diff_id, const std::string& fs_dir) const;

 private:
  Store(std::string root, std::string runroot, std::unique_ptr<Db> db, GcLock lock);
  Status Init();
  Status RefreshNamesHistory(const std::string& id);
  Expected<LayerInfo> NewLayerInfo(const Digest& parent_chain, const Digest& diff_id) const;
  Expected<std::vector<ImageRecord>> QueryImages(std::string_view where, const std::string& arg);
  // The image ID a unique prefix names, or "" when none or several do.
  Expected<std::string> ResolveIdPrefix(std::string_view hex);
  // Executes the lookup plan of image::ParseQuery; "" when nothing matches.
  Expected<std::string> ResolveQuery(const image::ImageQuery& query);
  struct LiveFiles {
    std::set<std::string> blobs;      // hex digests
    std::set<std::string> snapshots;  // chain ID hex
  };
  Expected<LiveFiles> CollectLiveFiles();
  Status DeleteUnreferencedLayerRows(GcReport& report);
  Status SweepFiles(GcReport& report);

  std::string root_;
  std::string runroot_;
  std::string graph_driver_ = "overlay";
  std::string mount_program_;
  std::unique_ptr<Db> db_;
  GcLock lock_;
  ContentStore content_;
  Snapshots snapshots_;
};

}  // namespace kiln::store
