#include "iam/roles.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace voxsecrets::iam {
namespace {

TEST(RolesTest, CatalogueIdsAndNames) {
  const std::map<int, std::string> want = {
      {1, "Owner"},         {2, "Admin"},          {3, "Support"},
      {4, "Supervisor"},    {5, "Developer"},      {6, "CallList Manager"},
      {7, "Accountant"},    {8, "Verification"},   {9, "Scenarios"},
      {10, "User Manager"}, {11, "User Read"},     {12, "User Update"},
      {13, "ACD Manager"},  {14, "ACD Stats"},     {15, "ACD Management"},
      {16, "CallHistory"},  {17, "SecretsReader"},
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
  EXPECT_EQ(FindRoleById(18), nullptr);
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

// Which method takes which set is the method registry's (api/method_table.h), checked against
// docs/API.md by api/method_registry_test.cc; here only what a set means.
TEST(RoleSetTest, AllowsACallerHoldingOneOfItsRoles) {
  constexpr RoleSet writers = {kRoleOwner, kRoleAdmin, kRoleDeveloper};
  for (const Role& r : AllRoles()) {
    const bool member = r.id == kRoleOwner || r.id == kRoleAdmin || r.id == kRoleDeveloper;
    EXPECT_EQ(writers.Allows({r.id}), member) << r.name;
  }
  EXPECT_FALSE(writers.Allows({}));
  // Every role but the set's together: still refused.
  std::vector<int> others;
  for (const Role& r : AllRoles()) {
    if (r.id != kRoleOwner && r.id != kRoleAdmin && r.id != kRoleDeveloper) others.push_back(r.id);
  }
  EXPECT_FALSE(writers.Allows(others));
  EXPECT_TRUE(writers.Allows(AllRoleIds()));
  EXPECT_TRUE(writers.Allows({kRoleSupport, kRoleDeveloper}));
  EXPECT_EQ(writers.role_ids(), (std::vector<int>{kRoleOwner, kRoleAdmin, kRoleDeveloper}));
  EXPECT_FALSE(writers.any_caller());
}

TEST(RoleSetTest, AnyCallerAllowsEvenNoRole) {
  constexpr RoleSet any = RoleSet::AnyCaller();
  EXPECT_TRUE(any.Allows({}));
  EXPECT_TRUE(any.Allows({kRoleAccountant}));
  EXPECT_TRUE(any.Allows({0, 1000}));
  EXPECT_TRUE(any.any_caller());
  EXPECT_TRUE(any.role_ids().empty());
  EXPECT_NE(any, RoleSet({}));
  EXPECT_FALSE(RoleSet({}).Allows(AllRoleIds()));
}

TEST(RoleSetTest, UnknownRoleIdsAreIgnored) {
  constexpr RoleSet writers = {kRoleOwner, kRoleAdmin, kRoleDeveloper};
  EXPECT_FALSE(writers.Allows({0, -1, 18, 31, 32, 64, 1000}));
  EXPECT_TRUE(writers.Allows({1000, kRoleDeveloper}));
}

TEST(RolesTest, CanGrantRole) {
  for (const Role& r : AllRoles()) {
    EXPECT_TRUE(CanGrantRole({kRoleOwner}, r.id)) << r.name;
    EXPECT_EQ(CanGrantRole({kRoleAdmin}, r.id), r.id != kRoleOwner) << r.name;
    EXPECT_FALSE(CanGrantRole({kRoleDeveloper, kRoleSupport}, r.id)) << r.name;
    EXPECT_FALSE(CanGrantRole({}, r.id)) << r.name;
  }
  EXPECT_TRUE(CanGrantRole({kRoleAdmin, kRoleOwner}, kRoleOwner));
  EXPECT_FALSE(CanGrantRole({kRoleOwner}, 18));
  EXPECT_FALSE(CanGrantRole({kRoleOwner}, 0));
}

}  // namespace
}  // namespace voxsecrets::iam
