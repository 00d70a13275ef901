#pragma once

#include "store/db.h"

namespace kiln::store {

// Brings the database to the newest schema. Each migration runs in its own
// transaction and bumps PRAGMA user_version, so an interrupted upgrade resumes.
Status Migrate(Db& db);
int LatestSchemaVersion();

}  // namespace kiln::store
