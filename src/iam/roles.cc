#include "iam/roles.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace voxsecrets::iam {
namespace {

constexpr int kSupportParents[] = {kRoleOwner, kRoleAdmin};
constexpr int kOwnerAdminChildren[] = {kRoleSupport};
constexpr int kUserManagerChildren[] = {kRoleUserRead, kRoleUserUpdate};
constexpr int kUserManagerParent[] = {kRoleUserManager};
constexpr int kAcdManagerChildren[] = {kRoleAcdStats, kRoleAcdManagement};
constexpr int kAcdManagerParent[] = {kRoleAcdManager};

constexpr std::array<Role, 17> kRoles = {{
    {kRoleOwner, "Owner", {}, kOwnerAdminChildren},
    {kRoleAdmin, "Admin", {}, kOwnerAdminChildren},
    {kRoleSupport, "Support", kSupportParents, {}},
    {kRoleSupervisor, "Supervisor", {}, {}},
    {kRoleDeveloper, "Developer", {}, {}},
    {kRoleCallListManager, "CallList Manager", {}, {}},
    {kRoleAccountant, "Accountant", {}, {}},
    {kRoleVerification, "Verification", {}, {}},
    {kRoleScenarios, "Scenarios", {}, {}},
    {kRoleUserManager, "User Manager", {}, kUserManagerChildren},
    {kRoleUserRead, "User Read", kUserManagerParent, {}},
    {kRoleUserUpdate, "User Update", kUserManagerParent, {}},
    {kRoleAcdManager, "ACD Manager", {}, kAcdManagerChildren},
    {kRoleAcdStats, "ACD Stats", kAcdManagerParent, {}},
    {kRoleAcdManagement, "ACD Management", kAcdManagerParent, {}},
    {kRoleCallHistory, "CallHistory", {}, {}},
    {kRoleSecretsReader, "SecretsReader", {}, {}},
}};

constexpr bool IdsAreOneToN() {
  for (size_t i = 0; i < kRoles.size(); ++i) {
    if (kRoles[i].id != static_cast<int>(i) + 1) return false;
  }
  return true;
}
static_assert(IdsAreOneToN(), "FindRoleById indexes kRoles by id - 1");

using RoleMask = uint32_t;
static_assert(kRoles.size() < 32, "role ids must fit in a RoleMask");
constexpr RoleMask Bit(int id) { return RoleMask{1} << id; }

RoleMask MaskOf(const std::vector<int>& role_ids) {
  RoleMask mask = 0;
  for (int id : role_ids) {
    if (FindRoleById(id) != nullptr) mask |= Bit(id);
  }
  return mask;
}

}  // namespace

std::span<const Role> AllRoles() { return kRoles; }

std::vector<int> AllRoleIds() {
  std::vector<int> ids;
  ids.reserve(kRoles.size());
  for (const Role& r : kRoles) ids.push_back(r.id);
  return ids;
}

const Role* FindRoleByName(std::string_view name) {
  auto it =
      std::find_if(kRoles.begin(), kRoles.end(), [name](const Role& r) { return r.name == name; });
  return it == kRoles.end() ? nullptr : &*it;
}

const Role* FindRoleById(int id) {
  // Ids are 1..N in order.
  if (id < 1 || static_cast<size_t>(id) > kRoles.size()) return nullptr;
  return &kRoles[static_cast<size_t>(id - 1)];
}

bool RoleSet::Allows(const std::vector<int>& role_ids) const {
  return any_caller_ || (mask_ & MaskOf(role_ids)) != 0;
}

std::vector<int> RoleSet::role_ids() const {
  std::vector<int> ids;
  for (const Role& r : kRoles) {
    if (mask_ & Bit(r.id)) ids.push_back(r.id);
  }
  return ids;
}

bool CanGrantRole(const std::vector<int>& granter_role_ids, int role_id) {
  if (FindRoleById(role_id) == nullptr) return false;
  const RoleMask mask = MaskOf(granter_role_ids);
  if (mask & Bit(kRoleOwner)) return true;
  if (mask & Bit(kRoleAdmin)) return role_id != kRoleOwner;
  return false;
}

}  // namespace voxsecrets::iam
