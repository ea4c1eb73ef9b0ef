#include "store/postgres/pg_store.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/mutex.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_error.h"
#include "store/postgres/pg_migrate.h"
#include "store/postgres/pg_pool.h"
#include "store/postgres/pg_repositories.h"
#include "store/schema/postgres_migrations.h"
#include "store/store_error.h"

namespace voxsecrets::store {
namespace {

using pg::Connection;
using pg::ConnectionPool;

constexpr std::string_view kBeginRead = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
// Every write transaction of every node first takes schema_version's table lock in ROW EXCLUSIVE
// mode (writers do not conflict with each other over it; plain reads take no conflicting lock).
// A write that lost to concurrent transactions kClusterAloneAfterConflicts times takes it in
// EXCLUSIVE mode instead: it waits until every write transaction of the cluster in progress has
// ended, keeps new ones waiting, and so runs alone: with no concurrent serializable transaction
// it cannot fail with a serialization failure again. LOCK TABLE takes no snapshot, so the
// transaction's snapshot is taken after the lock is granted (by its first query).
constexpr std::string_view kBeginWrite = "BEGIN ISOLATION LEVEL SERIALIZABLE";
constexpr std::string_view kLockWriters = "LOCK TABLE schema_version IN ROW EXCLUSIVE MODE";
constexpr std::string_view kLockAlone = "LOCK TABLE schema_version IN EXCLUSIVE MODE";
// WriteDeferred: the commit is in PostgreSQL's WAL buffers when it returns, on disk with the
// next durable commit of any session (the WAL is flushed in order) or within a few hundred ms
// (the WAL writer); lost only if the database server itself crashes before that.
constexpr std::string_view kDeferCommit = "SET LOCAL synchronous_commit TO OFF";

// The repositories of one transaction, all on the same connection.
// `may_run_alone`: a read whose first statement is Prefetch's sends it on its own, without BEGIN
// (Connection::QueryAlone); RunOnce runs the read again in a transaction if it needs more.
class PgTx final : public Tx {
 public:
  PgTx(Connection& conn, bool read_only, bool may_run_alone)
      : conn_(conn),
        accounts_(conn),
        keys_(conn),
        applications_(conn, read_only ? &ahead_ : nullptr),
        secrets_(conn, read_only ? &ahead_ : nullptr),
        secret_versions_(conn),
        data_keys_(conn, read_only ? &ahead_ : nullptr),
        meta_(conn, read_only ? &ahead_ : nullptr),
        audit_(conn),
        copy_(conn),
        read_only_(read_only),
        may_run_alone_(read_only && may_run_alone) {}

  // Tx
  AccountRepository& accounts() override { return accounts_; }
  KeyRepository& keys() override { return keys_; }
  ApplicationRepository& applications() override { return applications_; }
  SecretRepository& secrets() override { return secrets_; }
  SecretVersionRepository& secret_versions() override { return secret_versions_; }
  DataKeyRepository& data_keys() override { return data_keys_; }
  MetaRepository& meta() override { return meta_; }
  AuditRepository& audit() override { return audit_; }
  CopyRepository& copy() override { return copy_; }
  Status Savepoint() override { return conn_.Exec("SAVEPOINT vs_call", "savepoint"); }
  Status ReleaseSavepoint() override {
    return conn_.Exec("RELEASE SAVEPOINT vs_call", "release savepoint");
  }
  // A serialization failure or deadlock is the whole transaction's: it is not rolled back to the
  // savepoint but returned, so that the store re-runs the transaction. Any other failure of the
  // call is undone and forgotten (the transaction goes on and may commit).
  Status RollbackToSavepoint() override {
    if (!conn_.first_error().ok() && pg::IsRetryableSqlState(conn_.first_error_sqlstate())) {
      return conn_.first_error();
    }
    VS_RETURN_IF_ERROR(conn_.Exec("ROLLBACK TO SAVEPOINT vs_call; RELEASE SAVEPOINT vs_call",
                                  "rollback to savepoint"));
    conn_.ClearErrors();
    return Status::Ok();
  }
  Status Prefetch(const ReadHint& hint) override {
    if (!read_only_) return Status::Ok();
    // BEGIN still ahead: nothing of the transaction was sent, the prefetch is its first statement.
    const bool alone = may_run_alone_ && hint.complete && conn_.has_ahead();
    return pg::PrefetchReadHint(conn_, hint, ahead_, alone);
  }
  bool UsesReadHints() const override { return read_only_; }
  void CommitWithNextStatement() override {
    if (!read_only_) conn_.CommitWithNext();
  }

 private:
  Connection& conn_;
  pg::ReadAhead ahead_;  // before the repositories that point to it
  pg::PgAccountRepository accounts_;
  pg::PgKeyRepository keys_;
  pg::PgApplicationRepository applications_;
  pg::PgSecretRepository secrets_;
  pg::PgSecretVersionRepository secret_versions_;
  pg::PgDataKeyRepository data_keys_;
  pg::PgMetaRepository meta_;
  pg::PgAuditRepository audit_;
  pg::PgCopyRepository copy_;
  const bool read_only_;
  const bool may_run_alone_;
};

enum class Mode { kRead, kWrite };

// What to do after one attempt at a transaction.
enum class Next {
  kDone,                // return `status`
  kRetryConflict,       // serialization failure or deadlock: run again on the same session
  kRetryLostSession,    // the session died before anything could commit: run again on a new one
  kRetryInTransaction,  // a read ran its prefetch alone and then needed more: run it in a block
};

struct Attempt {
  Status status;
  Next next = Next::kDone;
};

// Rolls the open transaction back; a session that cannot even do that is dropped.
void Rollback(ConnectionPool::Lease& lease) {
  Connection& conn = lease.conn();
  if (conn.broken()) return;  // the pool drops it
  if (conn.InTransaction() && !conn.Exec("ROLLBACK", "rollback").ok()) lease.Discard();
}

// One attempt: BEGIN, fn, COMMIT (or ROLLBACK). REQUIRES: no transaction open on the session.
// `alone`: a write that runs alone in the cluster (kLockAlone).
// Round trips: BEGIN (and a write's LOCK TABLE) travel with fn's first statement
// (Connection::Ahead), and a read's COMMIT is answered while the session waits for its next
// transaction (Connection::CommitLater): a read of k statements costs k round trips.
// `read_alone`: a read whose first statement is Tx::Prefetch's sends it without BEGIN or COMMIT
// (one statement is its own snapshot in autocommit: the server parses and runs neither). If fn
// then needs any further statement, that statement is refused unsent and the attempt ends with
// kRetryInTransaction, whatever fn returned: its result may rest on a refused lookup, and a
// second statement would read another snapshot.
Attempt RunOnce(ConnectionPool::Lease& lease, Mode mode, const TxFn& fn, bool alone = false,
                bool deferred = false, bool read_alone = false) {
  Connection& conn = lease.conn();
  conn.ClearErrors();
  if (mode == Mode::kRead) {
    conn.Ahead({kBeginRead});
  } else if (deferred) {
    conn.Ahead({kBeginWrite, alone ? kLockAlone : kLockWriters, kDeferCommit});
  } else {
    conn.Ahead({kBeginWrite, alone ? kLockAlone : kLockWriters});
  }
  Status status;
  {
    PgTx tx(conn, /*read_only=*/mode == Mode::kRead, read_alone);
    status = fn(tx);
  }
  if (conn.has_ahead() && !conn.broken()) {
    // fn sent no statement: no transaction was opened, there is nothing to end.
    conn.DropAhead();
    return {status, Next::kDone};
  }
  conn.DropAhead();
  if (conn.commit_sent()) {
    // fn's last statement carried the COMMIT (Tx::CommitWithNextStatement).
    if (conn.broken()) {
      return {StoreError(StatusCode::kUnavailable,
                         "postgresql: connection lost during COMMIT; the outcome of the "
                         "transaction is unknown"),
              Next::kDone};
    }
    if (status.ok() && conn.first_error().ok() && !conn.InTransaction()) {
      return {Status::Ok(), Next::kDone};
    }
    // The statement failed (the transaction is failed and still open) or the COMMIT did (the
    // server rolled it back): as for a failed commit below.
    Status failure = !status.ok() ? status : conn.first_error();
    if (failure.ok()) {
      failure = StoreError(StatusCode::kInternal, "postgresql: the transaction did not commit");
    }
    const bool conflict = pg::IsRetryableSqlState(conn.first_error_sqlstate());
    conn.ClearErrors();  // lets the ROLLBACK of a failed statement go out
    Rollback(lease);
    return {failure, conflict && mode == Mode::kWrite ? Next::kRetryConflict : Next::kDone};
  }
  if (conn.broken()) {
    // Nothing was committed. A Write may re-run fn (Store::Write's contract); so may a Read whose
    // session was found lost before anything of it reached the server (a pooled session the
    // server dropped meanwhile).
    Status lost = !conn.first_error().ok() ? conn.first_error() : status;
    if (lost.ok()) lost = StoreError(StatusCode::kUnavailable, "postgresql: connection lost");
    const bool again = mode == Mode::kWrite || conn.lost_before_transaction();
    return {lost, again ? Next::kRetryLostSession : Next::kDone};
  }
  if (conn.refused()) {
    // Only the lone prefetch reached the server (no transaction block is open): start over.
    conn.ClearErrors();
    return {status, Next::kRetryInTransaction};
  }
  const bool conflict =
      !conn.first_error().ok() && pg::IsRetryableSqlState(conn.first_error_sqlstate());
  if (!status.ok() || conn.InFailedTransaction()) {
    // fn failed, or a statement failed and fn went on regardless: the transaction cannot commit.
    Status failure = status;
    if (failure.ok()) {
      failure = !conn.first_error().ok()
                    ? conn.first_error()
                    : StoreError(StatusCode::kInternal, "postgresql: the transaction failed");
    }
    Rollback(lease);
    return {failure, conflict && mode == Mode::kWrite ? Next::kRetryConflict : Next::kDone};
  }
  if (mode == Mode::kRead) {
    if (!conn.InTransaction()) {
      // The lone prefetch: no block to end. Had it failed, fn's answer could not rest on it.
      return {conn.first_error(), Next::kDone};
    }
    // Nothing to make durable: the answer is read before the session's next statement.
    Status sent = conn.CommitLater();
    if (!sent.ok()) lease.Discard();
    return {Status::Ok(), Next::kDone};
  }
  Status committed = conn.Exec("COMMIT", "commit");
  if (committed.ok()) return {Status::Ok(), Next::kDone};
  if (pg::IsRetryableSqlState(conn.first_error_sqlstate()) && mode == Mode::kWrite) {
    return {committed, Next::kRetryConflict};  // the server rolled it back
  }
  if (conn.broken() && mode == Mode::kWrite) {
    return {StoreError(StatusCode::kUnavailable,
                       "postgresql: connection lost during COMMIT; the outcome of the "
                       "transaction is unknown"),
            Next::kDone};
  }
  Rollback(lease);
  return {committed, Next::kDone};
}

// Admission of this store's write attempts. Every attempt holds the gate shared, except one
// that follows kExclusiveAfterConflicts conflicts: it waits until the store's other writes are
// done and holds the gate alone, so it cannot lose to them again. This bounds the retries on rows
// that one node's threads all update (its audit chain, a hot counter); conflicts with other nodes
// are left to the backoff. Waiting exclusive attempts go first (no starvation).
class WriteGate {
 public:
  // Holds the gate for its lifetime.
  class Hold {
   public:
    Hold(WriteGate& gate, bool exclusive) : gate_(gate), exclusive_(exclusive) {
      gate_.Lock(exclusive_);
    }
    ~Hold() { gate_.Unlock(exclusive_); }
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;

   private:
    WriteGate& gate_;
    const bool exclusive_;
  };

  void Lock(bool exclusive) EXCLUDES(mu_) {
    MutexLock lock(mu_);
    if (exclusive) {
      ++exclusive_waiting_;
      while (exclusive_ || shared_ != 0) cv_.Wait(mu_);
      --exclusive_waiting_;
      exclusive_ = true;
    } else {
      while (exclusive_ || exclusive_waiting_ != 0) cv_.Wait(mu_);
      ++shared_;
    }
  }
  void Unlock(bool exclusive) EXCLUDES(mu_) {
    {
      MutexLock lock(mu_);
      if (exclusive) {
        exclusive_ = false;
      } else {
        --shared_;
      }
    }
    cv_.SignalAll();
  }

 private:
  Mutex mu_;
  CondVar cv_;  // signalled when a holder lets go
  int shared_ GUARDED_BY(mu_) = 0;
  int exclusive_waiting_ GUARDED_BY(mu_) = 0;
  bool exclusive_ GUARDED_BY(mu_) = false;
};

constexpr int kExclusiveAfterConflicts = 2;
constexpr int kClusterAloneAfterConflicts = 4;

class PgStore final : public Store {
 public:
  explicit PgStore(const PgOptions& options)
      : create_schema_(options.create_schema),
        pool_(pg::ConnectionSettings{options.url, options.connect_timeout_s,
                                     options.statement_timeout_ms},
              std::max(1, options.pool_size),
              std::chrono::milliseconds(std::max(0, options.acquire_timeout_ms)),
              options.acquire_wait) {}

  // Opens the first session, migrates the schema with it and keeps it in the pool.
  Status Init() {
    VS_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, Connection::Open(pool_.settings()));
    if (!create_schema_) {
      VS_ASSIGN_OR_RETURN(int version, pg::ReadSchemaVersion(*conn));
      if (version == 0) {
        return StoreError(StatusCode::kNotFound,
                          "postgresql: the database holds no voxsecrets schema");
      }
    }
    VS_RETURN_IF_ERROR(pg::ApplyMigrations(*conn, kPostgresMigrations));
    // Migration 3 goes on without the trigram index when pg_trgm cannot be had.
    VS_ASSIGN_OR_RETURN(
        pg::Rows trgm,
        conn->Query("SELECT to_regclass('secrets_name_trgm') IS NOT NULL", pg::Params()));
    if (trgm.size() == 1 && !trgm.Bool(0, 0)) {
      warnings_.push_back(
          "the database has no trigram index of secret names (pg_trgm could not be created): "
          "GetSecrets with secret_name_part scans the application's secrets; docs/SCHEMA.md "
          "says how to add it");
    }
    pool_.AddIdle(std::move(conn));
    return Status::Ok();
  }

  // Store
  Status Read(const TxFn& fn) override { return Run(Mode::kRead, fn); }

  Status Write(const TxFn& fn) override { return WriteWith(fn, /*deferred=*/false); }
  Status WriteDeferred(const TxFn& fn) override { return WriteWith(fn, /*deferred=*/true); }

  Result<int> SchemaVersion() override {
    for (int attempt = 0;; ++attempt) {
      VS_ASSIGN_OR_RETURN(ConnectionPool::Lease lease, pool_.Acquire());
      Result<int> version = pg::ReadSchemaVersion(lease.conn());
      if (version.ok() || !lease.conn().broken() || attempt > 0) return version;
    }
  }

  std::string_view BackendName() const override { return "postgresql"; }
  std::vector<std::string> Warnings() const override { return warnings_; }

 private:
  // Write and WriteDeferred (see kDeferCommit).
  Status WriteWith(const TxFn& fn, bool deferred) {
    const std::thread::id self = std::this_thread::get_id();
    {
      MutexLock lock(writers_mu_);
      if (std::find(writers_.begin(), writers_.end(), self) != writers_.end()) {
        return StoreError(StatusCode::kInternal, "store: Write called inside a Write callback");
      }
      writers_.push_back(self);
    }
    struct WriterReset {
      PgStore& store;
      std::thread::id self;
      ~WriterReset() {
        MutexLock lock(store.writers_mu_);
        store.writers_.erase(std::find(store.writers_.begin(), store.writers_.end(), self));
      }
    } reset{*this, self};
    return Run(Mode::kWrite, fn, deferred);
  }

  Status Run(Mode mode, const TxFn& fn, bool deferred = false) {
    bool replaced_session = false;
    bool read_alone = true;  // until a read showed that it needs a transaction
    int conflicts = 0;
    std::optional<ConnectionPool::Lease> lease;
    while (true) {
      if (!lease) {
        VS_ASSIGN_OR_RETURN(ConnectionPool::Lease acquired, pool_.Acquire());
        lease.emplace(std::move(acquired));
      }
      Attempt attempt;
      if (mode == Mode::kWrite) {
        WriteGate::Hold hold(gate_, /*exclusive=*/conflicts >= kExclusiveAfterConflicts);
        attempt =
            RunOnce(*lease, mode, fn, /*alone=*/conflicts >= kClusterAloneAfterConflicts, deferred);
      } else {
        attempt = RunOnce(*lease, mode, fn, /*alone=*/false, /*deferred=*/false, read_alone);
      }
      switch (attempt.next) {
        case Next::kDone:
          return attempt.status;
        case Next::kRetryInTransaction:
          read_alone = false;
          break;
        case Next::kRetryLostSession:
          if (replaced_session) return attempt.status;
          replaced_session = true;
          lease->Discard();
          lease.reset();
          break;
        case Next::kRetryConflict:
          if (++conflicts >= kPgMaxWriteAttempts) {
            return StoreError(
                StatusCode::kUnavailable,
                "postgresql: the transaction kept conflicting with concurrent ones (" +
                    std::to_string(conflicts) + " attempts)");
          }
          Backoff(conflicts);
          break;
      }
    }
  }

  // Sleeps before the re-run after the n-th conflict: about 1, 2, 4, ... 32 ms, with jitter so
  // that transactions that collided do not collide again in lockstep.
  void Backoff(int n) {
    const int64_t base_us = int64_t{1000} << std::min(n - 1, 5);
    int64_t sleep_us = 0;
    {
      MutexLock lock(jitter_mu_);
      sleep_us =
          std::uniform_int_distribution<int64_t>(base_us / 2, base_us + base_us / 2)(jitter_);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(sleep_us));
  }

  const bool create_schema_;
  std::vector<std::string> warnings_;  // set by Init, then constant
  ConnectionPool pool_;
  WriteGate gate_;
  Mutex jitter_mu_;
  // Not for secrets: only spreads retries.
  std::minstd_rand jitter_ GUARDED_BY(jitter_mu_){
      static_cast<uint32_t>(std::chrono::steady_clock::now().time_since_epoch().count())};
  Mutex writers_mu_;
  std::vector<std::thread::id> writers_ GUARDED_BY(writers_mu_);  // threads inside Write
};

}  // namespace

Result<StorePtr> OpenPgStore(const PgOptions& options) {
  auto store = std::make_unique<PgStore>(options);
  VS_RETURN_IF_ERROR(store->Init());
  return StorePtr(std::move(store));
}

}  // namespace voxsecrets::store
