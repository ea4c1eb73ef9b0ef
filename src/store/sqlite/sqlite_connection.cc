#include "store/sqlite/sqlite_connection.h"

#include <sqlite3.h>

#include <chrono>
#include <thread>
#include <utility>

#include "common/encoding.h"
#include "store/sqlite/sqlite_error.h"
#include "store/store_error.h"

namespace voxsecrets::store::sqlite {

StatementLease::StatementLease(Statement& cached) : stmt_(&cached) { cached.set_leased(true); }

StatementLease::StatementLease(std::unique_ptr<Statement> owned)
    : stmt_(owned.get()), owned_(std::move(owned)) {}

StatementLease::StatementLease(StatementLease&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)), owned_(std::move(other.owned_)) {}

StatementLease::~StatementLease() {
  if (stmt_ == nullptr) return;
  stmt_->Reset();
  if (owned_ == nullptr) stmt_->set_leased(false);
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path, Mode mode,
                                                     int busy_timeout_ms, const std::string& vfs) {
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_PRIVATECACHE;
  flags |=
      mode == Mode::kReadOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, vfs.empty() ? nullptr : vfs.c_str());
  if (rc != SQLITE_OK) {
    Status status = SqliteError(rc, db, "open database");
    sqlite3_close_v2(db);  // a handle is returned even on failure
    return status;
  }
  std::unique_ptr<Connection> conn(new Connection(db, mode));
  VS_RETURN_IF_ERROR(conn->Configure(busy_timeout_ms));
  return conn;
}

Connection::~Connection() {
  by_address_.clear();
  cache_.clear();  // finalize every statement before closing
  sqlite3_close_v2(db_);
}

namespace {

// voxsecrets_unhex(text): the bytes of a text of hex digits (either case) as a BLOB, NULL for
// anything else. SQLite 3.40 (Debian 12) has no unhex(); schema version 6 uses it to store
// audit hashes as bytes.
void UnhexFunction(sqlite3_context* context, int /*argc*/, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) != SQLITE_TEXT) return sqlite3_result_null(context);
  const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  const int size = sqlite3_value_bytes(argv[0]);
  if (text == nullptr || size % 2 != 0) return sqlite3_result_null(context);
  std::string bytes(static_cast<size_t>(size / 2), '\0');
  if (!HexDecodeTo(std::string_view(text, static_cast<size_t>(size)),
                   std::span<uint8_t>(reinterpret_cast<uint8_t*>(bytes.data()), bytes.size()))) {
    return sqlite3_result_null(context);
  }
  sqlite3_result_blob(context, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
}

}  // namespace

Status Connection::Configure(int busy_timeout_ms) {
  sqlite3_extended_result_codes(db_, 1);
  busy_timeout_ms_ = busy_timeout_ms;
  busy_wait_ms_ = busy_timeout_ms;
  int rc = sqlite3_busy_handler(db_, &Connection::WaitWhileBusy, this);
  if (rc != SQLITE_OK) return SqliteError(rc, db_, "set busy handler");
  rc = sqlite3_create_function_v2(db_, "voxsecrets_unhex", 1,
                                  SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr,
                                  &UnhexFunction, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return SqliteError(rc, db_, "register voxsecrets_unhex");
  // secure_delete: deleted rows (a deleted application's wrapped data keys and sealed values)
  // are overwritten with zeros instead of lingering in free pages (docs/RECORD_FORMAT.md).
  VS_RETURN_IF_ERROR(
      Exec("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA secure_delete = ON;"));
  VS_ASSIGN_OR_RETURN(std::string foreign_keys, QueryText("PRAGMA foreign_keys"));
  if (foreign_keys != "1") {
    return StoreError(StatusCode::kInternal, "sqlite: PRAGMA foreign_keys=ON did not apply");
  }
  VS_ASSIGN_OR_RETURN(std::string synchronous, QueryText("PRAGMA synchronous"));
  if (synchronous != "2") {
    return StoreError(StatusCode::kInternal, "sqlite: PRAGMA synchronous=FULL did not apply");
  }
  return Status::Ok();
}

Status Connection::Exec(std::string_view sql) {
  std::string text(sql);  // sqlite3_exec needs a NUL-terminated script
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return SqliteError(sqlite3_extended_errcode(db_), db_, "exec");
  return Status::Ok();
}

Result<StatementLease> Connection::Prepare(std::string_view sql) {
  Statement* stmt = nullptr;
  auto known = by_address_.find(sql.data());
  if (known != by_address_.end() && known->second.sql == sql) {
    stmt = known->second.stmt;
  } else {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
      VS_ASSIGN_OR_RETURN(std::unique_ptr<Statement> prepared,
                          Statement::Prepare(db_, sql, /*persistent=*/true));
      it = cache_.emplace(std::string(sql), std::move(prepared)).first;
    }
    stmt = it->second.get();
    if (known != by_address_.end()) {
      known->second = CachedStatement{it->first, stmt};
    } else if (by_address_.size() < kMaxAddresses) {
      by_address_.emplace(sql.data(), CachedStatement{it->first, stmt});
    }
  }
  if (stmt->leased()) {
    // The same SQL is already in use further up the stack: use a one-off statement.
    VS_ASSIGN_OR_RETURN(std::unique_ptr<Statement> one_off,
                        Statement::Prepare(db_, sql, /*persistent=*/false));
    return StatementLease(std::move(one_off));
  }
  return StatementLease(*stmt);
}

Result<std::string> Connection::QueryText(std::string_view sql) {
  VS_ASSIGN_OR_RETURN(std::unique_ptr<Statement> stmt,
                      Statement::Prepare(db_, sql, /*persistent=*/false));
  VS_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::string();
  return stmt->ColumnText(0);
}

Status Connection::Begin(bool immediate) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, Prepare(immediate ? "BEGIN IMMEDIATE" : "BEGIN"));
  return stmt->Run();
}

Status Connection::Commit() {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, Prepare("COMMIT"));
  return stmt->Run();
}

void Connection::RollbackIfActive() {
  if (!InTransaction()) return;
  // ROLLBACK cannot fail for lack of a lock; if it fails anyway SQLite has already rolled back
  // or will on close, so there is nothing more to do here.
  sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

bool Connection::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

int64_t Connection::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

int64_t Connection::Changes() const { return sqlite3_changes64(db_); }

Status Connection::TakeOverCheckpoints(std::function<void(int wal_pages)> on_commit) {
  on_commit_ = std::move(on_commit);
  // Replaces the automatic checkpoint (sqlite3_wal_autocheckpoint installs a hook too).
  sqlite3_wal_hook(
      db_,
      [](void* self, sqlite3*, const char*, int pages) -> int {
        static_cast<Connection*>(self)->on_commit_(pages);
        return SQLITE_OK;
      },
      this);
  return Status::Ok();
}

Status Connection::CheckpointPassive() {
  int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) return SqliteError(rc, db_, "checkpoint");
  return Status::Ok();
}

Status Connection::CheckpointRestart(int max_wait_ms) {
  busy_wait_ms_ = max_wait_ms;
  const int rc =
      sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
  busy_wait_ms_ = busy_timeout_ms_;
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) return SqliteError(rc, db_, "checkpoint");
  return Status::Ok();
}

int Connection::WaitWhileBusy(void* self, int tries) {
  // SQLite's own busy timeout sleeps 1 ms, then 2, 5, 10, 15, 20 ms...: a writer that finds the
  // write lock held for a millisecond (a checkpoint, the audit trail's commit) would sleep 3 ms
  // or more. Here the first 2 ms are polled every 50 us, then every millisecond.
  constexpr int kFastTries = 40;
  constexpr int64_t kFastSleepUs = 50;
  const int64_t waited_us = tries < kFastTries
                                ? tries * kFastSleepUs
                                : kFastTries * kFastSleepUs + int64_t{tries - kFastTries} * 1000;
  if (waited_us >= int64_t{static_cast<Connection*>(self)->busy_wait_ms_} * 1000) return 0;
  std::this_thread::sleep_for(std::chrono::microseconds(tries < kFastTries ? kFastSleepUs : 1000));
  return 1;
}

}  // namespace voxsecrets::store::sqlite
