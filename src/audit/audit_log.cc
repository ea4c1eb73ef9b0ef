#include "audit/audit_log.h"

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

Status AuditLog::AppendAll(store::Tx& tx, const std::vector<const AuditEntry*>& entries,
                           std::vector<store::AuditRecord>& out) {
  out.clear();
  store::AuditRepository& audit = tx.audit();
  VS_ASSIGN_OR_RETURN(std::optional<store::AuditChainRecord> chain, audit.LockChain(chain_id_));
  if (!chain.has_value()) {
    return InternalError("audit: chain " + std::to_string(chain_id_) + " is gone");
  }
  int64_t seq = chain->head_seq;
  std::string prev_hash = chain->head_hash;
  for (const AuditEntry* entry : entries) {
    store::AuditRecord record = ToRecord(*entry);
    VS_ASSIGN_OR_RETURN(record.id, audit.NextId());
    record.chain_id = chain_id_;
    record.seq = ++seq;
    record.prev_hash = prev_hash;
    record.hash = ComputeAuditHash(record);
    if (record.hash.empty()) return InternalError("audit: hashing a record failed");
    VS_RETURN_IF_ERROR(audit.Insert(record));
    prev_hash = record.hash;
    out.push_back(std::move(record));
  }
  return audit.SetChainHead(chain_id_, seq, prev_hash);
}

Result<store::AuditRecord> AuditLog::AppendInTransaction(store::Tx& tx, const AuditEntry& entry) {
  std::vector<store::AuditRecord> records;
  Status status = AppendAll(tx, {&entry}, records);
  if (!status.ok()) {
    MutexLock lock(mu_);
    ++stats_.failures;
    return status;
  }
  return std::move(records.front());
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

Status AuditLog::WriteBatch(const std::vector<const AuditEntry*>& entries) {
  std::vector<store::AuditRecord> records;
  const store::TxFn append = [&](store::Tx& tx) -> Status {
    return AppendAll(tx, entries, records);
  };
  Status status = options_.sync_every_batch ? store_.Write(append) : store_.WriteDeferred(append);
  {
    MutexLock lock(mu_);
    if (status.ok()) {
      stats_.records += static_cast<int64_t>(records.size());
      ++stats_.batches;
      if (options_.batch_sizes != nullptr) {
        options_.batch_sizes->Observe(static_cast<double>(records.size()));
      }
    } else {
      stats_.failures += static_cast<int64_t>(entries.size());
    }
  }
  if (status.ok()) Export(records);
  return status;
}

Status AuditLog::AppendDurable(const AuditEntry& entry) {
  if (!options_.group_commit) return WriteBatch({&entry});
  std::future<Status> done;
  {
    MutexLock lock(mu_);
    if (stopping_) return Unavailable("audit: the audit log is shutting down");
    if (queue_.size() >= options_.max_queue) {
      ++stats_.overloaded;
      return Status(StatusCode::kOverloaded, "audit: the writer's queue is full");
    }
    queue_.push_back(Pending{entry, std::promise<Status>()});
    done = queue_.back().done.get_future();
  }
  cv_.Signal();
  if (done.wait_for(options_.durable_timeout) != std::future_status::ready) {
    return Unavailable("audit: the audit record was not confirmed in time");
  }
  return done.get();
}

void AuditLog::RunCommitter() {
  MutexLock lock(mu_);
  while (true) {
    while (!stopping_ && queue_.empty()) cv_.Wait(mu_);
    if (queue_.empty()) return;  // stopping, and everything queued was written
    std::vector<Pending> batch;
    while (!queue_.empty() && batch.size() < options_.max_batch) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    lock.Unlock();
    std::vector<const AuditEntry*> entries;
    entries.reserve(batch.size());
    for (const Pending& pending : batch) entries.push_back(&pending.entry);
    const Status status = WriteBatch(entries);
    for (Pending& pending : batch) pending.done.set_value(status);
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
