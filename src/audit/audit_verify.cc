#include "audit/audit_verify.h"

#include <map>
#include <string>
#include <vector>

#include "audit/audit_hash.h"

namespace voxsecrets::audit {
namespace {

constexpr int64_t kBatch = 1000;

struct ChainState {
  store::AuditChainRecord chain;
  int64_t next_seq = 1;   // the seq the next record must have
  std::string prev_hash;  // the hash it must link to
};

std::string Where(const store::AuditRecord& record) {
  return "record " + std::to_string(record.id) + " (chain " + std::to_string(record.chain_id) +
         ", seq " + std::to_string(record.seq) + ")";
}

void Fail(VerifyReport& report, const store::AuditRecord* record, int64_t chain_id, int64_t seq,
          std::string problem) {
  report.ok = false;
  if (record != nullptr) report.record_id = record->id;
  report.chain_id = chain_id;
  report.seq = seq;
  report.problem = std::move(problem);
}

std::string Missing(const store::AuditRecord& record, const ChainState& state) {
  return Where(record) + ": the record(s) before it, seq " + std::to_string(state.next_seq) +
         (record.seq - 1 > state.next_seq ? ".." + std::to_string(record.seq - 1) : "") +
         ", are missing (deleted)";
}

// Checks one record against its chain's state; false (with the report filled) on a problem.
bool CheckRecord(const store::AuditRecord& record, std::map<int64_t, ChainState>& chains,
                 VerifyReport& report) {
  auto it = chains.find(record.chain_id);
  if (it == chains.end()) {
    Fail(report, &record, record.chain_id, record.seq,
         Where(record) + " belongs to no registered chain (inserted?)");
    return false;
  }
  ChainState& state = it->second;
  // prev_hash is derived on read (store.h): empty when the record before it is not stored, and
  // then its hash cannot match either; name the deletion, as the seq check below would.
  if (record.prev_hash.empty() && record.seq > state.next_seq) {
    Fail(report, &record, record.chain_id, record.seq, Missing(record, state));
    return false;
  }
  if (ComputeAuditHash(record) != record.hash) {
    Fail(report, &record, record.chain_id, record.seq,
         Where(record) + " does not match its hash (edited, renumbered or moved)");
    return false;
  }
  if (record.seq <= state.chain.pruned_seq) {
    Fail(report, &record, record.chain_id, record.seq,
         Where(record) + " lies at or below the chain's pruning checkpoint (seq " +
             std::to_string(state.chain.pruned_seq) + ") (inserted?)");
    return false;
  }
  if (record.seq > state.chain.head_seq) {
    Fail(report, &record, record.chain_id, record.seq,
         Where(record) + " lies beyond the chain's head (seq " +
             std::to_string(state.chain.head_seq) + ") (inserted?)");
    return false;
  }
  if (record.seq > state.next_seq) {
    Fail(report, &record, record.chain_id, record.seq, Missing(record, state));
    return false;
  }
  if (record.seq < state.next_seq) {
    Fail(report, &record, record.chain_id, record.seq,
         Where(record) + " comes after seq " + std::to_string(state.next_seq - 1) +
             " of its chain (reordered or duplicated)");
    return false;
  }
  if (record.prev_hash != state.prev_hash) {
    Fail(report, &record, record.chain_id, record.seq,
         Where(record) +
             " does not link to the hash of the record before it (inserted or "
             "replaced)");
    return false;
  }
  state.next_seq = record.seq + 1;
  state.prev_hash = record.hash;
  return true;
}

}  // namespace

Result<VerifyReport> VerifyAuditChain(store::Store& store) {
  VerifyReport report;
  Status status = store.Read([&](store::Tx& tx) -> Status {
    report = VerifyReport();
    VS_ASSIGN_OR_RETURN(std::vector<store::AuditChainRecord> list, tx.audit().ListChains());
    std::map<int64_t, ChainState> chains;
    int64_t expected_id = 1;
    for (store::AuditChainRecord& chain : list) {
      if (chain.chain_id != expected_id) {
        Fail(report, nullptr, expected_id, 0,
             "chain " + std::to_string(expected_id) + " is missing (deleted)");
        return Status::Ok();
      }
      ++expected_id;
      if (chain.pruned_seq > chain.head_seq) {
        Fail(report, nullptr, chain.chain_id, chain.pruned_seq,
             "chain " + std::to_string(chain.chain_id) + ": its pruning checkpoint (seq " +
                 std::to_string(chain.pruned_seq) + ") lies beyond its head (seq " +
                 std::to_string(chain.head_seq) + ")");
        return Status::Ok();
      }
      ChainState state;
      state.next_seq = chain.pruned_seq + 1;
      state.prev_hash = chain.pruned_hash;
      state.chain = std::move(chain);
      chains.emplace(state.chain.chain_id, std::move(state));
    }
    report.chains = static_cast<int64_t>(chains.size());

    int64_t after_id = 0;
    while (true) {
      VS_ASSIGN_OR_RETURN(std::vector<store::AuditRecord> batch,
                          tx.audit().ListAfter(after_id, kBatch));
      for (const store::AuditRecord& record : batch) {
        if (!CheckRecord(record, chains, report)) return Status::Ok();
        ++report.records;
      }
      if (static_cast<int64_t>(batch.size()) < kBatch) break;
      after_id = batch.back().id;
    }

    for (const auto& [chain_id, state] : chains) {
      if (state.next_seq - 1 != state.chain.head_seq) {
        Fail(report, nullptr, chain_id, state.next_seq,
             "chain " + std::to_string(chain_id) + ": records seq " +
                 std::to_string(state.next_seq) + ".." + std::to_string(state.chain.head_seq) +
                 " at its end are missing (deleted)");
        return Status::Ok();
      }
      if (state.prev_hash != state.chain.head_hash) {
        Fail(report, nullptr, chain_id, state.chain.head_seq,
             "chain " + std::to_string(chain_id) +
                 ": its head hash does not match its last record (edited)");
        return Status::Ok();
      }
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return report;
}

}  // namespace voxsecrets::audit
