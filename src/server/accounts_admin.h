// Operator actions on accounts and keys that work on the store directly (no HTTP): the first
// start's bootstrap and the `voxsecrets account|key` commands. The account rules (names, child
// accounts, the account with its Owner key in one transaction) are iam/accounts.h's; here the
// credentials are made: the legacy api_key, the key pairs and credentials.json.
//
// Thread-safety: plain functions; each runs its own store transactions.
#ifndef VOXSECRETS_SERVER_ACCOUNTS_ADMIN_H_
#define VOXSECRETS_SERVER_ACCOUNTS_ADMIN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "common/secure_bytes.h"
#include "common/status.h"
#include "store/store.h"

namespace voxsecrets::server {

struct NewAccount {
  std::string name;  // ^[a-z][a-z0-9-]{0,39}$; used in full application names
  std::string email;
  std::optional<int64_t> parent_id;  // makes a child account
};

struct CreatedKey {
  std::string key_id;
  int64_t account_id = 0;
  SecureBytes credentials_json;  // the credentials.json body; the private key is not kept
};

struct CreatedAccount {
  int64_t account_id = 0;
  SecureBytes api_key;  // legacy api_key, shown once; only its hash is stored
  CreatedKey owner_key;
};

// Creates an account (a child of parent_id when set) with a legacy api_key and an Owner key.
Result<CreatedAccount> CreateAccount(store::Store& store, const NewAccount& account,
                                     SecureRandom& random, const Clock& clock);

// The operator's way of naming an application of `account_id` (`--application`): its id, its
// short name, or a full name ("app.account.<domain>", any domain: only the short part is looked
// up). kNotFound naming it when the account has no such application.
Result<store::ApplicationRecord> FindApplicationOf(store::Tx& tx, int64_t account_id,
                                                   std::string_view id_or_name);

// Creates a service-account key with the given roles for an existing account, limited to
// `applications` (FindApplicationOf, in the same transaction) when not empty.
Result<CreatedKey> CreateKey(store::Store& store, int64_t account_id,
                             const std::vector<int>& role_ids, const std::string& key_name,
                             const std::string& description, SecureRandom& random,
                             const Clock& clock, const std::vector<std::string>& applications = {});

// Writes `contents` to `path` with mode 0600 (replacing an existing file atomically).
Status WritePrivateFile(const std::string& path, std::string_view contents);

}  // namespace voxsecrets::server

#endif  // VOXSECRETS_SERVER_ACCOUNTS_ADMIN_H_
