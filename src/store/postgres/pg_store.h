// The PostgreSQL backend of store/store.h: one database shared by any number of voxsecrets nodes.
//
// Schema: schema/postgres_migrations.h, the same versions, tables and semantics as the SQLite
// backend (docs/SCHEMA.md, section "PostgreSQL"). The tables live in the first schema of the
// connection's search_path (set it in the URL, e.g. `options=-csearch_path%3Dvoxsecrets`, to use
// a dedicated schema). OpenPgStore applies missing migrations under an advisory lock, so nodes may
// start concurrently.
//
// Transactions: Read = BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY (one snapshot; never waits
// for writers; writes through it fail). Write = BEGIN ISOLATION LEVEL SERIALIZABLE: uniqueness
// comes from constraints (23505 -> kAlreadyExists), and check-then-act sequences inside one Write
// (DelSecret's existence check and delete, data key counters) behave as if transactions ran one
// after another, across nodes. A transaction failing with a serialization failure or deadlock
// (40001/40P01) is rolled back and `fn` re-run, up to kPgMaxWriteAttempts times in all, with a
// short growing, jittered pause; after that Write returns kUnavailable. From the third run on, an
// attempt waits for this store's other writes to finish and keeps them waiting while it runs, so
// rows that all of one node's threads update (its audit chain) cannot starve a transaction. From
// the fifth run on, it runs alone in the whole cluster: every write transaction first locks the
// table schema_version in ROW EXCLUSIVE mode (no conflict among writers), such a run locks it in
// EXCLUSIVE mode, which waits for every write transaction of every node in progress and holds
// back new ones until it ends; with no concurrent writer it cannot conflict again, so rows that
// several nodes update (a hot application's data key counter) cannot starve it either. A
// session found lost before or while `fn` ran (the server restarted, the connection was terminated)
// is replaced and the transaction re-run once: nothing of it was committed. A session lost during
// COMMIT is not retried: the outcome is unknown, and Write returns kUnavailable.
// WriteDeferred is Write with `synchronous_commit = off` for that transaction (in PostgreSQL's
// WAL when it returns; on disk with the next durable commit or within a few hundred ms).
// Round trips: BEGIN travels with the transaction's first statement and a read's COMMIT is
// answered while the session waits for its next transaction (libpq pipeline mode): a read of k
// statements costs k round trips; a read transaction gets the data key of a secret it reads
// with that secret (no statement of its own), and Tx::Prefetch reads the identity change counter,
// an application and a secret with its data key in one statement (a GetSecretValue whose caller
// is in the identity cache: one round trip for the whole transaction).
//
// Availability: sessions are pooled (pool_size at most, opened lazily; see postgres/pg_pool.h).
// When the database is unreachable, calls fail with kUnavailable within about connect_timeout_s;
// when it answers nothing, within statement_timeout_ms plus max(1 s, connect_timeout_s). The
// store recovers by itself when the database is back.
//
// Thread-safety: the Store may be shared by all threads. Write must not be called from inside a
// Write callback on the same thread (it returns kInternal, as in SQLite), nor may a Write callback
// wait for a Write of another thread (as with SQLite, that can deadlock); Read and Write
// callbacks may call Read. Each nested call holds another session, so nesting deeper than pool_size
// fails with kUnavailable after acquire_timeout_ms.
//
// Ownership: OpenPgStore returns the only owner; every Read/Write must have returned before the
// Store is destroyed.
#ifndef VOXSECRETS_STORE_POSTGRES_PG_STORE_H_
#define VOXSECRETS_STORE_POSTGRES_PG_STORE_H_

#include <string>

#include "common/metrics.h"
#include "common/status.h"
#include "store/store.h"

namespace voxsecrets::store {

struct PgOptions {
  // A libpq connection URI or key=value string ("postgresql://user@host:5432/db?sslmode=...").
  // Empty = libpq's defaults and the PG* environment variables. Never logged (it may hold a
  // password).
  std::string url;
  // Most sessions open at once. Values below 1 are treated as 1. The default is measured
  // (docs/BENCHMARKS.md, "Pool size"): about twice the cores that run the database work.
  int pool_size = 4;
  // Seconds to wait while connecting (below 1 -> 1; libpq waits at least 2).
  int connect_timeout_s = 5;
  // Server-side statement_timeout of every session, in ms (0 = none, and no client deadline).
  int statement_timeout_ms = 10000;
  // How long a call waits for a free session when all pool_size are in use, in ms.
  int acquire_timeout_ms = 10000;
  // When false, a database without voxsecrets tables (schema version 0) is refused with
  // kNotFound and left untouched (the admin commands must not create a schema by mistake); an
  // older schema is still migrated.
  bool create_schema = true;
  // Observes, in seconds, how long each transaction waited for a session of the pool (metrics;
  // 0 when one was free, the acquire timeout when none came). nullptr = not measured. Not owned;
  // must outlive the Store.
  Histogram* acquire_wait = nullptr;
};

// How many times Write runs a transaction that keeps failing with serialization failures.
inline constexpr int kPgMaxWriteAttempts = 16;

// Connects, checks the server, and brings the schema up to date (schema/postgres_migrations.h).
// kUnavailable when the database cannot be reached; kInternal when its schema is newer than this
// binary or a migration fails; kNotFound when options.create_schema is false and the database
// holds no voxsecrets schema.
Result<StorePtr> OpenPgStore(const PgOptions& options);

}  // namespace voxsecrets::store

#endif  // VOXSECRETS_STORE_POSTGRES_PG_STORE_H_
