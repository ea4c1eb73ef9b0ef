// PgSecretRepository.
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "store/postgres/pg_repositories.h"
#include "store/store_error.h"

namespace voxsecrets::store::pg {
namespace {

#define VS_SECRET_INFO_COLUMNS \
  "id, application_id, name, description, created, modified, version, version_created"

constexpr std::string_view kInsertSecret =
    "INSERT INTO secrets (application_id, name, description, value, key_version, created, "
    "modified, version, version_created) VALUES ($1, $2, $3, $4, $5, $6, $6, 1, $6) RETURNING id";
constexpr std::string_view kSecretById = "SELECT " VS_SECRET_INFO_COLUMNS
                                         ", value, key_version FROM secrets "
                                         "WHERE application_id = $1 AND id = $2";
constexpr std::string_view kSecretByName = "SELECT " VS_SECRET_INFO_COLUMNS
                                           ", value, key_version FROM secrets "
                                           "WHERE application_id = $1 AND name = $2";
// The same with the data key that sealed the secret (read transactions: ReadAhead).
#define VS_WITH_DATA_KEY                                                                     \
  "SELECT s.id, s.application_id, s.name, s.description, s.created, s.modified, s.version, " \
  "s.version_created, s.value, s.key_version, d.application_id, d.version, d.wrapped_key, "  \
  "d.master_key_version, d.encryptions, d.created FROM secrets s LEFT JOIN data_keys d ON "  \
  "d.application_id = s.application_id AND d.version = s.key_version "
constexpr std::string_view kSecretByIdWithKey =
    VS_WITH_DATA_KEY "WHERE s.application_id = $1 AND s.id = $2";
constexpr std::string_view kSecretByNameWithKey =
    VS_WITH_DATA_KEY "WHERE s.application_id = $1 AND s.name = $2";
#undef VS_WITH_DATA_KEY
// Every listing is one statement: the count first (always one row, so an empty page still
// carries it), then the page's rows (NULL when there are none). The page's ids come from an index
// alone (stepping over `offset` entries without reading rows); then only its rows are read.
#define VS_PAGE_OF(ids)                                                                 \
  "LEFT JOIN LATERAL (SELECT " VS_SECRET_INFO_COLUMNS " FROM secrets WHERE id IN (" ids \
  ")) s ON true ORDER BY s.id"
// Unfiltered: the count is the counter the triggers keep (schema version 3).
constexpr std::string_view kListPage =
    "SELECT coalesce((SELECT secrets FROM secret_counts WHERE application_id = $1), 0), s.* "
    "FROM (SELECT 1) one " VS_PAGE_OF(
        "SELECT id FROM secrets WHERE application_id = $1 ORDER BY id LIMIT $2 OFFSET $3");
// Name filter: a case-insensitive substring via strpos() over lower() in the "C" collation
// (ASCII folding, like SQLite's lower()): '%' and '_' are literal. With 3 or more characters,
// `lower(name) LIKE $3` ($3: the filter lower-cased and escaped, between '%') lets the planner
// narrow the matches with the pg_trgm index; strpos() states the rule either way. Every match is
// counted, so the matching ids are collected once (MATERIALIZED) and counted and paged from there.
#define VS_MATCHES(extra)                                                                   \
  "WITH m AS MATERIALIZED (SELECT id FROM secrets WHERE application_id = $1 AND " extra     \
  "strpos(lower(name), lower($2 COLLATE \"C\")) > 0) SELECT (SELECT count(*) FROM m), s.* " \
  "FROM (SELECT 1) one "
constexpr std::string_view kListByTrigram = VS_MATCHES("lower(name) LIKE $3 AND ")
    VS_PAGE_OF("SELECT id FROM m ORDER BY id LIMIT $4 OFFSET $5");
constexpr std::string_view kListByScan =
    VS_MATCHES("") VS_PAGE_OF("SELECT id FROM m ORDER BY id LIMIT $3 OFFSET $4");
constexpr std::string_view kListSealed = "SELECT " VS_SECRET_INFO_COLUMNS
                                         ", value, key_version FROM secrets "
                                         "WHERE application_id = $1 ORDER BY id";
constexpr std::string_view kUpdateSecret =
    "UPDATE secrets SET name = coalesce($3, name), description = coalesce($4, description), "
    "value = coalesce($5, value), key_version = coalesce($6, key_version), modified = $7, "
    "version = coalesce($8, version), "
    "version_created = CASE WHEN $8 IS NULL THEN version_created ELSE $7 END "
    "WHERE application_id = $1 AND id = $2";
// One statement for the whole list (SQLite deletes id by id); duplicates count once either way.
constexpr std::string_view kDeleteSecrets =
    "DELETE FROM secrets WHERE application_id = $1 AND id = ANY ($2)";
constexpr std::string_view kDeleteAllSecrets = "DELETE FROM secrets WHERE application_id = $1";
constexpr std::string_view kReplaceSealed =
    "UPDATE secrets SET value = $3, key_version = $4 WHERE application_id = $1 AND id = $2";

#undef VS_MATCHES
#undef VS_PAGE_OF
#undef VS_SECRET_INFO_COLUMNS

// The secret's listing columns, starting at column `first`.
SecretInfo ReadInfo(const Rows& rows, int row, int first = 0) {
  SecretInfo info;
  info.id = rows.Int64(row, first);
  info.application_id = rows.Int64(row, first + 1);
  info.name = rows.Text(row, first + 2);
  info.description = rows.Text(row, first + 3);
  info.created = rows.Int64(row, first + 4);
  info.modified = rows.Int64(row, first + 5);
  info.version = rows.Int64(row, first + 6);
  info.version_created = rows.Int64(row, first + 7);
  return info;
}

// A LIKE pattern matching every text that holds `part` (lower-cased like lower() in the "C"
// collation: ASCII only) as a substring: '\\', '%' and '_' escaped with '\\' (LIKE's default
// escape), between '%'.
std::string LikeSubstringPattern(std::string_view part) {
  std::string out = "%";
  for (char c : part) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == '\\' || c == '%' || c == '_') out += '\\';
    out += c;
  }
  out += '%';
  return out;
}

SecretRecord ReadRecord(const Rows& rows, int row) { return ReadSecretColumns(rows, row, 0); }

std::optional<SecretRecord> FirstSecret(const Rows& rows) {
  if (rows.size() == 0) return std::nullopt;
  return ReadRecord(rows, 0);
}

}  // namespace

SecretRecord ReadSecretColumns(const Rows& rows, int row, int first) {
  SecretRecord record;
  record.info = ReadInfo(rows, row, first);
  record.value.blob = rows.Bytes(row, first + 8);
  record.value.key_version = static_cast<uint32_t>(rows.Int64(row, first + 9));
  return record;
}

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

Result<std::optional<SecretRecord>> PgSecretRepository::FindOne(std::string_view plain,
                                                                std::string_view with_key,
                                                                const Params& params) {
  if (ahead_ == nullptr) {
    VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(plain, params));
    return FirstSecret(rows);
  }
  VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(with_key, params));
  if (rows.size() > 0 && !rows.IsNull(0, 10)) ahead_->data_key = ReadDataKeyColumns(rows, 0, 10);
  return FirstSecret(rows);
}

Result<std::optional<SecretRecord>> PgSecretRepository::FindById(int64_t application_id,
                                                                 int64_t id) {
  if (auto ahead = AheadRow<SecretRecord>::Take(Ahead(), application_id, id, {})) {
    return *std::move(ahead);
  }
  return FindOne(kSecretById, kSecretByIdWithKey, Params().Int64(application_id).Int64(id));
}

Result<std::optional<SecretRecord>> PgSecretRepository::FindByName(int64_t application_id,
                                                                   std::string_view name) {
  if (auto ahead = AheadRow<SecretRecord>::Take(Ahead(), application_id, std::nullopt, name)) {
    return *std::move(ahead);
  }
  return FindOne(kSecretByName, kSecretByNameWithKey, Params().Int64(application_id).Text(name));
}

Result<Page<SecretInfo>> PgSecretRepository::List(int64_t application_id,
                                                  const SecretFilter& filter) {
  VS_RETURN_IF_ERROR(CheckPaging(filter.count, filter.offset));
  Params params;
  params.Int64(application_id);
  std::string_view sql = kListPage;
  std::string like;
  if (!filter.name_part.empty()) {
    params.Text(filter.name_part);
    sql = kListByScan;
    if (UsesTrigramIndex(filter.name_part)) {
      like = LikeSubstringPattern(filter.name_part);
      params.Text(like);
      sql = kListByTrigram;
    }
  }
  params.Int64(filter.count).Int64(filter.offset);
  VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(sql, params));
  Page<SecretInfo> page;
  if (rows.size() == 0) {
    return StoreError(StatusCode::kInternal, "postgresql: the listing returned no count");
  }
  page.total_count = rows.Int64(0, 0);
  for (int i = 0; i < rows.size(); ++i) {
    if (rows.IsNull(i, 1)) continue;  // the one row of an empty page
    page.items.push_back(ReadInfo(rows, i, /*first=*/1));
  }
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
  params.Int64(now).OptionalInt64(update.version);
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
