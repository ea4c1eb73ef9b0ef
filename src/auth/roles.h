// The role catalogue of service-account keys and the per-method role table (decisions.md
// "Authorization").
//
// Role names are Voximplant's (voximplant-api.md §2.4). Role ids: Voximplant documents only
// Support = 3 and Accountant = 7 (GetRoles example); every other id here is our own numbering and
// is part of voxsecrets' API from now on (ids are stored with keys: never renumber).
// Parent/child links: User Read and User Update are children of User Manager, ACD Stats and ACD
// Management of ACD Manager (Voximplant's role list), and Support lists Owner and Admin as parents
// (the GetRoles example shows Support "inherited" with parent_role_id [1, 2]; so Owner and Admin
// list Support as a child). The links are data
// for GetRoles/GetKeyRoles; MethodAllowed() looks only at the roles a key holds directly (no method
// below is allowed to a child role but not to its parent, so expansion would change no answer).
//
// Thread-safety: immutable constant data; all functions are pure.
#ifndef VOXSECRETS_AUTH_ROLES_H_
#define VOXSECRETS_AUTH_ROLES_H_

#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace voxsecrets::auth {

enum RoleId : int {
  kRoleOwner = 1,
  kRoleAdmin = 2,
  kRoleSupport = 3,
  kRoleSupervisor = 4,
  kRoleDeveloper = 5,
  kRoleCallListManager = 6,
  kRoleAccountant = 7,
  kRoleVerification = 8,
  kRoleScenarios = 9,
  kRoleUserManager = 10,
  kRoleUserRead = 11,
  kRoleUserUpdate = 12,
  kRoleAcdManager = 13,
  kRoleAcdStats = 14,
  kRoleAcdManagement = 15,
  kRoleCallHistory = 16,
};

struct Role {
  int id = 0;
  std::string_view name;                 // as Voximplant spells it, e.g. "CallList Manager"
  std::span<const int> parent_role_ids;  // sorted; empty for most roles
  std::span<const int> child_role_ids;   // sorted; empty for most roles
};

// Every role, ordered by id. The views point to static constant data (valid forever).
std::span<const Role> AllRoles();
// The ids of AllRoles(), ascending (what legacy account_id + api_key credentials hold).
std::vector<int> AllRoleIds();

// Exact, case-sensitive match on the name ("Owner", "CallList Manager"). nullptr when unknown.
// The pointer refers to static constant data.
const Role* FindRoleByName(std::string_view name);
const Role* FindRoleById(int id);

// True when a caller holding `role_ids` may call API method `method` (exact CamelCase name):
//   AddSecret, SetSecretInfo, DelSecret, GetSecretValue       Owner, Admin, Developer
//   GetSecrets, GetApplications                               Owner, Admin, Developer, Support
//   AddApplication, SetApplicationInfo                        Owner, Admin
//   DelApplication                                            Owner
//   CreateKey, GetKeys, UpdateKey, DeleteKey, SetKeyRoles,
//   GetKeyRoles, RemoveKeyRoles, GetAuditLog                  Owner, Admin
//   GetRoles, GetAccountInfo                                  any authenticated caller (even no
//   role)
// Any other method: false (the api layer answers unknown methods before asking).
// Ids in `role_ids` that name no role are ignored.
bool MethodAllowed(std::string_view method, const std::vector<int>& role_ids);

// True when a caller holding `granter_role_ids` may give `role_id` to a key (CreateKey,
// SetKeyRoles): Owner may grant every role; Admin every role but Owner; nobody else any.
// False for an unknown role_id.
bool CanGrantRole(const std::vector<int>& granter_role_ids, int role_id);

}  // namespace voxsecrets::auth

#endif  // VOXSECRETS_AUTH_ROLES_H_
