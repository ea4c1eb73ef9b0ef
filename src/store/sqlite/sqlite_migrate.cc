#include "store/sqlite/sqlite_migrate.h"

#include <string>

#include "store/store_error.h"

namespace voxsecrets::store::sqlite {
namespace {

constexpr std::string_view kCreateVersionTable =
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INTEGER PRIMARY KEY,"
    " applied_at INTEGER NOT NULL"
    ") STRICT";

constexpr std::string_view kVersionTableExists =
    "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'";

constexpr std::string_view kSelectVersion = "SELECT coalesce(max(version), 0) FROM schema_version";

constexpr std::string_view kInsertVersion =
    "INSERT INTO schema_version (version, applied_at) "
    "VALUES (?1, CAST(strftime('%s', 'now') AS INTEGER))";

Status NewerThanBinary(int found, int known) {
  return StoreError(StatusCode::kInternal, "database schema version " + std::to_string(found) +
                                               " is newer than this voxsecrets (" +
                                               std::to_string(known) + "); upgrade the binary");
}

// Applies migration number `target` (1-based) unless another process already did.
Status ApplyOne(Connection& conn, int target, std::string_view script, int known) {
  VS_RETURN_IF_ERROR(conn.Begin(/*immediate=*/true));
  Status status = [&]() -> Status {
    VS_RETURN_IF_ERROR(conn.Exec(kCreateVersionTable));
    VS_ASSIGN_OR_RETURN(int current, ReadSchemaVersion(conn));
    if (current > known) return NewerThanBinary(current, known);
    if (current >= target) return Status::Ok();  // applied meanwhile by another process
    if (current != target - 1) {
      return StoreError(StatusCode::kInternal, "sqlite: schema version " + std::to_string(current) +
                                                   " cannot be migrated to " +
                                                   std::to_string(target));
    }
    Status applied = conn.Exec(script);
    if (!applied.ok()) {
      return StoreError(StatusCode::kInternal, "sqlite: migration to schema version " +
                                                   std::to_string(target) +
                                                   " failed: " + applied.message());
    }
    VS_ASSIGN_OR_RETURN(StatementLease insert, conn.Prepare(kInsertVersion));
    insert->BindInt64(1, target);
    return insert->Run();
  }();
  if (!status.ok()) {
    conn.RollbackIfActive();
    return status;
  }
  Status committed = conn.Commit();
  if (!committed.ok()) conn.RollbackIfActive();
  return committed;
}

}  // namespace

Result<int> ReadSchemaVersion(Connection& conn) {
  VS_ASSIGN_OR_RETURN(StatementLease exists, conn.Prepare(kVersionTableExists));
  VS_ASSIGN_OR_RETURN(bool row, exists->Step());
  if (!row || exists->ColumnInt64(0) == 0) return 0;
  VS_ASSIGN_OR_RETURN(StatementLease select, conn.Prepare(kSelectVersion));
  VS_ASSIGN_OR_RETURN(row, select->Step());
  if (!row) return 0;
  return static_cast<int>(select->ColumnInt64(0));
}

Status ApplyMigrations(Connection& conn, std::span<const std::string_view> migrations) {
  const int known = static_cast<int>(migrations.size());
  VS_ASSIGN_OR_RETURN(int current, ReadSchemaVersion(conn));
  if (current > known) return NewerThanBinary(current, known);
  for (int target = current + 1; target <= known; ++target) {
    VS_RETURN_IF_ERROR(ApplyOne(conn, target, migrations[static_cast<size_t>(target - 1)], known));
  }
  return Status::Ok();
}

}  // namespace voxsecrets::store::sqlite
