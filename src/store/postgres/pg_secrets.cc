// PgSecretRepository.
#include <string>

#include "store/postgres/pg_repositories.h"
#include "store/store_error.h"

namespace voxsecrets::store::pg {
namespace {

#define VS_SECRET_INFO_COLUMNS "id, application_id, name, description, created, modified"

constexpr std::string_view kInsertSecret =
    "INSERT INTO secrets (application_id, name, description, value, key_version, created, "
    "modified) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id";
constexpr std::string_view kSecretById = "SELECT " VS_SECRET_INFO_COLUMNS
                                         ", value, key_version FROM secrets "
                                         "WHERE application_id = $1 AND id = $2";
constexpr std::string_view kSecretByName = "SELECT " VS_SECRET_INFO_COLUMNS
                                           ", value, key_version FROM secrets "
                                           "WHERE application_id = $1 AND name = $2";
// Case-insensitive substring via strpos() over lower() in the "C" collation (ASCII folding, like
// SQLite's lower()): '%' and '_' are literal.
#define VS_SECRET_LIST_WHERE \
  "WHERE application_id = $1 AND strpos(lower(name), lower($2 COLLATE \"C\")) > 0 "
constexpr std::string_view kListSecrets =
    "SELECT " VS_SECRET_INFO_COLUMNS " FROM secrets " VS_SECRET_LIST_WHERE
    "ORDER BY id LIMIT $3 OFFSET $4";
constexpr std::string_view kCountSecrets = "SELECT count(*) FROM secrets " VS_SECRET_LIST_WHERE;
constexpr std::string_view kListSealed = "SELECT " VS_SECRET_INFO_COLUMNS
                                         ", value, key_version FROM secrets "
                                         "WHERE application_id = $1 ORDER BY id";
constexpr std::string_view kUpdateSecret =
    "UPDATE secrets SET name = coalesce($3, name), description = coalesce($4, description), "
    "value = coalesce($5, value), key_version = coalesce($6, key_version), modified = $7 "
    "WHERE application_id = $1 AND id = $2";
// One statement for the whole list (SQLite deletes id by id); duplicates count once either way.
constexpr std::string_view kDeleteSecrets =
    "DELETE FROM secrets WHERE application_id = $1 AND id = ANY ($2)";
constexpr std::string_view kDeleteAllSecrets = "DELETE FROM secrets WHERE application_id = $1";
constexpr std::string_view kReplaceSealed =
    "UPDATE secrets SET value = $3, key_version = $4 WHERE application_id = $1 AND id = $2";

#undef VS_SECRET_LIST_WHERE
#undef VS_SECRET_INFO_COLUMNS

SecretInfo ReadInfo(const Rows& rows, int row) {
  SecretInfo info;
  info.id = rows.Int64(row, 0);
  info.application_id = rows.Int64(row, 1);
  info.name = rows.Text(row, 2);
  info.description = rows.Text(row, 3);
  info.created = rows.Int64(row, 4);
  info.modified = rows.Int64(row, 5);
  return info;
}

SecretRecord ReadRecord(const Rows& rows, int row) {
  SecretRecord record;
  record.info = ReadInfo(rows, row);
  record.value.blob = rows.Bytes(row, 6);
  record.value.key_version = static_cast<uint32_t>(rows.Int64(row, 7));
  return record;
}

std::optional<SecretRecord> FirstSecret(const Rows& rows) {
  if (rows.size() == 0) return std::nullopt;
  return ReadRecord(rows, 0);
}

}  // namespace

Result<int64_t> PgSecretRepository::Insert(int64_t application_id, std::string_view name,
                                           std::string_view description, const SealedValue& value,
                                           int64_t now) {
  VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(kInsertSecret, Params()
                                                                .Int64(application_id)
                                                                .Text(name)
                                                                .Text(description)
                                                                .Bytes(value.blob)
                                                                .Int64(value.key_version)
                                                                .Int64(now)));
  if (rows.size() != 1) {
    return StoreError(StatusCode::kInternal, "postgresql: INSERT returned no id");
  }
  return rows.Int64(0, 0);
}

Result<std::optional<SecretRecord>> PgSecretRepository::FindById(int64_t application_id,
                                                                 int64_t id) {
  VS_ASSIGN_OR_RETURN(Rows rows,
                      conn_.Query(kSecretById, Params().Int64(application_id).Int64(id)));
  return FirstSecret(rows);
}

Result<std::optional<SecretRecord>> PgSecretRepository::FindByName(int64_t application_id,
                                                                   std::string_view name) {
  VS_ASSIGN_OR_RETURN(Rows rows,
                      conn_.Query(kSecretByName, Params().Int64(application_id).Text(name)));
  return FirstSecret(rows);
}

Result<Page<SecretInfo>> PgSecretRepository::List(int64_t application_id,
                                                  const SecretFilter& filter) {
  VS_RETURN_IF_ERROR(CheckPaging(filter.count, filter.offset));
  Page<SecretInfo> page;
  {
    VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(kListSecrets, Params()
                                                                 .Int64(application_id)
                                                                 .Text(filter.name_part)
                                                                 .Int64(filter.count)
                                                                 .Int64(filter.offset)));
    page.items.reserve(static_cast<size_t>(rows.size()));
    for (int i = 0; i < rows.size(); ++i) page.items.push_back(ReadInfo(rows, i));
  }
  VS_ASSIGN_OR_RETURN(
      Rows total,
      conn_.Query(kCountSecrets, Params().Int64(application_id).Text(filter.name_part)));
  page.total_count = total.size() > 0 ? total.Int64(0, 0) : 0;
  return page;
}

Result<bool> PgSecretRepository::Update(int64_t application_id, int64_t id,
                                        const SecretUpdate& update, int64_t now) {
  Params params;
  params.Int64(application_id).Int64(id).OptionalText(update.name).OptionalText(update.description);
  if (update.value.has_value()) {
    params.Bytes(update.value->blob).Int64(update.value->key_version);
  } else {
    params.Null(PgType::kBytea).Null(PgType::kInt8);
  }
  params.Int64(now);
  VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(kUpdateSecret, params));
  return rows.affected() > 0;
}

Result<int64_t> PgSecretRepository::Delete(int64_t application_id,
                                           const std::vector<int64_t>& ids) {
  if (ids.empty()) return int64_t{0};
  VS_ASSIGN_OR_RETURN(Rows rows,
                      conn_.Query(kDeleteSecrets, Params().Int64(application_id).Int64Array(ids)));
  return rows.affected();
}

Result<int64_t> PgSecretRepository::DeleteAll(int64_t application_id) {
  VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(kDeleteAllSecrets, Params().Int64(application_id)));
  return rows.affected();
}

Result<std::vector<SecretRecord>> PgSecretRepository::ListSealed(int64_t application_id) {
  VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(kListSealed, Params().Int64(application_id)));
  std::vector<SecretRecord> records;
  records.reserve(static_cast<size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) records.push_back(ReadRecord(rows, i));
  return records;
}

Result<bool> PgSecretRepository::ReplaceSealed(int64_t application_id, int64_t id,
                                               const SealedValue& value) {
  VS_ASSIGN_OR_RETURN(
      Rows rows,
      conn_.Query(
          kReplaceSealed,
          Params().Int64(application_id).Int64(id).Bytes(value.blob).Int64(value.key_version)));
  return rows.affected() > 0;
}

}  // namespace voxsecrets::store::pg
