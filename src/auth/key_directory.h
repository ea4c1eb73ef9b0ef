// KeyDirectory: what the authenticator needs to know about keys and accounts. A seam: auth does not
// know the store; server wiring implements this over store/ (and tests with an in-memory map).
//
// Contract for implementations:
//   - "Not there" is an ordinary answer (nullopt / exists == false), never an error.
//   - A non-OK Result means the question could not be answered (storage unavailable, corrupt
//     record); the authenticator passes such a Status through unchanged (kUnavailable → API error
//     for storage failure), so that an outage is never reported as bad credentials.
//   - Thread-safety: every method may be called concurrently from any thread.
#ifndef VOXSECRETS_AUTH_KEY_DIRECTORY_H_
#define VOXSECRETS_AUTH_KEY_DIRECTORY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/app_scope.h"
#include "common/status.h"

namespace voxsecrets::auth {

// A service-account key as the authenticator sees it (store::KeyRecord without the metadata).
struct KeyInfo {
  std::string key_id;
  int64_t account_id = 0;      // the account that owns the key
  std::string public_key_pem;  // SubjectPublicKeyInfo PEM
  std::vector<int> role_ids;   // iam/roles.h ids
  AppScope application_scope;  // the applications the key is limited to (common/app_scope.h)
};

struct AccountLink {
  bool exists = false;
  std::optional<int64_t> parent_id;  // set for a child account
};

class KeyDirectory {
 public:
  virtual ~KeyDirectory() = default;

  // The key with id `key_id`; nullopt when there is none (never created, or deleted).
  virtual Result<std::optional<KeyInfo>> FindKey(std::string_view key_id) = 0;

  // Whether account `account_id` exists and, if it is a child account, its parent's id.
  virtual Result<AccountLink> FindAccount(int64_t account_id) = 0;

  // The stored hash (api_key_hash.h) of the legacy api_key of `account_id`; nullopt when the
  // account does not exist or has no api_key.
  virtual Result<std::optional<std::string>> FindApiKeyHash(int64_t account_id) = 0;
};

}  // namespace voxsecrets::auth

#endif  // VOXSECRETS_AUTH_KEY_DIRECTORY_H_
