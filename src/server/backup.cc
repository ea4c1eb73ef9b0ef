#include "server/backup.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "server/store_url.h"
#include "store/sqlite/sqlite_backup.h"

namespace voxsecrets::server {

namespace fs = std::filesystem;

namespace {

SnapshotInfo ToInfo(const store::SqliteSnapshotInfo& s) {
  return SnapshotInfo{s.schema_version, s.bytes,     s.accounts,     s.applications,
                      s.secrets,        s.data_keys, s.audit_records};
}

}  // namespace

Result<SnapshotInfo> BackupNode(const DataOptions& data, const std::string& out) {
  if (data.data_dir.empty()) return Status(StatusCode::kInvalidArgument, "--data-dir is required");
  if (out.empty()) return Status(StatusCode::kInvalidArgument, "--out is required");
  VS_ASSIGN_OR_RETURN(StoreLocation location, ParseStoreUrl(data.store_url, data.data_dir));
  if (location.kind != StoreKind::kSqlite) {
    return Status(StatusCode::kInvalidArgument,
                  "the store is PostgreSQL (" + DescribeStore(location) +
                      "): back it up with pg_dump or a base backup with WAL archiving (PITR), "
                      "and keep the master key apart (docs/OPERATIONS.md)");
  }
  VS_ASSIGN_OR_RETURN(store::SqliteSnapshotInfo info,
                      store::BackupSqliteDatabase(location.sqlite_path, out));
  return ToInfo(info);
}

Result<RestoreResult> RestoreNode(const std::string& backup, const DataOptions& target,
                                  SecureRandom& random, const Clock& clock) {
  if (target.data_dir.empty()) {
    return Status(StatusCode::kInvalidArgument, "--data-dir is required");
  }
  if (!target.store_url.empty()) {
    return Status(StatusCode::kInvalidArgument,
                  "restore writes DIR/voxsecrets.db; --store is not taken (PostgreSQL: use "
                  "pg_restore, docs/OPERATIONS.md)");
  }
  const MasterKeySource& key = target.master_key;
  if (key.file.empty() && key.env.empty() && key.command.empty()) {
    return Status(StatusCode::kInvalidArgument,
                  "give the master key the backup was taken under (--master-key-file, "
                  "--master-key-env or --master-key-command): the backup does not hold it, and "
                  "the restore checks it before it is done");
  }
  std::error_code ec;
  const bool existed = fs::exists(target.data_dir, ec);
  if (existed && (!fs::is_directory(target.data_dir, ec) || !fs::is_empty(target.data_dir, ec))) {
    return Status(StatusCode::kAlreadyExists,
                  target.data_dir +
                      " exists and is not an empty directory; restore only into a "
                      "new (or empty) data dir");
  }
  VS_RETURN_IF_ERROR(EnsurePrivateDir(target.data_dir));
  ::chmod(target.data_dir.c_str(), 0700);
  const DataDirPaths paths(target.data_dir);
  // Undo what this call created when the restore is refused.
  auto undo = [&](Status status) {
    for (const std::string& file :
         {paths.database, paths.database + "-wal", paths.database + "-shm"}) {
      ::unlink(file.c_str());
    }
    if (!existed) ::rmdir(target.data_dir.c_str());
    return status;
  };

  RestoreResult result;
  auto snapshot = store::RestoreSqliteDatabase(backup, paths.database);
  if (!snapshot.ok()) return undo(snapshot.status());
  result.snapshot = ToInfo(*snapshot);

  DataOptions open = target;
  open.create = false;
  open.read_connections = 1;
  auto opened = OpenData(open, random, clock);
  if (!opened.ok()) {
    return undo(Status(opened.status().code(),
                       opened.status().message() +
                           "; nothing was restored (give the master key the backup was taken "
                           "under)"));
  }
  result.master_key_version = opened->master_key_version;
  result.master_key_description = opened->master_key_description;
  VS_ASSIGN_OR_RETURN(result.audit, audit::VerifyAuditChain(*opened->store));
  return result;
}

}  // namespace voxsecrets::server
