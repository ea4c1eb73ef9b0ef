// AuditEntry: the facts of one API call, as the API layer reports them, and how they become a
// store::AuditRecord (docs/AUDIT.md "What a record holds").
//
// What an entry may hold is fixed by its fields: no field exists for a secret value, a token or
// an api_key, and the request parameters enter only through MaskArgs() (audit_masking.h), which
// replaces every credential-like value with "***".
//
// Thread-safety: plain values and pure functions.
#ifndef VOXSECRETS_AUDIT_AUDIT_ENTRY_H_
#define VOXSECRETS_AUDIT_AUDIT_ENTRY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/records.h"

namespace voxsecrets::audit {

enum class AuditCredential {
  kNone,          // no usable credentials (failed authentication, or refused before it)
  kServiceKey,    // a bearer JWT of a service-account key
  kLegacyApiKey,  // account_id + api_key parameters
};

// "none", "service_key", "legacy_api_key" (the stored `credential` column).
std::string_view AuditCredentialName(AuditCredential credential);

struct AuditEntry {
  int64_t time_ms = 0;                // when the call was received (unix ms, UTC)
  std::optional<int64_t> account_id;  // the account acted as; nullopt when not authenticated
  std::string key_id;                 // the service key; empty for legacy / none
  AuditCredential credential = AuditCredential::kNone;
  std::string ip;
  std::string method;                    // as requested; cut to 64 bytes of valid UTF-8
  std::string args_json = "{}";          // MaskArgs() of the parameters
  std::vector<int64_t> application_ids;  // applications touched
  std::vector<int64_t> secret_ids;       // secrets touched
  std::vector<int64_t> secret_versions;  // versions of a secret's value read or made
  int64_t result_code = 0;               // 0 = success, else the Voximplant code answered
};

// The record fields an entry determines: everything but id, chain_id, seq, prev_hash and hash.
// The method and IP are made safe to store (valid UTF-8, bounded length).
store::AuditRecord ToRecord(const AuditEntry& entry);
// The same, moving the entry's strings into the record where they are kept as they are.
store::AuditRecord ToRecord(AuditEntry&& entry);

// {"application_ids":[...],"secret_ids":[...],"secret_versions":[...]} with empty lists left
// out ("{}" when none).
std::string TouchedJson(const std::vector<int64_t>& application_ids,
                        const std::vector<int64_t>& secret_ids,
                        const std::vector<int64_t>& secret_versions = {});

}  // namespace voxsecrets::audit

#endif  // VOXSECRETS_AUDIT_AUDIT_ENTRY_H_
