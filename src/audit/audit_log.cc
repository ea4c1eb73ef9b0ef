#include "audit/audit_log.h"

#include <algorithm>
#include <exception>
#include <future>
#include <optional>
#include <utility>

#include "audit/audit_hash.h"

namespace voxsecrets::audit {

Result<std::unique_ptr<AuditLog>> AuditLog::Open(store::Store& store, AuditLogOptions options) {
  int64_t chain_id = 0;
  store::AuditChainRecord chain;
  chain.created_ms = options.created_ms;
  chain.label = options.label;
  chain.head_hash = std::string(kGenesisHash);
  chain.pruned_hash = std::string(kGenesisHash);
  VS_RETURN_IF_ERROR(store.Write([&](store::Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(chain_id, tx.audit().InsertChain(chain));
    return Status::Ok();
  }));
  if (options.max_batch == 0) options.max_batch = 1;
  return std::unique_ptr<AuditLog>(new AuditLog(store, std::move(options), chain_id));
}

AuditLog::AuditLog(store::Store& store, AuditLogOptions options, int64_t chain_id)
    : store_(store), options_(std::move(options)), chain_id_(chain_id) {
  if (options_.group_commit) committer_ = std::thread([this] { RunCommitter(); });
}

AuditLog::~AuditLog() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  cv_.SignalAll();
  if (committer_.joinable()) committer_.join();
}

Status AuditLog::AppendAll(store::Tx& tx, std::span<store::AuditRecord> records,
                           AuditHasher& hasher, bool last) {
  if (records.empty()) return Status::Ok();
  store::AuditRepository& audit = tx.audit();
  // Two statements on PostgreSQL: the chain locked with the records' ids, then the records and
  // the new head (with the COMMIT when `last`).
  VS_ASSIGN_OR_RETURN(std::optional<store::AuditRepository::LockedChain> locked,
                      audit.LockChainTakingIds(chain_id_, static_cast<int64_t>(records.size())));
  if (!locked.has_value()) {
    return InternalError("audit: chain " + std::to_string(chain_id_) + " is gone");
  }
  const std::vector<int64_t>& ids = locked->ids;
  if (ids.size() != records.size()) return InternalError("audit: the store gave too few ids");
  int64_t seq = locked->chain.head_seq;
  const std::string* prev_hash = &locked->chain.head_hash;
  for (size_t i = 0; i < records.size(); ++i) {
    store::AuditRecord& record = records[i];
    record.id = ids[i];
    record.chain_id = chain_id_;
    record.seq = ++seq;
    record.prev_hash = *prev_hash;
    record.hash = hasher.Hash(record);
    if (record.hash.empty()) return InternalError("audit: hashing a record failed");
    prev_hash = &record.hash;
  }
  if (last) tx.CommitWithNextStatement();
  return audit.AppendToChain(chain_id_, records, seq, *prev_hash);
}

Result<store::AuditRecord> AuditLog::AppendInTransaction(store::Tx& tx, const AuditEntry& entry) {
  store::AuditRecord record = ToRecord(entry);
  AuditHasher hasher;
  Status status = AppendAll(tx, std::span<store::AuditRecord>(&record, 1), hasher, /*last=*/false);
  if (!status.ok()) {
    MutexLock lock(mu_);
    ++stats_.failures;
    return status;
  }
  return record;
}

void AuditLog::Committed(const store::AuditRecord& record) {
  {
    MutexLock lock(mu_);
    ++stats_.records;
  }
  Export(std::span<const store::AuditRecord>(&record, 1));
}

void AuditLog::Export(std::span<const store::AuditRecord> records) {
  if (options_.exporter == nullptr || records.empty()) return;
  Status status = options_.exporter->Export(records);
  if (status.ok()) return;
  bool first = false;
  {
    MutexLock lock(mu_);
    first = stats_.export_failures == 0;
    ++stats_.export_failures;
  }
  if (first && options_.logger != nullptr) {
    options_.logger->Warn("audit export failed; records stay in the database",
                          {{"error", std::string_view(status.message())}});
  }
}

void AuditLog::RunBatch(std::span<Job> jobs) {
  std::vector<Status> outcomes(jobs.size());
  std::vector<store::AuditRecord> records;
  bool runs = false;
  for (const Job& job : jobs) runs = runs || static_cast<bool>(job.run);
  // The records given at Submit (Job::entry) are made once, here. A batch of only those (reads)
  // keeps its records when the store re-runs it (AppendAll sets their place anew); any other
  // batch rebuilds its records at every attempt, as the outcomes of its runs may differ.
  std::vector<std::optional<store::AuditRecord>> given(jobs.size());
  bool all_given = true;
  Status prepared = Status::Ok();
  try {
    for (size_t i = 0; i < jobs.size(); ++i) {
      if (jobs[i].entry.has_value()) {
        given[i] = ToRecord(std::move(*jobs[i].entry));
      } else {
        all_given = false;
      }
    }
  } catch (const std::exception&) {
    prepared = InternalError("audit: exception while building a record");
  }
  if (all_given && prepared.ok()) {
    records.reserve(jobs.size());
    for (std::optional<store::AuditRecord>& record : given) records.push_back(std::move(*record));
  }
  AuditHasher hasher;  // one for the batch's records
  const store::TxFn batch = [&](store::Tx& tx) -> Status {
    for (size_t i = 0; i < jobs.size(); ++i) {
      outcomes[i] = Status::Ok();
      if (!jobs[i].run) continue;
      VS_RETURN_IF_ERROR(tx.Savepoint());
      try {
        outcomes[i] = jobs[i].run(tx);
      } catch (const std::exception&) {
        outcomes[i] = InternalError("audit: exception in a batched call");
      }
      // A failure to roll back or release ends the batch: its transaction cannot go on.
      VS_RETURN_IF_ERROR(outcomes[i].ok() ? tx.ReleaseSavepoint() : tx.RollbackToSavepoint());
    }
    if (!all_given) {
      records.clear();
      records.reserve(jobs.size());
      for (size_t i = 0; i < jobs.size(); ++i) {
        try {
          if (given[i].has_value()) {
            records.push_back(*given[i]);  // a copy: the batch may be re-run
          } else if (std::optional<AuditEntry> entry = jobs[i].record(outcomes[i])) {
            records.push_back(ToRecord(std::move(*entry)));
          }
        } catch (const std::exception&) {
          return InternalError("audit: exception while building a record");
        }
      }
    }
    return AppendAll(tx, records, hasher, /*last=*/true);
  };
  // A batch that carries changes is durable before anyone learns it committed.
  Status committed = !prepared.ok()                        ? prepared
                     : (runs || options_.sync_every_batch) ? store_.Write(batch)
                                                           : store_.WriteDeferred(batch);
  if (!committed.ok() && committed.code() != StatusCode::kUnavailable) {
    // Whatever stopped the batch (a failed commit or fsync, a record that could not be stored),
    // its calls get a server fault, never a caller's error such as kAlreadyExists.
    committed = Unavailable("audit: the batch was not committed: " + committed.message());
  }
  {
    MutexLock lock(mu_);
    if (committed.ok()) {
      stats_.records += static_cast<int64_t>(records.size());
      ++stats_.batches;
      if (options_.batch_sizes != nullptr) {
        options_.batch_sizes->Observe(static_cast<double>(records.size()));
      }
      for (size_t i = 0; i < jobs.size(); ++i) {
        if (jobs[i].run && outcomes[i].ok()) ++stats_.runs;
      }
    } else {
      stats_.failures += static_cast<int64_t>(jobs.size());
      ++stats_.failed_batches;
    }
    stats_.largest_batch = std::max(stats_.largest_batch, static_cast<int64_t>(jobs.size()));
  }
  // Exported before anyone is answered, so that an answered call's record is in the export.
  if (committed.ok()) Export(records);
  for (size_t i = 0; i < jobs.size(); ++i) jobs[i].done(outcomes[i], committed);
}

void AuditLog::Submit(Job job) {
  if (!options_.group_commit) {
    RunBatch(std::span<Job>(&job, 1));
    return;
  }
  bool wake = false;
  std::optional<Job> refused;  // answered outside the lock
  bool overloaded = false;
  job.queued = std::chrono::steady_clock::now();
  {
    MutexLock lock(mu_);
    if (stopping_) {
      refused.emplace(std::move(job));
    } else if (queue_.size() >= options_.max_queue) {
      ++stats_.overloaded;
      refused.emplace(std::move(job));
      overloaded = true;
    } else {
      queue_.push_back(std::move(job));
      // An idle committer needs a wake-up, and so does one gathering a batch (batch_window) once
      // the batch is full; a busy one takes the queue when it is done.
      wake = committer_idle_ || queue_.size() == options_.max_batch;
      committer_idle_ = false;
    }
  }
  if (refused) {
    const Status why = overloaded
                           ? Status(StatusCode::kOverloaded, "audit: the writer's queue is full")
                           : Unavailable("audit: the audit log is shutting down");
    refused->done(why, why);
    return;
  }
  if (wake) cv_.Signal();
}

Status AuditLog::AppendDurable(const AuditEntry& entry) {
  auto done = std::make_shared<std::promise<Status>>();
  std::future<Status> result = done->get_future();
  Job job;
  // A copy: the job may outlive this call when the wait below times out.
  job.entry = entry;
  job.done = [done](const Status&, const Status& committed) { done->set_value(committed); };
  Submit(std::move(job));
  if (result.wait_for(options_.durable_timeout) != std::future_status::ready) {
    return Unavailable("audit: the audit record was not confirmed in time");
  }
  return result.get();
}

void AuditLog::RunCommitter() {
  MutexLock lock(mu_);
  std::vector<Job> batch;
  while (true) {
    if (queue_.empty()) {
      if (stopping_) return;  // everything queued was written
      committer_idle_ = true;
      while (!stopping_ && queue_.empty()) cv_.Wait(mu_);
      committer_idle_ = false;
      continue;
    }
    // Under load, let the batch gather (see AuditLogOptions::batch_window).
    if (options_.batch_window.count() > 0 && queue_.size() < options_.max_batch &&
        std::chrono::steady_clock::now() - last_commit_end_ < options_.busy_gap) {
      const auto deadline = queue_.front().queued + options_.batch_window;
      while (!stopping_ && queue_.size() < options_.max_batch &&
             cv_.WaitUntil(mu_, deadline) != std::cv_status::timeout) {
      }
    }
    batch.clear();
    while (!queue_.empty() && batch.size() < options_.max_batch) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    lock.Unlock();
    RunBatch(batch);
    batch.clear();  // the jobs' captures go before the lock is taken again
    last_commit_end_ = std::chrono::steady_clock::now();
    lock.Lock();
  }
}

AuditLogStats AuditLog::stats() const {
  MutexLock lock(mu_);
  AuditLogStats out = stats_;
  out.queued = static_cast<int64_t>(queue_.size());
  return out;
}

}  // namespace voxsecrets::audit
