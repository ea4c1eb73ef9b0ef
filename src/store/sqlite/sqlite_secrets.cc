// SqliteSecretRepository.
#include <string>
#include <string_view>

#include "store/sqlite/sqlite_repositories.h"

namespace voxsecrets::store::sqlite {
namespace {

#define VS_SECRET_INFO_COLUMNS \
  "id, application_id, name, description, created, modified, version, version_created"

constexpr std::string_view kInsertSecret =
    "INSERT INTO secrets (application_id, name, description, value, key_version, created, "
    "modified, version, version_created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, 1, ?6)";
constexpr std::string_view kSecretById = "SELECT " VS_SECRET_INFO_COLUMNS
                                         ", value, key_version FROM secrets "
                                         "WHERE application_id = ?1 AND id = ?2";
constexpr std::string_view kSecretByName = "SELECT " VS_SECRET_INFO_COLUMNS
                                           ", value, key_version FROM secrets "
                                           "WHERE application_id = ?1 AND name = ?2";
// Unfiltered listing: the page's ids come from the index alone (stepping over `offset` entries
// of secrets_by_application without reading rows), then only the page's rows are read. The
// total is the counter the triggers keep (schema version 3).
constexpr std::string_view kListPage =
    "SELECT " VS_SECRET_INFO_COLUMNS
    " FROM secrets WHERE id IN (SELECT id FROM secrets "
    "WHERE application_id = ?1 ORDER BY id LIMIT ?2 OFFSET ?3) ORDER BY id";
constexpr std::string_view kCountAll =
    "SELECT coalesce((SELECT secrets FROM secret_counts WHERE application_id = ?1), 0)";
// Name filter: a case-insensitive substring via instr() over lower() (ASCII folding, like the
// rest of SQLite without ICU): '%' and '_' are literal. Every match is counted for total_count,
// so the filtered listings are one pass over the matches in id order (the page is cut out of it
// here), not a page query plus a count query.
#define VS_NAME_MATCHES "instr(lower(name), lower(?2)) > 0 "
// A filter of 3 or more characters in a large application: the candidates come from the trigram
// index (?3 is the filter as an FTS5 phrase), and the exact rule is checked on each.
// `+application_id` keeps the planner on the candidates instead of the application's index.
constexpr std::string_view kMatchesByTrigram =
    "SELECT " VS_SECRET_INFO_COLUMNS
    " FROM secrets WHERE id IN (SELECT rowid FROM secret_names WHERE secret_names MATCH ?3) "
    "AND +application_id = ?1 AND " VS_NAME_MATCHES "ORDER BY id";
// Otherwise (a shorter filter, which holds no trigram, or a small application, where reading
// its few names costs less than a trigram lookup in the index of every application's names):
// the application's secrets.
constexpr std::string_view kMatchesByScan =
    "SELECT " VS_SECRET_INFO_COLUMNS " FROM secrets WHERE application_id = ?1 AND " VS_NAME_MATCHES
    "ORDER BY id";
constexpr std::string_view kListSealed = "SELECT " VS_SECRET_INFO_COLUMNS
                                         ", value, key_version FROM secrets "
                                         "WHERE application_id = ?1 ORDER BY id";
constexpr std::string_view kUpdateSecret =
    "UPDATE secrets SET name = coalesce(?3, name), description = coalesce(?4, description), "
    "value = coalesce(?5, value), key_version = coalesce(?6, key_version), modified = ?7, "
    "version = coalesce(?8, version), "
    "version_created = CASE WHEN ?8 IS NULL THEN version_created ELSE ?7 END "
    "WHERE application_id = ?1 AND id = ?2";
constexpr std::string_view kDeleteSecret =
    "DELETE FROM secrets WHERE application_id = ?1 AND id = ?2";
constexpr std::string_view kDeleteAllSecrets = "DELETE FROM secrets WHERE application_id = ?1";
constexpr std::string_view kReplaceSealed =
    "UPDATE secrets SET value = ?3, key_version = ?4 WHERE application_id = ?1 AND id = ?2";
// The name index's segments (each has at least one entry in the FTS5 table's %_idx, whose key
// starts with the segment id), and one step of an incremental merge: FTS5's 'merge' command
// with a negative page count merges all segments, whatever their level, towards one, writing
// about that many pages (https://www.sqlite.org/fts5.html, "The 'merge' Command").
constexpr std::string_view kNameIndexSegments =
    "SELECT count(DISTINCT segid) FROM secret_names_idx";
constexpr std::string_view kMergeNameIndex =
    "INSERT INTO secret_names (secret_names, rank) VALUES ('merge', ?1)";

#undef VS_NAME_MATCHES
#undef VS_SECRET_INFO_COLUMNS

// Below this many secrets an application's name filter reads its names instead of asking the
// trigram index (a lookup there costs about as much as reading this many names).
constexpr int64_t kTrigramScanBelow = 2000;

// `text` as one FTS5 string (a phrase): in double quotes, a double quote doubled. With the
// trigram tokenizer such a phrase matches every name that holds `text` as a substring (case
// folded), so it yields a superset of the exact matches.
std::string Fts5Phrase(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

SecretInfo ReadInfo(const Statement& stmt) {
  SecretInfo info;
  info.id = stmt.ColumnInt64(0);
  info.application_id = stmt.ColumnInt64(1);
  info.name = stmt.ColumnText(2);
  info.description = stmt.ColumnText(3);
  info.created = stmt.ColumnInt64(4);
  info.modified = stmt.ColumnInt64(5);
  info.version = stmt.ColumnInt64(6);
  info.version_created = stmt.ColumnInt64(7);
  return info;
}

SecretRecord ReadRecord(const Statement& stmt) {
  SecretRecord record;
  record.info = ReadInfo(stmt);
  record.value.blob = stmt.ColumnBlob(8);
  record.value.key_version = static_cast<uint32_t>(stmt.ColumnInt64(9));
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
    VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kCountAll));
    stmt->BindInt64(1, application_id);
    VS_ASSIGN_OR_RETURN(bool row, stmt->Step());
    page.total_count = row ? stmt->ColumnInt64(0) : 0;
  }
  if (filter.name_part.empty()) {
    VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kListPage));
    stmt->BindInt64(1, application_id);
    stmt->BindInt64(2, filter.count);
    stmt->BindInt64(3, filter.offset);
    while (true) {
      VS_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      page.items.push_back(ReadInfo(*stmt));
    }
    return page;
  }
  const bool trigrams = page.total_count >= kTrigramScanBelow && UsesTrigramIndex(filter.name_part);
  VS_ASSIGN_OR_RETURN(StatementLease stmt,
                      conn_.Prepare(trigrams ? kMatchesByTrigram : kMatchesByScan));
  stmt->BindInt64(1, application_id);
  stmt->BindText(2, filter.name_part);
  if (trigrams) stmt->BindText(3, Fts5Phrase(filter.name_part));
  int64_t matches = 0;
  while (true) {
    VS_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    if (matches >= filter.offset && matches - filter.offset < filter.count) {
      page.items.push_back(ReadInfo(*stmt));
    }
    ++matches;
  }
  page.total_count = matches;
  return page;
}

Result<int64_t> SqliteSecretRepository::MergeNameIndex(int64_t max_segments, int64_t pages) {
  auto segments = [this]() -> Result<int64_t> {
    VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kNameIndexSegments));
    VS_ASSIGN_OR_RETURN(bool row, stmt->Step());
    return row ? stmt->ColumnInt64(0) : int64_t{0};
  };
  VS_ASSIGN_OR_RETURN(int64_t before, segments());
  if (before <= max_segments) return int64_t{0};
  {
    VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kMergeNameIndex));
    stmt->BindInt64(1, -pages);
    VS_RETURN_IF_ERROR(stmt->Run());
  }
  return segments();
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
  stmt->BindOptionalInt64(8, update.version);
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
