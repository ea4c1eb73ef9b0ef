// SqliteCopyRepository: rows with their own ids, and the AUTOINCREMENT watermarks
// (sqlite_sequence), for copying a database (store.h CopyRepository).
#include <array>
#include <string>

#include "store/sqlite/sqlite_repositories.h"

namespace voxsecrets::store::sqlite {
namespace {

constexpr std::string_view kIsEmpty =
    "SELECT NOT (EXISTS (SELECT 1 FROM accounts) OR EXISTS (SELECT 1 FROM api_keys) OR "
    "EXISTS (SELECT 1 FROM applications) OR EXISTS (SELECT 1 FROM secrets) OR "
    "EXISTS (SELECT 1 FROM data_keys) OR EXISTS (SELECT 1 FROM meta) OR "
    "EXISTS (SELECT 1 FROM audit_chains) OR EXISTS (SELECT 1 FROM audit_log) OR "
    "EXISTS (SELECT 1 FROM secret_versions))";
constexpr std::string_view kInsertAccount =
    "INSERT INTO accounts (id, name, email, parent_id, api_key_hash, created) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr std::string_view kInsertApplication =
    "INSERT INTO applications (id, account_id, name, secure_record_storage, created, modified) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr std::string_view kInsertSecret =
    "INSERT INTO secrets (id, application_id, name, description, value, key_version, created, "
    "modified, version, version_created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
constexpr std::string_view kListMeta = "SELECT key, value FROM meta ORDER BY key";
// The highest id handed out: sqlite_sequence's (it keeps deleted ids' high mark), or the highest
// present when sqlite_sequence has no row for the table yet.
#define VS_WATERMARK(table)                                                   \
  "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '" table \
  "'), 0), "                                                                  \
  "coalesce((SELECT max(id) FROM " table "), 0))"
constexpr std::array<std::string_view, 4> kWatermark = {
    VS_WATERMARK("accounts"), VS_WATERMARK("applications"), VS_WATERMARK("secrets"),
    VS_WATERMARK("audit_log")};
#undef VS_WATERMARK
constexpr std::array<std::string_view, 4> kTables = {"accounts", "applications", "secrets",
                                                     "audit_log"};
constexpr std::string_view kInsertSequence =
    "INSERT INTO sqlite_sequence (name, seq) SELECT ?1, 0 "
    "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ?1)";
constexpr std::string_view kRaiseSequence =
    "UPDATE sqlite_sequence SET seq = max(seq, ?2) WHERE name = ?1";

std::array<int64_t, 4> AsArray(const IdWatermarks& m) {
  return {m.accounts, m.applications, m.secrets, m.audit_records};
}

}  // namespace

Result<bool> SqliteCopyRepository::IsEmpty() {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kIsEmpty));
  VS_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return InternalError("sqlite: emptiness query gave no row");
  return stmt->ColumnInt64(0) != 0;
}

Status SqliteCopyRepository::InsertAccount(const AccountRecord& account) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kInsertAccount));
  stmt->BindInt64(1, account.id);
  stmt->BindText(2, account.name);
  stmt->BindText(3, account.email);
  stmt->BindOptionalInt64(4, account.parent_id);
  stmt->BindText(5, account.api_key_hash);
  stmt->BindInt64(6, account.created);
  return stmt->Run();
}

Status SqliteCopyRepository::InsertApplication(const ApplicationRecord& app) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kInsertApplication));
  stmt->BindInt64(1, app.id);
  stmt->BindInt64(2, app.account_id);
  stmt->BindText(3, app.name);
  stmt->BindInt64(4, app.secure_record_storage ? 1 : 0);
  stmt->BindInt64(5, app.created);
  stmt->BindInt64(6, app.modified);
  return stmt->Run();
}

Status SqliteCopyRepository::InsertSecret(const SecretRecord& secret) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kInsertSecret));
  stmt->BindInt64(1, secret.info.id);
  stmt->BindInt64(2, secret.info.application_id);
  stmt->BindText(3, secret.info.name);
  stmt->BindText(4, secret.info.description);
  stmt->BindBlob(5, secret.value.blob);
  stmt->BindInt64(6, secret.value.key_version);
  stmt->BindInt64(7, secret.info.created);
  stmt->BindInt64(8, secret.info.modified);
  stmt->BindInt64(9, secret.info.version);
  stmt->BindInt64(10, secret.info.version_created);
  return stmt->Run();
}

Result<std::vector<std::pair<std::string, std::string>>> SqliteCopyRepository::ListMeta() {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kListMeta));
  std::vector<std::pair<std::string, std::string>> out;
  while (true) {
    VS_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    out.emplace_back(stmt->ColumnText(0), stmt->ColumnText(1));
  }
  return out;
}

Result<IdWatermarks> SqliteCopyRepository::Watermarks() {
  std::array<int64_t, 4> values{};
  for (size_t i = 0; i < kWatermark.size(); ++i) {
    VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kWatermark[i]));
    VS_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return InternalError("sqlite: watermark query gave no row");
    values[i] = stmt->ColumnInt64(0);
  }
  return IdWatermarks{values[0], values[1], values[2], values[3]};
}

Status SqliteCopyRepository::RaiseWatermarks(const IdWatermarks& marks) {
  const std::array<int64_t, 4> values = AsArray(marks);
  for (size_t i = 0; i < kTables.size(); ++i) {
    if (values[i] <= 0) continue;
    {
      VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kInsertSequence));
      stmt->BindText(1, kTables[i]);
      VS_RETURN_IF_ERROR(stmt->Run());
    }
    VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kRaiseSequence));
    stmt->BindText(1, kTables[i]);
    stmt->BindInt64(2, values[i]);
    VS_RETURN_IF_ERROR(stmt->Run());
  }
  return Status::Ok();
}

}  // namespace voxsecrets::store::sqlite
