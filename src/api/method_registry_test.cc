// The method registry (method_table.h) is the one place a method's access and roles are written;
// these tests hold the registry to what it promises and docs/API.md to the registry:
//   - docs/API.md's method table (between its "methods:begin" and "methods:end" markers) is
//     exactly MethodsMarkdown(registry). After adding a method or changing a rule, run
//       VOXSECRETS_UPDATE_DOCS=1 build/src/api/api_test --gtest_filter='MethodRegistry*'
//     to rewrite the table, and review the diff: the doc is the rule as a reviewer reads it;
//   - AllowedMethods (GetAccountInfo's access_entries) is exactly the registry's role rule;
//   - every method lets some caller in, and a role that is part of another (Support of Owner and
//     Admin, ...) never opens a method its parents cannot call (RoleSet::Allows does not expand).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "api/api_test_base.h"
#include "api/method_table.h"

namespace voxsecrets::api {
namespace {

constexpr std::string_view kBegin = "<!-- methods:begin";
constexpr std::string_view kEnd = "<!-- methods:end -->";

std::string ApiDocPath() { return std::string(VOXSECRETS_SOURCE_DIR) + "/docs/API.md"; }

class MethodRegistryTest : public ApiCallTest {
 protected:
  const MethodTable& registry() { return stack().dispatcher().methods(); }
};

TEST_F(MethodRegistryTest, DocsApiTableIsTheRegistry) {
  std::ifstream in(ApiDocPath());
  ASSERT_TRUE(in.good()) << ApiDocPath();
  std::stringstream text;
  text << in.rdbuf();
  std::string doc = text.str();
  const size_t begin_marker = doc.find(kBegin);
  ASSERT_NE(begin_marker, std::string::npos) << "no '" << kBegin << "' in docs/API.md";
  const size_t begin = doc.find('\n', begin_marker) + 1;
  const size_t end = doc.find(kEnd, begin);
  ASSERT_NE(end, std::string::npos) << "no '" << kEnd << "' in docs/API.md";

  const std::string want = MethodsMarkdown(registry());
  const char* update = std::getenv("VOXSECRETS_UPDATE_DOCS");
  if (update != nullptr && std::string(update) == "1") {
    doc.replace(begin, end - begin, want);
    std::ofstream out(ApiDocPath(), std::ios::trunc);
    out << doc;
    ASSERT_TRUE(out.good()) << "cannot rewrite " << ApiDocPath();
    return;
  }
  EXPECT_EQ(doc.substr(begin, end - begin), want)
      << "docs/API.md's method table differs from the registry. Rewrite it with\n"
         "  VOXSECRETS_UPDATE_DOCS=1 build/src/api/api_test --gtest_filter='MethodRegistry*'\n"
         "and review the diff. The registry's table:\n"
      << want;
}

TEST_F(MethodRegistryTest, MarkdownRowsFollowTheRegistrations) {
  MethodTable table;
  const MethodHandler none = [](CallContext&, store::Tx&) -> Result<nlohmann::json> {
    return nlohmann::json::object();
  };
  table.Add({"GetThing", Access::kRead, iam::RoleSet::AnyCaller(), iam::Reach::kNothing, none});
  table.Add(
      {"AddThing", Access::kWrite, {iam::kRoleAdmin, iam::kRoleOwner}, iam::Reach::kAccount, none});
  table.Add({"SetThing",
             Access::kWrite,
             {iam::kRoleSecretsReader, iam::kRoleDeveloper},
             iam::Reach::kApplications,
             none});
  EXPECT_EQ(MethodsMarkdown(table),
            "| method | access | roles | limited keys |\n"
            "|---|---|---|---|\n"
            "| AddThing | write | Owner, Admin | no |\n"
            "| GetThing | read | any valid key | yes |\n"
            "| SetThing | write | Developer, SecretsReader | its applications |\n");
}

TEST_F(MethodRegistryTest, AllowedMethodsAreTheMethodsTheRolesOpen) {
  const std::vector<std::vector<int>> role_sets = {{},
                                                   {iam::kRoleOwner},
                                                   {iam::kRoleAdmin},
                                                   {iam::kRoleDeveloper},
                                                   {iam::kRoleSupport},
                                                   {iam::kRoleAccountant},
                                                   {iam::kRoleDeveloper, iam::kRoleSupport},
                                                   {1000},
                                                   iam::AllRoleIds()};
  for (const std::vector<int>& roles : role_sets) {
    std::vector<std::string> want;
    for (const MethodSpec* spec : registry().Specs()) {
      if (spec->roles.Allows(roles)) want.push_back(spec->name);
    }
    EXPECT_EQ(AllowedMethods(registry(), roles), want) << roles.size() << " role(s)";
  }
  EXPECT_EQ(AllowedMethods(registry(), {}),
            (std::vector<std::string>{"GetAccountInfo", "GetRoles"}));
  EXPECT_EQ(AllowedMethods(registry(), iam::AllRoleIds()), registry().Names());
  // A key limited to applications: without the methods that work on the whole account; a key
  // left without applications: nothing.
  std::vector<std::string> limited;
  for (const MethodSpec* spec : registry().Specs()) {
    if (spec->reach != iam::Reach::kAccount) limited.push_back(spec->name);
  }
  EXPECT_EQ(AllowedMethods(registry(), iam::AllRoleIds(), AppScope::Only({3})), limited);
  EXPECT_EQ(AllowedMethods(registry(), {iam::kRoleSecretsReader}, AppScope::Only({3})),
            (std::vector<std::string>{"GetAccountInfo", "GetApplications", "GetRoles",
                                      "GetSecretValue", "GetSecretVersions", "GetSecrets"}));
  EXPECT_TRUE(AllowedMethods(registry(), iam::AllRoleIds(), AppScope::Only({})).empty());
}

TEST_F(MethodRegistryTest, EveryMethodLetsSomeoneIn) {
  for (const MethodSpec* spec : registry().Specs()) {
    EXPECT_TRUE(spec->roles.any_caller() || !spec->roles.role_ids().empty()) << spec->name;
    EXPECT_TRUE(spec->roles.Allows(iam::AllRoleIds())) << spec->name;
    EXPECT_TRUE(static_cast<bool>(spec->handler) || static_cast<bool>(spec->prepare)) << spec->name;
  }
}

TEST_F(MethodRegistryTest, AChildRoleNeverOpensWhatItsParentsCannot) {
  for (const MethodSpec* spec : registry().Specs()) {
    for (const iam::Role& role : iam::AllRoles()) {
      if (!spec->roles.Allows({role.id})) continue;
      for (int parent : role.parent_role_ids) {
        EXPECT_TRUE(spec->roles.Allows({parent}))
            << spec->name << " allows " << role.name << " but not its parent " << parent;
      }
    }
  }
}

}  // namespace
}  // namespace voxsecrets::api
