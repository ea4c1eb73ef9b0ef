// PgSecretVersionRepository: the statements of SqliteSecretVersionRepository, in PostgreSQL's
// dialect. Every statement reaches a version through its secret's row in the named application.
#include <string>

#include "store/postgres/pg_repositories.h"
#include "store/store_error.h"

namespace voxsecrets::store::pg {
namespace {

// The secret $2 is one of application $1's.
#define VS_OF_APPLICATION \
  "secret_id IN (SELECT id FROM secrets WHERE id = $2 AND application_id = $1)"

constexpr std::string_view kInsertVersion =
    "INSERT INTO secret_versions (secret_id, version, value, key_version, created) "
    "SELECT id, $3, $4, $5, $6 FROM secrets WHERE id = $2 AND application_id = $1";
constexpr std::string_view kFindVersion =
    "SELECT secret_id, version, created, value, key_version FROM secret_versions "
    "WHERE secret_id = $2 AND version = $3 AND " VS_OF_APPLICATION;
constexpr std::string_view kListVersions =
    "SELECT secret_id, version, created FROM secret_versions WHERE secret_id = $2 "
    "AND " VS_OF_APPLICATION " ORDER BY version DESC LIMIT $3 OFFSET $4";
constexpr std::string_view kCountVersions =
    "SELECT count(*) FROM secret_versions WHERE secret_id = $2 AND " VS_OF_APPLICATION;
constexpr std::string_view kDeleteVersionsUpTo =
    "DELETE FROM secret_versions WHERE secret_id = $2 AND version <= $3 AND " VS_OF_APPLICATION;
constexpr std::string_view kListSealedVersions =
    "SELECT v.secret_id, v.version, v.created, v.value, v.key_version FROM secret_versions v "
    "JOIN secrets s ON s.id = v.secret_id WHERE s.application_id = $1 "
    "ORDER BY v.secret_id, v.version";
constexpr std::string_view kReplaceSealedVersion =
    "UPDATE secret_versions SET value = $4, key_version = $5 "
    "WHERE secret_id = $2 AND version = $3 AND " VS_OF_APPLICATION;

#undef VS_OF_APPLICATION

SecretVersionInfo ReadInfo(const Rows& rows, int row) {
  SecretVersionInfo info;
  info.secret_id = rows.Int64(row, 0);
  info.version = rows.Int64(row, 1);
  info.created = rows.Int64(row, 2);
  return info;
}

SecretVersionRecord ReadRecord(const Rows& rows, int row) {
  SecretVersionRecord record;
  record.info = ReadInfo(rows, row);
  record.value.blob = rows.Bytes(row, 3);
  record.value.key_version = static_cast<uint32_t>(rows.Int64(row, 4));
  return record;
}

}  // namespace

Status PgSecretVersionRepository::Insert(int64_t application_id,
                                         const SecretVersionRecord& record) {
  VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(kInsertVersion, Params()
                                                                 .Int64(application_id)
                                                                 .Int64(record.info.secret_id)
                                                                 .Int64(record.info.version)
                                                                 .Bytes(record.value.blob)
                                                                 .Int64(record.value.key_version)
                                                                 .Int64(record.info.created)));
  if (rows.affected() == 0) return StoreError(StatusCode::kNotFound, "secret not found");
  return Status::Ok();
}

Result<std::optional<SecretVersionRecord>> PgSecretVersionRepository::Find(int64_t application_id,
                                                                           int64_t secret_id,
                                                                           int64_t version) {
  VS_ASSIGN_OR_RETURN(
      Rows rows,
      conn_.Query(kFindVersion, Params().Int64(application_id).Int64(secret_id).Int64(version)));
  if (rows.size() == 0) return std::optional<SecretVersionRecord>();
  return std::optional<SecretVersionRecord>(ReadRecord(rows, 0));
}

Result<Page<SecretVersionInfo>> PgSecretVersionRepository::List(int64_t application_id,
                                                                int64_t secret_id, int64_t count,
                                                                int64_t offset) {
  VS_RETURN_IF_ERROR(CheckPaging(count, offset));
  Page<SecretVersionInfo> page;
  {
    VS_ASSIGN_OR_RETURN(
        Rows rows,
        conn_.Query(kListVersions,
                    Params().Int64(application_id).Int64(secret_id).Int64(count).Int64(offset)));
    page.items.reserve(static_cast<size_t>(rows.size()));
    for (int i = 0; i < rows.size(); ++i) page.items.push_back(ReadInfo(rows, i));
  }
  VS_ASSIGN_OR_RETURN(Rows total,
                      conn_.Query(kCountVersions, Params().Int64(application_id).Int64(secret_id)));
  page.total_count = total.size() > 0 ? total.Int64(0, 0) : 0;
  return page;
}

Result<int64_t> PgSecretVersionRepository::DeleteUpTo(int64_t application_id, int64_t secret_id,
                                                      int64_t version) {
  VS_ASSIGN_OR_RETURN(Rows rows,
                      conn_.Query(kDeleteVersionsUpTo,
                                  Params().Int64(application_id).Int64(secret_id).Int64(version)));
  return rows.affected();
}

Result<std::vector<SecretVersionRecord>> PgSecretVersionRepository::ListSealed(
    int64_t application_id) {
  VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(kListSealedVersions, Params().Int64(application_id)));
  std::vector<SecretVersionRecord> records;
  records.reserve(static_cast<size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) records.push_back(ReadRecord(rows, i));
  return records;
}

Result<bool> PgSecretVersionRepository::ReplaceSealed(int64_t application_id, int64_t secret_id,
                                                      int64_t version, const SealedValue& value) {
  VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(kReplaceSealedVersion, Params()
                                                                        .Int64(application_id)
                                                                        .Int64(secret_id)
                                                                        .Int64(version)
                                                                        .Bytes(value.blob)
                                                                        .Int64(value.key_version)));
  return rows.affected() > 0;
}

}  // namespace voxsecrets::store::pg
