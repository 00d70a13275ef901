// Manifest lists in the store (see Store::CreateList).
#include "image/index.h"
#include "store/store.h"
#include "util/fs.h"
#include "util/time.h"

namespace kiln::store {

bool Store::IsList(const ImageRecord& image) { return image::IsIndexMediaType(image.manifest_type); }

Expected<ImageRecord> Store::CreateList(const std::string& index_bytes, const std::string& name, bool move_name) {
  ASSIGN_OR_RETURN(Digest digest, content_.Put(index_bytes));
  std::string id = RandomHex(32);
  RETURN_IF_ERROR(db_->Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(Statement taken, db_->Prepare(
                                          "SELECT i.id, i.manifest_digest, i.manifest_type FROM image_names n "
                                          "JOIN images i ON i.id = n.image_id WHERE n.name = ?"));
    taken.Bind(1, name);
    ASSIGN_OR_RETURN(bool row, taken.Step());
    if (row && move_name && taken.ColumnText(1) == digest.str() && image::IsIndexMediaType(taken.ColumnText(2))) {
      id = taken.ColumnText(0);
      return Status::Ok();
    }
    if (row && !move_name)
      return AlreadyExists("image name \"" + name + "\" is already associated with image \"" + taken.ColumnText(0) +
                           "\": that name is already in use");
    const int64_t now = NowNanos();
    ASSIGN_OR_RETURN(Statement ins, db_->Prepare(
                                        "INSERT INTO images(id, manifest_digest, manifest_type, created, size, "
                                        "top_layer, parent, added) VALUES (?, ?, ?, ?, ?, '', '', ?)"));
    ins.Bind(1, id).Bind(2, digest.str()).Bind(3, std::string(image::kOciIndexType)).Bind(4, now);
    ins.Bind(5, static_cast<int64_t>(index_bytes.size())).Bind(6, now);
    RETURN_IF_ERROR(ins.Run());
    return AddName(id, name);
  }));
  return GetImage(id);
}

Status Store::UpdateList(const std::string& id, const std::string& index_bytes) {
  ASSIGN_OR_RETURN(Digest digest, content_.Put(index_bytes));
  return db_->Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(Statement up, db_->Prepare(
                                       "UPDATE images SET manifest_digest = ?, size = ? WHERE id = ? AND manifest_type = ?"));
    up.Bind(1, digest.str()).Bind(2, static_cast<int64_t>(index_bytes.size())).Bind(3, id);
    up.Bind(4, std::string(image::kOciIndexType));
    RETURN_IF_ERROR(up.Run());
    if (db_->Changes() == 0) return NotFound(id + ": image not known");
    return Status::Ok();
  });
}

Expected<ImageRecord> Store::InstanceFor(const ImageRecord& image, const image::Platform& platform) {
  if (!IsList(image)) return image;
  const std::string name = image.names.empty() ? image.id : image.names.front();
  ASSIGN_OR_RETURN(std::string bytes, content().Read(image.manifest_digest));
  ASSIGN_OR_RETURN(image::Index index, image::ParseIndex(bytes));
  auto e = image::ChooseInstance(index, platform);
  if (!e.ok()) return e.status().Wrap(name);
  ASSIGN_OR_RETURN(std::optional<ImageRecord> instance, ImageByManifest((*e)->digest));
  if (!instance)
    return NotFound(name + ": the " + platform.String() + " instance " + (*e)->digest.str() + " is not in local storage");
  return *instance;
}

Expected<std::optional<ImageRecord>> Store::ImageByManifest(const Digest& manifest_digest) {
  ASSIGN_OR_RETURN(Statement s, db_->Prepare(
                                    "SELECT id FROM images WHERE manifest_digest = ? AND manifest_type NOT IN (?, ?) "
                                    "ORDER BY added LIMIT 1"));
  s.Bind(1, manifest_digest.str()).Bind(2, std::string(image::kOciIndexType)).Bind(3, std::string(image::kDockerListType));
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<ImageRecord>();
  ASSIGN_OR_RETURN(ImageRecord rec, GetImage(s.ColumnText(0)));
  return std::optional<ImageRecord>(std::move(rec));
}

}  // namespace kiln::store
