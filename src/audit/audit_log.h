// AuditLog: the writer of one audit chain (docs/AUDIT.md). One per server process: Open()
// registers a new chain in the store, and every record this process writes is appended to it.
//
// Two ways to append:
//  - AppendInTransaction(tx, entry): inside the caller's write transaction, so the record commits
//    with the caller's change or not at all (mutations). The caller reports the commit with
//    Committed(record) so the record is exported.
//  - AppendDurable(entry): in a transaction of its own, returning OK only once the record is
//    durable (reads such as GetSecretValue, and calls that failed). With group commit on, a
//    committer thread writes the entries waiting at that moment in one transaction (one fsync
//    for the batch); each caller waits for its batch, at most `durable_timeout`.
// Appends to the chain are serialized by AuditRepository::LockChain in each transaction, so
// mutations and batches interleave safely, and other processes (nodes) write their own chains.
//
// Failure: any error of the store fails the append, and the caller must fail the call (no value
// without a record); so does a full queue (AuditLogOptions::max_queue: kOverloaded). A batch
// that fails fails every entry in it. A waiter that times out gets kUnavailable although its
// record may still commit later (the record then overstates: it says the call was answered while
// the caller got an error; it never understates).
//
// Thread-safety: every method may be called concurrently.
// Ownership: `store`, and the exporter and logger in the options, must outlive the AuditLog.
// The destructor writes what is still queued, then stops the committer thread.
#ifndef VOXSECRETS_AUDIT_AUDIT_LOG_H_
#define VOXSECRETS_AUDIT_AUDIT_LOG_H_

#include <chrono>
#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "audit/audit_entry.h"
#include "audit/audit_exporter.h"
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
  // Batch concurrent AppendDurable calls (one transaction per batch). Default true.
  bool group_commit = true;
  // Whether each batch of separately written records (reads, failed and refused calls) is
  // fsynced before its callers are answered. false (default): the batch commit is in the
  // database's log before the answer leaves, so it survives a crash of the server, and reaches
  // stable storage with the next mutation or checkpoint (Store::WriteDeferred). true: every batch
  // is a full durable commit (one fsync per batch on SQLite).
  bool sync_every_batch = false;
  // Entries per batch at most. Default 256.
  size_t max_batch = 256;
  // Entries waiting for the committer at most: AppendDurable beyond that fails at once with
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
  int64_t batches = 0;          // AppendDurable transactions committed
  int64_t failures = 0;         // appends that failed
  int64_t export_failures = 0;  // export calls that failed
  int64_t queued = 0;           // AppendDurable entries waiting for the committer right now
  int64_t overloaded = 0;       // AppendDurable calls refused: the queue was full
};

class AuditLog {
 public:
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

  // Appends in its own transaction; OK once the record is durable.
  Status AppendDurable(const AuditEntry& entry);

  AuditLogStats stats() const;

 private:
  struct Pending {
    AuditEntry entry;
    std::promise<Status> done;
  };

  AuditLog(store::Store& store, AuditLogOptions options, int64_t chain_id);
  // Appends `entries` to the chain in `tx`; `out` receives the records.
  Status AppendAll(store::Tx& tx, const std::vector<const AuditEntry*>& entries,
                   std::vector<store::AuditRecord>& out);
  Status WriteBatch(const std::vector<const AuditEntry*>& entries) EXCLUDES(mu_);
  void Export(std::span<const store::AuditRecord> records) EXCLUDES(mu_);
  void RunCommitter() EXCLUDES(mu_);

  store::Store& store_;
  const AuditLogOptions options_;
  const int64_t chain_id_;

  mutable Mutex mu_;
  CondVar cv_;  // signalled when queue_ or stopping_ changed
  std::deque<Pending> queue_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  AuditLogStats stats_ GUARDED_BY(mu_);
  std::thread committer_;  // started last, joined first
};

}  // namespace voxsecrets::audit

#endif  // VOXSECRETS_AUDIT_AUDIT_LOG_H_
