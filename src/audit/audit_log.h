// AuditLog: the writer of one audit chain (docs/AUDIT.md), and the group committer of the calls
// whose records it writes. One per server process: Open() registers a new chain in the store,
// and every record this process writes is appended to it.
//
// Ways to append:
//  - AppendInTransaction(tx, entry): inside the caller's write transaction, so the record commits
//    with the caller's change or not at all. The caller reports the commit with Committed(record)
//    so the record is exported.
//  - Submit(job): asynchronous group commit. A committer thread takes every job waiting (at most
//    max_batch) and runs them in ONE write transaction: each job's `run` (a write call's work;
//    absent for a call that is already done, such as a read) in its own savepoint — a failing
//    run is undone alone and the others go on — then every job's record (given as `entry`, or
//    made by `record` from the outcome of its run), in one multi-record insert, then one commit:
//    durable (one fsync for the whole batch) when the batch holds a run, else deferred
//    (WriteDeferred: in the database's log before anyone is told) unless sync_every_batch. Then
//    each job's `done` learns the outcome of its run and of the batch. A batch that fails to
//    commit has stored nothing: every job in it learns that, and no job of another batch is
//    affected.
//  - AppendDurable(entry): Submit of a record alone, waiting for its batch (at most
//    durable_timeout).
// Appends to the chain are serialized by AuditRepository::LockChain in each transaction, so
// mutations and batches interleave safely, and other processes (nodes) write their own chains.
//
// Failure: any error of the store fails the append, and the caller must fail the call (no value
// without a record); so does a full queue (AuditLogOptions::max_queue: kOverloaded). A batch
// that fails fails every job in it. A waiter that times out gets kUnavailable although its
// record may still commit later (the record then overstates: it says the call was answered while
// the caller got an error; it never understates).
//
// Thread-safety: every method may be called concurrently. Job callbacks run on the committer
// thread (or, with group_commit off, on the submitting thread) and must not wait for the
// AuditLog.
// Ownership: `store`, and the exporter and logger in the options, must outlive the AuditLog.
// The destructor commits what is still queued, then stops the committer thread.
#ifndef VOXSECRETS_AUDIT_AUDIT_LOG_H_
#define VOXSECRETS_AUDIT_AUDIT_LOG_H_

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "audit/audit_entry.h"
#include "audit/audit_exporter.h"
#include "audit/audit_hash.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/mutex.h"
#include "common/status.h"
#include "store/store.h"

namespace voxsecrets::audit {

struct AuditLogOptions {
  // Who writes the chain, stored with it ("host:pid"). Default empty.
  std::string label;
  // created_ms of the chain. Default 0 (the caller passes its clock's now).
  int64_t created_ms = 0;
  // Batch concurrent submissions (one transaction per batch, on a committer thread). Default
  // true. When false, each Submit runs its batch of one on the calling thread.
  bool group_commit = true;
  // Whether each batch of records without a run (reads, failed and refused calls) is fsynced
  // before its callers are answered. false (default): the batch commit is in the database's log
  // before the answer leaves, so it survives a crash of the server, and reaches stable storage
  // with the next durable commit or checkpoint (Store::WriteDeferred). true: every batch is a
  // full durable commit (one fsync per batch on SQLite). Batches that carry runs are always
  // durable.
  bool sync_every_batch = false;
  // Jobs per batch at most. Default 256.
  size_t max_batch = 256;
  // Under load (the previous batch committed less than `busy_gap` ago), the committer lets a
  // batch gather for up to `batch_window` after its oldest job was queued (or until max_batch)
  // before it commits: a commit costs the same for one record or a hundred (the pages of the
  // table, its indexes and the chain head go to the log each time), so larger batches cost less
  // per call. An idle committer commits at once. 0 turns the window off.
  std::chrono::microseconds batch_window{250};
  std::chrono::microseconds busy_gap{2000};
  // Jobs waiting for the committer at most: a Submit beyond that is refused at once with
  // kOverloaded (the server is saturated; the API answers 429 / error 340 and, for a read, no
  // value) instead of queueing without bound. Default 4096.
  size_t max_queue = 4096;
  // How long AppendDurable waits for its batch. Default 10 s.
  std::chrono::milliseconds durable_timeout{10000};
  // Receives records after they committed; nullptr = no export. Not owned.
  AuditExporter* exporter = nullptr;
  // Told about failed exports (no record content is logged); nullptr = silent. Not owned.
  Logger* logger = nullptr;
  // Observes the number of records of every AppendDurable batch (metrics); nullptr = none. Not
  // owned.
  Histogram* batch_sizes = nullptr;
};

struct AuditLogStats {
  int64_t records = 0;          // records committed by this writer
  int64_t batches = 0;          // group-commit transactions committed
  int64_t runs = 0;             // job runs committed (write calls)
  int64_t failures = 0;         // appends that failed
  int64_t failed_batches = 0;   // group-commit transactions that did not commit
  int64_t export_failures = 0;  // export calls that failed
  int64_t queued = 0;           // jobs waiting for the next batch right now
  int64_t largest_batch = 0;    // the most jobs one batch carried
  int64_t overloaded = 0;       // submissions refused: the queue was full
};

class AuditLog {
 public:
  // One submission (see the file comment).
  struct Job {
    std::chrono::steady_clock::time_point queued{};  // set by Submit
    // The call's work in the batch transaction; empty when there is none. It runs in its own
    // savepoint and may run more than once (a batch is re-run after a serialization failure on
    // PostgreSQL), so it must have no effects outside the transaction that cannot be repeated.
    store::TxFn run;
    // The call's record when it is known at Submit: a call without `run` (a read, a failed or
    // refused call). The committer takes it (moves it into the stored record) and `record` is
    // not called.
    std::optional<AuditEntry> entry;
    // Otherwise the call's record, given the outcome of `run` (OK without one). Called in the
    // batch transaction, after every run of the batch; may be called again if the batch is
    // re-run. nullopt: the call leaves no record of its own (a refusal counted into an aggregate
    // record, audit/refusal_log.h).
    std::function<std::optional<AuditEntry>(const Status& run_outcome)> record;
    // Called once, after the batch: `run_outcome` as given to `record`; `committed` OK when the
    // batch (and so the run's work and the record) committed, else why nothing of it did.
    std::function<void(const Status& run_outcome, const Status& committed)> done;
  };

  static Result<std::unique_ptr<AuditLog>> Open(store::Store& store, AuditLogOptions options);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  int64_t chain_id() const { return chain_id_; }

  // Appends inside `tx` (REQUIRES: a write transaction) and returns the record as stored.
  // May be called again for a retried transaction; only the attempt that commits counts.
  Result<store::AuditRecord> AppendInTransaction(store::Tx& tx, const AuditEntry& entry);
  // The transaction that holds `record` committed: export it.
  void Committed(const store::AuditRecord& record);

  // Queues `job` for the next batch. REQUIRES: job.done is set, and job.entry (then without
  // job.run) or job.record. When the log is
  // shutting down, `done` is called at once with kUnavailable for both outcomes; when max_queue
  // jobs are waiting, with kOverloaded.
  void Submit(Job job);

  // Appends in a batch; OK once the record is durable (as the batch's durability says).
  Status AppendDurable(const AuditEntry& entry);

  AuditLogStats stats() const;

 private:
  AuditLog(store::Store& store, AuditLogOptions options, int64_t chain_id);
  // Appends `records` (their content made by ToRecord) to the chain in `tx`: sets their id,
  // chain_id, seq, prev_hash and hash, then stores them. May be called again on the same
  // records for a retried transaction (those fields are set anew). `last`: the store is the
  // last thing the callback does in `tx` (Tx::CommitWithNextStatement), and AppendAll's status
  // is what it returns.
  Status AppendAll(store::Tx& tx, std::span<store::AuditRecord> records, AuditHasher& hasher,
                   bool last);
  // Runs `jobs` as one batch transaction and tells each its outcome.
  void RunBatch(std::span<Job> jobs) EXCLUDES(mu_);
  void Export(std::span<const store::AuditRecord> records) EXCLUDES(mu_);
  void RunCommitter() EXCLUDES(mu_);

  store::Store& store_;
  const AuditLogOptions options_;
  const int64_t chain_id_;

  mutable Mutex mu_;
  CondVar cv_;  // signalled when queue_ gets a job for an idle committer, or stopping_ is set
  std::deque<Job> queue_ GUARDED_BY(mu_);
  // The committer waits for work (only then is it woken).
  bool committer_idle_ GUARDED_BY(mu_) = false;
  std::chrono::steady_clock::time_point last_commit_end_{};  // committer thread only
  bool stopping_ GUARDED_BY(mu_) = false;
  AuditLogStats stats_ GUARDED_BY(mu_);
  std::thread committer_;  // started last, joined first
};

}  // namespace voxsecrets::audit

#endif  // VOXSECRETS_AUDIT_AUDIT_LOG_H_
