// SqliteAccountRepository and SqliteKeyRepository.
#include <algorithm>
#include <charconv>
#include <string>

#include "store/sqlite/sqlite_repositories.h"
#include "store/store_error.h"

namespace voxsecrets::store::sqlite {
namespace {

// ---- accounts ----------------------------------------------------------------------------------

constexpr std::string_view kInsertAccount =
    "INSERT INTO accounts (name, email, parent_id, api_key_hash, created) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr std::string_view kAccountById =
    "SELECT id, name, email, parent_id, api_key_hash, created FROM accounts WHERE id = ?1";
constexpr std::string_view kAccountByName =
    "SELECT id, name, email, parent_id, api_key_hash, created FROM accounts WHERE name = ?1";
constexpr std::string_view kAccountList =
    "SELECT id, name, email, parent_id, api_key_hash, created FROM accounts ORDER BY id";
constexpr std::string_view kSetApiKeyHash = "UPDATE accounts SET api_key_hash = ?2 WHERE id = ?1";

AccountRecord ReadAccount(const Statement& stmt) {
  AccountRecord account;
  account.id = stmt.ColumnInt64(0);
  account.name = stmt.ColumnText(1);
  account.email = stmt.ColumnText(2);
  account.parent_id = stmt.ColumnOptionalInt64(3);
  account.api_key_hash = stmt.ColumnText(4);
  account.created = stmt.ColumnInt64(5);
  return account;
}

Result<std::optional<AccountRecord>> FindOneAccount(StatementLease& stmt) {
  VS_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<AccountRecord>();
  return std::optional<AccountRecord>(ReadAccount(*stmt));
}

// ---- keys --------------------------------------------------------------------------------------

// Every key query returns these columns; then the comma-separated role ids, the `scoped` flag
// and the comma-separated application ids of a limited key.
#define VS_KEY_COLUMNS                                                                   \
  "SELECT k.key_id, k.account_id, k.public_key_pem, k.name, k.description, "             \
  "k.created, (SELECT group_concat(r.role_id) FROM key_roles r WHERE r.key_id = "        \
  "k.key_id), k.scoped, (SELECT group_concat(a.application_id) FROM key_applications a " \
  "WHERE a.key_id = k.key_id) FROM api_keys k "

constexpr std::string_view kInsertKey =
    "INSERT INTO api_keys (key_id, account_id, public_key_pem, name, description, created, "
    "scoped) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr std::string_view kInsertKeyRole =
    "INSERT INTO key_roles (key_id, role_id) VALUES (?1, ?2)";
constexpr std::string_view kInsertKeyApplication =
    "INSERT INTO key_applications (key_id, application_id) VALUES (?1, ?2)";
constexpr std::string_view kDeleteKeyApplications =
    "DELETE FROM key_applications WHERE key_id = ?1";
constexpr std::string_view kSetKeyScoped =
    "UPDATE api_keys SET scoped = ?3 WHERE account_id = ?1 AND key_id = ?2";
constexpr std::string_view kKeyById = VS_KEY_COLUMNS "WHERE k.key_id = ?1";
constexpr std::string_view kKeysByAccount = VS_KEY_COLUMNS
    "WHERE k.account_id = ?1 AND (?2 IS NULL OR k.key_id = ?2) "
    "ORDER BY k.created, k.key_id LIMIT ?3 OFFSET ?4";
constexpr std::string_view kCountKeysByAccount =
    "SELECT count(*) FROM api_keys WHERE account_id = ?1 AND (?2 IS NULL OR key_id = ?2)";
constexpr std::string_view kKeyExists =
    "SELECT 1 FROM api_keys WHERE account_id = ?1 AND key_id = ?2";
constexpr std::string_view kUpdateKeyInfo =
    "UPDATE api_keys SET name = coalesce(?3, name), description = coalesce(?4, description) "
    "WHERE account_id = ?1 AND key_id = ?2";
constexpr std::string_view kDeleteKeyRoles = "DELETE FROM key_roles WHERE key_id = ?1";
constexpr std::string_view kDeleteKey =
    "DELETE FROM api_keys WHERE account_id = ?1 AND key_id = ?2";

#undef VS_KEY_COLUMNS

// A comma-separated id list (group_concat), sorted and made unique.
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
                        "sqlite: malformed " + std::string(what) + " list of an api key");
    }
    ids.push_back(id);
    p = next;
    if (p < end && *p == ',') ++p;
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

Result<KeyRecord> ReadKey(const Statement& stmt) {
  KeyRecord key;
  key.key_id = stmt.ColumnText(0);
  key.account_id = stmt.ColumnInt64(1);
  key.public_key_pem = stmt.ColumnText(2);
  key.name = stmt.ColumnText(3);
  key.description = stmt.ColumnText(4);
  key.created = stmt.ColumnInt64(5);
  VS_ASSIGN_OR_RETURN(key.role_ids, ParseIdList<int>(stmt.ColumnText(6), "role"));
  if (stmt.ColumnInt64(7) != 0) {
    VS_ASSIGN_OR_RETURN(key.application_ids,
                        ParseIdList<int64_t>(stmt.ColumnText(8), "application"));
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

// ---- SqliteAccountRepository -------------------------------------------------------------------

Result<int64_t> SqliteAccountRepository::Insert(const AccountRecord& account) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kInsertAccount));
  stmt->BindText(1, account.name);
  stmt->BindText(2, account.email);
  stmt->BindOptionalInt64(3, account.parent_id);
  stmt->BindText(4, account.api_key_hash);
  stmt->BindInt64(5, account.created);
  VS_RETURN_IF_ERROR(stmt->Run());
  return conn_.LastInsertRowId();
}

Result<std::optional<AccountRecord>> SqliteAccountRepository::FindById(int64_t id) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kAccountById));
  stmt->BindInt64(1, id);
  return FindOneAccount(stmt);
}

Result<std::optional<AccountRecord>> SqliteAccountRepository::FindByName(std::string_view name) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kAccountByName));
  stmt->BindText(1, name);
  return FindOneAccount(stmt);
}

Result<std::vector<AccountRecord>> SqliteAccountRepository::List() {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kAccountList));
  std::vector<AccountRecord> accounts;
  while (true) {
    VS_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    accounts.push_back(ReadAccount(*stmt));
  }
  return accounts;
}

Status SqliteAccountRepository::SetApiKeyHash(int64_t id, std::string_view api_key_hash) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kSetApiKeyHash));
  stmt->BindInt64(1, id);
  stmt->BindText(2, api_key_hash);
  VS_RETURN_IF_ERROR(stmt->Run());
  if (conn_.Changes() == 0) return StoreError(StatusCode::kNotFound, "account not found");
  return Status::Ok();
}

// ---- SqliteKeyRepository -----------------------------------------------------------------------

Status SqliteKeyRepository::InsertRoles(std::string_view key_id, std::vector<int> role_ids) {
  std::sort(role_ids.begin(), role_ids.end());
  role_ids.erase(std::unique(role_ids.begin(), role_ids.end()), role_ids.end());
  for (int role_id : role_ids) {
    VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kInsertKeyRole));
    stmt->BindText(1, key_id);
    stmt->BindInt64(2, role_id);
    VS_RETURN_IF_ERROR(stmt->Run());
  }
  return Status::Ok();
}

Status SqliteKeyRepository::InsertApplications(std::string_view key_id,
                                               std::vector<int64_t> application_ids) {
  std::sort(application_ids.begin(), application_ids.end());
  application_ids.erase(std::unique(application_ids.begin(), application_ids.end()),
                        application_ids.end());
  for (int64_t application_id : application_ids) {
    VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kInsertKeyApplication));
    stmt->BindText(1, key_id);
    stmt->BindInt64(2, application_id);
    VS_RETURN_IF_ERROR(stmt->Run());
  }
  return Status::Ok();
}

Status SqliteKeyRepository::Insert(const KeyRecord& key) {
  {
    VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kInsertKey));
    stmt->BindText(1, key.key_id);
    stmt->BindInt64(2, key.account_id);
    stmt->BindText(3, key.public_key_pem);
    stmt->BindText(4, key.name);
    stmt->BindText(5, key.description);
    stmt->BindInt64(6, key.created);
    stmt->BindInt64(7, key.application_ids.has_value() ? 1 : 0);
    VS_RETURN_IF_ERROR(stmt->Run());
  }
  VS_RETURN_IF_ERROR(InsertRoles(key.key_id, key.role_ids));
  if (!key.application_ids.has_value()) return Status::Ok();
  return InsertApplications(key.key_id, *key.application_ids);
}

Result<std::optional<KeyRecord>> SqliteKeyRepository::FindById(std::string_view key_id) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kKeyById));
  stmt->BindText(1, key_id);
  VS_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<KeyRecord>();
  VS_ASSIGN_OR_RETURN(KeyRecord key, ReadKey(*stmt));
  return std::optional<KeyRecord>(std::move(key));
}

Result<Page<KeyRecord>> SqliteKeyRepository::ListByAccount(int64_t account_id,
                                                           std::optional<std::string_view> key_id,
                                                           int64_t count, int64_t offset) {
  VS_RETURN_IF_ERROR(CheckPaging(count, offset));
  Page<KeyRecord> page;
  {
    VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kKeysByAccount));
    stmt->BindInt64(1, account_id);
    if (key_id.has_value()) {
      stmt->BindText(2, *key_id);
    } else {
      stmt->BindNull(2);
    }
    stmt->BindInt64(3, count);
    stmt->BindInt64(4, offset);
    while (true) {
      VS_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      VS_ASSIGN_OR_RETURN(KeyRecord key, ReadKey(*stmt));
      page.items.push_back(std::move(key));
    }
  }
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kCountKeysByAccount));
  stmt->BindInt64(1, account_id);
  if (key_id.has_value()) {
    stmt->BindText(2, *key_id);
  } else {
    stmt->BindNull(2);
  }
  VS_ASSIGN_OR_RETURN(bool row, stmt->Step());
  page.total_count = row ? stmt->ColumnInt64(0) : 0;
  return page;
}

Result<bool> SqliteKeyRepository::UpdateInfo(int64_t account_id, std::string_view key_id,
                                             std::optional<std::string_view> name,
                                             std::optional<std::string_view> description) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kUpdateKeyInfo));
  stmt->BindInt64(1, account_id);
  stmt->BindText(2, key_id);
  if (name.has_value()) {
    stmt->BindText(3, *name);
  } else {
    stmt->BindNull(3);
  }
  if (description.has_value()) {
    stmt->BindText(4, *description);
  } else {
    stmt->BindNull(4);
  }
  VS_RETURN_IF_ERROR(stmt->Run());
  return conn_.Changes() > 0;
}

Result<bool> SqliteKeyRepository::SetRoles(int64_t account_id, std::string_view key_id,
                                           const std::vector<int>& role_ids) {
  {
    VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kKeyExists));
    stmt->BindInt64(1, account_id);
    stmt->BindText(2, key_id);
    VS_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return false;
  }
  {
    VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kDeleteKeyRoles));
    stmt->BindText(1, key_id);
    VS_RETURN_IF_ERROR(stmt->Run());
  }
  VS_RETURN_IF_ERROR(InsertRoles(key_id, role_ids));
  return true;
}

Result<bool> SqliteKeyRepository::SetApplications(
    int64_t account_id, std::string_view key_id,
    const std::optional<std::vector<int64_t>>& application_ids) {
  {
    VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kSetKeyScoped));
    stmt->BindInt64(1, account_id);
    stmt->BindText(2, key_id);
    stmt->BindInt64(3, application_ids.has_value() ? 1 : 0);
    VS_RETURN_IF_ERROR(stmt->Run());
    if (conn_.Changes() == 0) return false;
  }
  {
    VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kDeleteKeyApplications));
    stmt->BindText(1, key_id);
    VS_RETURN_IF_ERROR(stmt->Run());
  }
  if (application_ids.has_value()) {
    VS_RETURN_IF_ERROR(InsertApplications(key_id, *application_ids));
  }
  return true;
}

Result<bool> SqliteKeyRepository::Delete(int64_t account_id, std::string_view key_id) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kDeleteKey));
  stmt->BindInt64(1, account_id);
  stmt->BindText(2, key_id);
  VS_RETURN_IF_ERROR(stmt->Run());
  return conn_.Changes() > 0;  // key_roles and key_applications rows go by ON DELETE CASCADE
}

}  // namespace voxsecrets::store::sqlite
