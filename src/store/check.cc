#include "store/check.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <set>
#include <utility>

#include "image/config.h"
#include "image/index.h"
#include "store/layer_apply.h"
#include "util/fs.h"
#include "util/time.h"

namespace kiln::store {
namespace {

struct LayerRow {
  std::string chain_id, parent_chain, diff_id;
  int64_t size = 0;
};

struct ImageRow {
  std::string id, manifest_digest, top_layer;
  bool list = false;  // a manifest list: no config, no layers, the manifest is an index
  std::vector<std::string> chain_ids;  // bottom to top, from image_layers
};

// Runs a query and hands each row to fn.
template <typename Fn>
Status ForEachRow(Db& db, std::string_view sql, Fn&& fn) {
  ASSIGN_OR_RETURN(Statement s, db.Prepare(sql));
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status::Ok();
    fn(s);
  }
}

Expected<std::vector<LayerRow>> LoadLayers(Db& db) {
  std::vector<LayerRow> rows;
  RETURN_IF_ERROR(ForEachRow(db, "SELECT chain_id, parent_chain, diff_id, size FROM layers", [&](Statement& s) {
    rows.push_back({s.ColumnText(0), s.ColumnText(1), s.ColumnText(2), s.ColumnInt(3)});
  }));
  return rows;
}

Expected<std::vector<ImageRow>> LoadImages(Db& db) {
  std::vector<ImageRow> rows;
  std::map<std::string, size_t> index;
  RETURN_IF_ERROR(ForEachRow(db, "SELECT id, manifest_digest, top_layer, manifest_type FROM images ORDER BY id", [&](Statement& s) {
    index[s.ColumnText(0)] = rows.size();
    rows.push_back({s.ColumnText(0), s.ColumnText(1), s.ColumnText(2), image::IsIndexMediaType(s.ColumnText(3)), {}});
  }));
  RETURN_IF_ERROR(ForEachRow(db, "SELECT image_id, chain_id FROM image_layers ORDER BY image_id, idx", [&](Statement& s) {
    auto it = index.find(s.ColumnText(0));
    if (it != index.end()) rows[it->second].chain_ids.push_back(s.ColumnText(1));
  }));
  return rows;
}

// chain(n) = sha256(chain(n-1) + " " + diff(n)); a base layer's chain ID is its diffID.
std::string ExpectedChainId(const LayerRow& layer) {
  if (layer.parent_chain.empty()) return layer.diff_id;
  return Digest::OfBytes("sha256:" + layer.parent_chain + " sha256:" + layer.diff_id).hex();
}

// The blob's problem, if any: missing, a size other than expected (when given), or (unless
// quick) content that does not hash to its name.
std::optional<std::string> BlobProblem(const ContentStore& content, const Digest& d, int64_t expected_size, bool quick,
                                       std::string_view what) {
  if (!content.Has(d)) return std::string(what) + " " + d.str() + " is missing";
  if (expected_size >= 0) {
    auto size = content.Size(d);
    if (!size.ok()) return size.status().message();
    if (static_cast<int64_t>(*size) != expected_size)
      return std::string(what) + " " + d.str() + " is " + std::to_string(*size) + " bytes, recorded as " +
             std::to_string(expected_size);
  }
  if (quick) return std::nullopt;
  Status st = content.Verify(d);
  if (!st.ok()) return std::string(what) + ": " + st.message();
  return std::nullopt;
}

// What a tree entry is, as far as its layer tar records it (not times, not xattrs).
struct TreeEntry {
  mode_t mode = 0;  // type and permission bits
  uid_t uid = 0;
  gid_t gid = 0;
  off_t size = 0;
  dev_t rdev = 0;
  std::string link;  // symlink target
};

// relative path -> entry, for every file below root. Sockets are left out: a layer tar
// cannot hold them, so a RUN step's socket stays in its snapshot only.
Expected<std::map<std::string, TreeEntry>> ListTree(const std::string& root) {
  namespace fs = std::filesystem;
  std::map<std::string, TreeEntry> tree;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    struct stat st;
    std::string path = it->path().string();
    if (::lstat(path.c_str(), &st) != 0) return ErrnoError("lstat " + path, errno);
    if (S_ISSOCK(st.st_mode)) continue;
    TreeEntry e{st.st_mode, st.st_uid, st.st_gid, S_ISREG(st.st_mode) ? st.st_size : 0, st.st_rdev, {}};
    if (S_ISLNK(st.st_mode)) {
      std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
      ssize_t n = ::readlink(path.c_str(), target.data(), target.size());
      if (n >= 0) e.link = target.substr(0, static_cast<size_t>(n));
    }
    tree[path.substr(root.size() + 1)] = std::move(e);
  }
  if (ec) return IoError("listing " + root + ": " + ec.message());
  return tree;
}

std::optional<std::string> EntryDifference(const std::string& path, const TreeEntry& want, const TreeEntry& got,
                                           const std::string& want_file, const std::string& got_file) {
  auto differs = [&](const std::string& what) { return "snapshot: " + path + ": " + what + " differs from its layer tar"; };
  if (want.mode != got.mode) return differs("type or mode");
  if (want.uid != got.uid || want.gid != got.gid) return differs("owner");
  if (want.size != got.size) return differs("size");
  if (want.rdev != got.rdev) return differs("device number");
  if (want.link != got.link) return differs("link target");
  if (S_ISREG(want.mode) && want.size > 0) {
    auto a = ReadFile(want_file);
    auto b = ReadFile(got_file);
    if (!a.ok() || !b.ok() || *a != *b) return differs("content");
  }
  return std::nullopt;
}

// The first difference between the tree at want_root and the one at got_root, if any.
std::optional<std::string> CompareTrees(const std::string& want_root, const std::string& got_root) {
  auto want = ListTree(want_root);
  if (!want.ok()) return "snapshot: " + want.status().message();
  auto got = ListTree(got_root);
  if (!got.ok()) return "snapshot: " + got.status().message();
  for (const auto& [path, entry] : *want) {
    auto found = got->find(path);
    if (found == got->end()) return "snapshot: " + path + " is missing";
    if (auto d = EntryDifference(path, entry, found->second, JoinPath(want_root, path), JoinPath(got_root, path))) return d;
  }
  for (const auto& [path, entry] : *got)
    if (!want->count(path)) return "snapshot: " + path + " is not in its layer tar";
  return std::nullopt;
}

// The snapshot must be what its (already verified) layer tar extracts to: the tar is
// extracted again beside it, by the same code, and the two trees compared (content added,
// removed or changed in a snapshot is found, as podman 5's check finds it in its layers).
// The scratch directory is a tmp-* entry, which GC sweeps if this process is killed.
std::optional<std::string> SnapshotProblem(const Store& store, const Digest& chain, const Digest& diff) {
  std::string scratch = JoinPath(ParentDir(store.snapshots().Dir(chain)), "tmp-check-" + RandomHex(8));
  std::string fresh = JoinPath(scratch, "fs");
  std::optional<std::string> problem;
  if (Status st = MakeDirs(fresh); !st.ok()) problem = "snapshot: " + st.message();
  else if (Status st = store.ExtractLayer(diff, fresh); !st.ok()) problem = "snapshot: re-extracting its layer tar: " + st.message();
  else problem = CompareTrees(fresh, store.snapshots().FsPath(chain));
  (void)RemoveTree(scratch);
  return problem;
}

void CheckLayers(const Store& store, const std::vector<LayerRow>& layers, const CheckOptions& options,
                 CheckReport& report) {
  std::set<std::string> known;
  for (const auto& l : layers) known.insert(l.chain_id);
  for (const auto& l : layers) {
    ++report.layers_checked;
    std::vector<std::string> problems;
    auto chain = Digest::FromHex(l.chain_id);
    auto diff = Digest::FromHex(l.diff_id);
    if (!chain.ok() || !diff.ok()) {
      report.layers[l.chain_id].push_back("layer record has a malformed chain ID or diffID");
      continue;
    }
    if (ExpectedChainId(l) != l.chain_id)
      problems.push_back("chain ID does not follow from its parent and diffID sha256:" + l.diff_id);
    if (!l.parent_chain.empty() && !known.count(l.parent_chain))
      problems.push_back("parent layer " + l.parent_chain + " not known");
    if (!store.snapshots().Has(*chain))
      problems.push_back("snapshot directory " + store.snapshots().FsPath(*chain) + " is missing");
    auto tar_problem = BlobProblem(store.content(), *diff, l.size, options.quick, "layer tar");
    if (tar_problem) problems.push_back(*tar_problem);
    else if (!options.quick && store.snapshots().Has(*chain))
      if (auto p = SnapshotProblem(store, *chain, *diff)) problems.push_back(*p);
    if (!problems.empty()) report.layers[l.chain_id] = std::move(problems);
  }
}

// Problems of the image's config against its layer list.
void CheckConfigAgainstLayers(const Store& store, const ImageRow& image, const std::map<std::string, LayerRow>& layers,
                              std::vector<std::string>& problems) {
  auto bytes = store.content().Read(*Digest::FromHex(image.id));
  if (!bytes.ok()) return;  // already reported as a missing blob
  auto config = image::ParseConfig(*bytes);
  if (!config.ok()) {
    problems.push_back("config does not parse: " + config.status().message());
    return;
  }
  std::vector<Digest> diff_ids = config->DiffIds();
  if (diff_ids.size() != image.chain_ids.size()) {
    problems.push_back("config lists " + std::to_string(diff_ids.size()) + " layers, the store " +
                       std::to_string(image.chain_ids.size()));
    return;
  }
  for (size_t i = 0; i < diff_ids.size(); ++i) {
    auto it = layers.find(image.chain_ids[i]);
    if (it != layers.end() && it->second.diff_id != diff_ids[i].hex())
      problems.push_back("layer " + std::to_string(i) + " has diffID sha256:" + it->second.diff_id + ", the config says " +
                         diff_ids[i].str());
  }
}

// A manifest list has no layers and an index that parses.
void CheckList(const Store& store, const ImageRow& image, std::vector<std::string>& problems) {
  if (!image.chain_ids.empty() || !image.top_layer.empty()) problems.push_back("manifest list has layers");
  auto bytes = store.content().Read(*Digest::Parse(image.manifest_digest));
  if (!bytes.ok()) return;  // already reported as a missing blob
  if (auto index = image::ParseIndex(*bytes); !index.ok())
    problems.push_back("index does not parse: " + index.status().message());
}

void CheckImages(const Store& store, const std::vector<ImageRow>& images, const std::vector<LayerRow>& layer_rows,
                 const CheckOptions& options, CheckReport& report) {
  std::map<std::string, LayerRow> layers;
  for (const auto& l : layer_rows) layers[l.chain_id] = l;
  for (const auto& image : images) {
    ++report.images_checked;
    std::vector<std::string> problems;
    auto id = Digest::FromHex(image.id);
    auto manifest = Digest::Parse(image.manifest_digest);
    if (!id.ok() || !manifest.ok()) {
      report.images[image.id].push_back("image record has a malformed ID or manifest digest");
      continue;
    }
    if (auto p = BlobProblem(store.content(), *manifest, -1, options.quick, "manifest")) problems.push_back(*p);
    if (image.list) {
      CheckList(store, image, problems);
      if (!problems.empty()) report.images[image.id] = std::move(problems);
      continue;
    }
    if (auto p = BlobProblem(store.content(), *id, -1, options.quick, "config")) problems.push_back(*p);
    for (const auto& chain : image.chain_ids) {
      if (!layers.count(chain)) problems.push_back("layer " + chain + " not known");
      else if (report.layers.count(chain)) problems.push_back("layer " + chain + " is damaged");
    }
    std::string top = image.chain_ids.empty() ? std::string() : image.chain_ids.back();
    if (top != image.top_layer) problems.push_back("top layer " + image.top_layer + " is not its last layer");
    CheckConfigAgainstLayers(store, image, layers, problems);
    if (!problems.empty()) report.images[image.id] = std::move(problems);
  }
}

Status CheckNamesContainersAndCache(Db& db, CheckReport& report) {
  RETURN_IF_ERROR(ForEachRow(
      db, "SELECT name, image_id FROM image_names WHERE image_id NOT IN (SELECT id FROM images)", [&](Statement& s) {
        report.images[s.ColumnText(1)].push_back("name " + s.ColumnText(0) + " points at an image that is not known");
      }));
  RETURN_IF_ERROR(ForEachRow(db, "SELECT id, image_id FROM containers", [&](Statement& s) {
    ++report.containers_checked;
    std::string image = s.ColumnText(1);
    if (report.images.count(image)) report.containers[s.ColumnText(0)].push_back("image " + image + " is damaged");
  }));
  RETURN_IF_ERROR(ForEachRow(
      db, "SELECT id, image_id FROM containers WHERE image_id NOT IN (SELECT id FROM images)", [&](Statement& s) {
        report.containers[s.ColumnText(0)].push_back("image " + s.ColumnText(1) + " not known");
      }));
  return ForEachRow(db, "SELECT key, image_id FROM build_cache WHERE image_id NOT IN (SELECT id FROM images)",
                    [&](Statement& s) {
                      report.build_cache[s.ColumnText(0)].push_back("points at image " + s.ColumnText(1) +
                                                                    ", which is not known");
                    });
}

// Leftovers younger than the limit are a command's work in progress (or a killed one's,
// which the next GC sweeps): not damage.
Status CheckUnreferencedFiles(Store& store, const CheckOptions& options, CheckReport& report) {
  ASSIGN_OR_RETURN(std::vector<std::string> files, store.UnreferencedFiles());
  int64_t now = NowNanos();
  for (const auto& path : files) {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) continue;  // swept meanwhile
    int64_t mtime = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    if (now - mtime < options.max_unreferenced_age_nanos) continue;
    std::string rel = path.rfind(store.root() + "/", 0) == 0 ? path.substr(store.root().size() + 1) : path;
    report.files[rel].push_back("not referenced by any image, layer or lease");
  }
  return Status::Ok();
}

// Deletes exactly one image's rows (names and cache entries with it); its parents, whole or
// not, stay. Returns false when containers use it and they are to be kept.
Expected<bool> DeleteDamagedImage(Db& db, const std::string& id, bool remove_containers,
                                  std::vector<std::string>& removed_containers) {
  bool deleted = false;
  RETURN_IF_ERROR(db.Transaction([&]() -> Status {
    std::vector<std::string> users;
    ASSIGN_OR_RETURN(Statement q, db.Prepare("SELECT id FROM containers WHERE image_id = ?"));
    q.Bind(1, id);
    for (;;) {
      ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      users.push_back(q.ColumnText(0));
    }
    if (!users.empty() && !remove_containers) return Status::Ok();
    for (const char* sql : {"DELETE FROM containers WHERE image_id = ?", "DELETE FROM image_names WHERE image_id = ?",
                            "DELETE FROM build_cache WHERE image_id = ?", "DELETE FROM images WHERE id = ?"}) {
      ASSIGN_OR_RETURN(Statement del, db.Prepare(sql));
      del.Bind(1, id);
      RETURN_IF_ERROR(del.Run());
    }
    removed_containers.insert(removed_containers.end(), users.begin(), users.end());
    deleted = true;
    return Status::Ok();
  }));
  return deleted;
}

Status DeleteKeys(Db& db, std::string_view sql, const std::vector<std::string>& keys) {
  return db.Transaction([&]() -> Status {
    for (const auto& key : keys) {
      ASSIGN_OR_RETURN(Statement del, db.Prepare(sql));
      del.Bind(1, key);
      RETURN_IF_ERROR(del.Run());
    }
    return Status::Ok();
  });
}

}  // namespace

Expected<CheckReport> CheckStore(Store& store, const CheckOptions& options) {
  CheckReport report;
  ASSIGN_OR_RETURN(std::vector<LayerRow> layers, LoadLayers(store.db()));
  ASSIGN_OR_RETURN(std::vector<ImageRow> images, LoadImages(store.db()));
  CheckLayers(store, layers, options, report);
  CheckImages(store, images, layers, options, report);
  RETURN_IF_ERROR(CheckNamesContainersAndCache(store.db(), report));
  RETURN_IF_ERROR(CheckUnreferencedFiles(store, options, report));
  ASSIGN_OR_RETURN(std::vector<Digest> blobs, store.content().List());
  report.blobs_checked = static_cast<int64_t>(blobs.size());
  return report;
}

Expected<RepairReport> RepairStore(Store& store, const CheckReport& report, const RepairOptions& options) {
  RepairReport out;
  Db& db = store.db();
  for (const auto& [id, problems] : report.images) {
    ASSIGN_OR_RETURN(bool deleted, DeleteDamagedImage(db, id, options.remove_containers, out.removed_containers));
    (deleted ? out.removed_images : out.kept_images).push_back(id);
  }
  if (options.remove_containers) {
    std::vector<std::string> orphans;
    for (const auto& [id, problems] : report.containers)
      if (std::find(out.removed_containers.begin(), out.removed_containers.end(), id) == out.removed_containers.end())
        orphans.push_back(id);
    RETURN_IF_ERROR(DeleteKeys(db, "DELETE FROM containers WHERE id = ? AND image_id NOT IN (SELECT id FROM images)",
                               orphans));
    out.removed_containers.insert(out.removed_containers.end(), orphans.begin(), orphans.end());
  }
  for (const auto& [key, problems] : report.build_cache) out.removed_build_cache.push_back(key);
  RETURN_IF_ERROR(DeleteKeys(db, "DELETE FROM build_cache WHERE key = ?", out.removed_build_cache));
  // The damaged layers now belong to no image: GC drops their rows, then their files and
  // every other unreferenced file.
  ASSIGN_OR_RETURN(GcReport gc, store.CollectGarbage());
  out.removed_layers = gc.layers_removed;
  out.removed_files = gc.blobs_removed;
  out.files_swept = gc.files_swept;
  return out;
}

}  // namespace kiln::store
