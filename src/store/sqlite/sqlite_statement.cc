#include "store/sqlite/sqlite_statement.h"

#include <sqlite3.h>

#include <string>

#include "store/sqlite/sqlite_error.h"
#include "store/store_error.h"

namespace voxsecrets::store::sqlite {
namespace {

// A short, value-free description of the statement for error messages (bound values are never
// part of the SQL text: every value is bound).
std::string Describe(sqlite3_stmt* stmt) {
  constexpr size_t kMaxSqlInMessage = 64;
  const char* sql = sqlite3_sql(stmt);
  std::string text = sql != nullptr ? sql : "";
  size_t start = text.find_first_not_of(" \n\t");
  text = start == std::string::npos ? std::string() : text.substr(start);
  if (text.size() > kMaxSqlInMessage) text = text.substr(0, kMaxSqlInMessage) + "...";
  return "[" + text + "]";
}

// A non-null pointer for an empty view: SQLite binds NULL for a null pointer.
const char* NonNullData(std::string_view value) {
  return value.data() != nullptr ? value.data() : "";
}

}  // namespace

Result<std::unique_ptr<Statement>> Statement::Prepare(sqlite3* db, std::string_view sql,
                                                      bool persistent) {
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                              persistent ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, &tail);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return SqliteError(rc, db, "prepare");
  }
  if (stmt == nullptr) return StoreError(StatusCode::kInternal, "sqlite: prepare: empty statement");
  std::unique_ptr<Statement> result(new Statement(stmt));
  // Only whitespace may follow: a second statement would be silently ignored.
  std::string_view rest(tail, static_cast<size_t>(sql.data() + sql.size() - tail));
  if (rest.find_first_not_of(" \n\t;") != std::string_view::npos) {
    return StoreError(StatusCode::kInternal,
                      "sqlite: prepare: more than one statement " + Describe(stmt));
  }
  return result;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::NoteBind(int rc, int index) {
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) {
    bind_rc_ = rc;
    bind_index_ = index;
  }
}

void Statement::BindInt64(int index, int64_t value) {
  NoteBind(sqlite3_bind_int64(stmt_, index, value), index);
}

void Statement::BindText(int index, std::string_view value) {
  NoteBind(sqlite3_bind_text64(stmt_, index, NonNullData(value), value.size(), SQLITE_TRANSIENT,
                               SQLITE_UTF8),
           index);
}

void Statement::BindBlob(int index, std::string_view value) {
  NoteBind(sqlite3_bind_blob64(stmt_, index, NonNullData(value), value.size(), SQLITE_TRANSIENT),
           index);
}

void Statement::BindTextUnowned(int index, std::string_view value) {
  NoteBind(sqlite3_bind_text64(stmt_, index, NonNullData(value), value.size(), SQLITE_STATIC,
                               SQLITE_UTF8),
           index);
}

void Statement::BindBlobUnowned(int index, std::string_view value) {
  NoteBind(sqlite3_bind_blob64(stmt_, index, NonNullData(value), value.size(), SQLITE_STATIC),
           index);
}

void Statement::BindNull(int index) { NoteBind(sqlite3_bind_null(stmt_, index), index); }

void Statement::BindOptionalText(int index, const std::optional<std::string>& value) {
  if (value.has_value()) {
    BindText(index, *value);
  } else {
    BindNull(index);
  }
}

void Statement::BindOptionalInt64(int index, std::optional<int64_t> value) {
  if (value.has_value()) {
    BindInt64(index, *value);
  } else {
    BindNull(index);
  }
}

Result<bool> Statement::Step() {
  sqlite3* db = sqlite3_db_handle(stmt_);
  if (bind_rc_ != SQLITE_OK) {
    return SqliteError(bind_rc_, nullptr,
                       "bind parameter " + std::to_string(bind_index_) + " " + Describe(stmt_));
  }
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // With sqlite3_prepare_v3 the step result already is the extended error code.
  return SqliteError(rc, db, "step " + Describe(stmt_));
}

Status Statement::Run() {
  while (true) {
    Result<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
  }
}

bool Statement::ColumnIsNull(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

int64_t Statement::ColumnInt64(int col) const { return sqlite3_column_int64(stmt_, col); }

std::optional<int64_t> Statement::ColumnOptionalInt64(int col) const {
  if (ColumnIsNull(col)) return std::nullopt;
  return ColumnInt64(col);
}

std::string Statement::ColumnText(int col) const {
  // Fetch the pointer first, then the size (SQLite's documented order).
  const unsigned char* data = sqlite3_column_text(stmt_, col);
  int size = sqlite3_column_bytes(stmt_, col);
  if (data == nullptr || size <= 0) return std::string();
  return std::string(reinterpret_cast<const char*>(data), static_cast<size_t>(size));
}

std::string Statement::ColumnBlob(int col) const {
  const void* data = sqlite3_column_blob(stmt_, col);
  int size = sqlite3_column_bytes(stmt_, col);
  if (data == nullptr || size <= 0) return std::string();
  return std::string(static_cast<const char*>(data), static_cast<size_t>(size));
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_rc_ = SQLITE_OK;
  bind_index_ = 0;
}

}  // namespace voxsecrets::store::sqlite
