// VerifyAuditChain: checks every audit chain in the store (docs/AUDIT.md "Verification").
//
// In one read transaction (a consistent snapshot; writers go on meanwhile):
//  - chain ids are 1..N without a gap (a deleted chain is found), each chain's checkpoint is at
//    or below its head;
//  - records are walked by id; each must belong to a known chain, hash to its stored hash
//    (an edited, renumbered or moved record is found), come right after the previous record of
//    its chain (seq + 1: a deleted record is found, named by the record after the gap), link to
//    its hash (prev_hash, which the store derives on read from the record before it: empty
//    when that record is gone, named as a deletion), and not lie beyond the chain's head or
//    at/below its checkpoint (an inserted record is found);
//  - at the end, each chain's last record is its head (seq and hash: deleted tail records are
//    found).
// The first problem stops the walk and is reported; record_id names the record when there is one
// to name (a deleted tail has none: chain_id and seq say where it was).
//
// Thread-safety: a free function; `store` is used through Read only.
#ifndef VOXSECRETS_AUDIT_AUDIT_VERIFY_H_
#define VOXSECRETS_AUDIT_AUDIT_VERIFY_H_

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"
#include "store/store.h"

namespace voxsecrets::audit {

struct VerifyReport {
  bool ok = true;
  int64_t chains = 0;   // chains checked
  int64_t records = 0;  // records checked (up to the first problem)
  // When !ok: the first problem.
  std::optional<int64_t> record_id;  // the record to blame, when one exists
  int64_t chain_id = 0;
  int64_t seq = 0;
  std::string problem;  // one sentence, e.g. "record 17 (chain 2, seq 5) does not match its hash"
};

// Errors are the store's (the log could not be read); a broken chain is an OK Result whose
// report says !ok.
Result<VerifyReport> VerifyAuditChain(store::Store& store);

}  // namespace voxsecrets::audit

#endif  // VOXSECRETS_AUDIT_AUDIT_VERIFY_H_
