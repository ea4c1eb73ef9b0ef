// AuditPruner: runs retention (PruneAuditLog, audit_prune.h) in the background, once at start and
// then every `interval`, deleting records older than `retention`. Every node may run one: pruning
// locks each chain briefly and the checkpoint makes a second pruner find nothing left to do.
//
// Failures are logged (never a record's content) and retried at the next interval; a kDataLoss
// (a tampered record in the range to delete) is logged as an error and nothing of that chain is
// deleted until someone looks (`voxsecrets audit verify`).
//
// Thread-safety: RunOnce may be called from any thread (tests call it directly).
// Ownership: `store`, `clock` and `logger` (nullable) must outlive the pruner; the destructor stops
// and joins the thread.
#ifndef VOXSECRETS_AUDIT_AUDIT_PRUNER_H_
#define VOXSECRETS_AUDIT_AUDIT_PRUNER_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include "audit/audit_prune.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/periodic_thread.h"
#include "common/status.h"
#include "store/store.h"

namespace voxsecrets::audit {

struct AuditPrunerOptions {
  // Records older than this are deleted. REQUIRES: > 0.
  std::chrono::milliseconds retention{std::chrono::hours(24 * 365)};
  // Time between runs. Default 1 hour.
  std::chrono::milliseconds interval{std::chrono::hours(1)};
  // Start the background thread (false: only RunOnce by hand). Default true.
  bool background = true;
};

class AuditPruner {
 public:
  AuditPruner(store::Store& store, const Clock& clock, Logger* logger, AuditPrunerOptions options);
  ~AuditPruner();
  AuditPruner(const AuditPruner&) = delete;
  AuditPruner& operator=(const AuditPruner&) = delete;

  // One pruning pass with the clock's now.
  Result<PruneReport> RunOnce();

 private:
  store::Store& store_;
  const Clock& clock_;
  Logger* const logger_;
  const AuditPrunerOptions options_;
  std::optional<PeriodicThread> thread_;  // last: stopped before the members RunOnce reads
};

}  // namespace voxsecrets::audit

#endif  // VOXSECRETS_AUDIT_AUDIT_PRUNER_H_
