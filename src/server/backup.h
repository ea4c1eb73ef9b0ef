// Backup and restore of a node on SQLite (`voxsecrets backup` / `voxsecrets restore`).
//
// BackupNode snapshots the node's database while the server runs (store/sqlite/sqlite_backup.h):
// a consistent copy, mode 0600, holding sealed values, wrapped data keys and the audit log — never
// the master key, which the operator keeps apart (a file elsewhere, or a KMS). PostgreSQL stores
// are refused with a pointer to pg_dump / PITR (docs/OPERATIONS.md).
//
// RestoreNode makes a new data dir from a backup: it refuses a target that exists and is not an
// empty directory, creates it 0700 with the database 0600, and then checks the restore before
// calling it done: the master key the operator gives (the one the backup was taken under) must
// match the database's key check value — otherwise everything it created is removed again — and
// the audit chains are verified (a broken chain is reported in the result; the data dir stays,
// for inspection). Nothing is re-encrypted: values stay sealed under the same data keys.
//
// Thread-safety: free functions.
#ifndef VOXSECRETS_SERVER_BACKUP_H_
#define VOXSECRETS_SERVER_BACKUP_H_

#include <cstdint>
#include <string>

#include "audit/audit_verify.h"
#include "common/clock.h"
#include "common/random.h"
#include "common/status.h"
#include "server/data_dir.h"

namespace voxsecrets::server {

// What a backup (or a restored database) holds, for the operator's summary.
struct SnapshotInfo {
  int schema_version = 0;
  int64_t bytes = 0;
  int64_t accounts = 0;
  int64_t applications = 0;
  int64_t secrets = 0;
  int64_t data_keys = 0;
  int64_t audit_records = 0;
};

// Writes a snapshot of the database of `data` (data dir, --store) to `out` (which must not exist).
Result<SnapshotInfo> BackupNode(const DataOptions& data, const std::string& out);

struct RestoreResult {
  SnapshotInfo snapshot;
  uint32_t master_key_version = 0;
  std::string master_key_description;
  audit::VerifyReport audit;
};

// Restores `backup` into the new data dir `target.data_dir`, checking it with the master key of
// `target.master_key` (REQUIRES: a file, env or command source; kInvalidArgument otherwise, before
// anything is created). `target.store_url` must be empty (the database goes to DIR/voxsecrets.db).
Result<RestoreResult> RestoreNode(const std::string& backup, const DataOptions& target,
                                  SecureRandom& random, const Clock& clock);

}  // namespace voxsecrets::server

#endif  // VOXSECRETS_SERVER_BACKUP_H_
