// SqliteSecretRepository.
#include <string>

#include "store/sqlite/sqlite_repositories.h"

namespace voxsecrets::store::sqlite {
namespace {

#define VS_SECRET_INFO_COLUMNS "id, application_id, name, description, created, modified"

constexpr std::string_view kInsertSecret =
    "INSERT INTO secrets (application_id, name, description, value, key_version, created, "
    "modified) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)";
constexpr std::string_view kSecretById = "SELECT " VS_SECRET_INFO_COLUMNS
                                         ", value, key_version FROM secrets "
                                         "WHERE application_id = ?1 AND id = ?2";
constexpr std::string_view kSecretByName = "SELECT " VS_SECRET_INFO_COLUMNS
                                           ", value, key_version FROM secrets "
                                           "WHERE application_id = ?1 AND name = ?2";
// Case-insensitive substring via instr() over lower() (names are ASCII): '%' and '_' are literal.
#define VS_SECRET_LIST_WHERE \
  "WHERE application_id = ?1 AND (?2 = '' OR instr(lower(name), lower(?2)) > 0) "
constexpr std::string_view kListSecrets =
    "SELECT " VS_SECRET_INFO_COLUMNS " FROM secrets " VS_SECRET_LIST_WHERE
    "ORDER BY id LIMIT ?3 OFFSET ?4";
constexpr std::string_view kCountSecrets = "SELECT count(*) FROM secrets " VS_SECRET_LIST_WHERE;
constexpr std::string_view kListSealed = "SELECT " VS_SECRET_INFO_COLUMNS
                                         ", value, key_version FROM secrets "
                                         "WHERE application_id = ?1 ORDER BY id";
constexpr std::string_view kUpdateSecret =
    "UPDATE secrets SET name = coalesce(?3, name), description = coalesce(?4, description), "
    "value = coalesce(?5, value), key_version = coalesce(?6, key_version), modified = ?7 "
    "WHERE application_id = ?1 AND id = ?2";
constexpr std::string_view kDeleteSecret =
    "DELETE FROM secrets WHERE application_id = ?1 AND id = ?2";
constexpr std::string_view kDeleteAllSecrets = "DELETE FROM secrets WHERE application_id = ?1";
constexpr std::string_view kReplaceSealed =
    "UPDATE secrets SET value = ?3, key_version = ?4 WHERE application_id = ?1 AND id = ?2";

#undef VS_SECRET_LIST_WHERE
#undef VS_SECRET_INFO_COLUMNS

SecretInfo ReadInfo(const Statement& stmt) {
  SecretInfo info;
  info.id = stmt.ColumnInt64(0);
  info.application_id = stmt.ColumnInt64(1);
  info.name = stmt.ColumnText(2);
  info.description = stmt.ColumnText(3);
  info.created = stmt.ColumnInt64(4);
  info.modified = stmt.ColumnInt64(5);
  return info;
}

SecretRecord ReadRecord(const Statement& stmt) {
  SecretRecord record;
  record.info = ReadInfo(stmt);
  record.value.blob = stmt.ColumnBlob(6);
  record.value.key_version = static_cast<uint32_t>(stmt.ColumnInt64(7));
  return record;
}

Result<std::optional<SecretRecord>> FindOneSecret(StatementLease& stmt) {
  VS_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<SecretRecord>();
  return std::optional<SecretRecord>(ReadRecord(*stmt));
}

}  // namespace

Result<int64_t> SqliteSecretRepository::Insert(int64_t application_id, std::string_view name,
                                               std::string_view description,
                                               const SealedValue& value, int64_t now) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kInsertSecret));
  stmt->BindInt64(1, application_id);
  stmt->BindText(2, name);
  stmt->BindText(3, description);
  stmt->BindBlob(4, value.blob);
  stmt->BindInt64(5, value.key_version);
  stmt->BindInt64(6, now);
  VS_RETURN_IF_ERROR(stmt->Run());
  return conn_.LastInsertRowId();
}

Result<std::optional<SecretRecord>> SqliteSecretRepository::FindById(int64_t application_id,
                                                                     int64_t id) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kSecretById));
  stmt->BindInt64(1, application_id);
  stmt->BindInt64(2, id);
  return FindOneSecret(stmt);
}

Result<std::optional<SecretRecord>> SqliteSecretRepository::FindByName(int64_t application_id,
                                                                       std::string_view name) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kSecretByName));
  stmt->BindInt64(1, application_id);
  stmt->BindText(2, name);
  return FindOneSecret(stmt);
}

Result<Page<SecretInfo>> SqliteSecretRepository::List(int64_t application_id,
                                                      const SecretFilter& filter) {
  VS_RETURN_IF_ERROR(CheckPaging(filter.count, filter.offset));
  Page<SecretInfo> page;
  {
    VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kListSecrets));
    stmt->BindInt64(1, application_id);
    stmt->BindText(2, filter.name_part);
    stmt->BindInt64(3, filter.count);
    stmt->BindInt64(4, filter.offset);
    while (true) {
      VS_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      page.items.push_back(ReadInfo(*stmt));
    }
  }
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kCountSecrets));
  stmt->BindInt64(1, application_id);
  stmt->BindText(2, filter.name_part);
  VS_ASSIGN_OR_RETURN(bool row, stmt->Step());
  page.total_count = row ? stmt->ColumnInt64(0) : 0;
  return page;
}

Result<bool> SqliteSecretRepository::Update(int64_t application_id, int64_t id,
                                            const SecretUpdate& update, int64_t now) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kUpdateSecret));
  stmt->BindInt64(1, application_id);
  stmt->BindInt64(2, id);
  stmt->BindOptionalText(3, update.name);
  stmt->BindOptionalText(4, update.description);
  if (update.value.has_value()) {
    stmt->BindBlob(5, update.value->blob);  // an empty blob binds as empty, never as NULL
    stmt->BindInt64(6, update.value->key_version);
  } else {
    stmt->BindNull(5);
    stmt->BindNull(6);
  }
  stmt->BindInt64(7, now);
  VS_RETURN_IF_ERROR(stmt->Run());
  return conn_.Changes() > 0;
}

Result<int64_t> SqliteSecretRepository::Delete(int64_t application_id,
                                               const std::vector<int64_t>& ids) {
  int64_t deleted = 0;
  for (int64_t id : ids) {
    VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kDeleteSecret));
    stmt->BindInt64(1, application_id);
    stmt->BindInt64(2, id);
    VS_RETURN_IF_ERROR(stmt->Run());
    deleted += conn_.Changes();
  }
  return deleted;
}

Result<int64_t> SqliteSecretRepository::DeleteAll(int64_t application_id) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kDeleteAllSecrets));
  stmt->BindInt64(1, application_id);
  VS_RETURN_IF_ERROR(stmt->Run());
  return conn_.Changes();
}

Result<std::vector<SecretRecord>> SqliteSecretRepository::ListSealed(int64_t application_id) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kListSealed));
  stmt->BindInt64(1, application_id);
  std::vector<SecretRecord> records;
  while (true) {
    VS_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    records.push_back(ReadRecord(*stmt));
  }
  return records;
}

Result<bool> SqliteSecretRepository::ReplaceSealed(int64_t application_id, int64_t id,
                                                   const SealedValue& value) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kReplaceSealed));
  stmt->BindInt64(1, application_id);
  stmt->BindInt64(2, id);
  stmt->BindBlob(3, value.blob);
  stmt->BindInt64(4, value.key_version);
  VS_RETURN_IF_ERROR(stmt->Run());
  return conn_.Changes() > 0;
}

}  // namespace voxsecrets::store::sqlite
