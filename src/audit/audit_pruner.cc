#include "audit/audit_pruner.h"

#include <string>

namespace voxsecrets::audit {

AuditPruner::AuditPruner(store::Store& store, const Clock& clock, Logger* logger,
                         AuditPrunerOptions options)
    : store_(store), clock_(clock), logger_(logger), options_(options) {
  if (options_.background) thread_.emplace(options_.interval, [this] { (void)RunOnce(); });
}

AuditPruner::~AuditPruner() = default;

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

}  // namespace voxsecrets::audit
