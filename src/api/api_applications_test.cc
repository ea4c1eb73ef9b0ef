// The four application methods through the Dispatcher, asserting whole JSON answers
// (docs/API.md "Applications").
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "api/api_test_base.h"

namespace voxsecrets::api {
namespace {

using nlohmann::json;

class ApiApplicationsTest : public ApiCallTest {
 protected:
  int64_t AddApp(const std::string& name) {
    json body = Call("AddApplication", {{"application_name", name}});
    EXPECT_TRUE(body.contains("application_id")) << body.dump();
    return body.value("application_id", int64_t{0});
  }
};

TEST_F(ApiApplicationsTest, AddApplicationAnswersTheFullName) {
  json body = Call("AddApplication", {{"application_name", "newapp"}});
  ASSERT_TRUE(body.contains("application_id")) << body.dump();
  const int64_t id = body["application_id"];
  EXPECT_GT(id, app_id_);
  EXPECT_EQ(body, json({{"result", 1},
                        {"application_id", id},
                        {"application_name", "newapp.acme.voximplant.com"},
                        {"secure_record_storage", false}}));
  json secure = Call("AddApplication", {{"application_name", "vault.acme.voximplant.com"},
                                        {"secure_record_storage", "TRUE"}});
  EXPECT_EQ(secure["application_name"], "vault.acme.voximplant.com");
  EXPECT_EQ(secure["secure_record_storage"], true);
}

TEST_F(ApiApplicationsTest, AddApplicationRules) {
  EXPECT_EQ(ErrorOf(Call("AddApplication", {})), Err(485, "application_name"));
  for (const std::string& bad :
       {std::string("My_App"), std::string("a"), std::string("1app"), "a" + std::string(65, 'b'),
        std::string("x.other.voximplant.com")}) {
    EXPECT_EQ(ErrorOf(Call("AddApplication", {{"application_name", bad}})),
              Err(107, "application_name"))
        << bad;
  }
  EXPECT_EQ(ErrorOf(Call("AddApplication", {{"application_name", "myapp"}})),
            Err(129, "application_name"));
  EXPECT_EQ(ErrorOf(Call("AddApplication",
                         {{"application_name", "fine"}, {"secure_record_storage", "maybe"}})),
            Err(496, "secure_record_storage"));
  // The name is checked before the flag.
  EXPECT_EQ(ErrorOf(Call("AddApplication",
                         {{"application_name", "Bad"}, {"secure_record_storage", "maybe"}})),
            Err(107, "application_name"));
  // Nothing was created by the failed calls.
  EXPECT_EQ(Call("GetApplications", {})["total_count"], 1);
}

TEST_F(ApiApplicationsTest, GetApplicationsAnswersFullRecords) {
  const std::string t0 = Now();
  stack().clock().AdvanceSeconds(10);
  const std::string t1 = Now();
  const int64_t second = AddApp("second");
  const json expected = {{"result",
                          {{{"application_id", app_id_},
                            {"application_name", "myapp.acme.voximplant.com"},
                            {"created", t0},
                            {"modified", t0},
                            {"secure_record_storage", false}},
                           {{"application_id", second},
                            {"application_name", "second.acme.voximplant.com"},
                            {"created", t1},
                            {"modified", t1},
                            {"secure_record_storage", false}}}},
                         {"count", 2},
                         {"total_count", 2}};
  EXPECT_EQ(Call("GetApplications", {}), expected);
}

TEST_F(ApiApplicationsTest, GetApplicationsFiltersPagesAndRules) {
  AddApp("alpha");
  AddApp("alphabet");
  const int64_t beta = AddApp("beta");
  json by_id = Call("GetApplications", {{"application_id", std::to_string(beta)}});
  EXPECT_EQ(by_id["count"], 1);
  EXPECT_EQ(by_id["result"][0]["application_name"], "beta.acme.voximplant.com");
  json part = Call("GetApplications", {{"application_name", "ALPHA"}});
  EXPECT_EQ(part["total_count"], 2);
  json full = Call("GetApplications", {{"application_name", "beta.acme.voximplant.com"}});
  EXPECT_EQ(full["total_count"], 1);
  json page = Call("GetApplications", {{"count", "2"}, {"offset", "1"}});
  EXPECT_EQ(page["count"], 2);
  EXPECT_EQ(page["total_count"], 4);
  EXPECT_EQ(page["result"][0]["application_name"], "alpha.acme.voximplant.com");
  json none = Call("GetApplications", {{"application_id", "999999"}});
  EXPECT_EQ(none, json::parse(R"({"result":[],"count":0,"total_count":0})"));

  // voxsecrets has no rules or scenarios: asking for them adds an empty list.
  json rules = Call("GetApplications", {{"with_rules", "true"}, {"count", "1"}});
  EXPECT_EQ(rules["result"][0]["rules"], json::array());
  json scenarios = Call("GetApplications", {{"with_scenarios", "1"}, {"count", "1"}});
  EXPECT_EQ(scenarios["result"][0]["rules"], json::array());
  EXPECT_FALSE(Call("GetApplications", {{"with_rules", "false"}})["result"][0].contains("rules"));

  EXPECT_EQ(ErrorOf(Call("GetApplications", {{"with_rules", "yes"}})), Err(496, "with_rules"));
  EXPECT_EQ(ErrorOf(Call("GetApplications", {{"application_id", "x"}})),
            Err(116, "application_id"));
  EXPECT_EQ(ErrorOf(Call("GetApplications", {{"count", "0"}})), Err(497, "count"));
  EXPECT_EQ(ErrorOf(Call("GetApplications", {{"offset", "-3"}})), Err(497, "offset"));
}

TEST_F(ApiApplicationsTest, OnlyTheCallersApplicationsAreSeen) {
  Result<ApiStack::Account> globex = stack().CreateAccount("globex");
  ASSERT_TRUE(globex.ok());
  Result<int64_t> theirs = stack().CreateApplication(globex->id, "theirs");
  ASSERT_TRUE(theirs.ok());
  json mine = Call("GetApplications", {});
  EXPECT_EQ(mine["total_count"], 1);
  EXPECT_EQ(Call("GetApplications", {{"application_id", std::to_string(*theirs)}})["count"], 0);
  EXPECT_EQ(ErrorOf(Call("SetApplicationInfo", {{"application_id", std::to_string(*theirs)},
                                                {"application_name", "stolen"}})),
            Err(116, "application_id"));
  EXPECT_EQ(ErrorOf(Call("DelApplication", {{"application_id", std::to_string(*theirs)}})),
            Err(116, "application_id"));
}

TEST_F(ApiApplicationsTest, SetApplicationInfoRenamesAndAnswersTheNewFullName) {
  const std::string t0 = Now();
  stack().clock().AdvanceSeconds(30);
  EXPECT_EQ(Call("SetApplicationInfo",
                 {{"application_id", std::to_string(app_id_)}, {"application_name", "renamed"}}),
            json({{"result", 1},
                  {"application_name", "renamed.acme.voximplant.com"},
                  {"secure_record_storage", false}}));
  EXPECT_EQ(Call("SetApplicationInfo",
                 {{"required_application_name", "renamed"}, {"secure_record_storage", "true"}}),
            json({{"result", 1},
                  {"application_name", "renamed.acme.voximplant.com"},
                  {"secure_record_storage", true}}));
  json list = Call("GetApplications", {});
  EXPECT_EQ(list["result"][0]["modified"], Now());
  EXPECT_EQ(list["result"][0]["created"], t0);
  // The secrets methods find it under the new name only.
  EXPECT_EQ(Call("GetSecrets", {{"application_name", "renamed"}})["total_count"], 0);
  EXPECT_EQ(ErrorOf(Call("GetSecrets", {{"application_name", "myapp"}})),
            Err(558, "application_name"));
}

TEST_F(ApiApplicationsTest, SetApplicationInfoNoOpKeepsModified) {
  const std::string t0 = Now();
  stack().clock().AdvanceSeconds(30);
  EXPECT_EQ(Call("SetApplicationInfo", {{"required_application_name", "myapp.acme.voximplant.com"},
                                        {"application_name", "myapp"},
                                        {"secure_record_storage", "false"}}),
            json({{"result", 1},
                  {"application_name", "myapp.acme.voximplant.com"},
                  {"secure_record_storage", false}}));
  EXPECT_EQ(Call("SetApplicationInfo", {{"application_id", std::to_string(app_id_)}})["result"], 1);
  EXPECT_EQ(Call("GetApplications", {})["result"][0]["modified"], t0);
}

TEST_F(ApiApplicationsTest, SetApplicationInfoRules) {
  const int64_t other = AddApp("other");
  const std::string id = std::to_string(app_id_);
  EXPECT_EQ(ErrorOf(Call("SetApplicationInfo", {{"application_name", "x-y"}})),
            Err(485, "application_id"));
  EXPECT_EQ(ErrorOf(Call("SetApplicationInfo", {{"application_id", "abc"}})),
            Err(116, "application_id"));
  EXPECT_EQ(ErrorOf(Call("SetApplicationInfo", {{"required_application_name", "ghost"}})),
            Err(558, "required_application_name"));
  json conflict = Call("SetApplicationInfo", {{"application_id", std::to_string(other)},
                                              {"required_application_name", "myapp"}});
  EXPECT_EQ(ErrorOf(conflict), Err(458));
  const std::string msg = conflict["error"]["msg"];
  EXPECT_NE(msg.find("application_id"), std::string::npos) << msg;
  EXPECT_NE(msg.find("required_application_name"), std::string::npos) << msg;
  EXPECT_EQ(
      ErrorOf(Call("SetApplicationInfo", {{"application_id", id}, {"application_name", "other"}})),
      Err(129, "application_name"));
  EXPECT_EQ(ErrorOf(Call("SetApplicationInfo",
                         {{"application_id", id}, {"application_name", "Not_Valid"}})),
            Err(107, "application_name"));
  EXPECT_EQ(ErrorOf(Call("SetApplicationInfo", {{"application_id", id},
                                                {"application_name", "a" + std::string(80, 'b')}})),
            Err(107, "application_name"));
  EXPECT_EQ(
      Call("SetApplicationInfo",
           {{"application_id", id}, {"application_name", "a" + std::string(79, 'b')}})["result"],
      1);
  EXPECT_EQ(
      ErrorOf(Call("SetApplicationInfo", {{"application_id", id}, {"secure_record_storage", "2"}})),
      Err(496, "secure_record_storage"));
}

TEST_F(ApiApplicationsTest, DelApplicationDeletesWithSecretsAndForgetsKeys) {
  const int64_t doomed = AddApp("doomed");
  const json added = Call(
      "AddSecret",
      {{"application_id", std::to_string(doomed)}, {"secret_name", "s"}, {"secret_value", "v"}});
  ASSERT_TRUE(added.contains("result")) << added.dump();
  const size_t cached = stack().keyring().cached_keys();
  ASSERT_GE(cached, 1u);
  EXPECT_EQ(Call("DelApplication", {{"application_id", std::to_string(doomed)}}),
            json::parse(R"({"result":1})"));
  EXPECT_EQ(stack().keyring().cached_keys(), cached - 1);  // ForgetApplication ran after commit
  EXPECT_EQ(ErrorOf(Call("GetSecrets", {{"application_id", std::to_string(doomed)}})),
            Err(116, "application_id"));
  EXPECT_EQ(Call("GetApplications", {})["total_count"], 1);
}

TEST_F(ApiApplicationsTest, DelApplicationListsAndAll) {
  const int64_t a = AddApp("aaa");
  AddApp("bbb");
  AddApp("ccc");
  EXPECT_EQ(Call("DelApplication",
                 {{"application_id", " " + std::to_string(a) + ";;" + std::to_string(a)}}),
            json::parse(R"({"result":1})"));
  EXPECT_EQ(Call("DelApplication", {{"application_name", "bbb; ccc.acme.voximplant.com"}}),
            json::parse(R"({"result":1})"));
  EXPECT_EQ(Call("GetApplications", {})["total_count"], 1);
  EXPECT_EQ(Call("DelApplication", {{"application_id", "all"}}), json::parse(R"({"result":1})"));
  EXPECT_EQ(Call("GetApplications", {})["total_count"], 0);
  EXPECT_EQ(Call("DelApplication", {{"application_id", "all"}}), json::parse(R"({"result":1})"));
}

TEST_F(ApiApplicationsTest, DelApplicationIsAllOrNothing) {
  AddApp("keep");
  json bad_id = Call("DelApplication", {{"application_id", std::to_string(app_id_) + ";424242"}});
  EXPECT_EQ(ErrorOf(bad_id), Err(116, "application_id"));
  EXPECT_NE(bad_id["error"]["msg"].get<std::string>().find("424242"), std::string::npos);
  json bad_name = Call("DelApplication", {{"application_name", "keep;ghost"}});
  EXPECT_EQ(ErrorOf(bad_name), Err(558, "application_name"));
  EXPECT_NE(bad_name["error"]["msg"].get<std::string>().find("ghost"), std::string::npos);
  EXPECT_EQ(ErrorOf(Call("DelApplication", {{"application_id", "1;x"}})),
            Err(116, "application_id"));
  EXPECT_EQ(ErrorOf(Call("DelApplication", {})), Err(485, "application_id"));
  EXPECT_EQ(ErrorOf(Call("DelApplication", {{"application_id", ";"}})), Err(485, "application_id"));
  EXPECT_EQ(Call("GetApplications", {})["total_count"], 2);
}

}  // namespace
}  // namespace voxsecrets::api
