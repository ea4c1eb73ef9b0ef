// KeyService: the rules of service-account keys (docs/AUTH.md "Key and role methods"), used by
// the key methods of api/ (CreateKey, GetKeys, UpdateKey, DeleteKey, SetKeyRoles, GetKeyRoles,
// RemoveKeyRoles). Pure rules over the caller's store::Tx: no HTTP, no JSON, no error numbers.
// Nothing here commits or has effects outside `tx`, so a retried transaction is safe.
//
//  - Keys belong to the account the call acts as (Caller::account_id: a child account when a
//    parent's key named it in `iss`). A key of any other account is answered exactly like a key
//    that does not exist: kInvalidKeyId naming `key_id`.
//  - key_name: valid UTF-8 without NUL (else kInvalidArgument), at most 50 code points (else
//    kTooLong); description: common/field_rules.h NormalizeDescription (cut to 200 code points).
//  - Grant rule (CanGrantRole, iam/roles.h): every role a call gives a key or takes from it must
//    be one the caller may grant: Owner grants every role, Admin every role but Owner. So an Admin
//    can neither make an Owner key, nor give the Owner role to a key or take it from one, nor
//    change the applications a key that holds Owner is limited to, nor delete a key that holds
//    Owner (kInvalidRoleSet); it may change the other roles of a key that holds Owner (roles it
//    may grant, with Owner kept). Legacy credentials hold every role.
//  - Application scope (common/app_scope.h): a key may be limited to some applications of its
//    account; the ids come checked by the caller (secrets::ApplicationService::Select).
//  - At most kMaxKeysPerAccount keys per account (kTooManyKeys).
//  - A key may delete itself; its next request fails authentication.
// Each operation checks in the order the API documents: the key, the roles, key_name,
// description, the grant rule, then the limit.
//
// Creating a key takes two steps, so that the RSA key pair (tens of milliseconds) is never made
// while a write transaction holds the store's writer: Prepare (key_name, description, the grant
// rule, then the key pair; no transaction) and Create (the limit, then the insert, in `tx`).
//
// Thread-safety: const methods only; one instance may serve every thread.
// Lifetimes: `key_pairs`, `random` and `clock` must outlive the service.
#ifndef VOXSECRETS_IAM_KEYS_H_
#define VOXSECRETS_IAM_KEYS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/app_scope.h"
#include "common/clock.h"
#include "common/field_rules.h"
#include "common/random.h"
#include "common/secure_bytes.h"
#include "common/status.h"
#include "iam/key_pair_source.h"
#include "store/records.h"
#include "store/store.h"

namespace voxsecrets::iam {

inline constexpr int64_t kMaxKeysPerAccount = 100;
inline constexpr size_t kMaxKeyNameCodePoints = 50;

// Who is calling: the account the call acts as and the roles its credential holds.
// Lifetimes: a view; `role_ids` must outlive it.
struct Caller {
  int64_t account_id = 0;
  const std::vector<int>& role_ids;
};

// The roles a call names by id (`role_id`) or by name (`role_name`), sorted and unique. An id or
// a name that names no role: kInvalidRoleId / kInvalidRoleName blaming that parameter.
Result<std::vector<int>> RolesFromIds(const std::vector<int64_t>& ids);
Result<std::vector<int>> RolesFromNames(const std::vector<std::string>& names);

// A role a key has: held directly (inherited = false), or through a held role that lists it as a
// child (inherited = true; parent_role_ids = the held parents).
struct KeyRole {
  int role_id = 0;
  std::string_view role_name;  // static data (iam/roles.h)
  bool inherited = false;
  std::vector<int> parent_role_ids;
};
// The roles of `key_role_ids` (ids that name no role are skipped), then, with `expanded`, the
// roles held through them, once each, by id.
std::vector<KeyRole> RolesOfKey(const std::vector<int>& key_role_ids, bool expanded);

struct NewKey {
  std::vector<int> role_ids;  // sorted, unique: RolesFromIds / RolesFromNames
  std::optional<std::string_view> name;
  std::optional<std::string_view> description;
  // Every application (the default) or only some. REQUIRES: the ids are applications of the
  // caller's account.
  AppScope scope;
};

// A key checked and with its key pair, not stored yet (Prepare -> Create).
struct PreparedKey {
  std::vector<int> role_ids;
  std::string name;
  std::string description;
  KeyPairPem pair;  // the private half is the only copy; never stored
};

struct CreatedKey {
  store::KeyRecord key;
  std::string account_email;
};

struct KeyChanges {
  std::optional<std::string_view> name;
  std::optional<std::string_view> description;
  // nullopt: unchanged; AppScope::Every() lifts the limit. REQUIRES as NewKey::scope.
  std::optional<AppScope> scope;
};

class KeyService {
 public:
  KeyService(const KeyPairSource& key_pairs, SecureRandom& random, const Clock& clock);

  // key_name, description and the grant rule, then a fresh key pair (tens of milliseconds).
  // Outside any transaction: it touches no store.
  Result<PreparedKey> Prepare(const Caller& caller, const NewKey& key) const;
  // The limit, then the insert of `key`, limited to `scope` (REQUIRES as NewKey::scope, checked in
  // `tx`); a new key id each call: `tx` may be retried. The private half stays in `key`.
  Result<CreatedKey> Create(store::Tx& tx, const Caller& caller, const PreparedKey& key,
                            const AppScope& scope) const;

  // The key `key_id` of the caller's account: kMissingArgument when `key_id` is not given,
  // kInvalidKeyId when it names no key of that account.
  Result<store::KeyRecord> Find(store::Tx& tx, const Caller& caller,
                                std::optional<std::string_view> key_id) const;

  // The caller's keys, oldest first; `key_id` (already checked with Find) filters to one.
  Result<store::Page<store::KeyRecord>> List(store::Tx& tx, const Caller& caller,
                                             std::optional<std::string_view> key_id,
                                             const Paging& paging) const;

  // key_name, description, then the grant rule on every role the key holds when its scope
  // changes; unset fields stay.
  Status Update(store::Tx& tx, const Caller& caller, const store::KeyRecord& key,
                const KeyChanges& changes) const;

  // The grant rule on every role the key holds, then the delete.
  Status Delete(store::Tx& tx, const Caller& caller, const store::KeyRecord& key) const;

  // SetKeyRoles: the key then holds exactly `role_ids`. RemoveKeyRoles: it no longer holds any of
  // `role_ids` (one it does not hold is no error). The grant rule applies to every role added or
  // taken away. `role_ids` sorted and unique.
  Status SetRoles(store::Tx& tx, const Caller& caller, const store::KeyRecord& key,
                  const std::vector<int>& role_ids) const;
  Status RemoveRoles(store::Tx& tx, const Caller& caller, const store::KeyRecord& key,
                     const std::vector<int>& role_ids) const;

 private:
  Status ChangeRoles(store::Tx& tx, const Caller& caller, const store::KeyRecord& key,
                     const std::vector<int>& next) const;

  const KeyPairSource& key_pairs_;
  SecureRandom& random_;
  const Clock& clock_;
};

}  // namespace voxsecrets::iam

#endif  // VOXSECRETS_IAM_KEYS_H_
