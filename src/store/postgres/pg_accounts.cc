// PgAccountRepository and PgKeyRepository.
#include <algorithm>
#include <charconv>
#include <string>

#include "store/postgres/pg_repositories.h"
#include "store/store_error.h"

namespace voxsecrets::store::pg {
namespace {

// ---- accounts ----------------------------------------------------------------------------------

constexpr std::string_view kInsertAccount =
    "INSERT INTO accounts (name, email, parent_id, api_key_hash, created) "
    "VALUES ($1, $2, $3, $4, $5) RETURNING id";
constexpr std::string_view kAccountById =
    "SELECT id, name, email, parent_id, api_key_hash, created FROM accounts WHERE id = $1";
constexpr std::string_view kAccountByName =
    "SELECT id, name, email, parent_id, api_key_hash, created FROM accounts WHERE name = $1";
constexpr std::string_view kAccountList =
    "SELECT id, name, email, parent_id, api_key_hash, created FROM accounts ORDER BY id";
constexpr std::string_view kSetApiKeyHash = "UPDATE accounts SET api_key_hash = $2 WHERE id = $1";

AccountRecord ReadAccount(const Rows& rows, int row) {
  AccountRecord account;
  account.id = rows.Int64(row, 0);
  account.name = rows.Text(row, 1);
  account.email = rows.Text(row, 2);
  account.parent_id = rows.OptionalInt64(row, 3);
  account.api_key_hash = rows.Text(row, 4);
  account.created = rows.Int64(row, 5);
  return account;
}

std::optional<AccountRecord> FirstAccount(const Rows& rows) {
  if (rows.size() == 0) return std::nullopt;
  return ReadAccount(rows, 0);
}

// ---- keys --------------------------------------------------------------------------------------

// Every key query returns these columns; then the comma-separated role ids, the `scoped` flag
// and the comma-separated application ids of a limited key.
#define VS_KEY_COLUMNS                                                                     \
  "SELECT k.key_id, k.account_id, k.public_key_pem, k.name, k.description, k.created, "    \
  "coalesce((SELECT string_agg(r.role_id::text, ',' ORDER BY r.role_id) FROM key_roles r " \
  "WHERE r.key_id = k.key_id), ''), k.scoped, coalesce((SELECT string_agg("                \
  "a.application_id::text, ',' ORDER BY a.application_id) FROM key_applications a WHERE "  \
  "a.key_id = k.key_id), '') FROM api_keys k "

constexpr std::string_view kInsertKey =
    "INSERT INTO api_keys (key_id, account_id, public_key_pem, name, description, created, "
    "scoped) VALUES ($1, $2, $3, $4, $5, $6, $7)";
// One statement for the whole set (SQLite inserts one row per role). DISTINCT makes it a set.
constexpr std::string_view kInsertKeyRoles =
    "INSERT INTO key_roles (key_id, role_id) SELECT DISTINCT $1, r FROM unnest($2) AS u (r)";
constexpr std::string_view kInsertKeyApplications =
    "INSERT INTO key_applications (key_id, application_id) "
    "SELECT DISTINCT $1, a FROM unnest($2) AS u (a)";
constexpr std::string_view kDeleteKeyApplications =
    "DELETE FROM key_applications WHERE key_id = $1";
constexpr std::string_view kSetKeyScoped =
    "UPDATE api_keys SET scoped = $3 WHERE account_id = $1 AND key_id = $2";
constexpr std::string_view kKeyById = VS_KEY_COLUMNS "WHERE k.key_id = $1";
constexpr std::string_view kKeysByAccount = VS_KEY_COLUMNS
    "WHERE k.account_id = $1 AND ($2 IS NULL OR k.key_id = $2) "
    "ORDER BY k.created, k.key_id LIMIT $3 OFFSET $4";
constexpr std::string_view kCountKeysByAccount =
    "SELECT count(*) FROM api_keys WHERE account_id = $1 AND ($2 IS NULL OR key_id = $2)";
constexpr std::string_view kKeyExists =
    "SELECT 1 FROM api_keys WHERE account_id = $1 AND key_id = $2";
constexpr std::string_view kUpdateKeyInfo =
    "UPDATE api_keys SET name = coalesce($3, name), description = coalesce($4, description) "
    "WHERE account_id = $1 AND key_id = $2";
constexpr std::string_view kDeleteKeyRoles = "DELETE FROM key_roles WHERE key_id = $1";
constexpr std::string_view kDeleteKey =
    "DELETE FROM api_keys WHERE account_id = $1 AND key_id = $2";

#undef VS_KEY_COLUMNS

// A comma-separated id list (string_agg), sorted and made unique.
template <typename Int>
Result<std::vector<Int>> ParseIdList(const std::string& text, std::string_view what) {
  std::vector<Int> ids;
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    Int id = 0;
    auto [next, ec] = std::from_chars(p, end, id);
    if (ec != std::errc()) {
      return StoreError(StatusCode::kInternal,
                        "postgresql: malformed " + std::string(what) + " list of an api key");
    }
    ids.push_back(id);
    p = next;
    if (p < end && *p == ',') ++p;
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

Result<KeyRecord> ReadKey(const Rows& rows, int row) {
  KeyRecord key;
  key.key_id = rows.Text(row, 0);
  key.account_id = rows.Int64(row, 1);
  key.public_key_pem = rows.Text(row, 2);
  key.name = rows.Text(row, 3);
  key.description = rows.Text(row, 4);
  key.created = rows.Int64(row, 5);
  VS_ASSIGN_OR_RETURN(key.role_ids, ParseIdList<int>(rows.Text(row, 6), "role"));
  if (rows.Bool(row, 7)) {
    VS_ASSIGN_OR_RETURN(key.application_ids,
                        ParseIdList<int64_t>(rows.Text(row, 8), "application"));
  }
  return key;
}

}  // namespace

Status CheckPaging(int64_t count, int64_t offset) {
  if (count < 0 || offset < 0) {
    return StoreError(StatusCode::kInternal, "store: negative count or offset");
  }
  return Status::Ok();
}

// ---- PgAccountRepository -----------------------------------------------------------------------

Result<int64_t> PgAccountRepository::Insert(const AccountRecord& account) {
  VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(kInsertAccount, Params()
                                                                 .Text(account.name)
                                                                 .Text(account.email)
                                                                 .OptionalInt64(account.parent_id)
                                                                 .Text(account.api_key_hash)
                                                                 .Int64(account.created)));
  if (rows.size() != 1) {
    return StoreError(StatusCode::kInternal, "postgresql: INSERT returned no id");
  }
  return rows.Int64(0, 0);
}

Result<std::optional<AccountRecord>> PgAccountRepository::FindById(int64_t id) {
  VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(kAccountById, Params().Int64(id)));
  return FirstAccount(rows);
}

Result<std::optional<AccountRecord>> PgAccountRepository::FindByName(std::string_view name) {
  VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(kAccountByName, Params().Text(name)));
  return FirstAccount(rows);
}

Result<std::vector<AccountRecord>> PgAccountRepository::List() {
  VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(kAccountList, Params()));
  std::vector<AccountRecord> accounts;
  accounts.reserve(static_cast<size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) accounts.push_back(ReadAccount(rows, i));
  return accounts;
}

Status PgAccountRepository::SetApiKeyHash(int64_t id, std::string_view api_key_hash) {
  VS_ASSIGN_OR_RETURN(Rows rows,
                      conn_.Query(kSetApiKeyHash, Params().Int64(id).Text(api_key_hash)));
  if (rows.affected() == 0) return StoreError(StatusCode::kNotFound, "account not found");
  return Status::Ok();
}

// ---- PgKeyRepository ---------------------------------------------------------------------------

Status PgKeyRepository::InsertRoles(std::string_view key_id, const std::vector<int>& role_ids) {
  if (role_ids.empty()) return Status::Ok();
  std::vector<int64_t> ids(role_ids.begin(), role_ids.end());
  return conn_.Query(kInsertKeyRoles, Params().Text(key_id).Int64Array(ids)).status();
}

Status PgKeyRepository::InsertApplications(std::string_view key_id,
                                           const std::vector<int64_t>& application_ids) {
  if (application_ids.empty()) return Status::Ok();
  return conn_.Query(kInsertKeyApplications, Params().Text(key_id).Int64Array(application_ids))
      .status();
}

Status PgKeyRepository::Insert(const KeyRecord& key) {
  VS_RETURN_IF_ERROR(conn_
                         .Query(kInsertKey, Params()
                                                .Text(key.key_id)
                                                .Int64(key.account_id)
                                                .Text(key.public_key_pem)
                                                .Text(key.name)
                                                .Text(key.description)
                                                .Int64(key.created)
                                                .Bool(key.application_ids.has_value()))
                         .status());
  VS_RETURN_IF_ERROR(InsertRoles(key.key_id, key.role_ids));
  if (!key.application_ids.has_value()) return Status::Ok();
  return InsertApplications(key.key_id, *key.application_ids);
}

Result<std::optional<KeyRecord>> PgKeyRepository::FindById(std::string_view key_id) {
  VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(kKeyById, Params().Text(key_id)));
  if (rows.size() == 0) return std::optional<KeyRecord>();
  VS_ASSIGN_OR_RETURN(KeyRecord key, ReadKey(rows, 0));
  return std::optional<KeyRecord>(std::move(key));
}

Result<Page<KeyRecord>> PgKeyRepository::ListByAccount(int64_t account_id,
                                                       std::optional<std::string_view> key_id,
                                                       int64_t count, int64_t offset) {
  VS_RETURN_IF_ERROR(CheckPaging(count, offset));
  Page<KeyRecord> page;
  VS_ASSIGN_OR_RETURN(
      Rows rows,
      conn_.Query(kKeysByAccount,
                  Params().Int64(account_id).OptionalText(key_id).Int64(count).Int64(offset)));
  for (int i = 0; i < rows.size(); ++i) {
    VS_ASSIGN_OR_RETURN(KeyRecord key, ReadKey(rows, i));
    page.items.push_back(std::move(key));
  }
  VS_ASSIGN_OR_RETURN(Rows total, conn_.Query(kCountKeysByAccount,
                                              Params().Int64(account_id).OptionalText(key_id)));
  page.total_count = total.size() > 0 ? total.Int64(0, 0) : 0;
  return page;
}

Result<bool> PgKeyRepository::UpdateInfo(int64_t account_id, std::string_view key_id,
                                         std::optional<std::string_view> name,
                                         std::optional<std::string_view> description) {
  VS_ASSIGN_OR_RETURN(
      Rows rows,
      conn_.Query(
          kUpdateKeyInfo,
          Params().Int64(account_id).Text(key_id).OptionalText(name).OptionalText(description)));
  return rows.affected() > 0;
}

Result<bool> PgKeyRepository::SetRoles(int64_t account_id, std::string_view key_id,
                                       const std::vector<int>& role_ids) {
  {
    VS_ASSIGN_OR_RETURN(Rows rows,
                        conn_.Query(kKeyExists, Params().Int64(account_id).Text(key_id)));
    if (rows.size() == 0) return false;
  }
  VS_RETURN_IF_ERROR(conn_.Query(kDeleteKeyRoles, Params().Text(key_id)).status());
  VS_RETURN_IF_ERROR(InsertRoles(key_id, role_ids));
  return true;
}

Result<bool> PgKeyRepository::SetApplications(
    int64_t account_id, std::string_view key_id,
    const std::optional<std::vector<int64_t>>& application_ids) {
  {
    VS_ASSIGN_OR_RETURN(
        Rows rows,
        conn_.Query(kSetKeyScoped,
                    Params().Int64(account_id).Text(key_id).Bool(application_ids.has_value())));
    if (rows.affected() == 0) return false;
  }
  VS_RETURN_IF_ERROR(conn_.Query(kDeleteKeyApplications, Params().Text(key_id)).status());
  if (application_ids.has_value()) {
    VS_RETURN_IF_ERROR(InsertApplications(key_id, *application_ids));
  }
  return true;
}

Result<bool> PgKeyRepository::Delete(int64_t account_id, std::string_view key_id) {
  VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(kDeleteKey, Params().Int64(account_id).Text(key_id)));
  return rows.affected() > 0;  // key_roles and key_applications rows go by ON DELETE CASCADE
}

}  // namespace voxsecrets::store::pg
