// The SQLite backend of store/store.h: an embedded database file, the default for one node.
//
// Durability: the file runs in WAL mode with synchronous=FULL, so a Write that returned OK
// survives a crash of the process (kill -9) and of the machine. foreign_keys=ON on every
// connection (application deletes cascade to secrets and data keys).
//
// Concurrency: one writer connection behind a mutex (Write = BEGIN IMMEDIATE ... COMMIT, so
// writes are serialized) and a pool of `read_connections` read-only connections (Read = BEGIN ...
// COMMIT on a free one: a consistent snapshot that never waits for the writer). When every read
// connection is busy, Read waits for one to be returned. Other processes may open the same file;
// their locks are waited for up to `busy_timeout_ms`, then the call fails with kUnavailable.
// Checkpoints run on a thread and a connection of their own (RESTART, each time the log grew by
// `checkpoint_pages`), never inside a commit; a Write waits for one only while it copies and
// syncs (about a millisecond here), and the log restarts from its beginning after each, so its
// file stays near `checkpoint_pages` pages under any load (a reader that stays in the log for
// more than 5 ms makes one restart give up; the next one tries again).
//
// Thread-safety: the Store may be shared by all threads. Write must not be called from inside a
// Write callback (it returns kInternal); a Read callback may call Write. Nested Reads are allowed
// but each holds a read connection, so nesting deeper than `read_connections` deadlocks.
//
// Ownership: OpenSqliteStore returns the only owner; every Read/Write must have returned before
// the Store is destroyed.
#ifndef VOXSECRETS_STORE_SQLITE_SQLITE_STORE_H_
#define VOXSECRETS_STORE_SQLITE_SQLITE_STORE_H_

#include <string>

#include "common/metrics.h"
#include "common/status.h"
#include "store/store.h"

namespace voxsecrets::store {

struct SqliteOptions {
  // The database file; created (mode 0600) when missing. Its directory must exist and be
  // writable (SQLite keeps the -wal and -shm files beside it).
  std::string path;
  // Read-only connections in the pool. Default 4; values below 1 are treated as 1.
  int read_connections = 4;
  // How long a call waits for a lock held by another process before kUnavailable. Default 5000.
  int busy_timeout_ms = 5000;
  // Pages of write-ahead log (4 KiB each) between two checkpoints. Default 4000 (16 MiB): fewer
  // checkpoints pause the writer less often; more pages make a restart after a crash replay
  // more. Values below 1 are treated as 1.
  int checkpoint_pages = 4000;
  // Observe, in seconds, how long each Read waited for a free read connection and each Write for
  // the writer (metrics; 0 when there was no wait). nullptr = not measured. Not owned; must
  // outlive the Store.
  Histogram* read_wait = nullptr;
  Histogram* write_wait = nullptr;
  // The SQLite VFS to open the file with; empty = SQLite's default. For failure-injection tests
  // (a VFS registered by the test, e.g. one whose fsyncs fail).
  std::string vfs = {};
};

// Opens (creating if needed) the database and brings its schema up to date (migrations in
// schema/sqlite_migrations.h). Fails with kUnavailable when the file cannot be opened, and with
// kInternal when the database's schema is newer than this binary or a pragma does not apply.
Result<StorePtr> OpenSqliteStore(const SqliteOptions& options);

}  // namespace voxsecrets::store

#endif  // VOXSECRETS_STORE_SQLITE_SQLITE_STORE_H_
