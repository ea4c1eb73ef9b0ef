// Secret versions through the Dispatcher (docs/API.md "Secret versions"): GetSecretVersions,
// GetSecretValue's `version`, RestoreSecretVersion, their errors and order of checks. Secret
// values here are test data.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "api/api_test_base.h"

namespace voxsecrets::api {
namespace {

using nlohmann::json;

class ApiVersionsTest : public ApiCallTest {
 protected:
  // The value of `version` (or the current one) of secret `id`; "" with a test failure if none.
  std::string ValueOf(int64_t id, std::optional<int64_t> version = std::nullopt) {
    ParamList params = {{"secret_id", std::to_string(id)}};
    if (version.has_value()) params.emplace_back("version", std::to_string(*version));
    const json body = CallApp("GetSecretValue", params);
    EXPECT_TRUE(body.contains("result")) << ErrorOf(body).dump();
    if (!body.contains("result")) return "";
    if (version.has_value()) {
      EXPECT_EQ(body["result"][0]["version"], *version);
    }
    return body["result"][0]["secret_value"].get<std::string>();
  }
  void SetValue(int64_t id, const std::string& value) {
    EXPECT_EQ(
        CallApp("SetSecretInfo", {{"secret_id", std::to_string(id)}, {"secret_value", value}}),
        json::parse(R"({"result":1})"));
  }
};

TEST_F(ApiVersionsTest, GetSecretVersionsListsNewestFirstWithoutValues) {
  const std::string t0 = Now();
  const int64_t id = AddSecret("db", "first value");
  stack().clock().AdvanceSeconds(60);
  const std::string t1 = Now();
  SetValue(id, "second value");
  stack().clock().AdvanceSeconds(60);
  // A rename and a description make no version.
  EXPECT_EQ(CallApp("SetSecretInfo", {{"secret_id", std::to_string(id)},
                                      {"new_secret_name", "db2"},
                                      {"description", "d"}}),
            json::parse(R"({"result":1})"));
  const json body = CallApp("GetSecretVersions", {{"secret_name", "db2"}});
  EXPECT_EQ(body, json::parse(R"({"result":[{"version":2,"created":")" + t1 +
                              R"(","current":true},{"version":1,"created":")" + t0 +
                              R"(","current":false}],"count":2,"total_count":2})"));
  EXPECT_EQ(body.dump().find("value\""), std::string::npos);
  // Paging.
  EXPECT_EQ(CallApp("GetSecretVersions",
                    {{"secret_id", std::to_string(id)}, {"count", "1"}, {"offset", "1"}}),
            json::parse(R"({"result":[{"version":1,"created":")" + t0 +
                        R"(","current":false}],"count":1,"total_count":2})"));
}

TEST_F(ApiVersionsTest, GetSecretValueReadsAnyKeptVersion) {
  const int64_t id = AddSecret("db", "v-one");
  SetValue(id, "v-two");
  EXPECT_EQ(ValueOf(id), "v-two");
  EXPECT_EQ(ValueOf(id, 1), "v-one");
  EXPECT_EQ(ValueOf(id, 2), "v-two");
  // Without `version` the answer names the current one.
  const json body = CallApp("GetSecretValue", {{"secret_name", "db"}});
  EXPECT_EQ(body["result"][0]["version"], 2);
}

TEST_F(ApiVersionsTest, RestoreSecretVersionMakesANewCurrentVersion) {
  const int64_t id = AddSecret("db", "good");
  SetValue(id, "wrong paste");
  EXPECT_EQ(CallApp("RestoreSecretVersion", {{"secret_name", "db"}, {"version", "1"}}),
            json::parse(R"({"result":1,"version":3})"));
  EXPECT_EQ(ValueOf(id), "good");
  EXPECT_EQ(ValueOf(id, 2), "wrong paste");
  EXPECT_EQ(CallApp("GetSecretVersions", {{"secret_id", std::to_string(id)}})["total_count"], 3);
  // The current version: nothing changes.
  EXPECT_EQ(CallApp("RestoreSecretVersion", {{"secret_id", std::to_string(id)}, {"version", "3"}}),
            json::parse(R"({"result":1,"version":3})"));
}

TEST_F(ApiVersionsTest, VersionErrorsAndTheirOrder) {
  const int64_t id = AddSecret("db", "v1");
  const std::string sid = std::to_string(id);
  // Unknown version: 341 with field_name "version", naming what is kept.
  const json unknown = CallApp("GetSecretValue", {{"secret_id", sid}, {"version", "7"}});
  EXPECT_EQ(unknown["error"], json({{"code", 341},
                                    {"msg",
                                     "Version 7 of secret 'db' is not found; it keeps only "
                                     "version 1."},
                                    {"field_name", "version"}}));
  EXPECT_EQ(ErrorOf(CallApp("RestoreSecretVersion", {{"secret_id", sid}, {"version", "0"}})),
            Err(341, "version"));
  // Malformed -> 496; missing (RestoreSecretVersion) -> 485.
  EXPECT_EQ(ErrorOf(CallApp("GetSecretValue", {{"secret_id", sid}, {"version", "1.0"}})),
            Err(496, "version"));
  EXPECT_EQ(ErrorOf(CallApp("RestoreSecretVersion", {{"secret_id", sid}})), Err(485, "version"));
  // The application, then the secret, then the version.
  EXPECT_EQ(ErrorOf(Call("GetSecretValue",
                         {{"application_id", "999999"}, {"secret_id", "x"}, {"version", "y"}})),
            Err(116, "application_id"));
  EXPECT_EQ(ErrorOf(CallApp("RestoreSecretVersion", {{"secret_id", "424242"}, {"version", "y"}})),
            Err(341, "secret_id"));
  EXPECT_EQ(ErrorOf(CallApp("GetSecretVersions", {{"secret_name", "nope"}, {"count", "0"}})),
            Err(341, "secret_name"));
  EXPECT_EQ(ErrorOf(CallApp("GetSecretVersions", {{"secret_id", sid}, {"count", "0"}})),
            Err(497, "count"));
  EXPECT_EQ(ErrorOf(CallApp("GetSecretVersions", {})), Err(485, "secret_id"));
}

TEST_F(ApiVersionsTest, DelSecretDeletesEveryVersion) {
  const int64_t id = AddSecret("db", "v1");
  SetValue(id, "v2");
  EXPECT_EQ(CallApp("DelSecret", {{"secret_id", std::to_string(id)}}),
            json::parse(R"({"result":1})"));
  EXPECT_EQ(ErrorOf(CallApp("GetSecretVersions", {{"secret_id", std::to_string(id)}})),
            Err(341, "secret_id"));
  // A new secret of the same name starts again at version 1.
  const int64_t again = AddSecret("db", "v1 again");
  EXPECT_EQ(CallApp("GetSecretVersions", {{"secret_id", std::to_string(again)}})["total_count"], 1);
  EXPECT_EQ(
      ErrorOf(CallApp("GetSecretValue", {{"secret_id", std::to_string(again)}, {"version", "2"}})),
      Err(341, "version"));
}

class ApiRetentionTest : public ApiVersionsTest {
 protected:
  ApiStackOptions StackOptions() override {
    ApiStackOptions options;
    options.secret_versions = 2;
    return options;
  }
};

TEST_F(ApiRetentionTest, OnlyTheLastNVersionsAreAnswered) {
  const int64_t id = AddSecret("db", "v1");
  SetValue(id, "v2");
  SetValue(id, "v3");
  const json body = CallApp("GetSecretVersions", {{"secret_id", std::to_string(id)}});
  EXPECT_EQ(body["total_count"], 2);
  EXPECT_EQ(body["result"][0]["version"], 3);
  EXPECT_EQ(body["result"][1]["version"], 2);
  const json gone =
      CallApp("GetSecretValue", {{"secret_id", std::to_string(id)}, {"version", "1"}});
  EXPECT_EQ(gone["error"]["msg"],
            "Version 1 of secret 'db' is not found; it keeps versions 2 to 3.");
  EXPECT_EQ(ErrorOf(gone), Err(341, "version"));
}

}  // namespace
}  // namespace voxsecrets::api
