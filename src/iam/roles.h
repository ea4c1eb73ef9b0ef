// The role catalogue of service-account keys, the role sets that say who may call a method
// (api::MethodSpec::roles) and the grant rule (docs/AUTH.md "Roles").
//
// Role names are Voximplant's (docs/VOXIMPLANT_API_NOTES.md "Roles"), plus SecretsReader,
// voxsecrets' own: it may read secret values and nothing else (docs/AUTH.md "Roles"). Role ids:
// Voximplant documents only Support = 3 and Accountant = 7 (GetRoles example); every other id here
// is our own numbering and is part of voxsecrets' API from now on (ids are stored with keys: never
// renumber; a new role takes the next free id).
// Parent/child links: User Read and User Update are children of User Manager, ACD Stats and ACD
// Management of ACD Manager (Voximplant's role list), and Support lists Owner and Admin as parents
// (the GetRoles example shows Support "inherited" with parent_role_id [1, 2]; so Owner and Admin
// list Support as a child). The links are data for GetRoles/GetKeyRoles; RoleSet::Allows looks only
// at the roles a key holds directly (no method is allowed to a child role but not to its parent,
// so expansion would change no answer; docs/API.md's table, checked against the method registry,
// shows it).
//
// Which method takes which RoleSet is not here: each method declares it where it is registered
// (api/methods/*.cc), next to its handler.
//
// Thread-safety: immutable constant data; all functions are pure.
#ifndef VOXSECRETS_IAM_ROLES_H_
#define VOXSECRETS_IAM_ROLES_H_

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>
#include <vector>

namespace voxsecrets::iam {

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
  kRoleSecretsReader = 17,  // voxsecrets' own: reads secrets and their values, changes nothing
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

// Who may call a method: the callers holding at least one role of the set, or every
// authenticated caller (AnyCaller(), even a key without roles). A value type; constexpr so that a
// method's registration can spell its set out inline.
class RoleSet {
 public:
  static constexpr RoleSet AnyCaller() { return RoleSet(0, true); }
  // REQUIRES: every id is a RoleId of AllRoles().
  constexpr RoleSet(std::initializer_list<RoleId> roles) {
    for (RoleId id : roles) mask_ |= Bit(id);
  }

  // True when a caller holding `role_ids` is allowed. Ids that name no role are ignored.
  bool Allows(const std::vector<int>& role_ids) const;
  bool any_caller() const { return any_caller_; }
  // The roles of the set, ascending; empty for AnyCaller().
  std::vector<int> role_ids() const;

  friend bool operator==(const RoleSet&, const RoleSet&) = default;

 private:
  static_assert(kRoleSecretsReader < 32, "role ids must fit in the mask");
  static constexpr uint32_t Bit(int id) { return uint32_t{1} << id; }
  constexpr RoleSet(uint32_t mask, bool any_caller) : mask_(mask), any_caller_(any_caller) {}

  uint32_t mask_ = 0;
  bool any_caller_ = false;
};

// True when a caller holding `granter_role_ids` may give `role_id` to a key (CreateKey,
// SetKeyRoles): Owner may grant every role; Admin every role but Owner; nobody else any.
// False for an unknown role_id.
bool CanGrantRole(const std::vector<int>& granter_role_ids, int role_id);

}  // namespace voxsecrets::iam

#endif  // VOXSECRETS_IAM_ROLES_H_
