// GetAccountInfo (docs/API.md, "Accounts"): the account the call acts as (a child account when a
// parent's key named it in `iss`). Any authenticated caller may ask.
//
// The answer carries the AccountInfo members voxsecrets has: account_id, account_name,
// account_email, created, active (always true), frozen (always false), and access_entries (the
// API function names these credentials may call, sorted: Voximplant's own AccountInfo member,
// typed string[] by the official clients; taken from the method registry, so it is exactly what
// the dispatcher allows, for a key limited to applications too). For a bearer-token caller it adds
// `key`: the calling key's id, held roles and, for a limited key, `application_ids` (voxsecrets
// members; the official clients drop members they do not know) — so a key of
// any role can learn what it may do, which GetKeyRoles (Owner/Admin) cannot tell it. It never
// carries `api_key` (only its hash is stored) nor billing members (voxsecrets has no balance); the
// official clients treat every AccountInfo member as optional. `return_live_balance` is accepted
// and ignored.
#include <nlohmann/json.hpp>
#include <string>

#include "api/method_table.h"
#include "api/methods/method_support.h"
#include "api/methods/methods.h"
#include "common/time_format.h"
#include "iam/accounts.h"

namespace voxsecrets::api {
namespace {

using nlohmann::json;

Result<json> GetAccountInfo(const Services&, CallContext& call, store::Tx& tx) {
  VS_ASSIGN_OR_RETURN(store::AccountRecord account,
                      iam::CallingAccount(tx, call.principal.account_id));
  json info = json::object();
  info["account_id"] = account.id;
  info["account_name"] = account.name;
  info["account_email"] = account.email;
  info["created"] = FormatApiTime(account.created);
  info["active"] = true;
  info["frozen"] = false;
  if (call.methods == nullptr) return InternalError("GetAccountInfo outside a dispatcher");
  info["access_entries"] =
      AllowedMethods(*call.methods, call.principal.role_ids, call.principal.application_scope);
  if (call.principal.kind == auth::CredentialKind::kServiceKey) {
    json key = json::object();
    key["key_id"] = call.principal.key_id;
    key["roles"] = KeyRolesJson(call.principal.role_ids, /*expanded=*/false);
    // A key limited to some applications says which (as GetKeys does).
    if (call.principal.application_scope.limited()) {
      key["application_ids"] = *call.principal.application_scope.ids;
    }
    info["key"] = std::move(key);
  }
  json body = json::object();
  body["result"] = std::move(info);
  return body;
}

}  // namespace

void RegisterAccountMethods(MethodTable& table, const Services& s) {
  // It describes the account, nothing of its applications: open to limited keys too.
  table.Add({"GetAccountInfo", Access::kRead, iam::RoleSet::AnyCaller(), iam::Reach::kNothing,
             Bind(s, GetAccountInfo)});
}

}  // namespace voxsecrets::api
