// Schema migrations of the store: an ordered list of named SQL scripts, each applied once in its
// own transaction and recorded in `schema_migrations` (version, name, applied_at).
//
// Adding a migration: append a Migration with the next version to the list in migrations.cc;
// never edit or reorder one that has shipped (files in the field were migrated with it).
// Re-opening a migrated file applies nothing. Two processes migrating the same file at once are
// safe: each migration checks `schema_migrations` inside its BEGIN IMMEDIATE transaction.
//
// Failures: "store_error" when a script fails (its transaction is rolled back, the file keeps the
// previous version) or when the file was migrated by a newer planbot (unknown version).
// Thread-safety: Migrate() uses the connection it is given; call it before sharing the file.
#pragma once

#include <vector>

#include "common/result.h"
#include "storage/sqlite_db.h"

namespace planbot::storage {

struct Migration {
  int version;
  const char* name;
  const char* sql;
  // Run after `sql`, in the same transaction, for what SQL alone cannot do; may be null.
  Status (*step)(SqliteDb& db) = nullptr;
};

// Every migration, in version order (1, 2, ...).
const std::vector<Migration>& Migrations();

// Applies the pending migrations; returns how many were applied now.
Result<int> Migrate(SqliteDb& db);

}  // namespace planbot::storage
