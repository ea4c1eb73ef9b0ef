// Plain records stored by voxsecrets. They carry no behaviour and no plaintext secret values:
// a secret's value is only ever a SealedValue here.
#ifndef VOXSECRETS_STORE_RECORDS_H_
#define VOXSECRETS_STORE_RECORDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/sealed_value.h"

namespace voxsecrets::store {

struct AccountRecord {
  int64_t id = 0;
  std::string name;  // unique, lower case, used in full application names
  std::string email;
  std::optional<int64_t> parent_id;  // set for child accounts
  std::string api_key_hash;          // SHA-256 (hex) of the legacy api_key; empty = none
  int64_t created = 0;               // unix seconds, UTC
};

struct KeyRecord {
  std::string key_id;  // UUID, globally unique
  int64_t account_id = 0;
  std::string public_key_pem;  // SubjectPublicKeyInfo PEM; the private key is never stored
  std::string name;            // key_name; may be empty
  std::string description;     // may be empty
  std::vector<int> role_ids;   // sorted, unique
  // The applications the key is limited to (docs/AUTH.md): nullopt = every application of its
  // account; else these ids, sorted and unique — empty once all of them were deleted (the key
  // then reaches nothing, never everything).
  std::optional<std::vector<int64_t>> application_ids;
  int64_t created = 0;
};

struct ApplicationRecord {
  int64_t id = 0;
  int64_t account_id = 0;
  std::string name;  // short name ("myapp"), unique per account
  bool secure_record_storage = false;
  int64_t created = 0;
  int64_t modified = 0;
};

// A secret without its value: what listings return.
struct SecretInfo {
  int64_t id = 0;
  int64_t application_id = 0;
  std::string name;         // unique per application, case-sensitive
  std::string description;  // empty = none
  int64_t created = 0;
  int64_t modified = 0;
  int64_t version = 1;          // the version of the current value: 1, 2, ...
  int64_t version_created = 0;  // when the current value was set
};

// A secret with its current value (older versions: SecretVersionRecord).
struct SecretRecord {
  SecretInfo info;
  SealedValue value;
};

// An older version of a secret's value, kept after a new one replaced it (docs/API.md,
// "Secret versions"). The current value is the secret's own row, never one of these.
struct SecretVersionInfo {
  int64_t secret_id = 0;
  int64_t version = 0;  // below the secret's current version
  int64_t created = 0;  // when this value was set
};

struct SecretVersionRecord {
  SecretVersionInfo info;
  SealedValue value;
};

// A per-application data key, wrapped (encrypted) by a master key.
struct DataKeyRecord {
  int64_t application_id = 0;
  uint32_t version = 0;             // 1, 2, ... per application; the highest is active
  std::string wrapped_key;          // binary, see docs/RECORD_FORMAT.md
  uint32_t master_key_version = 0;  // which master key wrapped it
  int64_t encryptions = 0;          // values sealed with this key so far (GCM nonce budget)
  int64_t created = 0;
};

// One audit record: one API call (docs/AUDIT.md). Never holds a secret value, a token or an
// api_key: args_json is masked by audit/ before it reaches the store. Records are chained per
// writer (chain_id, seq, prev_hash, hash); the hash is audit/'s business, the store keeps it.
// prev_hash is not stored: the store derives it on read from the chain (AuditRepository::Insert).
struct AuditRecord {
  int64_t id = 0;                     // global, increasing, never reused (audit_log_id)
  int64_t chain_id = 0;               // the writer's chain (AuditChainRecord)
  int64_t seq = 0;                    // 1, 2, ... within the chain, gap-free
  int64_t time_ms = 0;                // when the call was received: unix milliseconds, UTC
  std::optional<int64_t> account_id;  // the account acted as; nullopt when not authenticated
  std::string key_id;                 // service key id; empty for legacy credentials or none
  std::string credential;             // "service_key", "legacy_api_key" or "none"
  std::string ip;                     // the client's address as text
  std::string method;                 // as requested (may be unknown or empty)
  std::string args_json;              // the masked parameters, a JSON object
  std::string touched_json;           // application and secret ids touched, a JSON object
  int64_t result_code = 0;            // 0 = success, else the Voximplant error code answered
  std::string prev_hash;              // hex SHA-256 of the previous record of the chain
  std::string hash;                   // hex SHA-256 of this record (audit/audit_hash.h)
};

// A chain of audit records: one per writer (a server process). Its head moves with every append
// in the same transaction; its checkpoint (pruned_*) says where verification starts after
// retention pruned the oldest records.
struct AuditChainRecord {
  int64_t chain_id = 0;      // 1, 2, ... gap-free
  int64_t created_ms = 0;    // when the writer registered it (unix ms)
  std::string label;         // who writes it ("host:pid"), informational
  int64_t head_seq = 0;      // seq of the last record appended; 0 = none yet
  std::string head_hash;     // hash of that record (the genesis hash while head_seq is 0)
  int64_t pruned_seq = 0;    // records with seq <= pruned_seq were pruned; 0 = none
  std::string pruned_hash;   // hash of record pruned_seq (the genesis hash while 0)
  int64_t pruned_at_ms = 0;  // when the last pruning ran; 0 = never
};

// One page of a listing plus the number of all matches ignoring paging.
template <typename T>
struct Page {
  std::vector<T> items;
  int64_t total_count = 0;
};

}  // namespace voxsecrets::store

#endif  // VOXSECRETS_STORE_RECORDS_H_
