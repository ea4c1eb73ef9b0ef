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
  std::string name;                  // unique, lower case, used in full application names
  std::string email;
  std::optional<int64_t> parent_id;  // set for child accounts
  std::string api_key_hash;          // SHA-256 (hex) of the legacy api_key; empty = none
  int64_t created = 0;               // unix seconds, UTC
};

struct KeyRecord {
  std::string key_id;                // UUID, globally unique
  int64_t account_id = 0;
  std::string public_key_pem;        // SubjectPublicKeyInfo PEM; the private key is never stored
  std::string name;                  // key_name; may be empty
  std::string description;           // may be empty
  std::vector<int> role_ids;         // sorted, unique
  int64_t created = 0;
};

struct ApplicationRecord {
  int64_t id = 0;
  int64_t account_id = 0;
  std::string name;                  // short name ("myapp"), unique per account
  bool secure_record_storage = false;
  int64_t created = 0;
  int64_t modified = 0;
};

// A secret without its value: what listings return.
struct SecretInfo {
  int64_t id = 0;
  int64_t application_id = 0;
  std::string name;                  // unique per application, case-sensitive
  std::string description;           // empty = none
  int64_t created = 0;
  int64_t modified = 0;
};

struct SecretRecord {
  SecretInfo info;
  SealedValue value;
};

// A per-application data key, wrapped (encrypted) by a master key.
struct DataKeyRecord {
  int64_t application_id = 0;
  uint32_t version = 0;              // 1, 2, ... per application; the highest is active
  std::string wrapped_key;           // binary, see docs/RECORD_FORMAT.md
  uint32_t master_key_version = 0;   // which master key wrapped it
  int64_t encryptions = 0;           // values sealed with this key so far (GCM nonce budget)
  int64_t created = 0;
};

// One page of a listing plus the number of all matches ignoring paging.
template <typename T>
struct Page {
  std::vector<T> items;
  int64_t total_count = 0;
};

}  // namespace voxsecrets::store

#endif  // VOXSECRETS_STORE_RECORDS_H_
