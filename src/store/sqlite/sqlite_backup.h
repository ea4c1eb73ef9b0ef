// Online backup and restore of a SQLite voxsecrets database, at the file level. The database
// never holds the master key (only its check value) and keeps secret values sealed, so neither a
// backup nor a restore ever sees a key or a plaintext value.
//
// BackupSqliteDatabase snapshots a database that may be in use by a running server and admin
// commands (other connections and processes go on writing): VACUUM INTO copies it in one read
// transaction, so the snapshot holds exactly the transactions committed before that transaction
// began — a consistent state, as after a crash at that instant, never a torn one.
//
// Thread-safety: free functions; each opens connections of its own.
#ifndef VOXSECRETS_STORE_SQLITE_SQLITE_BACKUP_H_
#define VOXSECRETS_STORE_SQLITE_SQLITE_BACKUP_H_

#include <cstdint>
#include <string>

#include "common/status.h"

namespace voxsecrets::store {

// What a snapshot holds (row counts for the operator's summary).
struct SqliteSnapshotInfo {
  int schema_version = 0;
  int64_t bytes = 0;
  int64_t accounts = 0;
  int64_t applications = 0;
  int64_t secrets = 0;
  int64_t data_keys = 0;
  int64_t audit_records = 0;
};

// Writes a consistent snapshot of the database at `db_path` (REQUIRES: it exists) to `out_path`.
// The snapshot is written to `out_path`.partial (mode 0600), fsynced, checked (integrity_check, a
// voxsecrets schema) and renamed; on failure nothing is left at `out_path`. kAlreadyExists when
// `out_path` exists (a backup is never overwritten).
Result<SqliteSnapshotInfo> BackupSqliteDatabase(const std::string& db_path,
                                                const std::string& out_path);

// Checks the snapshot at `backup_path` (integrity_check; a voxsecrets schema this binary knows:
// an older one is migrated when the store opens it) and writes a fresh copy of it at `db_path`
// (mode 0600, fsynced). kAlreadyExists when `db_path` exists; kInvalidArgument when the backup is
// not a sound voxsecrets database. On failure nothing is left at `db_path`.
Result<SqliteSnapshotInfo> RestoreSqliteDatabase(const std::string& backup_path,
                                                 const std::string& db_path);

}  // namespace voxsecrets::store

#endif  // VOXSECRETS_STORE_SQLITE_SQLITE_BACKUP_H_
