// The hash chain of the audit log: the canonical serialization of a record (version 1) and its
// SHA-256 (docs/AUDIT.md "The hash chain").
//
//   hash = lowercase hex SHA-256 of
//     "voxsecrets-audit-v1" 0x00
//     then, for each field in this order, its 8-byte big-endian length and its bytes:
//       id, chain_id, seq, time_ms, account_id ("" when none), key_id, credential, ip, method,
//       args_json, touched_json, result_code, prev_hash
//   Integers are written in decimal ASCII ("-1", "0", "42").
// prev_hash is the hash of the previous record of the same chain; the first record of a chain
// has kGenesisHash. So a record's hash covers its own content, its place (id, chain, seq) and,
// through prev_hash, every earlier record of its chain.
//
// Thread-safety: pure functions.
#ifndef VOXSECRETS_AUDIT_AUDIT_HASH_H_
#define VOXSECRETS_AUDIT_AUDIT_HASH_H_

#include <string>
#include <string_view>

#include "store/records.h"

struct evp_md_ctx_st;  // EVP_MD_CTX
struct evp_md_st;      // EVP_MD

namespace voxsecrets::audit {

inline constexpr std::string_view kAuditHashVersion = "voxsecrets-audit-v1";
// prev_hash of the first record of every chain: 64 zeros.
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// The canonical bytes of `record` (every field but `hash`).
std::string CanonicalAuditBytes(const store::AuditRecord& record);
// Lowercase hex SHA-256 of CanonicalAuditBytes(record).
std::string ComputeAuditHash(const store::AuditRecord& record);

// ComputeAuditHash for records one after another (the audit committer's batch), reusing its
// buffer for the canonical bytes and one SHA-256 context instead of making them per record.
// Thread-safety: none; one thread at a time. Ownership: owns its OpenSSL context.
class AuditHasher {
 public:
  AuditHasher();
  ~AuditHasher();
  AuditHasher(const AuditHasher&) = delete;
  AuditHasher& operator=(const AuditHasher&) = delete;

  // ComputeAuditHash(record): "" only if SHA-256 failed.
  std::string Hash(const store::AuditRecord& record);

 private:
  std::string bytes_;
  evp_md_ctx_st* ctx_;  // nullptr if it could not be made: Hash then falls back to EVP_Digest
  evp_md_st* md_;       // SHA-256, fetched once; nullptr likewise
};

}  // namespace voxsecrets::audit

#endif  // VOXSECRETS_AUDIT_AUDIT_HASH_H_
