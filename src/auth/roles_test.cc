#include "auth/roles.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

namespace voxsecrets::auth {
namespace {

TEST(RolesTest, CatalogueIdsAndNames) {
  const std::map<int, std::string> want = {
      {1, "Owner"},         {2, "Admin"},        {3, "Support"},
      {4, "Supervisor"},    {5, "Developer"},    {6, "CallList Manager"},
      {7, "Accountant"},    {8, "Verification"}, {9, "Scenarios"},
      {10, "User Manager"}, {11, "User Read"},   {12, "User Update"},
      {13, "ACD Manager"},  {14, "ACD Stats"},   {15, "ACD Management"},
      {16, "CallHistory"},
  };
  ASSERT_EQ(AllRoles().size(), want.size());
  for (const Role& r : AllRoles()) {
    ASSERT_TRUE(want.count(r.id)) << r.id;
    EXPECT_EQ(r.name, want.at(r.id));
    ASSERT_NE(FindRoleById(r.id), nullptr);
    EXPECT_EQ(FindRoleById(r.id)->name, r.name);
    ASSERT_NE(FindRoleByName(r.name), nullptr);
    EXPECT_EQ(FindRoleByName(r.name)->id, r.id);
  }
  std::vector<int> ids = AllRoleIds();
  EXPECT_EQ(ids.size(), want.size());
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
}

TEST(RolesTest, VoximplantDocumentedIds) {
  EXPECT_EQ(FindRoleByName("Support")->id, 3);
  EXPECT_EQ(FindRoleByName("Accountant")->id, 7);
}

TEST(RolesTest, UnknownLookups) {
  EXPECT_EQ(FindRoleById(0), nullptr);
  EXPECT_EQ(FindRoleById(-1), nullptr);
  EXPECT_EQ(FindRoleById(17), nullptr);
  EXPECT_EQ(FindRoleByName("owner"), nullptr);  // case-sensitive
  EXPECT_EQ(FindRoleByName("Owner "), nullptr);
  EXPECT_EQ(FindRoleByName(""), nullptr);
}

TEST(RolesTest, ParentAndChildLinksAgree) {
  for (const Role& r : AllRoles()) {
    for (int child : r.child_role_ids) {
      const Role* c = FindRoleById(child);
      ASSERT_NE(c, nullptr);
      EXPECT_TRUE(std::count(c->parent_role_ids.begin(), c->parent_role_ids.end(), r.id))
          << r.name << " -> " << c->name;
    }
    for (int parent : r.parent_role_ids) {
      const Role* p = FindRoleById(parent);
      ASSERT_NE(p, nullptr);
      EXPECT_TRUE(std::count(p->child_role_ids.begin(), p->child_role_ids.end(), r.id))
          << p->name << " -> " << r.name;
    }
  }
  const Role* support = FindRoleById(kRoleSupport);
  EXPECT_EQ(std::vector<int>(support->parent_role_ids.begin(), support->parent_role_ids.end()),
            (std::vector<int>{1, 2}));
  const Role* um = FindRoleById(kRoleUserManager);
  EXPECT_EQ(std::vector<int>(um->child_role_ids.begin(), um->child_role_ids.end()),
            (std::vector<int>{11, 12}));
}

// The decisions.md table, spelled out independently of roles.cc.
TEST(RolesTest, MethodTableMatchesDecisions) {
  const std::set<int> writers = {kRoleOwner, kRoleAdmin, kRoleDeveloper};
  const std::set<int> readers = {kRoleOwner, kRoleAdmin, kRoleDeveloper, kRoleSupport};
  const std::set<int> owner_admin = {kRoleOwner, kRoleAdmin};
  const std::set<int> owner = {kRoleOwner};
  const std::map<std::string, std::set<int>> table = {
      {"AddSecret", writers},          {"SetSecretInfo", writers},
      {"DelSecret", writers},          {"GetSecretValue", writers},
      {"GetSecrets", readers},         {"GetApplications", readers},
      {"AddApplication", owner_admin}, {"SetApplicationInfo", owner_admin},
      {"DelApplication", owner},       {"CreateKey", owner_admin},
      {"GetKeys", owner_admin},        {"UpdateKey", owner_admin},
      {"DeleteKey", owner_admin},      {"SetKeyRoles", owner_admin},
      {"GetKeyRoles", owner_admin},    {"RemoveKeyRoles", owner_admin},
      {"GetAuditLog", owner_admin},
  };
  for (const auto& [method, allowed] : table) {
    for (const Role& r : AllRoles()) {
      EXPECT_EQ(MethodAllowed(method, {r.id}), allowed.count(r.id) == 1)
          << method << " / " << r.name;
    }
    EXPECT_FALSE(MethodAllowed(method, {})) << method;
    // Every role but the allowed ones together: still refused.
    std::vector<int> others;
    for (const Role& r : AllRoles()) {
      if (!allowed.count(r.id)) others.push_back(r.id);
    }
    EXPECT_FALSE(MethodAllowed(method, others)) << method;
    EXPECT_TRUE(MethodAllowed(method, AllRoleIds())) << method;
  }
}

TEST(RolesTest, AnyValidKeyMethods) {
  for (const char* method : {"GetRoles", "GetAccountInfo"}) {
    EXPECT_TRUE(MethodAllowed(method, {})) << method;
    EXPECT_TRUE(MethodAllowed(method, {kRoleAccountant})) << method;
  }
}

TEST(RolesTest, UnknownMethodsAndRoleIds) {
  EXPECT_FALSE(MethodAllowed("GetRoleGroups", AllRoleIds()));
  EXPECT_FALSE(MethodAllowed("addsecret", AllRoleIds()));  // exact case
  EXPECT_FALSE(MethodAllowed("", AllRoleIds()));
  EXPECT_FALSE(MethodAllowed("AddSecret", {0, -1, 17, 31, 32, 64, 1000}));
  EXPECT_TRUE(MethodAllowed("AddSecret", {1000, kRoleDeveloper}));
}

TEST(RolesTest, CanGrantRole) {
  for (const Role& r : AllRoles()) {
    EXPECT_TRUE(CanGrantRole({kRoleOwner}, r.id)) << r.name;
    EXPECT_EQ(CanGrantRole({kRoleAdmin}, r.id), r.id != kRoleOwner) << r.name;
    EXPECT_FALSE(CanGrantRole({kRoleDeveloper, kRoleSupport}, r.id)) << r.name;
    EXPECT_FALSE(CanGrantRole({}, r.id)) << r.name;
  }
  EXPECT_TRUE(CanGrantRole({kRoleAdmin, kRoleOwner}, kRoleOwner));
  EXPECT_FALSE(CanGrantRole({kRoleOwner}, 17));
  EXPECT_FALSE(CanGrantRole({kRoleOwner}, 0));
}

}  // namespace
}  // namespace voxsecrets::auth
