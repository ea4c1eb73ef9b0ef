// The role matrix: a key holding each single role (and one holding none) calls every method the
// dispatcher serves; the answer is 104 exactly when decisions.md's role table does not allow the
// role, and never 104 (nor 100) when it does. The table is written out here independently of
// auth::MethodAllowed, and every method the dispatcher serves must be in it.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "api/api_iam_test_base.h"

namespace voxsecrets::api {
namespace {

using nlohmann::json;

constexpr int kAny = -1;  // "any valid key", even one without roles

// decisions.md "Authorization": methods → roles.
const std::map<std::string, std::set<int>>& RoleTable() {
  using namespace auth;  // NOLINT: role ids
  static const std::map<std::string, std::set<int>> table = {
      {"AddSecret", {kRoleOwner, kRoleAdmin, kRoleDeveloper}},
      {"SetSecretInfo", {kRoleOwner, kRoleAdmin, kRoleDeveloper}},
      {"DelSecret", {kRoleOwner, kRoleAdmin, kRoleDeveloper}},
      {"GetSecretValue", {kRoleOwner, kRoleAdmin, kRoleDeveloper}},
      {"GetSecrets", {kRoleOwner, kRoleAdmin, kRoleDeveloper, kRoleSupport}},
      {"GetApplications", {kRoleOwner, kRoleAdmin, kRoleDeveloper, kRoleSupport}},
      {"AddApplication", {kRoleOwner, kRoleAdmin}},
      {"SetApplicationInfo", {kRoleOwner, kRoleAdmin}},
      {"DelApplication", {kRoleOwner}},
      {"CreateKey", {kRoleOwner, kRoleAdmin}},
      {"GetKeys", {kRoleOwner, kRoleAdmin}},
      {"UpdateKey", {kRoleOwner, kRoleAdmin}},
      {"DeleteKey", {kRoleOwner, kRoleAdmin}},
      {"SetKeyRoles", {kRoleOwner, kRoleAdmin}},
      {"GetKeyRoles", {kRoleOwner, kRoleAdmin}},
      {"RemoveKeyRoles", {kRoleOwner, kRoleAdmin}},
      {"GetAuditLog", {kRoleOwner, kRoleAdmin}},
      {"GetRoles", {kAny}},
      {"GetAccountInfo", {kAny}},
  };
  return table;
}

bool Allowed(const std::string& method, const std::vector<int>& roles) {
  const std::set<int>& allowed = RoleTable().at(method);
  if (allowed.count(kAny) > 0) return true;
  for (int role : roles) {
    if (allowed.count(role) > 0) return true;
  }
  return false;
}

// Parameters that get every method past its role check without changing anything: each call
// then fails on a parameter (or reads). CreateKey makes a key without roles.
ParamList HarmlessParams(const std::string& method) {
  if (method == "DelApplication" || method == "SetApplicationInfo") {
    return {{"application_id", "987654"}};
  }
  if (method == "DelSecret" || method == "SetSecretInfo" || method == "AddSecret") {
    return {{"application_id", "987654"}};
  }
  return {};
}

class ApiRolesTest : public IamTest {
 protected:
  int Code(const json& body) {
    return body.is_object() && body.contains("error") ? body["error"].value("code", 0) : 0;
  }
};

TEST_F(ApiRolesTest, EveryMethodIsInTheTable) {
  const std::vector<std::string> names = stack().dispatcher().methods().Names();
  for (const std::string& name : names) {
    EXPECT_EQ(RoleTable().count(name), 1u) << name << " has no row in the role table";
  }
  for (const auto& [method, roles] : RoleTable()) {
    // GetAuditLog belongs to the audit layer; every other row must be served.
    if (method == "GetAuditLog") continue;
    EXPECT_NE(std::find(names.begin(), names.end(), method), names.end()) << method;
  }
}

TEST_F(ApiRolesTest, EachRoleAgainstEachMethod) {
  std::vector<std::vector<int>> role_sets = {{}};
  for (const auth::Role& role : auth::AllRoles()) role_sets.push_back({role.id});
  role_sets.push_back({auth::kRoleSupport, auth::kRoleDeveloper});
  role_sets.push_back({auth::kRoleAccountant, auth::kRoleCallHistory, auth::kRoleAcdManager});

  int allowed_calls = 0;
  int forbidden_calls = 0;
  for (const std::vector<int>& roles : role_sets) {
    ApiStack::Key key = MakeKey(acme_.id, roles);
    const std::string token = TokenOf(key);
    for (const std::string& method : stack().dispatcher().methods().Names()) {
      if (RoleTable().count(method) == 0) continue;  // reported by EveryMethodIsInTheTable
      const json body = CallToken(method, HarmlessParams(method), token);
      const std::string context = method + " with roles " + json(roles).dump() + ": " +
                                  (body.contains("error") ? body["error"].dump() : "ok");
      if (Allowed(method, roles)) {
        EXPECT_NE(Code(body), 104) << context;
        EXPECT_NE(Code(body), 100) << context;
        ++allowed_calls;
      } else {
        EXPECT_EQ(ErrorOf(body), Err(104)) << context;
        ++forbidden_calls;
      }
    }
  }
  EXPECT_GT(allowed_calls, 0);
  EXPECT_GT(forbidden_calls, 0);
}

TEST_F(ApiRolesTest, LegacyCredentialsHoldEveryRole) {
  for (const std::string& method : stack().dispatcher().methods().Names()) {
    const json body = Call(method, HarmlessParams(method));
    EXPECT_NE(Code(body), 104) << method;
    EXPECT_NE(Code(body), 100) << method;
  }
}

TEST_F(ApiRolesTest, TheRoleCheckComesBeforeParameters) {
  ApiStack::Key support = MakeKey(acme_.id, {auth::kRoleSupport});
  // A malformed parameter does not get past a forbidden role (104, not 485/496).
  EXPECT_EQ(ErrorOf(CallAs(support, "CreateKey", {{"role_id", "x"}, {"role_name", "y"}})),
            Err(104));
  EXPECT_EQ(ErrorOf(CallAs(support, "DeleteKey", {})), Err(104));
  EXPECT_EQ(ErrorOf(CallAs(support, "GetSecretValue", {})), Err(104));
}

}  // namespace
}  // namespace voxsecrets::api
