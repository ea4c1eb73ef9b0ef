// PrefetchReadHint: Tx::Prefetch on PostgreSQL, one statement for a read's first lookups.
#include <string>
#include <string_view>
#include <utility>

#include "common/utf8.h"
#include "store/postgres/pg_repositories.h"
#include "store/store_error.h"

namespace voxsecrets::store::pg {
namespace {

// The identity change counter (one row: the statement always answers one row), the application
// ($1 = account, $2 = its id or name) and the secret in it ($3 = its id or name) with the data
// key that sealed it; LEFT JOINs, so a missing application or secret is a row of NULLs. The
// predicates are those of the repositories' own lookups (kAppById, kSecretByName, ...), so a
// prefetched answer is the one the lookup would give. One statement per combination keeps each
// plan on its index.
// Columns: 0 version; 1-6 application (ReadApplicationColumns); 7-16 secret (ReadSecretColumns);
// 17-22 data key (ReadDataKeyColumns).
#define VS_PREFETCH(app, secret)                                                                 \
  "SELECT c.version, a.id, a.account_id, a.name, a.secure_record_storage, a.created, "           \
  "a.modified, s.id, s.application_id, s.name, s.description, s.created, s.modified, "           \
  "s.version, s.version_created, s.value, s.key_version, d.application_id, d.version, "          \
  "d.wrapped_key, d.master_key_version, d.encryptions, d.created FROM change_counters c "        \
  "LEFT JOIN applications a ON a.account_id = $1 AND " app                                       \
  " LEFT JOIN secrets s ON s.application_id = a.id AND " secret                                  \
  " LEFT JOIN data_keys d ON d.application_id = s.application_id AND d.version = s.key_version " \
  "WHERE c.name = 'iam'"

// [by id, by name][no secret, secret by id, secret by name]
constexpr std::string_view kStatements[2][3] = {
    {VS_PREFETCH("a.id = $2", "false"), VS_PREFETCH("a.id = $2", "s.id = $3"),
     VS_PREFETCH("a.id = $2", "s.name = $3")},
    {VS_PREFETCH("a.name = $2", "false"), VS_PREFETCH("a.name = $2", "s.id = $3"),
     VS_PREFETCH("a.name = $2", "s.name = $3")},
};

#undef VS_PREFETCH

constexpr int kAppColumn = 1;
constexpr int kSecretColumn = 7;
constexpr int kDataKeyColumn = 17;

// A name PostgreSQL takes as text: valid UTF-8 without NUL.
bool SendableText(std::string_view text) {
  return Utf8CodePoints(text).has_value() && text.find('\0') == std::string_view::npos;
}

}  // namespace

Status PrefetchReadHint(Connection& conn, const ReadHint& hint, ReadAhead& ahead, bool alone) {
  const bool app_by_id = hint.application_id.has_value();
  if (hint.account_id == 0 ||
      (!app_by_id && (hint.application_name.empty() || !SendableText(hint.application_name)))) {
    return Status::Ok();
  }
  int secret_by = 0;  // 0: none, 1: by id, 2: by name
  if (hint.secret_id.has_value()) {
    secret_by = 1;
  } else if (!hint.secret_name.empty() && SendableText(hint.secret_name)) {
    secret_by = 2;
  }
  Params params;
  params.Int64(hint.account_id);
  if (app_by_id) {
    params.Int64(*hint.application_id);
  } else {
    params.Text(hint.application_name);
  }
  if (secret_by == 1) params.Int64(*hint.secret_id);
  if (secret_by == 2) params.Text(hint.secret_name);
  const std::string_view sql = kStatements[app_by_id ? 0 : 1][secret_by];
  VS_ASSIGN_OR_RETURN(Rows rows, alone ? conn.QueryAlone(sql, params) : conn.Query(sql, params));
  if (rows.size() != 1) {
    return StoreError(StatusCode::kInternal, "postgresql: the change counter 'iam' is missing");
  }
  ahead.iam_version = rows.Int64(0, 0);
  AheadRow<ApplicationRecord>& app = ahead.application.emplace();
  app.scope_id = hint.account_id;
  app.id = hint.application_id;
  if (!app_by_id) app.name = hint.application_name;
  if (rows.IsNull(0, kAppColumn)) return Status::Ok();  // no such application: nor a secret in it
  app.found = ReadApplicationColumns(rows, 0, kAppColumn);
  if (secret_by == 0) return Status::Ok();
  AheadRow<SecretRecord>& secret = ahead.secret.emplace();
  secret.scope_id = app.found->id;
  secret.id = hint.secret_id;
  if (secret_by == 2) secret.name = hint.secret_name;
  if (rows.IsNull(0, kSecretColumn)) return Status::Ok();
  secret.found = ReadSecretColumns(rows, 0, kSecretColumn);
  if (!rows.IsNull(0, kDataKeyColumn)) {
    ahead.data_key = ReadDataKeyColumns(rows, 0, kDataKeyColumn);
  }
  return Status::Ok();
}

}  // namespace voxsecrets::store::pg
