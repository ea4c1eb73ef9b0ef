// SqliteApplicationRepository.
#include <string>

#include "store/sqlite/sqlite_repositories.h"

namespace voxsecrets::store::sqlite {
namespace {

#define VS_APP_COLUMNS \
  "SELECT id, account_id, name, secure_record_storage, created, modified FROM applications "

constexpr std::string_view kInsertApp =
    "INSERT INTO applications (account_id, name, secure_record_storage, created, modified) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr std::string_view kAppById = VS_APP_COLUMNS "WHERE account_id = ?1 AND id = ?2";
constexpr std::string_view kAppByName = VS_APP_COLUMNS "WHERE account_id = ?1 AND name = ?2";
// The name filter is a case-insensitive substring: instr() over lower() (names are ASCII), so
// '%' and '_' in the filter are literal characters.
// The id list (a key's scope) is bound as a JSON array and expanded with json_each().
#define VS_APP_LIST_WHERE                                  \
  "WHERE account_id = ?1 AND (?2 IS NULL OR id = ?2) AND " \
  "(?3 = '' OR instr(lower(name), lower(?3)) > 0) AND "    \
  "(?4 IS NULL OR id IN (SELECT value FROM json_each(?4))) "
constexpr std::string_view kListApps =
    VS_APP_COLUMNS VS_APP_LIST_WHERE "ORDER BY id LIMIT ?5 OFFSET ?6";
constexpr std::string_view kCountApps = "SELECT count(*) FROM applications " VS_APP_LIST_WHERE;
constexpr std::string_view kUpdateApp =
    "UPDATE applications SET name = coalesce(?3, name), "
    "secure_record_storage = coalesce(?4, secure_record_storage), modified = ?5 "
    "WHERE account_id = ?1 AND id = ?2";
constexpr std::string_view kDeleteApp =
    "DELETE FROM applications WHERE account_id = ?1 AND id = ?2";

#undef VS_APP_LIST_WHERE
#undef VS_APP_COLUMNS

ApplicationRecord ReadApp(const Statement& stmt) {
  ApplicationRecord app;
  app.id = stmt.ColumnInt64(0);
  app.account_id = stmt.ColumnInt64(1);
  app.name = stmt.ColumnText(2);
  app.secure_record_storage = stmt.ColumnInt64(3) != 0;
  app.created = stmt.ColumnInt64(4);
  app.modified = stmt.ColumnInt64(5);
  return app;
}

Result<std::optional<ApplicationRecord>> FindOneApp(StatementLease& stmt) {
  VS_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<ApplicationRecord>();
  return std::optional<ApplicationRecord>(ReadApp(*stmt));
}

void BindListFilter(Statement& stmt, int64_t account_id, const ApplicationFilter& filter) {
  stmt.BindInt64(1, account_id);
  stmt.BindOptionalInt64(2, filter.id);
  stmt.BindText(3, filter.name_part);
  if (filter.ids.has_value()) {
    std::string ids = "[";
    for (size_t i = 0; i < filter.ids->size(); ++i) {
      if (i > 0) ids += ',';
      ids += std::to_string((*filter.ids)[i]);
    }
    ids += ']';
    stmt.BindText(4, ids);
  } else {
    stmt.BindNull(4);
  }
}

}  // namespace

Result<int64_t> SqliteApplicationRepository::Insert(const ApplicationRecord& app) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kInsertApp));
  stmt->BindInt64(1, app.account_id);
  stmt->BindText(2, app.name);
  stmt->BindInt64(3, app.secure_record_storage ? 1 : 0);
  stmt->BindInt64(4, app.created);
  stmt->BindInt64(5, app.modified);
  VS_RETURN_IF_ERROR(stmt->Run());
  return conn_.LastInsertRowId();
}

Result<std::optional<ApplicationRecord>> SqliteApplicationRepository::FindById(int64_t account_id,
                                                                               int64_t id) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kAppById));
  stmt->BindInt64(1, account_id);
  stmt->BindInt64(2, id);
  return FindOneApp(stmt);
}

Result<std::optional<ApplicationRecord>> SqliteApplicationRepository::FindByName(
    int64_t account_id, std::string_view name) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kAppByName));
  stmt->BindInt64(1, account_id);
  stmt->BindText(2, name);
  return FindOneApp(stmt);
}

Result<Page<ApplicationRecord>> SqliteApplicationRepository::List(int64_t account_id,
                                                                  const ApplicationFilter& filter) {
  VS_RETURN_IF_ERROR(CheckPaging(filter.count, filter.offset));
  Page<ApplicationRecord> page;
  {
    VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kListApps));
    BindListFilter(*stmt, account_id, filter);
    stmt->BindInt64(5, filter.count);
    stmt->BindInt64(6, filter.offset);
    while (true) {
      VS_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      page.items.push_back(ReadApp(*stmt));
    }
  }
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kCountApps));
  BindListFilter(*stmt, account_id, filter);
  VS_ASSIGN_OR_RETURN(bool row, stmt->Step());
  page.total_count = row ? stmt->ColumnInt64(0) : 0;
  return page;
}

Result<bool> SqliteApplicationRepository::Update(int64_t account_id, int64_t id,
                                                 const ApplicationUpdate& update, int64_t now) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kUpdateApp));
  stmt->BindInt64(1, account_id);
  stmt->BindInt64(2, id);
  stmt->BindOptionalText(3, update.name);
  if (update.secure_record_storage.has_value()) {
    stmt->BindInt64(4, *update.secure_record_storage ? 1 : 0);
  } else {
    stmt->BindNull(4);
  }
  stmt->BindInt64(5, now);
  VS_RETURN_IF_ERROR(stmt->Run());
  return conn_.Changes() > 0;
}

Result<bool> SqliteApplicationRepository::Delete(int64_t account_id, int64_t id) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kDeleteApp));
  stmt->BindInt64(1, account_id);
  stmt->BindInt64(2, id);
  VS_RETURN_IF_ERROR(stmt->Run());
  // Secrets, data keys and key_applications rows go by ON DELETE CASCADE (foreign_keys=ON on
  // every connection).
  return conn_.Changes() > 0;
}

}  // namespace voxsecrets::store::sqlite
