#include "store/postgres/pg_migrate.h"

#include <string>

#include "store/store_error.h"

namespace voxsecrets::store::pg {
namespace {

constexpr std::string_view kCreateVersionTable =
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INTEGER PRIMARY KEY,"
    " applied_at BIGINT NOT NULL"
    ")";

// to_regclass resolves the name through the search_path, like every other statement.
constexpr std::string_view kVersionTableExists = "SELECT to_regclass('schema_version') IS NOT NULL";

constexpr std::string_view kSelectVersion = "SELECT coalesce(max(version), 0) FROM schema_version";

constexpr std::string_view kInsertVersion =
    "INSERT INTO schema_version (version, applied_at) "
    "VALUES ($1, CAST(extract(epoch FROM now()) AS BIGINT))";

// One lock per schema: the key pairs a fixed class id ('voxs') with a hash of the schema name.
constexpr std::string_view kLockSchema =
    "SELECT pg_advisory_xact_lock(1987016819, hashtext(coalesce(current_schema(), '')))";

Status NewerThanBinary(int found, int known) {
  return StoreError(StatusCode::kInternal, "database schema version " + std::to_string(found) +
                                               " is newer than this voxsecrets (" +
                                               std::to_string(known) + "); upgrade the binary");
}

// Applies migration number `target` (1-based) unless another node already did.
Status ApplyOne(Connection& conn, int target, std::string_view script, int known) {
  VS_RETURN_IF_ERROR(conn.Exec("BEGIN ISOLATION LEVEL READ COMMITTED", "begin migration"));
  Status status = [&]() -> Status {
    // READ COMMITTED: after waiting for the lock, the next statements see what the lock holder
    // committed.
    VS_RETURN_IF_ERROR(conn.Exec(kLockSchema, "lock for migration"));
    VS_RETURN_IF_ERROR(conn.Exec(kCreateVersionTable, "create schema_version"));
    VS_ASSIGN_OR_RETURN(int current, ReadSchemaVersion(conn));
    if (current > known) return NewerThanBinary(current, known);
    if (current >= target) return Status::Ok();  // applied meanwhile by another node
    if (current != target - 1) {
      return StoreError(StatusCode::kInternal,
                        "postgresql: schema version " + std::to_string(current) +
                            " cannot be migrated to " + std::to_string(target));
    }
    Status applied = conn.Exec(script, "migrate");
    if (!applied.ok()) {
      return StoreError(applied.code(), "postgresql: migration to schema version " +
                                            std::to_string(target) +
                                            " failed: " + applied.message());
    }
    return conn.Query(kInsertVersion, Params().Int64(target)).status();
  }();
  if (!status.ok()) {
    if (!conn.broken()) (void)conn.Exec("ROLLBACK", "rollback migration");
    conn.ClearErrors();
    return status;
  }
  Status committed = conn.Exec("COMMIT", "commit migration");
  conn.ClearErrors();
  return committed;
}

}  // namespace

Result<int> ReadSchemaVersion(Connection& conn) {
  VS_ASSIGN_OR_RETURN(Rows exists, conn.Query(kVersionTableExists, Params()));
  if (exists.size() == 0 || !exists.Bool(0, 0)) return 0;
  VS_ASSIGN_OR_RETURN(Rows version, conn.Query(kSelectVersion, Params()));
  if (version.size() == 0) return 0;
  return static_cast<int>(version.Int64(0, 0));
}

Status ApplyMigrations(Connection& conn, std::span<const std::string_view> migrations) {
  const int known = static_cast<int>(migrations.size());
  VS_ASSIGN_OR_RETURN(int current, ReadSchemaVersion(conn));
  conn.ClearErrors();
  if (current > known) return NewerThanBinary(current, known);
  for (int target = current + 1; target <= known; ++target) {
    VS_RETURN_IF_ERROR(ApplyOne(conn, target, migrations[static_cast<size_t>(target - 1)], known));
  }
  return Status::Ok();
}

}  // namespace voxsecrets::store::pg
