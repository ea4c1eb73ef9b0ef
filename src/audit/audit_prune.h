// PruneAuditLog: retention for the audit log (docs/AUDIT.md "Retention and pruning").
//
// For every chain, deletes the oldest records, those with time_ms < cutoff_ms, as a prefix of
// the chain (it stops at the first record that is not older, so a chain never gets a hole), and
// moves the chain's checkpoint (pruned_seq, pruned_hash) to the last record deleted, in the same
// transaction. Before deleting, it verifies the records it is about to delete (hash, seq and
// prev_hash link from the previous checkpoint): pruning never destroys evidence of tampering —
// a broken record stops the pruning of that chain with kDataLoss, and nothing of it is deleted.
// `audit verify` then starts each chain at its checkpoint.
//
// Works in transactions of at most `batch` records, so a large backlog does not hold the
// writer lock long; chains of other (live) writers are locked only for those moments.
//
// Thread-safety: a free function; may run while AuditLogs append (chains are locked).
#ifndef VOXSECRETS_AUDIT_AUDIT_PRUNE_H_
#define VOXSECRETS_AUDIT_AUDIT_PRUNE_H_

#include <cstdint>

#include "common/status.h"
#include "store/store.h"

namespace voxsecrets::audit {

struct PruneReport {
  int64_t chains = 0;   // chains looked at
  int64_t deleted = 0;  // records deleted
};

// REQUIRES: batch >= 1. `now_ms` is stored as the chains' pruned_at_ms.
Result<PruneReport> PruneAuditLog(store::Store& store, int64_t cutoff_ms, int64_t now_ms,
                                  int64_t batch = 5000);

}  // namespace voxsecrets::audit

#endif  // VOXSECRETS_AUDIT_AUDIT_PRUNE_H_
