// CreateKey, GetKeys, UpdateKey, DeleteKey, SetKeyRoles, GetKeyRoles, RemoveKeyRoles, GetRoles
// (docs/API.md, "Keys and roles"; docs/AUTH.md). The rules — keys of the calling account only, the
// grant rule, the 100-key limit, key_name and description — are iam::KeyService's (iam/keys.h);
// here the parameters are read in the order the rules check them: `key_id`, then `role_id` /
// `role_name`, then `application_ids` / `application_names` (the applications a key is limited
// to, resolved by secrets::ApplicationService), then the rest.
//
// CreateKey generates the RSA-2048 pair (tens of milliseconds) in its prepare step, before its
// write transaction opens (MethodSpec::prepare), so that no write waits for it; the private key
// leaves the server only in the response (whose JSON strings the dispatcher wipes) and is never
// stored.
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "api/methods/method_support.h"
#include "api/methods/methods.h"
#include "api/params.h"
#include "iam/roles.h"

namespace voxsecrets::api {
namespace {

using nlohmann::json;

iam::Caller CallerOf(const CallContext& call) {
  return iam::Caller{call.principal.account_id, call.principal.role_ids};
}

// `role_id` (int list) or `role_name` (string list); nullopt when neither is given.
Result<std::optional<std::vector<int>>> ReadRoleSet(const Params& params) {
  const bool by_id = params.Has("role_id");
  const bool by_name = params.Has("role_name");
  if (by_id && by_name) {
    return Status(StatusCode::kBothRoleIdAndName,
                  "Specify either 'role_id' or 'role_name', not both.", "role_id");
  }
  if (by_id) {
    VS_ASSIGN_OR_RETURN(
        std::optional<IntList> ids,
        ReadIntList(params, "role_id", /*allow_all=*/false, StatusCode::kInvalidRoleId));
    if (!ids.has_value()) return std::optional<std::vector<int>>();
    VS_ASSIGN_OR_RETURN(std::vector<int> roles, iam::RolesFromIds(ids->ids));
    return std::optional<std::vector<int>>(std::move(roles));
  }
  if (by_name) {
    const std::optional<std::vector<std::string>> names = ReadStringList(params, "role_name");
    if (!names.has_value()) return std::optional<std::vector<int>>();
    VS_ASSIGN_OR_RETURN(std::vector<int> roles, iam::RolesFromNames(*names));
    return std::optional<std::vector<int>>(std::move(roles));
  }
  return std::optional<std::vector<int>>();
}

// `application_ids` (int list, or `all`: no limit) and `application_names` (string list, short or
// full names), the union: the applications a key is limited to. nullopt when neither is given.
// Unknown ids -> 116 and names -> 558 naming them (field_name application_ids /
// application_names); names next to `all` must exist too.
Result<std::optional<AppScope>> ReadKeyScope(const Services& s, CallContext& call, store::Tx& tx) {
  VS_ASSIGN_OR_RETURN(std::optional<IntList> ids,
                      ReadIntList(call.params, "application_ids", /*allow_all=*/true,
                                  StatusCode::kInvalidApplicationId));
  std::optional<std::vector<std::string>> names = ReadStringList(call.params, "application_names");
  if (!ids.has_value() && !names.has_value()) return std::optional<AppScope>();
  secrets::ApplicationSelection selection;
  if (ids.has_value()) selection.ids = std::move(ids->ids);
  if (names.has_value()) selection.names = std::move(*names);
  const bool every = ids.has_value() && ids->all;
  std::vector<int64_t> selected;
  if (!selection.ids.empty() || !selection.names.empty()) {
    VS_ASSIGN_OR_RETURN(selected, s.applications.Select(tx, call.principal.account_id, selection,
                                                        call.principal.application_scope,
                                                        "application_ids", "application_names"));
  }
  if (every) return std::optional<AppScope>(AppScope::Every());
  return std::optional<AppScope>(AppScope::Only(std::move(selected)));
}

// A RoleView of the catalogue (GetRoles): `inherited` is true for a role that is part of other
// roles (it lists them in parent_role_id), as in Voximplant's GetRoles example.
json CatalogueRoleJson(const iam::Role& role) {
  json item = json::object();
  item["role_id"] = role.id;
  item["role_name"] = std::string(role.name);
  item["inherited"] = !role.parent_role_ids.empty();
  if (!role.parent_role_ids.empty()) item["parent_role_id"] = IdsJson(role.parent_role_ids);
  if (!role.child_role_ids.empty()) item["child_ids"] = IdsJson(role.child_role_ids);
  item["gui_only"] = false;
  return item;
}

// The parameters and the key rules (the applications checked in the caller's read transaction),
// then the key pair; the handler it returns checks the applications again, then the limit, and
// stores the key inside the write transaction.
Result<MethodHandler> PrepareCreateKey(const Services& s, CallContext& call, store::Tx& tx) {
  VS_ASSIGN_OR_RETURN(std::optional<std::vector<int>> roles, ReadRoleSet(call.params));
  VS_RETURN_IF_ERROR(ReadKeyScope(s, call, tx).status());
  iam::NewKey request;
  request.role_ids = roles.value_or(std::vector<int>{});
  request.name = ReadString(call.params, "key_name");
  request.description = ReadString(call.params, "description");
  VS_ASSIGN_OR_RETURN(iam::PreparedKey prepared, s.keys.Prepare(CallerOf(call), request));
  // std::function needs a copyable callable; the private key stays in this one place.
  auto key = std::make_shared<const iam::PreparedKey>(std::move(prepared));
  return MethodHandler([s, key](CallContext& in_tx, store::Tx& write) -> Result<json> {
    // An application named may have been deleted since the check above.
    VS_ASSIGN_OR_RETURN(std::optional<AppScope> scope, ReadKeyScope(s, in_tx, write));
    VS_ASSIGN_OR_RETURN(iam::CreatedKey created, s.keys.Create(write, CallerOf(in_tx), *key,
                                                               scope.value_or(AppScope::Every())));
    // The same four members as credentials.json (auth::BuildCredentialsJson), so that the item
    // can be saved as the key's credentials file.
    json item = json::object();
    item["account_email"] = created.account_email;
    item["account_id"] = created.key.account_id;
    item["key_id"] = created.key.key_id;
    item["private_key"] = std::string(key->pair.private_key_pem.view());
    json body = json::object();
    body["result"] = json::array();
    body["result"].push_back(std::move(item));
    return body;
  });
}

Result<json> GetKeys(const Services& s, CallContext& call, store::Tx& tx) {
  const iam::Caller caller = CallerOf(call);
  const std::optional<std::string_view> key_id = ReadString(call.params, "key_id");
  if (key_id.has_value()) {
    // A filter naming an unknown key (or another account's) is 433, as everywhere else.
    VS_RETURN_IF_ERROR(s.keys.Find(tx, caller, key_id).status());
  }
  VS_ASSIGN_OR_RETURN(std::optional<bool> with_roles, ReadBool(call.params, "with_roles"));
  VS_ASSIGN_OR_RETURN(PagingParams paging_params, ReadPagingParams(call.params));
  VS_ASSIGN_OR_RETURN(Paging paging, CheckPaging(paging_params.count, paging_params.offset));
  VS_ASSIGN_OR_RETURN(store::Page<store::KeyRecord> page, s.keys.List(tx, caller, key_id, paging));
  json items = json::array();
  for (const store::KeyRecord& key : page.items) {
    json item = json::object();
    item["key_id"] = key.key_id;
    if (!key.name.empty()) item["key_name"] = key.name;
    if (!key.description.empty()) item["description"] = key.description;
    if (with_roles.value_or(false)) item["roles"] = KeyRolesJson(key.role_ids, false);
    if (key.application_ids.has_value()) item["application_ids"] = *key.application_ids;
    items.push_back(std::move(item));
  }
  json body = json::object();
  body["result"] = std::move(items);
  body["count"] = page.items.size();
  body["total_count"] = page.total_count;
  return body;
}

Result<json> UpdateKey(const Services& s, CallContext& call, store::Tx& tx) {
  const iam::Caller caller = CallerOf(call);
  VS_ASSIGN_OR_RETURN(store::KeyRecord key,
                      s.keys.Find(tx, caller, ReadString(call.params, "key_id")));
  iam::KeyChanges changes;
  VS_ASSIGN_OR_RETURN(changes.scope, ReadKeyScope(s, call, tx));
  changes.name = ReadString(call.params, "key_name");
  changes.description = ReadString(call.params, "description");
  VS_RETURN_IF_ERROR(s.keys.Update(tx, caller, key, changes));
  return ResultOne();
}

Result<json> DeleteKey(const Services& s, CallContext& call, store::Tx& tx) {
  const iam::Caller caller = CallerOf(call);
  VS_ASSIGN_OR_RETURN(store::KeyRecord key,
                      s.keys.Find(tx, caller, ReadString(call.params, "key_id")));
  VS_RETURN_IF_ERROR(s.keys.Delete(tx, caller, key));
  return ResultOne();
}

// SetKeyRoles and RemoveKeyRoles: `key_id`, then the required role list.
Result<std::pair<store::KeyRecord, std::vector<int>>> ReadKeyAndRoles(const Services& s,
                                                                      CallContext& call,
                                                                      store::Tx& tx) {
  VS_ASSIGN_OR_RETURN(store::KeyRecord key,
                      s.keys.Find(tx, CallerOf(call), ReadString(call.params, "key_id")));
  VS_ASSIGN_OR_RETURN(std::optional<std::vector<int>> roles, ReadRoleSet(call.params));
  if (!roles.has_value()) return MissingArgument("role_id");
  return std::make_pair(std::move(key), std::move(*roles));
}

Result<json> SetKeyRoles(const Services& s, CallContext& call, store::Tx& tx) {
  VS_ASSIGN_OR_RETURN(auto key_and_roles, ReadKeyAndRoles(s, call, tx));
  VS_RETURN_IF_ERROR(
      s.keys.SetRoles(tx, CallerOf(call), key_and_roles.first, key_and_roles.second));
  return ResultOne();
}

Result<json> RemoveKeyRoles(const Services& s, CallContext& call, store::Tx& tx) {
  VS_ASSIGN_OR_RETURN(auto key_and_roles, ReadKeyAndRoles(s, call, tx));
  VS_RETURN_IF_ERROR(
      s.keys.RemoveRoles(tx, CallerOf(call), key_and_roles.first, key_and_roles.second));
  return ResultOne();
}

Result<json> GetKeyRoles(const Services& s, CallContext& call, store::Tx& tx) {
  VS_ASSIGN_OR_RETURN(store::KeyRecord key,
                      s.keys.Find(tx, CallerOf(call), ReadString(call.params, "key_id")));
  VS_ASSIGN_OR_RETURN(std::optional<bool> expanded, ReadBool(call.params, "with_expanded_roles"));
  json body = json::object();
  body["result"] = KeyRolesJson(key.role_ids, expanded.value_or(false));
  return body;
}

// `group_name` is accepted and ignored: voxsecrets has no role groups.
Result<json> GetRoles(const Services&, CallContext&, store::Tx&) {
  json items = json::array();
  for (const iam::Role& role : iam::AllRoles()) items.push_back(CatalogueRoleJson(role));
  json body = json::object();
  body["result"] = std::move(items);
  return body;
}

}  // namespace

void RegisterKeyMethods(MethodTable& table, const Services& s) {
  using enum iam::RoleId;
  const iam::RoleSet owner_admin = {kRoleOwner, kRoleAdmin};
  // Keys belong to the account: a key limited to some applications manages none (it could make
  // itself a key without the limit).
  constexpr iam::Reach account = iam::Reach::kAccount;
  // CreateKey makes its key pair before its transaction (MethodSpec::prepare).
  table.Add({"CreateKey",
             Access::kWrite,
             owner_admin,
             account,
             {},
             [s](CallContext& call, store::Tx& tx) { return PrepareCreateKey(s, call, tx); }});
  table.Add({"GetKeys", Access::kRead, owner_admin, account, Bind(s, GetKeys)});
  table.Add({"UpdateKey", Access::kWrite, owner_admin, account, Bind(s, UpdateKey)});
  table.Add({"DeleteKey", Access::kWrite, owner_admin, account, Bind(s, DeleteKey)});
  table.Add({"SetKeyRoles", Access::kWrite, owner_admin, account, Bind(s, SetKeyRoles)});
  table.Add({"GetKeyRoles", Access::kRead, owner_admin, account, Bind(s, GetKeyRoles)});
  table.Add({"RemoveKeyRoles", Access::kWrite, owner_admin, account, Bind(s, RemoveKeyRoles)});
  // The role catalogue is the same for everyone.
  table.Add({"GetRoles", Access::kRead, iam::RoleSet::AnyCaller(), iam::Reach::kNothing,
             Bind(s, GetRoles)});
}

}  // namespace voxsecrets::api
