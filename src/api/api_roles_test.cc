// The role matrix: a key holding each single role (and one holding none, and a few combinations)
// calls every method of the registry, once without a limit and once limited to one application;
// the answer is 104 exactly when the method's registered roles (MethodSpec::roles) do not allow
// the key, or the key is limited and the method works on the whole account (MethodSpec::reach),
// and never 104 (nor 100) otherwise. Which roles each method takes is checked against
// docs/API.md by method_registry_test.cc; this checks that the dispatcher enforces the
// registration, for every method, old or new.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "api/api_iam_test_base.h"

namespace voxsecrets::api {
namespace {

using nlohmann::json;

// Parameters that get every method past its role check without changing anything: each call
// then fails on a parameter (or reads). CreateKey makes a key without roles. A method not named
// here is called without parameters.
ParamList HarmlessParams(const std::string& method) {
  if (method == "DelApplication" || method == "SetApplicationInfo") {
    return {{"application_id", "987654"}};
  }
  if (method == "DelSecret" || method == "SetSecretInfo" || method == "AddSecret" ||
      method == "RestoreSecretVersion") {
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

TEST_F(ApiRolesTest, EachRoleAgainstEachMethod) {
  std::vector<std::vector<int>> role_sets = {{}};
  for (const iam::Role& role : iam::AllRoles()) role_sets.push_back({role.id});
  role_sets.push_back({iam::kRoleSupport, iam::kRoleDeveloper});
  role_sets.push_back({iam::kRoleAccountant, iam::kRoleCallHistory, iam::kRoleAcdManager});
  role_sets.push_back({iam::kRoleSecretsReader, iam::kRoleSupport});

  int allowed_calls = 0;
  int forbidden_calls = 0;
  int limited_calls = 0;
  for (const std::vector<int>& roles : role_sets) {
    for (const bool limited : {false, true}) {
      ApiStack::Key key = limited ? MakeLimitedKey(acme_.id, roles, std::vector<int64_t>{app_id_})
                                  : MakeKey(acme_.id, roles);
      const std::string token = TokenOf(key);
      for (const MethodSpec* spec : stack().dispatcher().methods().Specs()) {
        const json body = CallToken(spec->name, HarmlessParams(spec->name), token);
        const std::string context = spec->name + " with roles " + json(roles).dump() +
                                    (limited ? " limited" : "") + ": " +
                                    (body.contains("error") ? body["error"].dump() : "ok");
        const bool by_roles = spec->roles.Allows(roles);
        const bool by_reach = !limited || spec->reach != iam::Reach::kAccount;
        if (by_roles && by_reach) {
          EXPECT_NE(Code(body), 104) << context;
          EXPECT_NE(Code(body), 100) << context;
          ++allowed_calls;
        } else {
          EXPECT_EQ(ErrorOf(body), Err(104)) << context;
          ++forbidden_calls;
          if (by_roles) ++limited_calls;
        }
      }
    }
  }
  EXPECT_GT(allowed_calls, 0);
  EXPECT_GT(forbidden_calls, 0);
  EXPECT_GT(limited_calls, 0);
}

// SecretsReader: what it may call, spelled out (the registry says the same; this is the promise
// docs/AUTH.md makes).
TEST_F(ApiRolesTest, SecretsReaderReadsSecretsAndNothingElse) {
  const std::set<std::string> allowed = {"GetApplications",   "GetSecrets",     "GetSecretValue",
                                         "GetSecretVersions", "GetAccountInfo", "GetRoles"};
  for (const MethodSpec* spec : stack().dispatcher().methods().Specs()) {
    EXPECT_EQ(spec->roles.Allows({iam::kRoleSecretsReader}), allowed.count(spec->name) == 1)
        << spec->name;
  }
}

TEST_F(ApiRolesTest, LegacyCredentialsHoldEveryRole) {
  for (const std::string& method : stack().dispatcher().methods().Names()) {
    const json body = Call(method, HarmlessParams(method));
    EXPECT_NE(Code(body), 104) << method;
    EXPECT_NE(Code(body), 100) << method;
  }
}

TEST_F(ApiRolesTest, TheRoleCheckComesBeforeParameters) {
  ApiStack::Key support = MakeKey(acme_.id, {iam::kRoleSupport});
  // A malformed parameter does not get past a forbidden role (104, not 485/496).
  EXPECT_EQ(ErrorOf(CallAs(support, "CreateKey", {{"role_id", "x"}, {"role_name", "y"}})),
            Err(104));
  EXPECT_EQ(ErrorOf(CallAs(support, "DeleteKey", {})), Err(104));
  EXPECT_EQ(ErrorOf(CallAs(support, "GetSecretValue", {})), Err(104));
}

}  // namespace
}  // namespace voxsecrets::api
