#include "audit/audit_prune.h"

#include <string>
#include <vector>

#include "audit/audit_hash.h"

namespace voxsecrets::audit {
namespace {

// One transaction: prunes up to `batch` old records of `chain_id`. Sets `deleted` and `more`
// (true when a full batch went and more old records may follow).
Status PruneBatch(store::Tx& tx, int64_t chain_id, int64_t cutoff_ms, int64_t now_ms, int64_t batch,
                  int64_t& deleted, bool& more) {
  deleted = 0;
  more = false;
  store::AuditRepository& audit = tx.audit();
  VS_ASSIGN_OR_RETURN(std::optional<store::AuditChainRecord> chain, audit.LockChain(chain_id));
  if (!chain.has_value()) return Status::Ok();
  VS_ASSIGN_OR_RETURN(std::vector<store::AuditRecord> records,
                      audit.ListChainAfter(chain_id, chain->pruned_seq, batch));
  int64_t seq = chain->pruned_seq;
  std::string hash = chain->pruned_hash;
  for (const store::AuditRecord& record : records) {
    if (record.time_ms >= cutoff_ms) break;
    const std::string where = "audit prune: record " + std::to_string(record.id) + " (chain " +
                              std::to_string(chain_id) + ", seq " + std::to_string(record.seq) +
                              ")";
    if (record.seq != seq + 1) {
      return Status(StatusCode::kDataLoss, where + " does not follow seq " + std::to_string(seq) +
                                               "; run `voxsecrets audit verify`");
    }
    if (record.prev_hash != hash || ComputeAuditHash(record) != record.hash) {
      return Status(StatusCode::kDataLoss,
                    where + " fails verification; run `voxsecrets audit verify`");
    }
    seq = record.seq;
    hash = record.hash;
  }
  if (seq == chain->pruned_seq) return Status::Ok();
  VS_ASSIGN_OR_RETURN(deleted, audit.DeleteChainThrough(chain_id, seq));
  if (deleted != seq - chain->pruned_seq) {
    return Status(StatusCode::kDataLoss, "audit prune: chain " + std::to_string(chain_id) +
                                             " had records missing below seq " +
                                             std::to_string(seq));
  }
  VS_RETURN_IF_ERROR(audit.SetChainPruned(chain_id, seq, hash, now_ms));
  more = deleted == batch;
  return Status::Ok();
}

}  // namespace

Result<PruneReport> PruneAuditLog(store::Store& store, int64_t cutoff_ms, int64_t now_ms,
                                  int64_t batch) {
  if (batch < 1) batch = 1;
  PruneReport report;
  std::vector<int64_t> chain_ids;
  VS_RETURN_IF_ERROR(store.Read([&](store::Tx& tx) -> Status {
    chain_ids.clear();
    VS_ASSIGN_OR_RETURN(std::vector<store::AuditChainRecord> chains, tx.audit().ListChains());
    for (const store::AuditChainRecord& chain : chains) chain_ids.push_back(chain.chain_id);
    return Status::Ok();
  }));
  for (int64_t chain_id : chain_ids) {
    ++report.chains;
    bool more = true;
    while (more) {
      int64_t deleted = 0;
      VS_RETURN_IF_ERROR(store.Write([&](store::Tx& tx) -> Status {
        return PruneBatch(tx, chain_id, cutoff_ms, now_ms, batch, deleted, more);
      }));
      report.deleted += deleted;
    }
  }
  return report;
}

}  // namespace voxsecrets::audit
