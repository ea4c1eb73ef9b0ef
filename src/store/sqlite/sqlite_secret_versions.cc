// SqliteSecretVersionRepository. Every statement reaches a version through its secret's row in
// the named application (scoping as for secrets).
#include <string>

#include "store/sqlite/sqlite_repositories.h"
#include "store/store_error.h"

namespace voxsecrets::store::sqlite {
namespace {

// The secret ?2 is one of application ?1's.
#define VS_OF_APPLICATION \
  "secret_id IN (SELECT id FROM secrets WHERE id = ?2 AND application_id = ?1)"

constexpr std::string_view kInsertVersion =
    "INSERT INTO secret_versions (secret_id, version, value, key_version, created) "
    "SELECT id, ?3, ?4, ?5, ?6 FROM secrets WHERE id = ?2 AND application_id = ?1";
constexpr std::string_view kFindVersion =
    "SELECT secret_id, version, created, value, key_version FROM secret_versions "
    "WHERE secret_id = ?2 AND version = ?3 AND " VS_OF_APPLICATION;
constexpr std::string_view kListVersions =
    "SELECT secret_id, version, created FROM secret_versions WHERE secret_id = ?2 "
    "AND " VS_OF_APPLICATION " ORDER BY version DESC LIMIT ?3 OFFSET ?4";
constexpr std::string_view kCountVersions =
    "SELECT count(*) FROM secret_versions WHERE secret_id = ?2 AND " VS_OF_APPLICATION;
constexpr std::string_view kDeleteVersionsUpTo =
    "DELETE FROM secret_versions WHERE secret_id = ?2 AND version <= ?3 AND " VS_OF_APPLICATION;
constexpr std::string_view kListSealedVersions =
    "SELECT v.secret_id, v.version, v.created, v.value, v.key_version FROM secret_versions v "
    "JOIN secrets s ON s.id = v.secret_id WHERE s.application_id = ?1 "
    "ORDER BY v.secret_id, v.version";
constexpr std::string_view kReplaceSealedVersion =
    "UPDATE secret_versions SET value = ?4, key_version = ?5 "
    "WHERE secret_id = ?2 AND version = ?3 AND " VS_OF_APPLICATION;

#undef VS_OF_APPLICATION

SecretVersionInfo ReadInfo(const Statement& stmt) {
  SecretVersionInfo info;
  info.secret_id = stmt.ColumnInt64(0);
  info.version = stmt.ColumnInt64(1);
  info.created = stmt.ColumnInt64(2);
  return info;
}

SecretVersionRecord ReadRecord(const Statement& stmt) {
  SecretVersionRecord record;
  record.info = ReadInfo(stmt);
  record.value.blob = stmt.ColumnBlob(3);
  record.value.key_version = static_cast<uint32_t>(stmt.ColumnInt64(4));
  return record;
}

}  // namespace

Status SqliteSecretVersionRepository::Insert(int64_t application_id,
                                             const SecretVersionRecord& record) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kInsertVersion));
  stmt->BindInt64(1, application_id);
  stmt->BindInt64(2, record.info.secret_id);
  stmt->BindInt64(3, record.info.version);
  stmt->BindBlob(4, record.value.blob);
  stmt->BindInt64(5, record.value.key_version);
  stmt->BindInt64(6, record.info.created);
  VS_RETURN_IF_ERROR(stmt->Run());
  if (conn_.Changes() == 0) return StoreError(StatusCode::kNotFound, "secret not found");
  return Status::Ok();
}

Result<std::optional<SecretVersionRecord>> SqliteSecretVersionRepository::Find(
    int64_t application_id, int64_t secret_id, int64_t version) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kFindVersion));
  stmt->BindInt64(1, application_id);
  stmt->BindInt64(2, secret_id);
  stmt->BindInt64(3, version);
  VS_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<SecretVersionRecord>();
  return std::optional<SecretVersionRecord>(ReadRecord(*stmt));
}

Result<Page<SecretVersionInfo>> SqliteSecretVersionRepository::List(int64_t application_id,
                                                                    int64_t secret_id,
                                                                    int64_t count, int64_t offset) {
  VS_RETURN_IF_ERROR(CheckPaging(count, offset));
  Page<SecretVersionInfo> page;
  {
    VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kListVersions));
    stmt->BindInt64(1, application_id);
    stmt->BindInt64(2, secret_id);
    stmt->BindInt64(3, count);
    stmt->BindInt64(4, offset);
    while (true) {
      VS_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      page.items.push_back(ReadInfo(*stmt));
    }
  }
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kCountVersions));
  stmt->BindInt64(1, application_id);
  stmt->BindInt64(2, secret_id);
  VS_ASSIGN_OR_RETURN(bool row, stmt->Step());
  page.total_count = row ? stmt->ColumnInt64(0) : 0;
  return page;
}

Result<int64_t> SqliteSecretVersionRepository::DeleteUpTo(int64_t application_id, int64_t secret_id,
                                                          int64_t version) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kDeleteVersionsUpTo));
  stmt->BindInt64(1, application_id);
  stmt->BindInt64(2, secret_id);
  stmt->BindInt64(3, version);
  VS_RETURN_IF_ERROR(stmt->Run());
  return conn_.Changes();
}

Result<std::vector<SecretVersionRecord>> SqliteSecretVersionRepository::ListSealed(
    int64_t application_id) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kListSealedVersions));
  stmt->BindInt64(1, application_id);
  std::vector<SecretVersionRecord> records;
  while (true) {
    VS_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    records.push_back(ReadRecord(*stmt));
  }
  return records;
}

Result<bool> SqliteSecretVersionRepository::ReplaceSealed(int64_t application_id, int64_t secret_id,
                                                          int64_t version,
                                                          const SealedValue& value) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kReplaceSealedVersion));
  stmt->BindInt64(1, application_id);
  stmt->BindInt64(2, secret_id);
  stmt->BindInt64(3, version);
  stmt->BindBlob(4, value.blob);
  stmt->BindInt64(5, value.key_version);
  VS_RETURN_IF_ERROR(stmt->Run());
  return conn_.Changes() > 0;
}

}  // namespace voxsecrets::store::sqlite
