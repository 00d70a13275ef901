#include "store/store.h"

#include <algorithm>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <set>
#include <unordered_map>

#include "image/reference.h"
#include "store/layer_apply.h"
#include "store/paths.h"
#include "store/schema.h"
#include "util/io.h"
#include "util/json_text.h"
#include "util/time.h"

namespace kiln::store {
namespace {

constexpr std::string_view kImageColumns =
    "SELECT id, manifest_digest, manifest_type, created, size, added, top_layer, parent, names_history "
    "FROM images ";

ImageRecord ImageFromRow(const Statement& s) {
  ImageRecord r;
  r.id = s.ColumnText(0);
  if (auto d = Digest::Parse(s.ColumnText(1)); d.ok()) r.manifest_digest = *d;
  r.manifest_type = s.ColumnText(2);
  r.created = s.ColumnInt(3);
  r.size = s.ColumnInt(4);
  r.added = s.ColumnInt(5);
  r.top_layer = s.ColumnText(6);
  r.parent = s.ColumnText(7);
  auto hist = nlohmann::json::parse(s.ColumnText(8), nullptr, false);
  if (hist.is_array())
    for (const auto& n : hist)
      if (n.is_string()) r.names_history.push_back(n.get<std::string>());
  return r;
}

Digest DigestOrEmpty(const std::string& hex) {
  auto d = Digest::FromHex(hex);
  return d.ok() ? *d : Digest();
}

}  // namespace

Store::Store(std::string root, std::string runroot, std::unique_ptr<Db> db, GcLock lock)
    : root_(std::move(root)),
      runroot_(std::move(runroot)),
      db_(std::move(db)),
      lock_(std::move(lock)),
      content_(root_),
      snapshots_(root_) {}

Expected<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  std::string root = options.root.empty() ? DefaultRoot() : options.root;
  std::string runroot = options.runroot.empty() ? DefaultRunRoot() : options.runroot;
  RETURN_IF_ERROR(MakeDirs(root));
  ASSIGN_OR_RETURN(GcLock lock, GcLock::Open(JoinPath(root, "gc.lock")));
  RETURN_IF_ERROR(lock.LockShared());
  ASSIGN_OR_RETURN(std::unique_ptr<Db> db, Db::Open(JoinPath(root, "kiln.db")));
  std::unique_ptr<Store> store(new Store(root, runroot, std::move(db), std::move(lock)));
  store->graph_driver_ = options.graph_driver;
  store->mount_program_ = options.mount_program;
  RETURN_IF_ERROR(store->Init());
  return store;
}

Status Store::Init() {
  RETURN_IF_ERROR(Migrate(*db_));
  RETURN_IF_ERROR(content_.Init());
  return snapshots_.Init();
}

// ---- layers ----

Status Store::ExtractLayer(const Digest& diff_id, const std::string& fs_dir) const {
  UniqueFd fd(::open(content_.BlobPath(diff_id).c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError("opening layer " + diff_id.str(), errno);
  FdReader reader(std::move(fd));
  ApplyStats stats;
  return ApplyLayer(reader, fs_dir, ApplyOptions{}, &stats);
}

Expected<LayerInfo> Store::NewLayerInfo(const Digest& parent_chain, const Digest& diff_id) const {
  LayerInfo layer;
  layer.parent_chain = parent_chain;
  layer.diff_id = diff_id;
  layer.chain_id = parent_chain.empty() ? diff_id : Digest::OfBytes(parent_chain.str() + " " + diff_id.str());
  ASSIGN_OR_RETURN(uint64_t size, content_.Size(diff_id));
  layer.size = static_cast<int64_t>(size);
  return layer;
}

Expected<LayerInfo> Store::EnsureLayer(const Digest& parent_chain, const Digest& diff_id) {
  ASSIGN_OR_RETURN(LayerInfo layer, NewLayerInfo(parent_chain, diff_id));
  if (!snapshots_.Has(layer.chain_id)) {
    RETURN_IF_ERROR(snapshots_.Create(layer.chain_id, [&](const std::string& fs) { return ExtractLayer(diff_id, fs); }));
  }
  return layer;
}

Expected<LayerInfo> Store::AdoptLayerDir(const Digest& parent_chain, const Digest& diff_id, const std::string& dir) {
  ASSIGN_OR_RETURN(LayerInfo layer, NewLayerInfo(parent_chain, diff_id));
  if (!snapshots_.Has(layer.chain_id)) {
    RETURN_IF_ERROR(snapshots_.Create(layer.chain_id, [&](const std::string& fs) -> Status {
      if (::rmdir(fs.c_str()) != 0) return ErrnoError("replacing " + fs, errno);
      if (::rename(dir.c_str(), fs.c_str()) != 0) return ErrnoError("moving " + dir + " into the store", errno);
      return Status::Ok();
    }));
  }
  return layer;
}

Expected<std::optional<LayerInfo>> Store::FindLayer(const Digest& chain_id) {
  ASSIGN_OR_RETURN(Statement s, db_->Prepare("SELECT parent_chain, diff_id, size FROM layers WHERE chain_id = ?"));
  s.Bind(1, chain_id.hex());
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<LayerInfo>();
  return std::optional<LayerInfo>(
      LayerInfo{chain_id, DigestOrEmpty(s.ColumnText(0)), DigestOrEmpty(s.ColumnText(1)), s.ColumnInt(2)});
}

Expected<std::vector<LayerInfo>> Store::ImageLayers(const std::string& image_id) {
  ASSIGN_OR_RETURN(Statement s, db_->Prepare(
                                    "SELECT l.chain_id, l.parent_chain, l.diff_id, l.size FROM image_layers il "
                                    "JOIN layers l ON l.chain_id = il.chain_id WHERE il.image_id = ? ORDER BY il.idx"));
  s.Bind(1, image_id);
  std::vector<LayerInfo> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(LayerInfo{DigestOrEmpty(s.ColumnText(0)), DigestOrEmpty(s.ColumnText(1)),
                            DigestOrEmpty(s.ColumnText(2)), s.ColumnInt(3)});
  }
  return out;
}

// ---- images ----

Expected<ImageRecord> Store::CommitImage(const NewImage& img) {
  ASSIGN_OR_RETURN(image::ImageConfig config, image::ParseConfig(img.config));
  ASSIGN_OR_RETURN(Digest config_digest, content_.Put(img.config));
  ASSIGN_OR_RETURN(Digest manifest_digest, content_.Put(img.manifest));
  const std::string id = config_digest.hex();
  int64_t size = static_cast<int64_t>(img.config.size() + 2 * img.manifest.size());
  for (const auto& l : img.layers) size += l.size;

  RETURN_IF_ERROR(db_->Transaction([&]() -> Status {
    // Layer rows first: a concurrent GC may have dropped rows nothing referenced yet.
    ASSIGN_OR_RETURN(Statement layer, db_->Prepare(
                                          "INSERT OR IGNORE INTO layers(chain_id, parent_chain, diff_id, size) "
                                          "VALUES (?, ?, ?, ?)"));
    for (const auto& l : img.layers) {
      layer.Bind(1, l.chain_id.hex()).Bind(2, l.parent_chain.hex()).Bind(3, l.diff_id.hex()).Bind(4, l.size);
      RETURN_IF_ERROR(layer.Run());
      layer.Reset();
    }
    ASSIGN_OR_RETURN(Statement ins, db_->Prepare(
                                        "INSERT OR IGNORE INTO images(id, manifest_digest, manifest_type, created, "
                                        "size, top_layer, parent, added) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    ins.Bind(1, id).Bind(2, manifest_digest.str()).Bind(3, img.manifest_type).Bind(4, config.Created());
    ins.Bind(5, size).Bind(6, img.layers.empty() ? "" : img.layers.back().chain_id.hex()).Bind(7, img.parent);
    ins.Bind(8, NowNanos());
    RETURN_IF_ERROR(ins.Run());
    if (db_->Changes() > 0) {
      ASSIGN_OR_RETURN(Statement il, db_->Prepare("INSERT INTO image_layers(image_id, idx, chain_id) VALUES (?, ?, ?)"));
      for (size_t i = 0; i < img.layers.size(); ++i) {
        il.Bind(1, id).Bind(2, static_cast<int64_t>(i)).Bind(3, img.layers[i].chain_id.hex());
        RETURN_IF_ERROR(il.Run());
        il.Reset();
      }
    }
    for (const auto& name : img.names) RETURN_IF_ERROR(AddName(id, name));
    return Status::Ok();
  }));
  return GetImage(id);
}

Expected<std::vector<ImageRecord>> Store::QueryImages(std::string_view where, const std::string& arg) {
  ASSIGN_OR_RETURN(Statement s, db_->Prepare(std::string(kImageColumns) + std::string(where)));
  if (!arg.empty()) s.Bind(1, arg);
  std::vector<ImageRecord> images;
  std::unordered_map<std::string, size_t> index;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    images.push_back(ImageFromRow(s));
    index[images.back().id] = images.size() - 1;
  }
  if (images.empty()) return images;
  // One query for all names, not one per image.
  std::string names_sql = "SELECT image_id, name FROM image_names ";
  if (!arg.empty() && images.size() == 1) names_sql += "WHERE image_id = ?1 ";
  ASSIGN_OR_RETURN(Statement n, db_->Prepare(names_sql + "ORDER BY seq"));
  if (!arg.empty() && images.size() == 1) n.Bind(1, images[0].id);
  for (;;) {
    ASSIGN_OR_RETURN(bool row, n.Step());
    if (!row) break;
    auto it = index.find(n.ColumnText(0));
    if (it != index.end()) images[it->second].names.push_back(n.ColumnText(1));
  }
  return images;
}

Expected<std::vector<ImageRecord>> Store::ListImages() { return QueryImages("ORDER BY added, id", ""); }

Expected<ImageRecord> Store::GetImage(const std::string& id) {
  ASSIGN_OR_RETURN(std::vector<ImageRecord> found, QueryImages("WHERE id = ?1", id));
  if (found.empty()) return NotFound(id + ": image not known");
  return std::move(found[0]);
}

Expected<std::string> Store::ResolveIdPrefix(std::string_view hex) {
  ASSIGN_OR_RETURN(Statement s, db_->Prepare("SELECT id FROM images WHERE id >= ?1 AND id < ?2 ORDER BY id LIMIT 2"));
  s.Bind(1, hex).Bind(2, std::string(hex) + "g");  // 'g' sorts after every hex digit
  std::vector<std::string> ids;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    ids.push_back(s.ColumnText(0));
  }
  // podman: an ambiguous prefix does not match (the lookup then ends in "image not known").
  if (ids.size() != 1) return std::string();
  return ids[0];
}

Expected<std::string> Store::ResolveQuery(const image::ImageQuery& q) {
  if (!q.full_id.empty()) {
    ASSIGN_OR_RETURN(std::string id, ResolveIdPrefix(q.full_id));
    return id;
  }
  ASSIGN_OR_RETURN(Statement by_name, db_->Prepare("SELECT image_id FROM image_names WHERE name = ?"));
  for (const auto& candidate : q.candidates) {
    by_name.Bind(1, candidate);
    ASSIGN_OR_RETURN(bool row, by_name.Step());
    if (row) return by_name.ColumnText(0);
    by_name.Reset();
  }
  if (q.try_id_prefix) {
    ASSIGN_OR_RETURN(std::string id, ResolveIdPrefix(q.name));
    if (!id.empty()) return id;
  }
  if (!q.manifest_digest.empty()) {
    ASSIGN_OR_RETURN(Statement s, db_->Prepare("SELECT id FROM images WHERE manifest_digest = ? ORDER BY added LIMIT 1"));
    s.Bind(1, q.manifest_digest.str());
    ASSIGN_OR_RETURN(bool row, s.Step());
    return row ? s.ColumnText(0) : std::string();
  }
  if (q.scan_names) {
    ASSIGN_OR_RETURN(Statement s, db_->Prepare(
                                      "SELECT n.name, n.image_id FROM image_names n JOIN images i ON i.id = n.image_id "
                                      "ORDER BY i.added, n.seq"));
    for (;;) {
      ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      if (image::NameMatches(s.ColumnText(0), q)) return s.ColumnText(1);
    }
  }
  return std::string();
}

Expected<ImageRecord> Store::LookupImage(std::string_view query) {
  ASSIGN_OR_RETURN(image::ImageQuery q, image::ParseQuery(query));
  ASSIGN_OR_RETURN(std::string id, ResolveQuery(q));
  if (id.empty()) return q.NotKnown();
  return GetImage(id);
}

Expected<image::ImageConfig> Store::ReadConfig(const ImageRecord& image) const {
  ASSIGN_OR_RETURN(Digest d, Digest::FromHex(image.id));
  ASSIGN_OR_RETURN(std::string bytes, content_.Read(d));
  return image::ParseConfig(bytes);
}

Expected<std::vector<std::string>> Store::ChildrenOf(const std::string& id) {
  ASSIGN_OR_RETURN(Statement s, db_->Prepare("SELECT id FROM images WHERE parent = ?"));
  s.Bind(1, id);
  std::vector<std::string> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return out;
    out.push_back(s.ColumnText(0));
  }
}

Expected<std::vector<std::string>> Store::ContainersUsing(const std::string& id) {
  // Made from the image, or mounting it (--mount type=image: the container's config holds
  // image_mounts[].image_id).
  ASSIGN_OR_RETURN(Statement s, db_->Prepare("SELECT id FROM containers WHERE image_id = ?1 OR EXISTS ("
                                             "SELECT 1 FROM json_each(containers.config, '$.image_mounts') m "
                                             "WHERE json_extract(m.value, '$.image_id') = ?1) ORDER BY created"));
  s.Bind(1, id);
  std::vector<std::string> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return out;
    out.push_back(s.ColumnText(0));
  }
}

Status Store::AddName(const std::string& id, const std::string& name) {
  // Runs inside the caller's transaction when there is one (CommitImage), else in its own.
  auto body = [&]() -> Status {
    ASSIGN_OR_RETURN(Statement del, db_->Prepare("DELETE FROM image_names WHERE name = ? AND image_id != ?"));
    del.Bind(1, name).Bind(2, id);
    RETURN_IF_ERROR(del.Run());
    ASSIGN_OR_RETURN(Statement ins, db_->Prepare(
                                        "INSERT OR IGNORE INTO image_names(name, image_id, seq) "
                                        "VALUES (?1, ?2, (SELECT COALESCE(MAX(seq), 0) + 1 FROM image_names))"));
    ins.Bind(1, name).Bind(2, id);
    RETURN_IF_ERROR(ins.Run());
    return RefreshNamesHistory(id);
  };
  if (db_->InTransaction()) return body();
  return db_->Transaction(body);
}


}  // namespace kiln::store

namespace kiln::store {

Status Store::RemoveName(const std::string& id, const std::string& name) {
  auto body = [&]() -> Status {
    ASSIGN_OR_RETURN(Statement del, db_->Prepare("DELETE FROM image_names WHERE name = ? AND image_id = ?"));
    del.Bind(1, name).Bind(2, id);
    RETURN_IF_ERROR(del.Run());
    if (db_->Changes() == 0) return NotFound(name + ": tag not known");
    return RefreshNamesHistory(id);
  };
  if (db_->InTransaction()) return body();
  return db_->Transaction(body);
}

// containers/storage's rule, after every change of an image's names: each of its names, in
// order, moves to the front of NamesHistory (so `tag X` then `rmi X` leaves the remaining
// names first and X after them, as podman's system test 010 checks).
Status Store::RefreshNamesHistory(const std::string& id) {
  ASSIGN_OR_RETURN(Statement get, db_->Prepare("SELECT names_history FROM images WHERE id = ?"));
  get.Bind(1, id);
  ASSIGN_OR_RETURN(bool row, get.Step());
  if (!row) return NotFound(id + ": image not known");
  auto parsed = nlohmann::json::parse(get.ColumnText(0), nullptr, false);
  std::vector<std::string> hist;
  if (parsed.is_array())
    for (const auto& n : parsed)
      if (n.is_string()) hist.push_back(n.get<std::string>());
  ASSIGN_OR_RETURN(Statement names, db_->Prepare("SELECT name FROM image_names WHERE image_id = ? ORDER BY seq"));
  names.Bind(1, id);
  for (;;) {
    ASSIGN_OR_RETURN(bool more, names.Step());
    if (!more) break;
    std::string n = names.ColumnText(0);
    hist.erase(std::remove(hist.begin(), hist.end(), n), hist.end());
    hist.insert(hist.begin(), n);
  }
  ASSIGN_OR_RETURN(Statement set, db_->Prepare("UPDATE images SET names_history = ? WHERE id = ?"));
  set.Bind(1, JsonText(nlohmann::json(hist))).Bind(2, id);
  return set.Run();
}

Expected<std::vector<std::string>> Store::DeleteImage(const std::string& id, bool with_containers) {
  std::vector<std::string> deleted;
  RETURN_IF_ERROR(db_->Transaction([&]() -> Status {
    deleted.clear();
    // Checked inside the transaction, so no container can appear between check and delete.
    ASSIGN_OR_RETURN(std::vector<std::string> containers, ContainersUsing(id));
    if (!containers.empty() && !with_containers)
      return InUse("image used by " + containers[0] +
                   ": image is in use by a container: consider listing external containers and force-removing image");
    if (with_containers) {
      for (const auto& c : containers) {
        ASSIGN_OR_RETURN(Statement del, db_->Prepare("DELETE FROM containers WHERE id = ?"));
        del.Bind(1, c);
        RETURN_IF_ERROR(del.Run());
      }
      ASSIGN_OR_RETURN(Statement del, db_->Prepare("DELETE FROM containers WHERE image_id = ?"));
      del.Bind(1, id);
      RETURN_IF_ERROR(del.Run());
    }
    std::string current = id;
    while (!current.empty()) {
      ASSIGN_OR_RETURN(Statement get, db_->Prepare("SELECT parent FROM images WHERE id = ?"));
      get.Bind(1, current);
      ASSIGN_OR_RETURN(bool row, get.Step());
      if (!row) break;
      std::string parent = get.ColumnText(0);
      for (const char* sql : {"DELETE FROM images WHERE id = ?", "DELETE FROM build_cache WHERE image_id = ?"}) {
        ASSIGN_OR_RETURN(Statement del, db_->Prepare(sql));
        del.Bind(1, current);
        RETURN_IF_ERROR(del.Run());
      }
      deleted.push_back(current);
      // A parent goes too when nothing else holds it: no name, no other child, no container.
      ASSIGN_OR_RETURN(Statement held, db_->Prepare(
                                           "SELECT (SELECT COUNT(*) FROM image_names WHERE image_id = ?1) + "
                                           "(SELECT COUNT(*) FROM images WHERE parent = ?1) + "
                                           "(SELECT COUNT(*) FROM containers WHERE image_id = ?1 OR EXISTS ("
                                           "SELECT 1 FROM json_each(containers.config, '$.image_mounts') m "
                                           "WHERE json_extract(m.value, '$.image_id') = ?1))"));
      held.Bind(1, parent);
      ASSIGN_OR_RETURN(bool got, held.Step());
      current = (!parent.empty() && got && held.ColumnInt(0) == 0) ? parent : std::string();
    }
    return Status::Ok();
  }));
  return deleted;
}

Expected<std::string> Store::CreateLease(int64_t ttl_nanos) {
  Sha256 h;
  std::string seed = std::to_string(::getpid()) + ":" + std::to_string(NowNanos()) + ":" + root_;
  h.Update(seed);
  std::string id = h.Finish().hex().substr(0, 32);
  ASSIGN_OR_RETURN(Statement s, db_->Prepare("INSERT INTO leases(id, pid, created, expires) VALUES (?, ?, ?, ?)"));
  int64_t now = NowNanos();
  s.Bind(1, id).Bind(2, static_cast<int64_t>(::getpid())).Bind(3, now).Bind(4, now + ttl_nanos);
  RETURN_IF_ERROR(s.Run());
  return id;
}

Status Store::AddLeaseRef(const std::string& lease, std::string_view kind, const std::string& ref) {
  ASSIGN_OR_RETURN(Statement s, db_->Prepare("INSERT OR IGNORE INTO lease_refs(lease_id, kind, ref) VALUES (?, ?, ?)"));
  s.Bind(1, lease).Bind(2, kind).Bind(3, ref);
  return s.Run();
}

Status Store::ReleaseLease(const std::string& lease) {
  return db_->Transaction([&]() -> Status {
    for (const char* sql : {"DELETE FROM lease_refs WHERE lease_id = ?", "DELETE FROM leases WHERE id = ?"}) {
      ASSIGN_OR_RETURN(Statement s, db_->Prepare(sql));
      s.Bind(1, lease);
      RETURN_IF_ERROR(s.Run());
    }
    return Status::Ok();
  });
}

Status Store::AddLayerBlob(const Digest& diff_id, const LayerBlob& blob) {
  ASSIGN_OR_RETURN(Statement s, db_->Prepare(
                                    "INSERT OR IGNORE INTO layer_blobs(diff_id, blob, media_type, size) VALUES (?, ?, ?, ?)"));
  s.Bind(1, diff_id.hex()).Bind(2, blob.blob.hex()).Bind(3, blob.media_type).Bind(4, blob.size);
  return s.Run();
}

Expected<std::vector<Store::LayerBlob>> Store::LayerBlobs(const Digest& diff_id) {
  ASSIGN_OR_RETURN(Statement s, db_->Prepare("SELECT blob, media_type, size FROM layer_blobs WHERE diff_id = ?"));
  s.Bind(1, diff_id.hex());
  std::vector<LayerBlob> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    auto d = Digest::FromHex(s.ColumnText(0));
    if (!d.ok()) continue;
    out.push_back({*d, s.ColumnText(1), s.ColumnInt(2)});
  }
  return out;
}

Expected<std::optional<Digest>> Store::DiffIdOfBlob(const Digest& blob) {
  ASSIGN_OR_RETURN(Statement s, db_->Prepare("SELECT diff_id FROM layer_blobs WHERE blob = ? LIMIT 1"));
  s.Bind(1, blob.hex());
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<Digest>();
  auto d = Digest::FromHex(s.ColumnText(0));
  if (!d.ok()) return std::optional<Digest>();
  return std::optional<Digest>(*d);
}

Status Store::DeleteUnreferencedLayerRows(GcReport& report) {
  return db_->Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(Statement leases, db_->Prepare("DELETE FROM leases WHERE expires < ?"));
    leases.Bind(1, NowNanos());
    RETURN_IF_ERROR(leases.Run());
    RETURN_IF_ERROR(db_->Exec(
        "DELETE FROM layers WHERE chain_id NOT IN (SELECT chain_id FROM image_layers) "
        "AND chain_id NOT IN (SELECT ref FROM lease_refs WHERE kind = 'layer')"));
    report.layers_removed = db_->Changes();
    return db_->Exec("DELETE FROM layer_blobs WHERE diff_id NOT IN (SELECT diff_id FROM layers)");
  });
}

Expected<Store::LiveFiles> Store::CollectLiveFiles() {
  LiveFiles live;
  auto collect = [&](const char* sql, std::set<std::string>& into, bool strip_prefix) -> Status {
    ASSIGN_OR_RETURN(Statement s, db_->Prepare(sql));
    for (;;) {
      ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) return Status::Ok();
      std::string v = s.ColumnText(0);
      into.insert(strip_prefix && v.rfind("sha256:", 0) == 0 ? v.substr(7) : v);
    }
  };
  RETURN_IF_ERROR(collect("SELECT id FROM images", live.blobs, false));
  RETURN_IF_ERROR(collect("SELECT manifest_digest FROM images", live.blobs, true));
  RETURN_IF_ERROR(collect("SELECT diff_id FROM layers", live.blobs, false));
  RETURN_IF_ERROR(collect("SELECT blob FROM layer_blobs", live.blobs, false));
  RETURN_IF_ERROR(collect("SELECT ref FROM lease_refs WHERE kind = 'blob'", live.blobs, true));
  RETURN_IF_ERROR(collect("SELECT chain_id FROM layers", live.snapshots, false));
  return live;
}

Status Store::SweepFiles(GcReport& report) {
  ASSIGN_OR_RETURN(LiveFiles live, CollectLiveFiles());
  ASSIGN_OR_RETURN(std::vector<Digest> blobs, content_.List());
  for (const auto& d : blobs) {
    if (live.blobs.count(d.hex())) continue;
    RETURN_IF_ERROR(content_.Remove(d));
    ++report.blobs_removed;
  }
  ASSIGN_OR_RETURN(std::vector<std::string> entries, snapshots_.ListEntries());
  for (const auto& name : entries)
    if (!live.snapshots.count(name)) RETURN_IF_ERROR(snapshots_.RemoveEntry(name));
  RETURN_IF_ERROR(content_.ClearIngest());
  report.files_swept = true;
  return Status::Ok();
}

Expected<std::vector<std::string>> Store::UnreferencedFiles() {
  ASSIGN_OR_RETURN(LiveFiles live, CollectLiveFiles());
  std::vector<std::string> out;
  ASSIGN_OR_RETURN(std::vector<Digest> blobs, content_.List());
  for (const auto& d : blobs)
    if (!live.blobs.count(d.hex())) out.push_back(content_.BlobPath(d));
  ASSIGN_OR_RETURN(std::vector<std::string> entries, snapshots_.ListEntries());
  for (const auto& name : entries)
    if (!live.snapshots.count(name)) out.push_back(JoinPath(root_, "snapshots/" + name));
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(content_.ingest_dir(), ec))
    out.push_back(entry.path().string());
  if (ec && ec != std::errc::no_such_file_or_directory) return ErrnoError("listing " + content_.ingest_dir(), ec.value());
  return out;
}

Expected<GcReport> Store::CollectGarbage() {
  GcReport report;
  RETURN_IF_ERROR(DeleteUnreferencedLayerRows(report));
  // Files are only deleted while no other kiln process can be between writing a file
  // and committing the row that references it.
  if (!lock_.TryUpgrade(200)) return report;
  Status st = SweepFiles(report);
  lock_.Downgrade();
  RETURN_IF_ERROR(st);
  return report;
}

Status Store::RemoveEverything() {
  RETURN_IF_ERROR(db_->Transaction([&]() -> Status {
    for (const char* table : {"image_names", "image_layers", "images", "layer_blobs", "layers", "containers", "pods",
                              "lease_refs", "leases", "build_cache", "stat_cache", "volumes"})
      RETURN_IF_ERROR(db_->Exec(std::string("DELETE FROM ") + table));
    return Status::Ok();
  }));
  GcReport report;
  if (!lock_.TryUpgrade(10000)) return InUse("other kiln processes are using the store; try again when they finish");
  Status st = SweepFiles(report);
  lock_.Downgrade();
  RETURN_IF_ERROR(st);
  return RemoveTree(root_ + "/volumes");  // no row names them now
}

}  // namespace kiln::store
