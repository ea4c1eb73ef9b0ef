#include "audit/audit_pruner.h"

#include <chrono>
#include <string>

namespace voxsecrets::audit {

AuditPruner::AuditPruner(store::Store& store, const Clock& clock, Logger* logger,
                         AuditPrunerOptions options)
    : store_(store), clock_(clock), logger_(logger), options_(options) {
  if (options_.background) thread_ = std::thread([this] { Loop(); });
}

AuditPruner::~AuditPruner() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  cv_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

Result<PruneReport> AuditPruner::RunOnce() {
  const int64_t now = clock_.NowMillis();
  Result<PruneReport> report = PruneAuditLog(store_, now - options_.retention.count(), now);
  if (logger_ != nullptr) {
    if (!report.ok()) {
      logger_->Error("audit pruning failed",
                     {{"error", std::string_view(report.status().message())}});
    } else if (report->deleted > 0) {
      logger_->Info("audit records pruned",
                    {{"deleted", report->deleted}, {"chains", report->chains}});
    }
  }
  return report;
}

void AuditPruner::Loop() {
  MutexLock lock(mu_);
  while (!stopping_) {
    lock.Unlock();
    (void)RunOnce();
    lock.Lock();
    const auto deadline = std::chrono::steady_clock::now() + options_.interval;
    while (!stopping_ && cv_.WaitUntil(mu_, deadline) == std::cv_status::no_timeout) {
    }
  }
}

}  // namespace voxsecrets::audit
