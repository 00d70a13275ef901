#include "store/schema.h"

#include <array>
#include <string>

namespace kiln::store {
namespace {

// Append only: never edit a migration that has shipped.
constexpr std::array<const char*, 5> kMigrations = {
    // 1: images, names, layers, and room for containers, leases and the build cache.
    R"sql(
CREATE TABLE images (
  id              TEXT PRIMARY KEY,    -- hex of the config digest
  manifest_digest TEXT NOT NULL,       -- sha256:... of the stored manifest
  manifest_type   TEXT NOT NULL,
  created         INTEGER NOT NULL,    -- config "created", unix nanoseconds
  size            INTEGER NOT NULL,    -- podman's Size: layers + config + manifests
  top_layer       TEXT NOT NULL,       -- chain id hex of the top layer, '' for none
  parent          TEXT NOT NULL DEFAULT '', -- image this one was built on, '' if none
  names_history   TEXT NOT NULL DEFAULT '[]', -- JSON array, newest first
  added           INTEGER NOT NULL     -- when it entered this store, unix nanoseconds
);
CREATE INDEX images_by_parent ON images(parent);
CREATE TABLE image_names (
  name     TEXT PRIMARY KEY,           -- normalised "domain/path:tag"
  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  seq      INTEGER NOT NULL            -- order the names were given
);
CREATE INDEX image_names_by_image ON image_names(image_id, seq);
CREATE TABLE layers (
  chain_id     TEXT PRIMARY KEY,       -- hex; names the snapshot directory
  parent_chain TEXT NOT NULL,          -- '' for a base layer
  diff_id      TEXT NOT NULL,          -- hex of the uncompressed tar digest (= its blob)
  size         INTEGER NOT NULL        -- uncompressed tar size
);
CREATE TABLE image_layers (
  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  idx      INTEGER NOT NULL,
  chain_id TEXT NOT NULL,
  PRIMARY KEY (image_id, idx)
);
CREATE INDEX image_layers_by_chain ON image_layers(chain_id);
CREATE TABLE layer_blobs (             -- compressed forms of a layer (pull/push/save)
  diff_id    TEXT NOT NULL,
  blob       TEXT NOT NULL,            -- hex of the compressed blob
  media_type TEXT NOT NULL,
  size       INTEGER NOT NULL,
  PRIMARY KEY (diff_id, blob)
);
CREATE TABLE containers (
  id       TEXT PRIMARY KEY,
  name     TEXT NOT NULL UNIQUE,
  image_id TEXT NOT NULL,
  created  INTEGER NOT NULL,
  state    TEXT NOT NULL DEFAULT 'created',
  config   TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX containers_by_image ON containers(image_id);
CREATE TABLE leases (
  id      TEXT PRIMARY KEY,
  pid     INTEGER NOT NULL,
  created INTEGER NOT NULL,
  expires INTEGER NOT NULL
);
CREATE TABLE lease_refs (
  lease_id TEXT NOT NULL REFERENCES leases(id) ON DELETE CASCADE,
  kind     TEXT NOT NULL,              -- 'blob' | 'layer' | 'image'
  ref      TEXT NOT NULL,
  PRIMARY KEY (lease_id, kind, ref)
);
CREATE TABLE build_cache (
  key      TEXT PRIMARY KEY,
  image_id TEXT NOT NULL,
  created  INTEGER NOT NULL
);
CREATE INDEX build_cache_by_image ON build_cache(image_id);
)sql",
    // 2: what a container's monitor records: the process to signal (and its start time, so
    // that a reused pid is never signalled), the monitor's pid, start and exit.
    R"sql(
ALTER TABLE containers ADD COLUMN pid INTEGER NOT NULL DEFAULT 0;
ALTER TABLE containers ADD COLUMN pid_start INTEGER NOT NULL DEFAULT 0;
ALTER TABLE containers ADD COLUMN monitor_pid INTEGER NOT NULL DEFAULT 0;
ALTER TABLE containers ADD COLUMN started INTEGER NOT NULL DEFAULT 0;
ALTER TABLE containers ADD COLUMN finished INTEGER NOT NULL DEFAULT 0;
ALTER TABLE containers ADD COLUMN exit_code INTEGER NOT NULL DEFAULT 0;
)sql",
    // 3: the build's stat cache: what a context file's bytes hashed to, valid while its
    // size, mtime, ctime, inode and mode stay the same (a rebuild then reads nothing).
    R"sql(
CREATE TABLE stat_cache (
  path     TEXT PRIMARY KEY,
  size     INTEGER NOT NULL,
  mtime    INTEGER NOT NULL,
  ctime    INTEGER NOT NULL,
  inode    INTEGER NOT NULL,
  mode     INTEGER NOT NULL,
  digest   TEXT NOT NULL,
  used     INTEGER NOT NULL
);
)sql",
    // 4: volumes (named and anonymous) that containers mount; their users are the
    // containers whose config names them.
    R"sql(
CREATE TABLE volumes (
  name          TEXT PRIMARY KEY,
  driver        TEXT NOT NULL DEFAULT 'local',
  created       INTEGER NOT NULL,      -- unix nanoseconds
  anonymous     INTEGER NOT NULL DEFAULT 0,
  needs_copy_up INTEGER NOT NULL DEFAULT 1,
  needs_chown   INTEGER NOT NULL DEFAULT 1,
  labels        TEXT NOT NULL DEFAULT '{}',
  options       TEXT NOT NULL DEFAULT '{}'
);
)sql",
    // 5: pods (podman's): a group of containers sharing namespaces that an infra container
    // holds; a container names its pod.
    R"sql(
CREATE TABLE pods (
  id       TEXT PRIMARY KEY,
  name     TEXT NOT NULL UNIQUE,
  created  INTEGER NOT NULL,
  infra_id TEXT NOT NULL DEFAULT '',   -- the infra container, '' for --infra=false
  config   TEXT NOT NULL DEFAULT '{}'  -- labels, shared namespaces, create command
);
ALTER TABLE containers ADD COLUMN pod_id TEXT NOT NULL DEFAULT '';
CREATE INDEX containers_by_pod ON containers(pod_id);
)sql",
};

Expected<int> CurrentVersion(Db& db) {
  ASSIGN_OR_RETURN(Statement stmt, db.Prepare("PRAGMA user_version"));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? static_cast<int>(stmt.ColumnInt(0)) : 0;
}

}  // namespace

int LatestSchemaVersion() { return static_cast<int>(kMigrations.size()); }

Status Migrate(Db& db) {
  ASSIGN_OR_RETURN(int version, CurrentVersion(db));
  if (version > LatestSchemaVersion())
    return Unsupported("store schema version " + std::to_string(version) +
                       " is newer than this kiln understands (" + std::to_string(LatestSchemaVersion()) + ")");
  while (version < LatestSchemaVersion()) {
    RETURN_IF_ERROR(db.Transaction([&]() -> Status {
      // Re-read inside the write lock: another process may have migrated meanwhile.
      ASSIGN_OR_RETURN(int now, CurrentVersion(db));
      if (now != version) return Status::Ok();
      RETURN_IF_ERROR(db.Exec(kMigrations[static_cast<size_t>(now)]));
      return db.Exec("PRAGMA user_version=" + std::to_string(now + 1));
    }));
    ASSIGN_OR_RETURN(version, CurrentVersion(db));
  }
  return Status::Ok();
}

}  // namespace kiln::store
