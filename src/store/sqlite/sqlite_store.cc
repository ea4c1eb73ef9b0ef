#include "store/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "common/mutex.h"
#include "store/schema/sqlite_migrations.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_migrate.h"
#include "store/sqlite/sqlite_repositories.h"
#include "store/store_error.h"

namespace voxsecrets::store {
namespace {

using sqlite::Connection;

// STRICT tables need SQLite 3.37; RETURNING 3.35; sqlite3_changes64 3.37.
constexpr int kMinSqliteVersion = 3037000;

// Process-wide SQLite settings, applied before the library initializes (sqlite3_config fails
// with SQLITE_MISUSE afterwards, e.g. when a second store opens: it then keeps what the first
// applied). Memory statistics off: with them on, every sqlite3_malloc and sqlite3_free of every
// connection takes one process-wide mutex (Debian's SQLite has no lookaside allocator, so a
// statement step allocates), which the I/O threads, the audit committer and the checkpointer
// contend for. voxsecrets never reads sqlite3_memory_used().
void ConfigureSqliteLibrary() { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }

// The repositories of one transaction, all on the same connection.
class SqliteTx final : public Tx {
 public:
  explicit SqliteTx(Connection& conn)
      : conn_(conn),
        accounts_(conn),
        keys_(conn),
        applications_(conn),
        secrets_(conn),
        secret_versions_(conn),
        data_keys_(conn),
        meta_(conn),
        audit_(conn),
        copy_(conn) {}

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
  Status Savepoint() override { return Run("SAVEPOINT vs_call"); }
  Status ReleaseSavepoint() override { return Run("RELEASE vs_call"); }
  // After some errors (SQLITE_FULL, I/O errors) SQLite has already rolled the whole transaction
  // back: ROLLBACK TO then fails (no such savepoint), which ends the batch as the contract says.
  Status RollbackToSavepoint() override {
    VS_RETURN_IF_ERROR(Run("ROLLBACK TO vs_call"));
    return Run("RELEASE vs_call");
  }

 private:
  Status Run(std::string_view sql) {
    VS_ASSIGN_OR_RETURN(sqlite::StatementLease stmt, conn_.Prepare(sql));
    return stmt->Run();
  }

  Connection& conn_;
  sqlite::SqliteAccountRepository accounts_;
  sqlite::SqliteKeyRepository keys_;
  sqlite::SqliteApplicationRepository applications_;
  sqlite::SqliteSecretRepository secrets_;
  sqlite::SqliteSecretVersionRepository secret_versions_;
  sqlite::SqliteDataKeyRepository data_keys_;
  sqlite::SqliteMetaRepository meta_;
  sqlite::SqliteAuditRepository audit_;
  sqlite::SqliteCopyRepository copy_;
};

// Runs `fn` between BEGIN [IMMEDIATE] and COMMIT on `conn`; rolls back when `fn` fails, when
// COMMIT fails, or when `fn` throws.
Status RunTransaction(Connection& conn, bool immediate, const TxFn& fn) {
  VS_RETURN_IF_ERROR(conn.Begin(immediate));
  struct RollbackGuard {
    Connection& conn;
    bool armed = true;
    ~RollbackGuard() {
      if (armed) conn.RollbackIfActive();
    }
  } guard{conn};
  Status status;
  {
    SqliteTx tx(conn);
    status = fn(tx);
  }
  if (!status.ok()) return status;
  VS_RETURN_IF_ERROR(conn.Commit());
  guard.armed = false;
  return Status::Ok();
}

// Checkpoints off the write path. SQLite's automatic checkpoint runs inside the commit that
// crosses 1000 pages of log: that commit (and every call waiting behind the writer) then waits
// for the copy into the database file and its fsync, tens of milliseconds on a slow disk. Here
// the writer's commits only signal (sqlite3_wal_hook), and a thread of its own checkpoints on a
// connection of its own, beside the writer and the readers, each time the log grew by
// SqliteOptions::checkpoint_pages.
//
// PASSIVE, then RESTART: the log starts again from its beginning only when a write begins after
// a checkpoint copied all of it. The audit trail commits a batch every few hundred microseconds
// under load, so PASSIVE checkpoints alone (which let the writer go on) rarely caught up: the
// log was restarted only in lulls and grew by every batch meanwhile (to 193 MB in 12 s of
// GetSecretValue at 16 connections; 495 to 678 MB with a checkpoint per 4000 pages), and each
// commit above 1000 pages asked for another checkpoint with its two fsyncs. So each checkpoint
// is a PASSIVE one (the bulk of the copy and the database's fsync, the writer going on), then a
// RESTART one, which holds the write lock while it copies and syncs what was committed meanwhile
// and waits briefly for readers to leave the log (docs/BENCHMARKS.md "The log's checkpoints").
class Checkpointer {
 public:
  // How long a checkpoint waits for the writer, and then for readers to leave the log.
  static constexpr int kMaxWaitMs = 5;

  Checkpointer(std::unique_ptr<Connection> conn, int pages)
      : conn_(std::move(conn)), pages_(pages) {
    thread_ = std::thread([this] { Run(); });
  }
  ~Checkpointer() EXCLUDES(mu_) {
    {
      MutexLock lock(mu_);
      stopping_ = true;
    }
    cv_.Signal();
    thread_.join();
  }
  // From the writer's commit hook (one commit at a time: the store's writer mutex): the log
  // holds `wal_pages` pages.
  void Committed(int wal_pages) EXCLUDES(mu_) {
    if (wal_pages < requested_at_) requested_at_ = 0;  // the log was restarted
    if (wal_pages - requested_at_ < pages_) return;
    requested_at_ = wal_pages;
    {
      MutexLock lock(mu_);
      if (wanted_) return;
      wanted_ = true;
    }
    cv_.Signal();
  }

 private:
  void Run() EXCLUDES(mu_) {
    MutexLock lock(mu_);
    while (true) {
      while (!stopping_ && !wanted_) cv_.Wait(mu_);
      if (stopping_) return;
      wanted_ = false;
      lock.Unlock();
      // The bulk of the copy and its fsyncs first, without the write lock; then, under it, the
      // few pages committed meanwhile, and the restart. A failure is left for the next one: the
      // log only grows until a checkpoint succeeds.
      (void)conn_->CheckpointPassive();
      (void)conn_->CheckpointRestart(kMaxWaitMs);
      lock.Lock();
    }
  }

  std::unique_ptr<Connection> conn_;  // used by the thread only
  const int pages_;
  int requested_at_ = 0;  // the log's size at the last request; the commit hook's only
  Mutex mu_;
  CondVar cv_;  // signalled when wanted_ or stopping_ is set
  bool wanted_ GUARDED_BY(mu_) = false;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

class SqliteStore final : public Store {
 public:
  SqliteStore(std::unique_ptr<Connection> writer, std::vector<std::unique_ptr<Connection>> readers,
              Histogram* read_wait, Histogram* write_wait, std::unique_ptr<Connection> checkpointer,
              int checkpoint_pages)
      : read_wait_(read_wait),
        write_wait_(write_wait),
        writer_(std::move(writer)),
        readers_(std::move(readers)),
        checkpointer_(std::make_unique<Checkpointer>(std::move(checkpointer), checkpoint_pages)) {
    for (auto& reader : readers_) free_readers_.push_back(reader.get());
    Checkpointer* target = checkpointer_.get();
    (void)writer_->TakeOverCheckpoints([target](int pages) { target->Committed(pages); });
  }

  // Store
  Status Read(const TxFn& fn) override {
    ReaderLease lease(*this);
    return RunTransaction(lease.conn(), /*immediate=*/false, fn);
  }

  Status Write(const TxFn& fn) override { return WriteWith(fn, /*deferred=*/false); }

  // WAL + synchronous=NORMAL: the commit is written to the WAL (so a process crash keeps it)
  // without an fsync; the next FULL commit or checkpoint syncs the WAL with it.
  Status WriteDeferred(const TxFn& fn) override { return WriteWith(fn, /*deferred=*/true); }

  Result<int> SchemaVersion() override {
    ReaderLease lease(*this);
    return sqlite::ReadSchemaVersion(lease.conn());
  }

  std::string_view BackendName() const override { return "sqlite"; }

 private:
  // The one write path. The writer connection's synchronous level is switched only when the
  // next transaction needs another one (FULL for Write, NORMAL for WriteDeferred): a durable
  // Write always switches to FULL before it runs, and if that fails it runs nothing, so a durable
  // Write never commits at NORMAL.
  Status WriteWith(const TxFn& fn, bool deferred) EXCLUDES(write_mu_) {
    if (writing_thread_.load() == std::this_thread::get_id()) {
      return StoreError(StatusCode::kInternal, "store: Write called inside a Write callback");
    }
    const auto started = std::chrono::steady_clock::now();
    MutexLock lock(write_mu_);
    Observe(write_wait_, started);
    writing_thread_.store(std::this_thread::get_id());
    struct OwnerReset {
      std::atomic<std::thread::id>& owner;
      ~OwnerReset() { owner.store(std::thread::id()); }
    } reset{writing_thread_};
    if (deferred != writer_deferred_) {
      writer_deferred_ = true;  // unknown until the switch succeeded: a Write switches again
      VS_ASSIGN_OR_RETURN(
          sqlite::StatementLease pragma,
          writer_->Prepare(deferred ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL"));
      VS_RETURN_IF_ERROR(pragma->Run());
      writer_deferred_ = deferred;
    }
    return RunTransaction(*writer_, /*immediate=*/true, fn);
  }

  // A read connection taken from the pool for the lifetime of the lease.
  class ReaderLease {
   public:
    explicit ReaderLease(SqliteStore& store) : store_(store) {
      MutexLock lock(store_.pool_mu_);
      if (store_.free_readers_.empty()) {
        const auto started = std::chrono::steady_clock::now();
        while (store_.free_readers_.empty()) store_.pool_cv_.Wait(store_.pool_mu_);
        Observe(store_.read_wait_, started);
      } else if (store_.read_wait_ != nullptr) {
        store_.read_wait_->Observe(0);
      }
      conn_ = store_.free_readers_.back();
      store_.free_readers_.pop_back();
    }
    ~ReaderLease() {
      {
        MutexLock lock(store_.pool_mu_);
        store_.free_readers_.push_back(conn_);
      }
      store_.pool_cv_.Signal();
    }
    ReaderLease(const ReaderLease&) = delete;
    ReaderLease& operator=(const ReaderLease&) = delete;
    Connection& conn() { return *conn_; }

   private:
    SqliteStore& store_;
    Connection* conn_ = nullptr;
  };

  static void Observe(Histogram* histogram, std::chrono::steady_clock::time_point started) {
    if (histogram == nullptr) return;
    histogram->Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }

  Histogram* const read_wait_;
  Histogram* const write_wait_;
  Mutex write_mu_;
  std::unique_ptr<Connection> writer_ PT_GUARDED_BY(write_mu_);  // closed last
  std::atomic<std::thread::id> writing_thread_{};                // the thread inside Write, if any
  bool writer_deferred_ GUARDED_BY(write_mu_) = false;           // writer not known at FULL

  std::vector<std::unique_ptr<Connection>> readers_;  // owns the pool; fixed after construction
  Mutex pool_mu_;
  CondVar pool_cv_;  // signalled when a reader is returned
  std::vector<Connection*> free_readers_ GUARDED_BY(pool_mu_);
  // Destroyed first: its thread stops before the writer that signals it goes.
  std::unique_ptr<Checkpointer> checkpointer_;
};

// Creates the database file readable by its owner only, unless it already exists (SQLite gives
// the -wal and -shm files the same permissions).
void CreatePrivateFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) ::close(fd);
  // Any failure (it exists, or the directory is missing) is left for SQLite to report.
}

}  // namespace

Result<StorePtr> OpenSqliteStore(const SqliteOptions& options) {
  if (sqlite3_threadsafe() == 0) {
    return StoreError(StatusCode::kInternal,
                      "sqlite: the SQLite library was built without thread support");
  }
  if (sqlite3_libversion_number() < kMinSqliteVersion) {
    return StoreError(StatusCode::kInternal, std::string("sqlite: SQLite ") + sqlite3_libversion() +
                                                 " is too old; 3.37 or newer is required");
  }
  if (options.path.empty() || options.path == ":memory:") {
    return StoreError(StatusCode::kInternal, "sqlite: a database file path is required");
  }
  ConfigureSqliteLibrary();
  CreatePrivateFile(options.path);
  const int busy_timeout_ms = std::max(0, options.busy_timeout_ms);

  VS_ASSIGN_OR_RETURN(
      std::unique_ptr<Connection> writer,
      Connection::Open(options.path, Connection::Mode::kReadWrite, busy_timeout_ms, options.vfs));
  VS_ASSIGN_OR_RETURN(std::string journal_mode, writer->QueryText("PRAGMA journal_mode = WAL"));
  if (journal_mode != "wal") {
    return StoreError(StatusCode::kInternal,
                      "sqlite: could not switch the database to WAL mode (journal_mode is '" +
                          journal_mode + "')");
  }
  VS_RETURN_IF_ERROR(sqlite::ApplyMigrations(*writer, kSqliteMigrations));

  std::vector<std::unique_ptr<Connection>> readers;
  const int reader_count = std::max(1, options.read_connections);
  for (int i = 0; i < reader_count; ++i) {
    VS_ASSIGN_OR_RETURN(
        std::unique_ptr<Connection> reader,
        Connection::Open(options.path, Connection::Mode::kReadOnly, busy_timeout_ms, options.vfs));
    VS_ASSIGN_OR_RETURN(std::string reader_mode, reader->QueryText("PRAGMA journal_mode"));
    if (reader_mode != "wal") {
      return StoreError(StatusCode::kInternal, "sqlite: a read connection is not in WAL mode");
    }
    readers.push_back(std::move(reader));
  }
  VS_ASSIGN_OR_RETURN(
      std::unique_ptr<Connection> checkpointer,
      Connection::Open(options.path, Connection::Mode::kReadWrite, busy_timeout_ms, options.vfs));
  return StorePtr(std::make_unique<SqliteStore>(
      std::move(writer), std::move(readers), options.read_wait, options.write_wait,
      std::move(checkpointer), std::max(1, options.checkpoint_pages)));
}

}  // namespace voxsecrets::store
