// Shared fixture of the api/ tests: a stack (tests/testing/api_fixture.h) with account "acme"
// (legacy credentials), its application "myapp", and helpers that call a method as acme and
// compare whole JSON answers. Test-only.
#ifndef VOXSECRETS_API_API_TEST_BASE_H_
#define VOXSECRETS_API_API_TEST_BASE_H_

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/time_format.h"
#include "iam/roles.h"
#include "tests/testing/api_fixture.h"

namespace voxsecrets::api {

using ParamList = std::vector<std::pair<std::string, std::string>>;

class ApiCallTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    if (HasFatalFailure()) return;
    Result<ApiStack::Account> acme = stack().CreateAccount("acme");
    ASSERT_TRUE(acme.ok()) << acme.status().ToString();
    acme_ = *acme;
    Result<int64_t> app = stack().CreateApplication(acme_.id, "myapp");
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    app_id_ = *app;
  }

  // Calls `method` with acme's legacy credentials added to `params`.
  nlohmann::json Call(std::string_view method, ParamList params) {
    params.emplace_back("account_id", std::to_string(acme_.id));
    params.emplace_back("api_key", acme_.api_key);
    return stack().CallJson(method, params);
  }
  // The same, in application "myapp" (by id).
  nlohmann::json CallApp(std::string_view method, ParamList params) {
    params.emplace_back("application_id", std::to_string(app_id_));
    return Call(method, std::move(params));
  }

  // {"error":{"code":code[,"field_name":field]}} without the message, for comparisons.
  static nlohmann::json ErrorOf(const nlohmann::json& body) {
    nlohmann::json out = nlohmann::json::object();
    if (!body.is_object() || !body.contains("error")) return body;
    out["code"] = body["error"].value("code", 0);
    if (body["error"].contains("field_name")) out["field_name"] = body["error"]["field_name"];
    return out;
  }
  static nlohmann::json Err(int code, const std::string& field = {}) {
    nlohmann::json out = nlohmann::json::object();
    out["code"] = code;
    if (!field.empty()) out["field_name"] = field;
    return out;
  }

  // Adds a secret through the API and returns its id (0 on failure, with a test failure).
  int64_t AddSecret(const std::string& name, const std::string& value,
                    const std::string& description = {}) {
    nlohmann::json body =
        CallApp("AddSecret",
                {{"secret_name", name}, {"secret_value", value}, {"description", description}});
    EXPECT_TRUE(body.contains("result")) << body.dump();
    if (!body.contains("result")) return 0;
    return body["result"][0]["secret_id"].get<int64_t>();
  }

  std::string Now() { return FormatApiTime(stack().clock().NowSeconds()); }

  ApiStack::Account acme_;
  int64_t app_id_ = 0;
};

}  // namespace voxsecrets::api

#endif  // VOXSECRETS_API_API_TEST_BASE_H_
