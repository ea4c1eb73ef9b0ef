// CreateKey, GetKeys, UpdateKey, DeleteKey, SetKeyRoles, GetKeyRoles, RemoveKeyRoles, GetRoles
// (docs/API.md, "Keys and roles"; docs/AUTH.md). Which caller may call them at all is auth's role
// table (Owner or Admin; GetRoles: any caller); the rules here are the ones within a method:
//
//  - Keys belong to the account the call acts as (CallContext::principal.account_id): a parent's
//    key acting as a child through `iss` manages the child's keys. A key of any other account is
//    answered exactly like a key that does not exist: 433 naming `key_id`.
//  - Order of checks: `key_id` (485 missing, 433 unknown), then `role_id` / `role_name` (449
//    both, 440 / 441 unknown), then `key_name` (477 over 50 code points, 496 bad UTF-8), then
//    `description` (cut to 200 code points, like a secret's), then the grant rule (435).
//  - Grant rule (auth::CanGrantRole): every role a call adds to a key or takes away from it must be
//    one the caller may grant: Owner grants every role, Admin every role but Owner. So an Admin
//    can neither make an Owner key nor change the roles of one (435), and cannot delete a key that
//    holds Owner (435). Legacy account_id + api_key credentials hold every role.
//  - At most kMaxKeysPerAccount keys per account (437).
//  - DeleteKey may delete the very key that signs the call; the next request with it gets 100.
//
// CreateKey generates the RSA-2048 pair inside its write transaction (tens of milliseconds);
// the private key leaves the server only in the response (whose JSON strings the dispatcher wipes)
// and is never stored.
#include <algorithm>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "api/methods/method_support.h"
#include "api/methods/methods.h"
#include "api/params.h"
#include "auth/credentials.h"
#include "auth/roles.h"
#include "common/field_rules.h"
#include "common/utf8.h"

namespace voxsecrets::api {
namespace {

using nlohmann::json;

constexpr size_t kMaxKeyNameCodePoints = 50;
constexpr int64_t kMaxKeysPerAccount = 100;
// Our key ids are UUIDs (36 characters); anything longer cannot name a key.
constexpr size_t kMaxKeyIdLength = 64;

Status InvalidKeyId() {
  return Status(StatusCode::kInvalidKeyId, "Invalid 'key_id': no such key.", "key_id");
}

// The key named by the required `key_id` parameter, if it belongs to the calling account.
Result<store::KeyRecord> ReadOwnKey(CallContext& call, store::Tx& tx) {
  const std::optional<std::string_view> key_id = ReadString(call.params, "key_id");
  if (!key_id.has_value()) return MissingArgument("key_id");
  if (key_id->size() > kMaxKeyIdLength) return InvalidKeyId();
  VS_ASSIGN_OR_RETURN(std::optional<store::KeyRecord> key, tx.keys().FindById(*key_id));
  if (!key.has_value() || key->account_id != call.principal.account_id) return InvalidKeyId();
  return std::move(*key);
}

// `role_id` (int list) or `role_name` (string list); nullopt when neither is given. The result is
// sorted and unique.
Result<std::optional<std::vector<int>>> ReadRoleSet(const Params& params) {
  const bool by_id = params.Has("role_id");
  const bool by_name = params.Has("role_name");
  if (by_id && by_name) {
    return Status(StatusCode::kBothRoleIdAndName,
                  "Specify either 'role_id' or 'role_name', not both.", "role_id");
  }
  std::vector<int> roles;
  if (by_id) {
    VS_ASSIGN_OR_RETURN(
        std::optional<IntList> ids,
        ReadIntList(params, "role_id", /*allow_all=*/false, StatusCode::kInvalidRoleId));
    if (!ids.has_value()) return std::optional<std::vector<int>>();
    for (int64_t id : ids->ids) {
      const auth::Role* role = id > 0 && id <= std::numeric_limits<int>::max()
                                   ? auth::FindRoleById(static_cast<int>(id))
                                   : nullptr;
      if (role == nullptr) {
        return Status(StatusCode::kInvalidRoleId,
                      "Invalid 'role_id': there is no role " + std::to_string(id) + ".", "role_id");
      }
      roles.push_back(role->id);
    }
  } else if (by_name) {
    const std::optional<std::vector<std::string>> names = ReadStringList(params, "role_name");
    if (!names.has_value()) return std::optional<std::vector<int>>();
    for (const std::string& name : *names) {
      const auth::Role* role = auth::FindRoleByName(name);
      if (role == nullptr) {
        return Status(
            StatusCode::kInvalidRoleName,
            "Invalid 'role_name': there is no role '" + EchoForMessage(name) + "'.",
            "role_name");
      }
      roles.push_back(role->id);
    }
  } else {
    return std::optional<std::vector<int>>();
  }
  std::sort(roles.begin(), roles.end());
  roles.erase(std::unique(roles.begin(), roles.end()), roles.end());
  return std::optional<std::vector<int>>(std::move(roles));
}

// `key_name`: at most 50 code points of valid UTF-8 without NUL.
Result<std::optional<std::string>> ReadKeyName(const Params& params) {
  const std::optional<std::string_view> name = ReadString(params, "key_name");
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

Result<std::optional<std::string>> ReadDescription(const Params& params) {
  const std::optional<std::string_view> description = ReadString(params, "description");
  if (!description.has_value()) return std::optional<std::string>();
  VS_ASSIGN_OR_RETURN(std::string normalized, NormalizeDescription(*description));
  return std::optional<std::string>(std::move(normalized));
}

// OK when the caller may grant (or take away) every role in `roles`.
Status CheckGrantable(const auth::Principal& caller, const std::vector<int>& roles,
                      std::string_view action) {
  for (int role_id : roles) {
    if (!auth::CanGrantRole(caller.role_ids, role_id)) {
      const auth::Role* role = auth::FindRoleById(role_id);
      return Status(StatusCode::kInvalidRoleSet,
                    "The caller's roles do not allow it to " + std::string(action) + " the '" +
                        std::string(role != nullptr ? role->name : "?") + "' role.");
    }
  }
  return Status::Ok();
}

// Elements of sorted `a` that are not in sorted `b`.
std::vector<int> Minus(const std::vector<int>& a, const std::vector<int>& b) {
  std::vector<int> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

json IdsJson(std::span<const int> ids) {
  json out = json::array();
  for (int id : ids) out.push_back(id);
  return out;
}

// A RoleView of the catalogue (GetRoles): `inherited` is true for a role that is part of other
// roles (it lists them in parent_role_id), as in Voximplant's GetRoles example.
json CatalogueRoleJson(const auth::Role& role) {
  json item = json::object();
  item["role_id"] = role.id;
  item["role_name"] = std::string(role.name);
  item["inherited"] = !role.parent_role_ids.empty();
  if (!role.parent_role_ids.empty()) item["parent_role_id"] = IdsJson(role.parent_role_ids);
  if (!role.child_role_ids.empty()) item["child_ids"] = IdsJson(role.child_role_ids);
  item["gui_only"] = false;
  return item;
}

// A role a key holds: {role_id, role_name, inherited: false}.
json HeldRoleJson(int role_id) {
  json item = json::object();
  const auth::Role* role = auth::FindRoleById(role_id);
  item["role_id"] = role_id;
  item["role_name"] = role != nullptr ? std::string(role->name) : std::string();
  item["inherited"] = false;
  return item;
}

json HeldRolesJson(const std::vector<int>& role_ids) {
  json out = json::array();
  for (int id : role_ids) {
    if (auth::FindRoleById(id) != nullptr) out.push_back(HeldRoleJson(id));
  }
  return out;
}

Result<json> CreateKey(const Services& s, CallContext& call, store::Tx& tx) {
  const int64_t account_id = call.principal.account_id;
  VS_ASSIGN_OR_RETURN(std::optional<std::vector<int>> roles, ReadRoleSet(call.params));
  VS_ASSIGN_OR_RETURN(std::optional<std::string> name, ReadKeyName(call.params));
  VS_ASSIGN_OR_RETURN(std::optional<std::string> description, ReadDescription(call.params));
  const std::vector<int> role_ids = roles.value_or(std::vector<int>{});
  VS_RETURN_IF_ERROR(CheckGrantable(call.principal, role_ids, "grant"));

  VS_ASSIGN_OR_RETURN(std::optional<store::AccountRecord> account,
                      tx.accounts().FindById(account_id));
  if (!account.has_value()) return InternalError("the calling account is missing");
  VS_ASSIGN_OR_RETURN(store::Page<store::KeyRecord> existing,
                      tx.keys().ListByAccount(account_id, std::nullopt, 0, 0));
  if (existing.total_count >= kMaxKeysPerAccount) {
    return Status(StatusCode::kTooManyKeys, "The account already has the maximum of " +
                                                std::to_string(kMaxKeysPerAccount) + " keys.");
  }

  VS_ASSIGN_OR_RETURN(auth::KeyPair pair, auth::GenerateRsaKeyPair());
  store::KeyRecord key;
  key.key_id = s.random.Uuid();
  key.account_id = account_id;
  key.public_key_pem = std::move(pair.public_key_pem);
  key.name = name.value_or(std::string());
  key.description = description.value_or(std::string());
  key.role_ids = role_ids;
  key.created = call.clock.NowSeconds();
  VS_RETURN_IF_ERROR(tx.keys().Insert(key));

  // The same four members as credentials.json (auth::BuildCredentialsJson), so that the item can
  // be saved as the key's credentials file.
  json item = json::object();
  item["account_email"] = account->email;
  item["account_id"] = account_id;
  item["key_id"] = key.key_id;
  item["private_key"] = std::string(pair.private_key_pem.view());
  json body = json::object();
  body["result"] = json::array();
  body["result"].push_back(std::move(item));
  return body;
}

Result<json> GetKeys(const Services&, CallContext& call, store::Tx& tx) {
  const std::optional<std::string_view> key_id = ReadString(call.params, "key_id");
  if (key_id.has_value()) {
    // A filter naming an unknown key (or another account's) is 433, as everywhere else.
    VS_RETURN_IF_ERROR(ReadOwnKey(call, tx).status());
  }
  VS_ASSIGN_OR_RETURN(std::optional<bool> with_roles, ReadBool(call.params, "with_roles"));
  VS_ASSIGN_OR_RETURN(PagingParams paging_params, ReadPagingParams(call.params));
  VS_ASSIGN_OR_RETURN(Paging paging,
                      CheckPaging(paging_params.count, paging_params.offset));
  VS_ASSIGN_OR_RETURN(
      store::Page<store::KeyRecord> page,
      tx.keys().ListByAccount(call.principal.account_id, key_id, paging.count, paging.offset));
  json items = json::array();
  for (const store::KeyRecord& key : page.items) {
    json item = json::object();
    item["key_id"] = key.key_id;
    if (!key.name.empty()) item["key_name"] = key.name;
    if (!key.description.empty()) item["description"] = key.description;
    if (with_roles.value_or(false)) item["roles"] = HeldRolesJson(key.role_ids);
    items.push_back(std::move(item));
  }
  json body = json::object();
  body["result"] = std::move(items);
  body["count"] = page.items.size();
  body["total_count"] = page.total_count;
  return body;
}

Result<json> UpdateKey(const Services&, CallContext& call, store::Tx& tx) {
  VS_ASSIGN_OR_RETURN(store::KeyRecord key, ReadOwnKey(call, tx));
  VS_ASSIGN_OR_RETURN(std::optional<std::string> name, ReadKeyName(call.params));
  VS_ASSIGN_OR_RETURN(std::optional<std::string> description, ReadDescription(call.params));
  std::optional<std::string_view> new_name;
  std::optional<std::string_view> new_description;
  if (name.has_value()) new_name = *name;
  if (description.has_value()) new_description = *description;
  VS_ASSIGN_OR_RETURN(bool found, tx.keys().UpdateInfo(call.principal.account_id, key.key_id,
                                                       new_name, new_description));
  if (!found) return InvalidKeyId();
  return ResultOne();
}

Result<json> DeleteKey(const Services&, CallContext& call, store::Tx& tx) {
  VS_ASSIGN_OR_RETURN(store::KeyRecord key, ReadOwnKey(call, tx));
  VS_RETURN_IF_ERROR(CheckGrantable(call.principal, key.role_ids, "delete a key holding"));
  VS_ASSIGN_OR_RETURN(bool deleted, tx.keys().Delete(call.principal.account_id, key.key_id));
  if (!deleted) return InvalidKeyId();
  return ResultOne();
}

// SetKeyRoles (replace = true) and RemoveKeyRoles (replace = false).
Result<json> ChangeKeyRoles(CallContext& call, store::Tx& tx, bool replace) {
  VS_ASSIGN_OR_RETURN(store::KeyRecord key, ReadOwnKey(call, tx));
  VS_ASSIGN_OR_RETURN(std::optional<std::vector<int>> roles, ReadRoleSet(call.params));
  if (!roles.has_value()) return MissingArgument("role_id");
  const std::vector<int> next = replace ? *roles : Minus(key.role_ids, *roles);
  VS_RETURN_IF_ERROR(CheckGrantable(call.principal, Minus(next, key.role_ids), "grant"));
  VS_RETURN_IF_ERROR(CheckGrantable(call.principal, Minus(key.role_ids, next), "take away"));
  if (next != key.role_ids) {
    VS_ASSIGN_OR_RETURN(bool found,
                        tx.keys().SetRoles(call.principal.account_id, key.key_id, next));
    if (!found) return InvalidKeyId();
  }
  return ResultOne();
}

Result<json> GetKeyRoles(const Services&, CallContext& call, store::Tx& tx) {
  VS_ASSIGN_OR_RETURN(store::KeyRecord key, ReadOwnKey(call, tx));
  VS_ASSIGN_OR_RETURN(std::optional<bool> expanded, ReadBool(call.params, "with_expanded_roles"));
  json items = HeldRolesJson(key.role_ids);
  if (expanded.value_or(false)) {
    // Roles the key has through a role it holds (e.g. Support through Owner), once each.
    std::set<int> inherited;
    for (int id : key.role_ids) {
      const auth::Role* role = auth::FindRoleById(id);
      if (role == nullptr) continue;
      for (int child : role->child_role_ids) {
        if (!std::binary_search(key.role_ids.begin(), key.role_ids.end(), child)) {
          inherited.insert(child);
        }
      }
    }
    for (int id : inherited) {
      const auth::Role* role = auth::FindRoleById(id);
      json item = json::object();
      item["role_id"] = id;
      item["role_name"] = std::string(role->name);
      item["inherited"] = true;
      json parents = json::array();
      for (int parent : role->parent_role_ids) {
        if (std::binary_search(key.role_ids.begin(), key.role_ids.end(), parent)) {
          parents.push_back(parent);
        }
      }
      item["parent_role_id"] = std::move(parents);
      items.push_back(std::move(item));
    }
  }
  json body = json::object();
  body["result"] = std::move(items);
  return body;
}

// `group_name` is accepted and ignored: voxsecrets has no role groups.
Result<json> GetRoles(const Services&, CallContext&, store::Tx&) {
  json items = json::array();
  for (const auth::Role& role : auth::AllRoles()) items.push_back(CatalogueRoleJson(role));
  json body = json::object();
  body["result"] = std::move(items);
  return body;
}

}  // namespace

void RegisterKeyMethods(MethodTable& table, const Services& services) {
  const Services s = services;
  table.Add("CreateKey", Access::kWrite,
            [s](CallContext& call, store::Tx& tx) { return CreateKey(s, call, tx); });
  table.Add("GetKeys", Access::kRead,
            [s](CallContext& call, store::Tx& tx) { return GetKeys(s, call, tx); });
  table.Add("UpdateKey", Access::kWrite,
            [s](CallContext& call, store::Tx& tx) { return UpdateKey(s, call, tx); });
  table.Add("DeleteKey", Access::kWrite,
            [s](CallContext& call, store::Tx& tx) { return DeleteKey(s, call, tx); });
  table.Add("SetKeyRoles", Access::kWrite,
            [](CallContext& call, store::Tx& tx) { return ChangeKeyRoles(call, tx, true); });
  table.Add("GetKeyRoles", Access::kRead,
            [s](CallContext& call, store::Tx& tx) { return GetKeyRoles(s, call, tx); });
  table.Add("RemoveKeyRoles", Access::kWrite,
            [](CallContext& call, store::Tx& tx) { return ChangeKeyRoles(call, tx, false); });
  table.Add("GetRoles", Access::kRead,
            [s](CallContext& call, store::Tx& tx) { return GetRoles(s, call, tx); });
}

}  // namespace voxsecrets::api
