// The audit trail through the whole API stack: every method of the registry, on success and on
// failure paths (including calls refused before a handler), leaves exactly one correct record;
// values, tokens and api_keys never reach a record, the export or the database file in clear; an
// audit store that fails makes mutations roll back and reads answer without their value.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "api/api_audit_test_base.h"

namespace voxsecrets::api {
namespace {

using nlohmann::json;

// A distinctive value (with a non-ASCII character) that must never be found in clear.
const std::string kValue = "Vx-s3cr3t-\xf0\x9f\x94\x91-alpha-9731";
const std::string kOtherValue = "Vx-s3cr3t-other-4410";

int CodeOf(const json& body) {
  if (body.contains("error")) return body["error"].value("code", -1);
  return 0;
}

TEST_F(ApiAuditTest, EveryMethodThatSucceedsLeavesExactlyOneCorrectRecord) {
  size_t before = RecordCount();
  json body = CallApp("AddSecret", {{"secret_name", "Alpha"}, {"secret_value", kValue}});
  ASSERT_TRUE(body.contains("result")) << body.dump();
  const int64_t secret_id = body["result"][0]["secret_id"];
  store::AuditRecord record = ExpectOneRecord(body, before, "AddSecret", acme_.id);
  EXPECT_EQ(record.credential, "legacy_api_key");
  EXPECT_EQ(record.key_id, "");
  EXPECT_EQ(record.touched_json, "{\"application_ids\":[" + std::to_string(app_id_) +
                                     "],\"secret_ids\":[" + std::to_string(secret_id) +
                                     "],\"secret_versions\":[1]}");
  const json args = json::parse(record.args_json);
  EXPECT_EQ(args["secret_value"], "***");
  EXPECT_EQ(args["api_key"], "***");
  EXPECT_EQ(args["secret_name"], "Alpha");
  EXPECT_EQ(args["account_id"], std::to_string(acme_.id));

  const std::string sid = std::to_string(secret_id);
  struct Step {
    std::string method;
    ParamList params;
    bool in_app;
  };
  // The version each call read or made, when it touched one.
  const std::map<std::string, std::string> versions = {
      {"GetSecretValue", "1"}, {"SetSecretInfo", "2"}, {"RestoreSecretVersion", "3"}};
  const std::vector<Step> secret_steps = {
      {"GetSecretValue", {{"secret_id", sid}}, true},
      {"GetSecrets", {}, true},
      {"SetSecretInfo", {{"secret_id", sid}, {"secret_value", kOtherValue}}, true},
      {"GetSecretVersions", {{"secret_id", sid}}, true},
      {"RestoreSecretVersion", {{"secret_id", sid}, {"version", "1"}}, true},
      {"DelSecret", {{"secret_id", sid}}, true},
      {"AddApplication", {{"application_name", "second"}}, false},
      {"GetApplications", {}, false},
      {"GetRoles", {}, false},
      {"GetAccountInfo", {}, false},
      {"GetAuditLog", {}, false},
      {"CreateKey", {{"role_name", "Developer"}, {"key_name", "ci"}}, false},
      {"GetKeys", {}, false},
  };
  for (const Step& step : secret_steps) {
    before = RecordCount();
    body = step.in_app ? CallApp(step.method, step.params) : Call(step.method, step.params);
    EXPECT_EQ(CodeOf(body), 0) << step.method << " " << body.dump();
    record = ExpectOneRecord(body, before, step.method, acme_.id);
    if (step.in_app) {
      EXPECT_NE(record.touched_json.find(std::to_string(app_id_)), std::string::npos);
    }
    if (step.method == "GetSecretValue" || step.method == "SetSecretInfo" ||
        step.method == "DelSecret" || step.method == "GetSecretVersions" ||
        step.method == "RestoreSecretVersion") {
      EXPECT_NE(record.touched_json.find("\"secret_ids\":[" + sid + "]"), std::string::npos)
          << step.method << " " << record.touched_json;
    }
    const auto version = versions.find(step.method);
    if (version != versions.end()) {
      EXPECT_NE(record.touched_json.find("\"secret_versions\":[" + version->second + "]"),
                std::string::npos)
          << step.method << " " << record.touched_json;
    } else {
      EXPECT_EQ(record.touched_json.find("secret_versions"), std::string::npos)
          << step.method << " " << record.touched_json;
    }
    if (step.method == "CreateKey") {
      ASSERT_TRUE(body.contains("result"));
      EXPECT_EQ(record.args_json.find("PRIVATE KEY"), std::string::npos);
    }
  }

  // The application and key methods on what the steps above made.
  json apps = Call("GetApplications", {{"application_name", "second"}});
  ASSERT_EQ(apps["result"].size(), 1u) << apps.dump();
  const std::string second = std::to_string(apps["result"][0]["application_id"].get<int64_t>());
  json keys = Call("GetKeys", {});
  ASSERT_EQ(keys["result"].size(), 1u) << keys.dump();
  const std::string key_id = keys["result"][0]["key_id"];
  const std::vector<Step> more_steps = {
      {"SetApplicationInfo", {{"application_id", second}, {"application_name", "third"}}, false},
      {"DelApplication", {{"application_id", second}}, false},
      {"UpdateKey", {{"key_id", key_id}, {"key_name", "ci2"}}, false},
      {"SetKeyRoles", {{"key_id", key_id}, {"role_name", "Developer;Support"}}, false},
      {"GetKeyRoles", {{"key_id", key_id}}, false},
      {"RemoveKeyRoles", {{"key_id", key_id}, {"role_name", "Support"}}, false},
      {"DeleteKey", {{"key_id", key_id}}, false},
  };
  for (const Step& step : more_steps) {
    before = RecordCount();
    body = Call(step.method, step.params);
    EXPECT_EQ(CodeOf(body), 0) << step.method << " " << body.dump();
    record = ExpectOneRecord(body, before, step.method, acme_.id);
    if (step.method == "SetApplicationInfo" || step.method == "DelApplication") {
      EXPECT_NE(record.touched_json.find(second), std::string::npos) << record.touched_json;
    }
  }
  ExpectChainVerifies();
}

TEST_F(ApiAuditTest, EveryFailurePathLeavesExactlyOneRecordWithItsErrorCode) {
  const int64_t secret_id = AddSecret("Existing", kValue);
  ASSERT_GT(secret_id, 0);
  ASSERT_GT(AddSecret("Other", kOtherValue), 0);
  struct Failure {
    std::string method;
    ParamList params;
    bool in_app;
    int expected;  // the code the rules give
  };
  const std::vector<Failure> failures = {
      {"AddSecret", {{"secret_name", "NoValue"}}, true, 485},
      {"AddSecret", {{"secret_name", "Existing"}, {"secret_value", kValue}}, true, 493},
      {"AddSecret", {{"secret_name", "9bad"}, {"secret_value", kValue}}, true, 496},
      {"AddSecret", {{"secret_name", "Long"}, {"secret_value", std::string(8193, 'x')}}, true, 477},
      {"AddSecret", {{"secret_name", "NoApp"}, {"secret_value", kValue}}, false, 485},
      {"AddSecret",
       {{"application_id", "99999"}, {"secret_name", "X"}, {"secret_value", kValue}},
       false,
       116},
      {"AddSecret",
       {{"application_name", "nope"}, {"secret_name", "X"}, {"secret_value", kValue}},
       false,
       558},
      {"GetSecretValue", {{"secret_id", "99999"}}, true, 341},
      {"GetSecretValue", {}, true, 485},
      {"GetSecretValue",
       {{"secret_id", std::to_string(secret_id)}, {"secret_name", "Other"}},
       true,
       458},
      {"GetSecrets", {{"count", "0"}}, true, 497},
      {"GetSecrets", {{"offset", "x"}}, true, 496},
      {"SetSecretInfo", {{"secret_id", "99999"}}, true, 341},
      {"SetSecretInfo",
       {{"secret_id", std::to_string(secret_id)},
        {"secret_value", ""},
        {"new_secret_name", "1bad"}},
       true,
       496},
      {"DelSecret", {{"secret_id", "99999"}}, true, 341},
      {"DelSecret", {}, true, 485},
      {"AddApplication", {}, false, 485},
      {"SetApplicationInfo", {{"application_id", "99999"}}, false, 116},
      {"DelApplication", {{"application_id", "99999"}}, false, 116},
      {"CreateKey", {{"role_name", "NoSuchRole"}}, false, 441},
      {"UpdateKey", {{"key_id", "no-such-key"}}, false, 433},
      {"DeleteKey", {{"key_id", "no-such-key"}}, false, 433},
      {"SetKeyRoles", {{"key_id", "no-such-key"}, {"role_name", "Admin"}}, false, 433},
      {"GetKeyRoles", {}, false, 485},
      {"RemoveKeyRoles", {{"key_id", "no-such-key"}, {"role_name", "Admin"}}, false, 433},
      {"GetAuditLog", {{"from_date", "2026-13-01 00:00:00"}}, false, 496},
      {"GetAuditLog", {{"count", "0"}}, false, 497},
  };
  for (const Failure& failure : failures) {
    const size_t before = RecordCount();
    const json body = failure.in_app ? CallApp(failure.method, failure.params)
                                     : Call(failure.method, failure.params);
    EXPECT_EQ(CodeOf(body), failure.expected) << failure.method << " " << body.dump();
    ExpectOneRecord(body, before, failure.method, acme_.id);
  }

  // Refused before a handler: no method, unknown method, malformed body, bad credentials, a role
  // that does not allow the method.
  size_t before = RecordCount();
  json body = stack().CallJson("", {});
  EXPECT_EQ(CodeOf(body), 102);
  store::AuditRecord record = ExpectOneRecord(body, before, "", std::nullopt);
  EXPECT_EQ(record.credential, "none");

  before = RecordCount();
  body = Call("NoSuchMethod", {});
  EXPECT_EQ(CodeOf(body), 103);
  // A refusal without credentials names only a known method (audit/refusal_log.h).
  ExpectOneRecord(body, before, "", std::nullopt);

  before = RecordCount();
  ApiRequest malformed;
  malformed.method = "GetSecrets";
  malformed.client_ip = "127.0.0.1";
  malformed.decode_status = Status(StatusCode::kMalformedRequest, "The body is not valid JSON.");
  body = json::parse(stack().dispatcher().Handle(malformed).body);
  EXPECT_EQ(CodeOf(body), 101);
  ExpectOneRecord(body, before, "GetSecrets", std::nullopt);

  before = RecordCount();
  body = stack().CallJson("GetSecrets", {{"account_id", std::to_string(acme_.id)},
                                         {"api_key", acme_.api_key + "x"},
                                         {"application_id", std::to_string(app_id_)}});
  EXPECT_EQ(CodeOf(body), 100);
  record = ExpectOneRecord(body, before, "GetSecrets", std::nullopt);
  // The compact record: counts, sizes and a digest, no parameter at all (not even masked).
  const json refused = json::parse(record.args_json);
  EXPECT_FALSE(refused.contains("api_key")) << record.args_json;
  EXPECT_EQ(refused["refused"]["count"], 1) << record.args_json;
  EXPECT_EQ(refused["refused"]["params"], 3) << record.args_json;
  EXPECT_EQ(refused["refused"]["account_id"], std::to_string(acme_.id)) << record.args_json;
  EXPECT_EQ(record.args_json.find(acme_.api_key), std::string::npos);

  // A write refused for its credentials is refused inside the write batch (the group commit):
  // its record is the compact one too, without the value it tried to store.
  before = RecordCount();
  const std::string value = "a-value-that-must-not-be-stored-" + std::string(64, 'v');
  body = stack().CallJson("AddSecret", {{"account_id", std::to_string(acme_.id)},
                                        {"api_key", acme_.api_key + "x"},
                                        {"application_id", std::to_string(app_id_)},
                                        {"secret_name", "refused_write"},
                                        {"secret_value", value}});
  EXPECT_EQ(CodeOf(body), 100);
  record = ExpectOneRecord(body, before, "AddSecret", std::nullopt);
  const json refused_write = json::parse(record.args_json);
  EXPECT_EQ(refused_write["refused"]["params"], 5) << record.args_json;
  EXPECT_FALSE(refused_write.contains("secret_name")) << record.args_json;
  EXPECT_EQ(record.args_json.find(value), std::string::npos);

  before = RecordCount();
  body = stack().CallJson("GetSecrets", {}, "not.a.token");
  EXPECT_NE(CodeOf(body), 0);
  ExpectOneRecord(body, before, "GetSecrets", std::nullopt);

  Result<ApiStack::Key> support = stack().CreateKey(acme_.id, {iam::kRoleSupport});
  ASSERT_TRUE(support.ok());
  Result<std::string> token = stack().Token(*support);
  ASSERT_TRUE(token.ok());
  before = RecordCount();
  body = stack().CallJson(
      "GetSecretValue",
      {{"application_id", std::to_string(app_id_)}, {"secret_id", std::to_string(secret_id)}},
      *token);
  EXPECT_EQ(CodeOf(body), 104);
  record = ExpectOneRecord(body, before, "GetSecretValue", acme_.id);
  EXPECT_EQ(record.credential, "service_key");
  EXPECT_EQ(record.key_id, support->key_id);

  Result<std::string> expired =
      stack().Token(*support, 60, std::nullopt, stack().clock().NowSeconds() - 600);
  ASSERT_TRUE(expired.ok());
  before = RecordCount();
  body = stack().CallJson("GetSecrets", {{"application_id", std::to_string(app_id_)}}, *expired);
  EXPECT_EQ(CodeOf(body), 456);
  ExpectOneRecord(body, before, "GetSecrets", std::nullopt);
  ExpectChainVerifies();
}

// Every method of the registry, whatever it is, leaves exactly one record per call: called with
// legacy credentials and no parameters (most then fail on a parameter, some succeed), and called
// by a key whose roles the method does not allow (104, refused before its handler).
TEST_F(ApiAuditTest, EveryRegisteredMethodLeavesExactlyOneRecordPerCall) {
  Result<ApiStack::Key> no_role = stack().CreateKey(acme_.id, {});
  ASSERT_TRUE(no_role.ok());
  Result<std::string> token = stack().Token(*no_role);
  ASSERT_TRUE(token.ok());
  int refused = 0;
  for (const MethodSpec* spec : stack().dispatcher().methods().Specs()) {
    size_t before = RecordCount();
    json body = Call(spec->name, {});
    ExpectOneRecord(body, before, spec->name, acme_.id);

    if (spec->roles.Allows({})) continue;
    before = RecordCount();
    body = stack().CallJson(spec->name, {}, *token);
    EXPECT_EQ(CodeOf(body), 104) << spec->name;
    const store::AuditRecord record = ExpectOneRecord(body, before, spec->name, acme_.id);
    EXPECT_EQ(record.key_id, no_role->key_id) << spec->name;
    ++refused;
  }
  EXPECT_GT(refused, 0);
  ExpectChainVerifies();
}

TEST_F(ApiAuditTest, NoValueTokenOrApiKeyEverReachesRecordsExportOrTheDatabaseFile) {
  Result<ApiStack::Key> owner = stack().CreateKey(acme_.id, {iam::kRoleOwner});
  ASSERT_TRUE(owner.ok());
  Result<std::string> token = stack().Token(*owner);
  ASSERT_TRUE(token.ok());
  const std::string app = std::to_string(app_id_);
  const int64_t id = AddSecret("Masked", kValue);
  ASSERT_GT(id, 0);
  json body = stack().CallJson(
      "GetSecretValue", {{"application_id", app}, {"secret_id", std::to_string(id)}}, *token);
  ASSERT_TRUE(body.contains("result"));
  EXPECT_TRUE(body["result"][0]["secret_value"] == kValue);
  stack().CallJson(
      "SetSecretInfo",
      {{"application_id", app}, {"secret_id", std::to_string(id)}, {"secret_value", kOtherValue}},
      *token);
  // A value and a token sent where they do not belong, and a failed call carrying a value.
  CallApp("AddSecret", {{"secret_name", "Masked"}, {"secret_value", kValue}});
  CallApp("GetSecrets", {{"description", *token}, {"token", kValue}});
  body = Call("CreateKey", {{"role_name", "Developer"}});
  ASSERT_TRUE(body.contains("result"));
  const std::string private_key = body["result"][0]["private_key"];

  std::string all_records;
  for (const store::AuditRecord& record : Records()) {
    all_records += record.key_id + record.credential + record.ip + record.method +
                   record.args_json + record.touched_json + record.prev_hash + record.hash;
  }
  const std::string exported = ExportText();
  const std::string database = DatabaseBytes();
  ASSERT_FALSE(all_records.empty());
  ASSERT_FALSE(exported.empty());
  ASSERT_FALSE(database.empty());
  const std::vector<std::string> forbidden = {kValue, kOtherValue, acme_.api_key, *token,
                                              private_key.substr(40, 64)};
  for (size_t i = 0; i < forbidden.size(); ++i) {
    EXPECT_TRUE(all_records.find(forbidden[i]) == std::string::npos) << "records, item " << i;
    EXPECT_TRUE(exported.find(forbidden[i]) == std::string::npos) << "export, item " << i;
    EXPECT_TRUE(database.find(forbidden[i]) == std::string::npos) << "database, item " << i;
  }
  // Masked, not dropped: the export shows that a value was sent.
  EXPECT_NE(exported.find("\"secret_value\":\"***\""), std::string::npos);
  EXPECT_NE(exported.find("\"api_key\":\"***\""), std::string::npos);
}

TEST_F(ApiAuditTest, AFailingAuditStoreRollsMutationsBackAndWithholdsValues) {
  const int64_t id = AddSecret("Kept", kValue);
  ASSERT_GT(id, 0);
  const std::string sid = std::to_string(id);
  const size_t records_before = RecordCount();
  store::FaultyAuditStore& faulty = *stack().faulty_audit_store();
  faulty.FailAuditWrites(true);

  const json db_error = json::parse(R"({"error":{"code":4,"msg":"DB error."}})");
  EXPECT_EQ(CallApp("AddSecret", {{"secret_name", "Unrecorded"}, {"secret_value", kValue}}),
            db_error);
  json read = CallApp("GetSecretValue", {{"secret_id", sid}});
  EXPECT_EQ(read, db_error);
  EXPECT_TRUE(read.dump().find(kValue) == std::string::npos);
  EXPECT_EQ(CallApp("SetSecretInfo", {{"secret_id", sid}, {"secret_value", kOtherValue}}),
            db_error);
  EXPECT_EQ(CallApp("DelSecret", {{"secret_id", sid}}), db_error);
  EXPECT_EQ(Call("AddApplication", {{"application_name", "unrecorded"}}), db_error);
  // Calls that fail anyway keep their own answer.
  EXPECT_EQ(CodeOf(CallApp("GetSecretValue", {{"secret_id", "99999"}})), 341);
  EXPECT_EQ(CodeOf(stack().CallJson("GetSecrets", {})), 100);
  EXPECT_GT(faulty.refused(), 0);

  faulty.FailAuditWrites(false);
  // Nothing was applied, nothing half-written.
  EXPECT_EQ(RecordCount(), records_before);
  ExpectChainVerifies();
  read = CallApp("GetSecretValue", {{"secret_id", sid}});
  ASSERT_TRUE(read.contains("result")) << read.dump();
  EXPECT_TRUE(read["result"][0]["secret_value"] == kValue);  // not changed, not deleted
  EXPECT_EQ(ErrorOf(CallApp("GetSecretValue", {{"secret_name", "Unrecorded"}})),
            Err(341, "secret_name"));
  EXPECT_EQ(Call("GetApplications", {{"application_name", "unrecorded"}})["count"], 0);
  EXPECT_EQ(RecordCount(), records_before + 3);
  ExpectChainVerifies();
}

TEST_F(ApiAuditTest, ConcurrentCallsAreAllRecordedAndTheChainVerifies) {
  const int64_t id = AddSecret("Shared", kValue);
  ASSERT_GT(id, 0);
  const size_t before = RecordCount();
  constexpr int kThreads = 4;
  constexpr int kCalls = 20;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCalls; ++i) {
        json body =
            (i % 4 == 0)
                ? CallApp("AddSecret",
                          {{"secret_name", "S" + std::to_string(t) + "_" + std::to_string(i)},
                           {"secret_value", kValue}})
                : CallApp("GetSecretValue", {{"secret_id", std::to_string(id)}});
        if (body.contains("result")) ok.fetch_add(1);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), kThreads * kCalls);
  EXPECT_EQ(RecordCount(), before + kThreads * kCalls);
  ExpectChainVerifies();
  // Every committed record was exported once.
  const std::string exported = ExportText();
  EXPECT_EQ(static_cast<size_t>(std::count(exported.begin(), exported.end(), '\n')), RecordCount());
}

}  // namespace
}  // namespace voxsecrets::api
