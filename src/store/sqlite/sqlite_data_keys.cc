// SqliteDataKeyRepository and SqliteMetaRepository.
#include <string>

#include "store/sqlite/sqlite_repositories.h"
#include "store/store_error.h"

namespace voxsecrets::store::sqlite {
namespace {

#define VS_DATA_KEY_COLUMNS \
  "SELECT application_id, version, wrapped_key, master_key_version, encryptions, created "

constexpr std::string_view kInsertDataKey =
    "INSERT INTO data_keys (application_id, version, wrapped_key, master_key_version, "
    "encryptions, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr std::string_view kActiveDataKey =
    VS_DATA_KEY_COLUMNS "FROM data_keys WHERE application_id = ?1 ORDER BY version DESC LIMIT 1";
constexpr std::string_view kFindDataKey =
    VS_DATA_KEY_COLUMNS "FROM data_keys WHERE application_id = ?1 AND version = ?2";
constexpr std::string_view kListDataKeys =
    VS_DATA_KEY_COLUMNS "FROM data_keys ORDER BY application_id, version";
constexpr std::string_view kRewrapDataKey =
    "UPDATE data_keys SET wrapped_key = ?3, master_key_version = ?4 "
    "WHERE application_id = ?1 AND version = ?2";
constexpr std::string_view kAddEncryptions =
    "UPDATE data_keys SET encryptions = encryptions + ?3 "
    "WHERE application_id = ?1 AND version = ?2 RETURNING encryptions";
constexpr std::string_view kDeleteDataKeysOfApp = "DELETE FROM data_keys WHERE application_id = ?1";
constexpr std::string_view kDeleteDataKeysBelow =
    "DELETE FROM data_keys WHERE application_id = ?1 AND version < ?2";

constexpr std::string_view kGetMeta = "SELECT value FROM meta WHERE key = ?1";
constexpr std::string_view kPutMeta =
    "INSERT INTO meta (key, value) VALUES (?1, ?2) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value";
constexpr std::string_view kIamVersion = "SELECT version FROM change_counters WHERE name = 'iam'";

#undef VS_DATA_KEY_COLUMNS

DataKeyRecord ReadDataKey(const Statement& stmt) {
  DataKeyRecord key;
  key.application_id = stmt.ColumnInt64(0);
  key.version = static_cast<uint32_t>(stmt.ColumnInt64(1));
  key.wrapped_key = stmt.ColumnBlob(2);
  key.master_key_version = static_cast<uint32_t>(stmt.ColumnInt64(3));
  key.encryptions = stmt.ColumnInt64(4);
  key.created = stmt.ColumnInt64(5);
  return key;
}

Result<std::optional<DataKeyRecord>> FindOneDataKey(StatementLease& stmt) {
  VS_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<DataKeyRecord>();
  return std::optional<DataKeyRecord>(ReadDataKey(*stmt));
}

}  // namespace

// ---- SqliteDataKeyRepository -------------------------------------------------------------------

Status SqliteDataKeyRepository::Insert(const DataKeyRecord& key) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kInsertDataKey));
  stmt->BindInt64(1, key.application_id);
  stmt->BindInt64(2, key.version);
  stmt->BindBlob(3, key.wrapped_key);
  stmt->BindInt64(4, key.master_key_version);
  stmt->BindInt64(5, key.encryptions);
  stmt->BindInt64(6, key.created);
  return stmt->Run();
}

Result<std::optional<DataKeyRecord>> SqliteDataKeyRepository::FindActive(int64_t application_id) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kActiveDataKey));
  stmt->BindInt64(1, application_id);
  return FindOneDataKey(stmt);
}

Result<std::optional<DataKeyRecord>> SqliteDataKeyRepository::Find(int64_t application_id,
                                                                   uint32_t version) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kFindDataKey));
  stmt->BindInt64(1, application_id);
  stmt->BindInt64(2, version);
  return FindOneDataKey(stmt);
}

Result<std::vector<DataKeyRecord>> SqliteDataKeyRepository::ListAll() {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kListDataKeys));
  std::vector<DataKeyRecord> keys;
  while (true) {
    VS_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    keys.push_back(ReadDataKey(*stmt));
  }
  return keys;
}

Status SqliteDataKeyRepository::Rewrap(int64_t application_id, uint32_t version,
                                       std::string_view wrapped_key, uint32_t master_key_version) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kRewrapDataKey));
  stmt->BindInt64(1, application_id);
  stmt->BindInt64(2, version);
  stmt->BindBlob(3, wrapped_key);
  stmt->BindInt64(4, master_key_version);
  VS_RETURN_IF_ERROR(stmt->Run());
  if (conn_.Changes() == 0) return StoreError(StatusCode::kNotFound, "data key not found");
  return Status::Ok();
}

Result<int64_t> SqliteDataKeyRepository::AddEncryptions(int64_t application_id, uint32_t version,
                                                        int64_t n) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kAddEncryptions));
  stmt->BindInt64(1, application_id);
  stmt->BindInt64(2, version);
  stmt->BindInt64(3, n);
  VS_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return StoreError(StatusCode::kNotFound, "data key not found");
  int64_t count = stmt->ColumnInt64(0);
  VS_RETURN_IF_ERROR(stmt->Run());  // finish the statement
  return count;
}

Status SqliteDataKeyRepository::DeleteForApplication(int64_t application_id) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kDeleteDataKeysOfApp));
  stmt->BindInt64(1, application_id);
  return stmt->Run();
}

Status SqliteDataKeyRepository::DeleteBelow(int64_t application_id, uint32_t version) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kDeleteDataKeysBelow));
  stmt->BindInt64(1, application_id);
  stmt->BindInt64(2, version);
  return stmt->Run();
}

// ---- SqliteMetaRepository ----------------------------------------------------------------------

Result<std::optional<std::string>> SqliteMetaRepository::Get(std::string_view key) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kGetMeta));
  stmt->BindText(1, key);
  VS_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(stmt->ColumnText(0));
}

Status SqliteMetaRepository::Put(std::string_view key, std::string_view value) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kPutMeta));
  stmt->BindText(1, key);
  stmt->BindText(2, value);
  return stmt->Run();
}

Result<int64_t> SqliteMetaRepository::IamVersion() {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kIamVersion));
  VS_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return StoreError(StatusCode::kInternal, "sqlite: the change counter 'iam' is missing");
  return stmt->ColumnInt64(0);
}

}  // namespace voxsecrets::store::sqlite
