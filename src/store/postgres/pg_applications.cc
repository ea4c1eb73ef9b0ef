// PgApplicationRepository.
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "store/postgres/pg_repositories.h"
#include "store/store_error.h"

namespace voxsecrets::store::pg {
namespace {

#define VS_APP_COLUMNS \
  "SELECT id, account_id, name, secure_record_storage, created, modified FROM applications "

constexpr std::string_view kInsertApp =
    "INSERT INTO applications (account_id, name, secure_record_storage, created, modified) "
    "VALUES ($1, $2, $3, $4, $5) RETURNING id";
constexpr std::string_view kAppById = VS_APP_COLUMNS "WHERE account_id = $1 AND id = $2";
constexpr std::string_view kAppByName = VS_APP_COLUMNS "WHERE account_id = $1 AND name = $2";
// The name filter is a case-insensitive substring: strpos() over lower() in the "C" collation
// (ASCII case folding only, like SQLite's lower()), so '%' and '_' in the filter are literal.
#define VS_APP_LIST_WHERE                                  \
  "WHERE account_id = $1 AND ($2 IS NULL OR id = $2) AND " \
  "strpos(lower(name), lower($3 COLLATE \"C\")) > 0 AND "  \
  "($4 IS NULL OR id = ANY ($4)) "
constexpr std::string_view kListApps =
    VS_APP_COLUMNS VS_APP_LIST_WHERE "ORDER BY id LIMIT $5 OFFSET $6";
constexpr std::string_view kCountApps = "SELECT count(*) FROM applications " VS_APP_LIST_WHERE;
constexpr std::string_view kUpdateApp =
    "UPDATE applications SET name = coalesce($3, name), "
    "secure_record_storage = coalesce($4, secure_record_storage), modified = $5 "
    "WHERE account_id = $1 AND id = $2";
constexpr std::string_view kDeleteApp =
    "DELETE FROM applications WHERE account_id = $1 AND id = $2";

#undef VS_APP_LIST_WHERE
#undef VS_APP_COLUMNS

ApplicationRecord ReadApp(const Rows& rows, int row) {
  return ReadApplicationColumns(rows, row, 0);
}

std::optional<ApplicationRecord> FirstApp(const Rows& rows) {
  if (rows.size() == 0) return std::nullopt;
  return ReadApp(rows, 0);
}

Params ListFilter(int64_t account_id, const ApplicationFilter& filter) {
  Params params;
  params.Int64(account_id).OptionalInt64(filter.id).Text(filter.name_part);
  if (filter.ids.has_value()) {
    params.Int64Array(*filter.ids);
  } else {
    params.Null(PgType::kInt8Array);
  }
  return params;
}

}  // namespace

ApplicationRecord ReadApplicationColumns(const Rows& rows, int row, int first) {
  ApplicationRecord app;
  app.id = rows.Int64(row, first);
  app.account_id = rows.Int64(row, first + 1);
  app.name = rows.Text(row, first + 2);
  app.secure_record_storage = rows.Bool(row, first + 3);
  app.created = rows.Int64(row, first + 4);
  app.modified = rows.Int64(row, first + 5);
  return app;
}

Result<int64_t> PgApplicationRepository::Insert(const ApplicationRecord& app) {
  VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(kInsertApp, Params()
                                                             .Int64(app.account_id)
                                                             .Text(app.name)
                                                             .Bool(app.secure_record_storage)
                                                             .Int64(app.created)
                                                             .Int64(app.modified)));
  if (rows.size() != 1) {
    return StoreError(StatusCode::kInternal, "postgresql: INSERT returned no id");
  }
  return rows.Int64(0, 0);
}

Result<std::optional<ApplicationRecord>> PgApplicationRepository::FindById(int64_t account_id,
                                                                           int64_t id) {
  if (auto ahead = AheadRow<ApplicationRecord>::Take(Ahead(), account_id, id, {})) {
    return *std::move(ahead);
  }
  VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(kAppById, Params().Int64(account_id).Int64(id)));
  return FirstApp(rows);
}

Result<std::optional<ApplicationRecord>> PgApplicationRepository::FindByName(
    int64_t account_id, std::string_view name) {
  if (auto ahead = AheadRow<ApplicationRecord>::Take(Ahead(), account_id, std::nullopt, name)) {
    return *std::move(ahead);
  }
  VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(kAppByName, Params().Int64(account_id).Text(name)));
  return FirstApp(rows);
}

Result<Page<ApplicationRecord>> PgApplicationRepository::List(int64_t account_id,
                                                              const ApplicationFilter& filter) {
  VS_RETURN_IF_ERROR(CheckPaging(filter.count, filter.offset));
  Page<ApplicationRecord> page;
  {
    Params params = ListFilter(account_id, filter);
    params.Int64(filter.count).Int64(filter.offset);
    VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(kListApps, params));
    for (int i = 0; i < rows.size(); ++i) page.items.push_back(ReadApp(rows, i));
  }
  VS_ASSIGN_OR_RETURN(Rows total, conn_.Query(kCountApps, ListFilter(account_id, filter)));
  page.total_count = total.size() > 0 ? total.Int64(0, 0) : 0;
  return page;
}

Result<bool> PgApplicationRepository::Update(int64_t account_id, int64_t id,
                                             const ApplicationUpdate& update, int64_t now) {
  Params params;
  params.Int64(account_id).Int64(id).OptionalText(update.name);
  if (update.secure_record_storage.has_value()) {
    params.Bool(*update.secure_record_storage);
  } else {
    params.Null(PgType::kBool);
  }
  params.Int64(now);
  VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(kUpdateApp, params));
  return rows.affected() > 0;
}

Result<bool> PgApplicationRepository::Delete(int64_t account_id, int64_t id) {
  VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(kDeleteApp, Params().Int64(account_id).Int64(id)));
  // Secrets and data keys go by ON DELETE CASCADE.
  return rows.affected() > 0;
}

}  // namespace voxsecrets::store::pg
