// Schema migrations for the PostgreSQL backend.
//
// Mirrors sqlite/sqlite_migrate.h: the applied version is recorded in the table `schema_version`
// (one row per applied migration: version, applied_at) of the first schema on the search_path;
// the database is at MAX(version), or 0 when the table is empty or absent. ApplyMigrations()
// brings it to migrations.size(): each missing migration runs in its own transaction together
// with its `schema_version` row (PostgreSQL DDL is transactional, so a failed migration leaves the
// previous version). Each transaction first takes a transaction-scoped advisory lock (one per
// schema), then re-reads the version, so nodes starting at the same time apply every migration
// exactly once: the others wait for the lock and find the work done. A database whose version is
// higher than migrations.size() is refused (kInternal, with the same message as SQLite) and left
// untouched.
//
// Thread-safety: uses `conn` exclusively for the duration of the call.
#ifndef VOXSECRETS_STORE_POSTGRES_PG_MIGRATE_H_
#define VOXSECRETS_STORE_POSTGRES_PG_MIGRATE_H_

#include <span>
#include <string_view>

#include "common/status.h"
#include "store/postgres/pg_connection.h"

namespace voxsecrets::store::pg {

// REQUIRES: no transaction is open on `conn`.
Status ApplyMigrations(Connection& conn, std::span<const std::string_view> migrations);

// The version recorded in the database (0 when none). Works inside or outside a transaction.
Result<int> ReadSchemaVersion(Connection& conn);

}  // namespace voxsecrets::store::pg

#endif  // VOXSECRETS_STORE_POSTGRES_PG_MIGRATE_H_
