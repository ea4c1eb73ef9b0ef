#include "store/sqlite/sqlite_backup.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "store/schema/sqlite_migrations.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_migrate.h"

namespace voxsecrets::store {
namespace {

using sqlite::Connection;

constexpr int kBusyTimeoutMs = 10000;

Status Errno(const std::string& what, const std::string& path) {
  return Status(StatusCode::kUnavailable, what + " " + path + ": " + std::strerror(errno));
}

bool Exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

// An empty file, mode 0600, that must not exist yet (VACUUM INTO writes into an empty file).
Status CreateEmptyPrivateFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Errno("cannot create", path);
  ::close(fd);
  return Status::Ok();
}

Status SyncFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open", path);
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Errno("cannot fsync", path);
  return Status::Ok();
}

// fsync of the directory holding `path`, so that a rename or a new file survives a power cut.
void SyncParentDir(const std::string& path) {
  const auto slash = path.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

Result<int64_t> Count(Connection& conn, const char* table) {
  VS_ASSIGN_OR_RETURN(std::string n, conn.QueryText(std::string("SELECT count(*) FROM ") + table));
  return static_cast<int64_t>(std::strtoll(n.c_str(), nullptr, 10));
}

// Opens `path` read-only and checks that it is a sound voxsecrets database.
Result<SqliteSnapshotInfo> Inspect(const std::string& path, const std::string& what) {
  auto opened = Connection::Open(path, Connection::Mode::kReadOnly, kBusyTimeoutMs);
  if (!opened.ok()) {
    return Status(
        StatusCode::kInvalidArgument,
        what + " " + path + " cannot be opened as a SQLite database: " + opened.status().message());
  }
  Connection& conn = **opened;
  auto integrity = conn.QueryText("PRAGMA integrity_check");
  if (!integrity.ok() || *integrity != "ok") {
    return Status(StatusCode::kInvalidArgument,
                  what + " " + path + " is damaged (integrity_check: " +
                      (integrity.ok() ? *integrity : integrity.status().message()) + ")");
  }
  auto version = sqlite::ReadSchemaVersion(conn);
  if (!version.ok() || *version < 1) {
    return Status(StatusCode::kInvalidArgument,
                  what + " " + path + " is not a voxsecrets database");
  }
  if (*version > kSqliteSchemaVersion) {
    return Status(StatusCode::kInvalidArgument,
                  what + " " + path + " has schema version " + std::to_string(*version) +
                      ", newer than this voxsecrets (" + std::to_string(kSqliteSchemaVersion) +
                      "); use a newer binary");
  }
  SqliteSnapshotInfo info;
  info.schema_version = *version;
  VS_ASSIGN_OR_RETURN(info.accounts, Count(conn, "accounts"));
  VS_ASSIGN_OR_RETURN(info.applications, Count(conn, "applications"));
  VS_ASSIGN_OR_RETURN(info.secrets, Count(conn, "secrets"));
  VS_ASSIGN_OR_RETURN(info.data_keys, Count(conn, "data_keys"));
  if (*version >= 2) {
    VS_ASSIGN_OR_RETURN(info.audit_records, Count(conn, "audit_log"));
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) info.bytes = st.st_size;
  return info;
}

// VACUUM INTO `target` (an empty file) from `source`, then fsync, check and rename into `final`.
Result<SqliteSnapshotInfo> CopyInto(Connection& source, const std::string& final_path,
                                    const std::string& what) {
  const std::string partial = final_path + ".partial";
  ::unlink(partial.c_str());  // left over by an earlier attempt that was killed
  VS_RETURN_IF_ERROR(CreateEmptyPrivateFile(partial));
  auto fail = [&](Status status) {
    ::unlink(partial.c_str());
    return status;
  };
  auto vacuum = source.Prepare("VACUUM INTO ?1");
  if (!vacuum.ok()) return fail(vacuum.status());
  (*vacuum)->BindText(1, partial);
  if (Status s = (*vacuum)->Run(); !s.ok()) return fail(s);
  if (Status s = SyncFile(partial); !s.ok()) return fail(s);
  auto info = Inspect(partial, what);
  if (!info.ok()) return fail(info.status());
  if (Exists(final_path)) {
    return fail(
        Status(StatusCode::kAlreadyExists, final_path + " appeared meanwhile; not replaced"));
  }
  if (::rename(partial.c_str(), final_path.c_str()) != 0) {
    return fail(Errno("cannot rename the snapshot to", final_path));
  }
  SyncParentDir(final_path);
  return info;
}

}  // namespace

Result<SqliteSnapshotInfo> BackupSqliteDatabase(const std::string& db_path,
                                                const std::string& out_path) {
  if (!Exists(db_path)) {
    return Status(StatusCode::kInvalidArgument, "no voxsecrets database at " + db_path);
  }
  if (Exists(out_path)) {
    return Status(StatusCode::kAlreadyExists,
                  out_path + " exists; a backup never overwrites a file (choose a new name)");
  }
  // A read-write connection (it only reads): a read-only one could not take part in the WAL of
  // a database whose -shm file it cannot write.
  VS_ASSIGN_OR_RETURN(std::unique_ptr<Connection> source,
                      Connection::Open(db_path, Connection::Mode::kReadWrite, kBusyTimeoutMs));
  VS_ASSIGN_OR_RETURN(int version, sqlite::ReadSchemaVersion(*source));
  if (version < 1) {
    return Status(StatusCode::kInvalidArgument, db_path + " is not a voxsecrets database");
  }
  return CopyInto(*source, out_path, "the snapshot");
}

Result<SqliteSnapshotInfo> RestoreSqliteDatabase(const std::string& backup_path,
                                                 const std::string& db_path) {
  if (!Exists(backup_path)) {
    return Status(StatusCode::kInvalidArgument, "no backup file at " + backup_path);
  }
  if (Exists(db_path)) {
    return Status(StatusCode::kAlreadyExists, db_path + " exists; restore writes a new database");
  }
  VS_RETURN_IF_ERROR(Inspect(backup_path, "the backup").status());
  VS_ASSIGN_OR_RETURN(std::unique_ptr<Connection> source,
                      Connection::Open(backup_path, Connection::Mode::kReadOnly, kBusyTimeoutMs));
  return CopyInto(*source, db_path, "the restored database");
}

}  // namespace voxsecrets::store
