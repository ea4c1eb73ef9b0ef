// Schema migrations for the SQLite backend.
//
// The applied version is recorded in the table `schema_version` (one row per applied migration:
// version, applied_at); the database is at MAX(version), or 0 when the table is empty or absent.
// ApplyMigrations() brings the database to migrations.size(): each missing migration runs in its
// own BEGIN IMMEDIATE transaction together with its `schema_version` row, so a failed migration
// leaves the database at the previous version. The current version is re-read inside each
// transaction, so two processes opening the same file at once do not apply a migration twice.
// A database whose version is higher than migrations.size() is refused (kInternal, with a message
// asking for a newer binary) and left untouched.
//
// Thread-safety: uses `conn` exclusively for the duration of the call.
#ifndef VOXSECRETS_STORE_SQLITE_SQLITE_MIGRATE_H_
#define VOXSECRETS_STORE_SQLITE_SQLITE_MIGRATE_H_

#include <span>
#include <string_view>

#include "common/status.h"
#include "store/sqlite/sqlite_connection.h"

namespace voxsecrets::store::sqlite {

// REQUIRES: conn is a kReadWrite connection with no open transaction.
Status ApplyMigrations(Connection& conn, std::span<const std::string_view> migrations);

// The version recorded in `conn`'s database (0 when none). Works inside or outside a transaction.
Result<int> ReadSchemaVersion(Connection& conn);

}  // namespace voxsecrets::store::sqlite

#endif  // VOXSECRETS_STORE_SQLITE_SQLITE_MIGRATE_H_
