// GetAuditLog: Voximplant's parameters and answer, account scoping (own and children), roles.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/api_audit_test_base.h"

namespace voxsecrets::api {
namespace {

using nlohmann::json;

std::vector<int64_t> Ids(const json& body) {
  std::vector<int64_t> ids;
  if (!body.contains("result")) return ids;
  for (const json& item : body["result"]) ids.push_back(item["audit_log_id"].get<int64_t>());
  return ids;
}

class GetAuditLogTest : public ApiAuditTest {
 protected:
  // Three calls one minute apart at 00:00, 00:01, 00:02: AddSecret, GetSecretValue, GetSecrets.
  void SetUp() override {
    ApiAuditTest::SetUp();
    if (HasFatalFailure()) return;
    secret_id_ = AddSecret("Audited", "value-1");
    stack().clock().AdvanceSeconds(60);
    CallApp("GetSecretValue", {{"secret_id", std::to_string(secret_id_)}});
    stack().clock().AdvanceSeconds(60);
    CallApp("GetSecrets", {});
    stack().clock().AdvanceSeconds(60);
    ids_ = Ids(Call("GetAuditLog", {}));  // itself recorded after it answered
    ASSERT_EQ(ids_.size(), 3u);
  }

  int64_t secret_id_ = 0;
  std::vector<int64_t> ids_;
};

TEST_F(GetAuditLogTest, AnswersWhatTheOfficialClientsParse) {
  const json body = Call("GetAuditLog", {{"count", "2"}});
  ASSERT_TRUE(body.contains("result")) << body.dump();
  EXPECT_EQ(body["count"], 2);
  EXPECT_EQ(body["total_count"], 4);  // the three calls and the first GetAuditLog
  EXPECT_EQ(body["timezone"], "UTC");
  const json& first = body["result"][0];
  EXPECT_EQ(first["audit_log_id"], ids_[0]);
  EXPECT_EQ(first["account_id"], acme_.id);
  EXPECT_EQ(first["requested"], "2026-01-01 00:00:00");
  EXPECT_EQ(first["ip"], "127.0.0.1");
  EXPECT_EQ(first["cmd_name"], "AddSecret");
  ASSERT_TRUE(first["cmd_args"].is_string());
  const json args = json::parse(first["cmd_args"].get<std::string>());
  EXPECT_EQ(args["secret_value"], "***");
  EXPECT_EQ(args["secret_name"], "Audited");
  ASSERT_TRUE(first["cmd_result"].is_string());
  const json result = json::parse(first["cmd_result"].get<std::string>());
  EXPECT_EQ(result["code"], 0);
  EXPECT_EQ(result["credential"], "legacy_api_key");
  EXPECT_EQ(result["secret_ids"], json::array({secret_id_}));
  EXPECT_EQ(result["application_ids"], json::array({app_id_}));
  EXPECT_EQ(result["secret_versions"], json::array({1}));  // AddSecret makes version 1
  EXPECT_EQ(body["result"][1]["requested"], "2026-01-01 00:01:00");
  EXPECT_EQ(body["result"][1]["cmd_name"], "GetSecretValue");
}

TEST_F(GetAuditLogTest, FiltersByDateIdIpAndCommand) {
  // Dates are inclusive at second resolution.
  EXPECT_EQ(Ids(Call("GetAuditLog",
                     {{"from_date", "2026-01-01 00:01:00"}, {"to_date", "2026-01-01 00:02:00"}})),
            (std::vector<int64_t>{ids_[1], ids_[2]}));
  EXPECT_EQ(Ids(Call("GetAuditLog", {{"to_date", "2026-01-01 00:00:59"}})),
            (std::vector<int64_t>{ids_[0]}));
  EXPECT_EQ(Ids(Call("GetAuditLog",
                     {{"audit_log_id", std::to_string(ids_[2]) + ";" + std::to_string(ids_[0])}})),
            (std::vector<int64_t>{ids_[0], ids_[2]}));
  EXPECT_EQ(Ids(Call("GetAuditLog", {{"audit_log_id", "any"}, {"count", "3"}})), ids_);
  EXPECT_EQ(Ids(Call("GetAuditLog", {{"filtered_cmd", "GetSecrets;AddSecret"}})),
            (std::vector<int64_t>{ids_[0], ids_[2]}));
  const int by_ip = Call("GetAuditLog", {{"filtered_ip", "127.0.0.1"}})["total_count"];
  const int all = Call("GetAuditLog", {})["total_count"];
  EXPECT_EQ(by_ip + 1, all);  // every call came from 127.0.0.1; the filtered one added one
  EXPECT_TRUE(Ids(Call("GetAuditLog", {{"filtered_ip", "10.0.0.1"}})).empty());
  // There are no sub-users: their ids match nothing, "any" matches everything.
  EXPECT_TRUE(Ids(Call("GetAuditLog", {{"filtered_admin_user_id", "5"}})).empty());
  EXPECT_FALSE(Ids(Call("GetAuditLog", {{"filtered_admin_user_id", "any"}})).empty());
}

TEST_F(GetAuditLogTest, OrdersAndPages) {
  const json desc = Call("GetAuditLog", {{"desc_order", "true"},
                                         {"filtered_cmd", "AddSecret;GetSecretValue;GetSecrets"}});
  EXPECT_EQ(Ids(desc), (std::vector<int64_t>{ids_[2], ids_[1], ids_[0]}));
  const json page =
      Call("GetAuditLog", {{"count", "1"}, {"offset", "1"}, {"with_total_count", "false"}});
  EXPECT_EQ(Ids(page), (std::vector<int64_t>{ids_[1]}));
  EXPECT_EQ(page["count"], 1);
  EXPECT_FALSE(page.contains("total_count"));
}

TEST_F(GetAuditLogTest, RejectsMalformedParameters) {
  EXPECT_EQ(ErrorOf(Call("GetAuditLog", {{"from_date", "yesterday"}})), Err(496, "from_date"));
  EXPECT_EQ(ErrorOf(Call("GetAuditLog", {{"to_date", "2026-02-30 00:00:00"}})),
            Err(496, "to_date"));
  EXPECT_EQ(ErrorOf(Call("GetAuditLog", {{"audit_log_id", "1;x"}})), Err(496, "audit_log_id"));
  EXPECT_EQ(ErrorOf(Call("GetAuditLog", {{"desc_order", "maybe"}})), Err(496, "desc_order"));
  EXPECT_EQ(ErrorOf(Call("GetAuditLog", {{"count", "1001"}}))["code"], 497);
  EXPECT_EQ(ErrorOf(Call("GetAuditLog", {{"offset", "-1"}}))["code"], 497);
}

TEST_F(GetAuditLogTest, AnAccountSeesItsOwnAndItsChildrensRecordsOnly) {
  Result<ApiStack::Account> child = stack().CreateAccount("acme-child", acme_.id);
  Result<ApiStack::Account> other = stack().CreateAccount("globex");
  ASSERT_TRUE(child.ok() && other.ok());
  const json child_call = stack().CallJson(
      "GetApplications", {{"account_id", std::to_string(child->id)}, {"api_key", child->api_key}});
  ASSERT_TRUE(child_call.contains("result")) << child_call.dump();
  const json other_call = stack().CallJson(
      "GetApplications", {{"account_id", std::to_string(other->id)}, {"api_key", other->api_key}});
  ASSERT_TRUE(other_call.contains("result"));
  // A failed authentication belongs to no account.
  stack().CallJson("GetApplications",
                   {{"account_id", std::to_string(acme_.id)}, {"api_key", "wrong"}});

  const json parent = Call("GetAuditLog", {{"filtered_cmd", "GetApplications"}});
  ASSERT_EQ(parent["result"].size(), 1u) << parent.dump();
  EXPECT_EQ(parent["result"][0]["account_id"], child->id);

  const json own = stack().CallJson(
      "GetAuditLog", {{"account_id", std::to_string(child->id)}, {"api_key", child->api_key}});
  ASSERT_TRUE(own.contains("result")) << own.dump();
  for (const json& item : own["result"]) EXPECT_EQ(item["account_id"], child->id);
  EXPECT_EQ(own["total_count"], 1);  // its GetApplications (its GetAuditLog is not in yet)

  const json stranger = stack().CallJson(
      "GetAuditLog", {{"account_id", std::to_string(other->id)}, {"api_key", other->api_key}});
  EXPECT_EQ(stranger["total_count"], 1);
  EXPECT_EQ(stranger["result"][0]["account_id"], other->id);
}

TEST_F(GetAuditLogTest, OnlyOwnerAndAdminMayRead) {
  for (int role : {iam::kRoleOwner, iam::kRoleAdmin, iam::kRoleDeveloper, iam::kRoleSupport}) {
    Result<ApiStack::Key> key = stack().CreateKey(acme_.id, {role});
    ASSERT_TRUE(key.ok());
    Result<std::string> token = stack().Token(*key);
    ASSERT_TRUE(token.ok());
    const json body = stack().CallJson("GetAuditLog", {}, *token);
    if (role == iam::kRoleOwner || role == iam::kRoleAdmin) {
      EXPECT_TRUE(body.contains("result")) << role << " " << body.dump();
    } else {
      EXPECT_EQ(ErrorOf(body), Err(104)) << role;
    }
  }
}

// A key limited to some applications (docs/AUTH.md) sees the records that touched its
// applications and no other; naming another application (or one that does not exist) is 104.
// Without a limit, `application_id` filters by any application, deleted ones included.
TEST_F(GetAuditLogTest, ALimitedKeySeesOnlyTheRecordsOfItsApplications) {
  Result<int64_t> other = stack().CreateApplication(acme_.id, "other");
  Result<int64_t> spare = stack().CreateApplication(acme_.id, "spare");
  ASSERT_TRUE(other.ok() && spare.ok());
  // Records about "other" (its secret), the account (GetKeys) and both "spare" and "other".
  ASSERT_TRUE(Call("AddSecret", {{"application_id", std::to_string(*other)},
                                 {"secret_name", "OtherSecret"},
                                 {"secret_value", "other-value"}})
                  .contains("result"));
  ASSERT_TRUE(Call("GetKeys", {}).contains("result"));
  ASSERT_TRUE(Call("DelApplication",
                   {{"application_id", std::to_string(*spare)}, {"application_name", "other"}})
                  .contains("result"));
  Result<ApiStack::Key> key =
      stack().CreateKey(acme_.id, {iam::kRoleAdmin}, std::vector<int64_t>{app_id_});
  ASSERT_TRUE(key.ok());
  Result<std::string> token = stack().Token(*key);
  ASSERT_TRUE(token.ok());

  const json seen = stack().CallJson("GetAuditLog", {{"count", "1000"}}, *token);
  ASSERT_TRUE(seen.contains("result")) << seen.dump();
  // The fixture's three calls in myapp, nothing else.
  EXPECT_EQ(Ids(seen), std::vector<int64_t>(ids_.begin(), ids_.end()));
  for (const json& record : seen["result"]) {
    EXPECT_EQ(json::parse(record["cmd_result"].get<std::string>())["application_ids"],
              json::array({app_id_}));
  }
  EXPECT_EQ(seen.dump().find("other-value"), std::string::npos);
  for (const std::string& id : {std::to_string(*other), std::string("987654")}) {
    const json refused = stack().CallJson("GetAuditLog", {{"application_id", id}}, *token);
    EXPECT_EQ(ErrorOf(refused), Err(104)) << id;
    EXPECT_EQ(refused["error"]["msg"],
              "Forbidden command: application " + id +
                  " is not one of the applications this key is limited to.");
  }
  EXPECT_EQ(
      Ids(stack().CallJson("GetAuditLog", {{"application_id", std::to_string(app_id_)}}, *token)),
      Ids(seen));
  // Without a limit: "touched one of these", so the DelApplication of both is found by either.
  const json deleted = Call("GetAuditLog", {{"application_id", std::to_string(*other)}});
  ASSERT_TRUE(deleted.contains("result")) << deleted.dump();
  std::vector<std::string> methods;
  for (const json& item : deleted["result"]) methods.push_back(item["cmd_name"]);
  EXPECT_EQ(methods, (std::vector<std::string>{"AddSecret", "DelApplication"}));
  EXPECT_EQ(ErrorOf(Call("GetAuditLog", {{"application_id", "x"}})), Err(116, "application_id"));
}

}  // namespace
}  // namespace voxsecrets::api
