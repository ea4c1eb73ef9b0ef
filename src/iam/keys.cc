#include "iam/keys.h"

#include <algorithm>
#include <iterator>
#include <limits>
#include <set>
#include <utility>

#include "common/utf8.h"
#include "iam/accounts.h"
#include "iam/roles.h"

namespace voxsecrets::iam {
namespace {

// Our key ids are UUIDs (36 characters); anything longer cannot name a key.
constexpr size_t kMaxKeyIdLength = 64;

Status InvalidKeyId() {
  return Status(StatusCode::kInvalidKeyId, "Invalid 'key_id': no such key.", "key_id");
}

std::vector<int> SortedUnique(std::vector<int> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

// Elements of sorted `a` that are not in sorted `b`.
std::vector<int> Minus(const std::vector<int>& a, const std::vector<int>& b) {
  std::vector<int> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

bool Holds(const std::vector<int>& sorted_ids, int id) {
  return std::binary_search(sorted_ids.begin(), sorted_ids.end(), id);
}

// `key_name`: at most 50 code points of valid UTF-8 without NUL.
Result<std::optional<std::string>> CheckKeyName(std::optional<std::string_view> name) {
  if (!name.has_value()) return std::optional<std::string>();
  const std::optional<size_t> length = Utf8CodePoints(*name);
  if (!length.has_value() || name->find('\0') != std::string_view::npos) {
    return InvalidArgument("key_name");
  }
  if (*length > kMaxKeyNameCodePoints) {
    return Status(StatusCode::kTooLong,
                  "The 'key_name' parameter is longer than " +
                      std::to_string(kMaxKeyNameCodePoints) + " characters.",
                  "key_name");
  }
  return std::optional<std::string>(std::string(*name));
}

Result<std::optional<std::string>> CheckDescription(std::optional<std::string_view> description) {
  if (!description.has_value()) return std::optional<std::string>();
  VS_ASSIGN_OR_RETURN(std::string normalized, NormalizeDescription(*description));
  return std::optional<std::string>(std::move(normalized));
}

// OK when the caller may grant (or take away) every role in `roles`.
Status CheckGrantable(const Caller& caller, const std::vector<int>& roles,
                      std::string_view action) {
  for (int role_id : roles) {
    if (!CanGrantRole(caller.role_ids, role_id)) {
      const Role* role = FindRoleById(role_id);
      return Status(StatusCode::kInvalidRoleSet,
                    "The caller's roles do not allow it to " + std::string(action) + " the '" +
                        std::string(role != nullptr ? role->name : "?") + "' role.");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<int>> RolesFromIds(const std::vector<int64_t>& ids) {
  std::vector<int> roles;
  for (int64_t id : ids) {
    const Role* role = id > 0 && id <= std::numeric_limits<int>::max()
                           ? FindRoleById(static_cast<int>(id))
                           : nullptr;
    if (role == nullptr) {
      return Status(StatusCode::kInvalidRoleId,
                    "Invalid 'role_id': there is no role " + std::to_string(id) + ".", "role_id");
    }
    roles.push_back(role->id);
  }
  return SortedUnique(std::move(roles));
}

Result<std::vector<int>> RolesFromNames(const std::vector<std::string>& names) {
  std::vector<int> roles;
  for (const std::string& name : names) {
    const Role* role = FindRoleByName(name);
    if (role == nullptr) {
      return Status(StatusCode::kInvalidRoleName,
                    "Invalid 'role_name': there is no role '" + EchoForMessage(name) + "'.",
                    "role_name");
    }
    roles.push_back(role->id);
  }
  return SortedUnique(std::move(roles));
}

std::vector<KeyRole> RolesOfKey(const std::vector<int>& key_role_ids, bool expanded) {
  std::vector<KeyRole> out;
  for (int id : key_role_ids) {
    if (const Role* role = FindRoleById(id)) out.push_back(KeyRole{id, role->name, false, {}});
  }
  if (!expanded) return out;
  // Roles the key has through a role it holds (e.g. Support through Owner), once each.
  std::set<int> inherited;
  for (int id : key_role_ids) {
    const Role* role = FindRoleById(id);
    if (role == nullptr) continue;
    for (int child : role->child_role_ids) {
      if (!Holds(key_role_ids, child)) inherited.insert(child);
    }
  }
  for (int id : inherited) {
    const Role* role = FindRoleById(id);
    KeyRole item{id, role->name, true, {}};
    for (int parent : role->parent_role_ids) {
      if (Holds(key_role_ids, parent)) item.parent_role_ids.push_back(parent);
    }
    out.push_back(std::move(item));
  }
  return out;
}

KeyService::KeyService(const KeyPairSource& key_pairs, SecureRandom& random, const Clock& clock)
    : key_pairs_(key_pairs), random_(random), clock_(clock) {}

Result<PreparedKey> KeyService::Prepare(const Caller& caller, const NewKey& key) const {
  VS_ASSIGN_OR_RETURN(std::optional<std::string> name, CheckKeyName(key.name));
  VS_ASSIGN_OR_RETURN(std::optional<std::string> description, CheckDescription(key.description));
  VS_RETURN_IF_ERROR(CheckGrantable(caller, key.role_ids, "grant"));
  VS_ASSIGN_OR_RETURN(KeyPairPem pair, key_pairs_.NewKeyPair());
  PreparedKey prepared;
  prepared.role_ids = key.role_ids;
  prepared.name = name.value_or(std::string());
  prepared.description = description.value_or(std::string());
  prepared.pair = std::move(pair);
  return prepared;
}

Result<CreatedKey> KeyService::Create(store::Tx& tx, const Caller& caller, const PreparedKey& key,
                                      const AppScope& scope) const {
  VS_ASSIGN_OR_RETURN(store::AccountRecord account, CallingAccount(tx, caller.account_id));
  VS_ASSIGN_OR_RETURN(store::Page<store::KeyRecord> existing,
                      tx.keys().ListByAccount(caller.account_id, std::nullopt, 0, 0));
  if (existing.total_count >= kMaxKeysPerAccount) {
    return Status(StatusCode::kTooManyKeys, "The account already has the maximum of " +
                                                std::to_string(kMaxKeysPerAccount) + " keys.");
  }
  CreatedKey created;
  created.key.key_id = random_.Uuid();
  created.key.account_id = caller.account_id;
  created.key.public_key_pem = key.pair.public_key_pem;
  created.key.name = key.name;
  created.key.description = key.description;
  created.key.role_ids = key.role_ids;
  created.key.application_ids = scope.ids;
  created.key.created = clock_.NowSeconds();
  VS_RETURN_IF_ERROR(tx.keys().Insert(created.key));
  created.account_email = std::move(account.email);
  return created;
}

Result<store::KeyRecord> KeyService::Find(store::Tx& tx, const Caller& caller,
                                          std::optional<std::string_view> key_id) const {
  if (!key_id.has_value()) return MissingArgument("key_id");
  if (key_id->size() > kMaxKeyIdLength) return InvalidKeyId();
  VS_ASSIGN_OR_RETURN(std::optional<store::KeyRecord> key, tx.keys().FindById(*key_id));
  if (!key.has_value() || key->account_id != caller.account_id) return InvalidKeyId();
  return std::move(*key);
}

Result<store::Page<store::KeyRecord>> KeyService::List(store::Tx& tx, const Caller& caller,
                                                       std::optional<std::string_view> key_id,
                                                       const Paging& paging) const {
  return tx.keys().ListByAccount(caller.account_id, key_id, paging.count, paging.offset);
}

Status KeyService::Update(store::Tx& tx, const Caller& caller, const store::KeyRecord& key,
                          const KeyChanges& changes) const {
  VS_ASSIGN_OR_RETURN(std::optional<std::string> name, CheckKeyName(changes.name));
  VS_ASSIGN_OR_RETURN(std::optional<std::string> description,
                      CheckDescription(changes.description));
  const bool rescope = changes.scope.has_value() && changes.scope->ids != key.application_ids;
  if (rescope) {
    VS_RETURN_IF_ERROR(
        CheckGrantable(caller, key.role_ids, "change the applications of a key holding"));
  }
  std::optional<std::string_view> new_name;
  std::optional<std::string_view> new_description;
  if (name.has_value()) new_name = *name;
  if (description.has_value()) new_description = *description;
  VS_ASSIGN_OR_RETURN(
      bool found, tx.keys().UpdateInfo(caller.account_id, key.key_id, new_name, new_description));
  if (!found) return InvalidKeyId();
  if (rescope) {
    VS_ASSIGN_OR_RETURN(
        found, tx.keys().SetApplications(caller.account_id, key.key_id, changes.scope->ids));
    if (!found) return InvalidKeyId();
  }
  return Status::Ok();
}

Status KeyService::Delete(store::Tx& tx, const Caller& caller, const store::KeyRecord& key) const {
  VS_RETURN_IF_ERROR(CheckGrantable(caller, key.role_ids, "delete a key holding"));
  VS_ASSIGN_OR_RETURN(bool deleted, tx.keys().Delete(caller.account_id, key.key_id));
  if (!deleted) return InvalidKeyId();
  return Status::Ok();
}

Status KeyService::SetRoles(store::Tx& tx, const Caller& caller, const store::KeyRecord& key,
                            const std::vector<int>& role_ids) const {
  return ChangeRoles(tx, caller, key, role_ids);
}

Status KeyService::RemoveRoles(store::Tx& tx, const Caller& caller, const store::KeyRecord& key,
                               const std::vector<int>& role_ids) const {
  return ChangeRoles(tx, caller, key, Minus(key.role_ids, role_ids));
}

Status KeyService::ChangeRoles(store::Tx& tx, const Caller& caller, const store::KeyRecord& key,
                               const std::vector<int>& next) const {
  VS_RETURN_IF_ERROR(CheckGrantable(caller, Minus(next, key.role_ids), "grant"));
  VS_RETURN_IF_ERROR(CheckGrantable(caller, Minus(key.role_ids, next), "take away"));
  if (next == key.role_ids) return Status::Ok();
  VS_ASSIGN_OR_RETURN(bool found, tx.keys().SetRoles(caller.account_id, key.key_id, next));
  if (!found) return InvalidKeyId();
  return Status::Ok();
}

}  // namespace voxsecrets::iam
