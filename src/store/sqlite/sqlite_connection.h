// Connection: one sqlite3 connection with its cache of prepared statements.
//
// Opened in SQLite's multi-thread mode (SQLITE_OPEN_NOMUTEX): the connection has no lock of its
// own, so it must be used by one thread at a time; SqliteStore guarantees that (one writer under
// a mutex, readers leased from a pool). Every connection runs with extended result codes,
// `foreign_keys=ON`, `synchronous=FULL` and the configured busy timeout (a busy handler that
// polls a held lock every 50 us for 2 ms, then every millisecond); Open() verifies that
// the pragmas took effect. Read-only connections are opened with SQLITE_OPEN_READONLY, so any
// write through them fails.
//
// Statements are prepared once per connection and SQL text, then reused (Prepare() hands out a
// StatementLease that resets the statement when it goes away). The SQL of the repositories is
// constant text at a fixed address, so Prepare() first looks the statement up by the address of
// the text (and compares the text itself before using it), which spares hashing the whole text
// on every call; any other text is looked up by its contents.
//
// Ownership: Open() returns a unique_ptr; the Connection closes the database and finalizes every
// cached statement on destruction. A StatementLease must not outlive its Connection.
#ifndef VOXSECRETS_STORE_SQLITE_SQLITE_CONNECTION_H_
#define VOXSECRETS_STORE_SQLITE_SQLITE_CONNECTION_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.h"
#include "store/sqlite/sqlite_statement.h"

struct sqlite3;

namespace voxsecrets::store::sqlite {

// A statement borrowed from a Connection's cache for one use. Resets the statement (and clears
// its bindings) on destruction. Move-only.
class StatementLease {
 public:
  // Borrows a statement of the cache (marks it leased until the lease goes away).
  explicit StatementLease(Statement& cached);
  // Owns a one-off statement.
  explicit StatementLease(std::unique_ptr<Statement> owned);
  StatementLease(StatementLease&& other) noexcept;
  StatementLease& operator=(StatementLease&&) = delete;
  StatementLease(const StatementLease&) = delete;
  ~StatementLease();

  Statement* operator->() const { return stmt_; }
  Statement& operator*() const { return *stmt_; }

 private:
  Statement* stmt_;
  std::unique_ptr<Statement> owned_;  // set when the cached statement was already leased
};

class Connection {
 public:
  enum class Mode { kReadWrite, kReadOnly };

  // Opens (kReadWrite: creating if needed) the database at `path`, through the VFS named `vfs`
  // (empty: the default one).
  static Result<std::unique_ptr<Connection>> Open(const std::string& path, Mode mode,
                                                  int busy_timeout_ms, const std::string& vfs = {});
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Mode mode() const { return mode_; }

  // Runs an SQL script (one or more statements, no parameters).
  Status Exec(std::string_view sql);
  // The cached prepared statement for `sql` (one statement), prepared on first use.
  Result<StatementLease> Prepare(std::string_view sql);
  // The single text value of a query such as "PRAGMA journal_mode" (empty when no row).
  Result<std::string> QueryText(std::string_view sql);

  // Transaction control. Begin(immediate=true) takes the write lock at once (BEGIN IMMEDIATE).
  Status Begin(bool immediate);
  Status Commit();
  // Rolls back when a transaction is open; a no-op otherwise (e.g. SQLite already rolled back).
  void RollbackIfActive();
  bool InTransaction() const;

  int64_t LastInsertRowId() const;
  // Rows changed by the most recent INSERT / UPDATE / DELETE.
  int64_t Changes() const;

  // Checkpoints (WAL mode): `on_commit(wal_pages)` runs after every commit of this connection
  // with the number of pages in the write-ahead log (sqlite3_wal_hook), in place of SQLite's
  // automatic checkpoint, which is turned off. `on_commit` must not use this connection.
  Status TakeOverCheckpoints(std::function<void(int wal_pages)> on_commit);
  // A PASSIVE checkpoint: copies what it can of the log into the database and syncs it without
  // waiting for anyone (readers and the writer go on). It never restarts a log that is written
  // to all the time: CheckpointRestart does.
  Status CheckpointPassive();
  // A RESTART checkpoint: takes the write lock, copies the whole log into the database and syncs
  // both, then waits for the readers still reading from the log, so that the next write starts
  // the log from its beginning. Each of its waits (for the writer, then for the readers) lasts
  // `max_wait_ms` at most, and a writer of this database waits while it holds the write lock.
  // Returns OK also when it gave up waiting (SQLITE_BUSY: whatever it could copy is copied); a
  // later call tries again. After a CheckpointPassive, little is left to copy under the lock.
  Status CheckpointRestart(int max_wait_ms);

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  Connection(sqlite3* db, Mode mode) : db_(db), mode_(mode) {}
  Status Configure(int busy_timeout_ms);
  // SQLite's busy handler: retries a lock for busy_wait_ms_ in all (sqlite3_busy_handler).
  static int WaitWhileBusy(void* self, int tries);

  // A cached statement and its SQL text (the key of cache_, which owns both).
  struct CachedStatement {
    std::string_view sql;
    Statement* stmt = nullptr;
  };
  // At most this many addresses are remembered (texts built at run time could bring new ones).
  static constexpr size_t kMaxAddresses = 256;

  sqlite3* db_;
  Mode mode_;
  int busy_timeout_ms_ = 0;  // Configure
  int busy_wait_ms_ = 0;     // how long WaitWhileBusy retries: the busy timeout but in checkpoints
  std::function<void(int)> on_commit_;  // TakeOverCheckpoints
  std::unordered_map<std::string, std::unique_ptr<Statement>, StringHash, std::equal_to<>> cache_;
  // The statement last prepared for the SQL text at an address (a hint: the text is compared).
  std::unordered_map<const char*, CachedStatement> by_address_;
};

}  // namespace voxsecrets::store::sqlite

#endif  // VOXSECRETS_STORE_SQLITE_SQLITE_CONNECTION_H_
