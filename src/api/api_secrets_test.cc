// The five secrets methods through the Dispatcher, asserting whole JSON answers
// (docs/API.md "Secrets"). Secret values here are test data.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "api/api_test_base.h"

namespace voxsecrets::api {
namespace {

using nlohmann::json;

// The body with every secret_value replaced, for failure output.
std::string Redacted(json body) {
  if (body.contains("result") && body["result"].is_array()) {
    for (json& item : body["result"]) {
      if (item.is_object() && item.contains("secret_value")) item["secret_value"] = "<redacted>";
    }
  }
  return body.dump();
}

class ApiSecretsTest : public ApiCallTest {};

TEST_F(ApiSecretsTest, AddSecretAnswersAnArrayOfOne) {
  const json first = CallApp("AddSecret", {{"secret_name", "api_key"}, {"secret_value", "s3cr3t"}});
  ASSERT_TRUE(first.contains("result")) << first.dump();
  const int64_t id = first["result"][0]["secret_id"].get<int64_t>();
  EXPECT_EQ(first, json::parse(R"({"result":[{"secret_id":)" + std::to_string(id) + "}]}"));
  const json second = CallApp("AddSecret", {{"secret_name", "other"}, {"secret_value", "x"}});
  EXPECT_GT(second["result"][0]["secret_id"].get<int64_t>(), id);
}

TEST_F(ApiSecretsTest, GetSecretValueAnswersTheWholeRecord) {
  const std::string created = Now();
  const int64_t id = AddSecret("db_password", "p@ss w0rd", "Production DB");
  const json expected = {{"result",
                          {{{"secret_id", id},
                            {"secret_name", "db_password"},
                            {"secret_value", "p@ss w0rd"},
                            {"description", "Production DB"},
                            {"created", created},
                            {"modified", created}}}}};
  json by_id = CallApp("GetSecretValue", {{"secret_id", std::to_string(id)}});
  EXPECT_TRUE(by_id == expected) << Redacted(by_id);
  json by_name = CallApp("GetSecretValue", {{"secret_name", "db_password"}});
  EXPECT_TRUE(by_name == expected) << Redacted(by_name);
  json both = CallApp("GetSecretValue",
                      {{"secret_id", std::to_string(id)}, {"secret_name", "db_password"}});
  EXPECT_TRUE(both == expected) << Redacted(both);
}

TEST_F(ApiSecretsTest, DescriptionKeyIsOmittedWhenThereIsNone) {
  const int64_t id = AddSecret("plain", "v");
  json body = CallApp("GetSecretValue", {{"secret_id", std::to_string(id)}});
  ASSERT_TRUE(body.contains("result")) << Redacted(body);
  EXPECT_FALSE(body["result"][0].contains("description"));
  json list = CallApp("GetSecrets", {});
  EXPECT_FALSE(list["result"][0].contains("description"));
}

TEST_F(ApiSecretsTest, ValuesAreKeptByteForByte) {
  const std::vector<std::string> values = {
      "  leading and trailing  ",
      "line1\nline2\r\nline3",
      "quotes \" and ' and back\\slash",
      "emoji \xF0\x9F\x94\x91 and \xD0\xBA\xD0\xBB\xD1\x8E\xD1\x87",
      "tab\tand control \x01\x1f",
      "{\"json\": [1, 2]}",
      "<script>&amp;</script>",
  };
  for (size_t i = 0; i < values.size(); ++i) {
    const std::string name = "v" + std::to_string(i);
    const int64_t id = AddSecret(name, values[i]);
    const ApiResponse response =
        stack().Call("GetSecretValue", {{"application_id", std::to_string(app_id_)},
                                        {"secret_id", std::to_string(id)},
                                        {"account_id", std::to_string(acme_.id)},
                                        {"api_key", acme_.api_key}});
    const json body = json::parse(response.body);
    ASSERT_TRUE(body.contains("result")) << "value #" << i;
    EXPECT_TRUE(body["result"][0]["secret_value"].get<std::string>() == values[i])
        << "value #" << i << " changed";
  }
  // Non-ASCII travels as UTF-8, not as \u escapes.
  const ApiResponse response =
      stack().Call("GetSecretValue", {{"application_id", std::to_string(app_id_)},
                                      {"secret_name", "v3"},
                                      {"account_id", std::to_string(acme_.id)},
                                      {"api_key", acme_.api_key}});
  EXPECT_NE(response.body.find("\xF0\x9F\x94\x91"), std::string::npos);
  EXPECT_EQ(response.body.find("\\u"), std::string::npos);
}

TEST_F(ApiSecretsTest, ValueLengthCountsCodePoints) {
  std::string max_value;
  for (int i = 0; i < 8192; ++i) max_value += "\xD0\x96";  // 8192 two-byte characters
  const int64_t id = AddSecret("longest", max_value);
  ASSERT_NE(id, 0);
  json body = CallApp("GetSecretValue", {{"secret_id", std::to_string(id)}});
  ASSERT_TRUE(body.contains("result"));
  EXPECT_TRUE(body["result"][0]["secret_value"].get<std::string>() == max_value);

  json too_long =
      CallApp("AddSecret", {{"secret_name", "toolong"}, {"secret_value", max_value + "x"}});
  EXPECT_EQ(ErrorOf(too_long), Err(477, "secret_value"));
  const std::string msg = too_long["error"]["msg"];
  EXPECT_NE(msg.find("'secret_value'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("8192"), std::string::npos) << msg;
}

TEST_F(ApiSecretsTest, DescriptionIsCutToTwoHundredCodePoints) {
  std::string description;
  for (int i = 0; i < 210; ++i) description += "\xE2\x82\xAC";  // the euro sign, 3 bytes
  AddSecret("euro", "v", description);
  json list = CallApp("GetSecrets", {});
  std::string expected;
  for (int i = 0; i < 200; ++i) expected += "\xE2\x82\xAC";
  EXPECT_EQ(list["result"][0]["description"], expected);
}

TEST_F(ApiSecretsTest, GetSecretsListsWithoutValues) {
  const std::string t0 = Now();
  const int64_t a = AddSecret("apiKeyProd", "v1", "Production API key");
  stack().clock().AdvanceSeconds(3600);
  const std::string t1 = Now();
  const int64_t b = AddSecret("dbPassword", "v2");
  const json expected = {
      {"result",
       {{{"secret_id", a},
         {"secret_name", "apiKeyProd"},
         {"description", "Production API key"},
         {"created", t0},
         {"modified", t0}},
        {{"secret_id", b}, {"secret_name", "dbPassword"}, {"created", t1}, {"modified", t1}}}},
      {"count", 2},
      {"total_count", 2}};
  EXPECT_EQ(CallApp("GetSecrets", {}), expected);
}

TEST_F(ApiSecretsTest, GetSecretsFiltersAndPages) {
  for (const char* name : {"ApiKey", "db_pass", "API_SECRET", "other", "myapikey"}) {
    AddSecret(name, "v");
  }
  json api = CallApp("GetSecrets", {{"secret_name_part", "aPi"}});
  EXPECT_EQ(api["count"], 3);
  EXPECT_EQ(api["total_count"], 3);
  EXPECT_EQ(api["result"][0]["secret_name"], "ApiKey");
  EXPECT_EQ(api["result"][1]["secret_name"], "API_SECRET");
  EXPECT_EQ(api["result"][2]["secret_name"], "myapikey");

  json page = CallApp("GetSecrets", {{"count", "2"}, {"offset", "1"}});
  EXPECT_EQ(page["count"], 2);
  EXPECT_EQ(page["total_count"], 5);
  EXPECT_EQ(page["result"][0]["secret_name"], "db_pass");
  EXPECT_EQ(page["result"][1]["secret_name"], "API_SECRET");

  json past = CallApp("GetSecrets", {{"offset", "10"}});
  EXPECT_EQ(past, json::parse(R"({"result":[],"count":0,"total_count":5})"));

  json none = CallApp("GetSecrets", {{"secret_name_part", "zzz"}});
  EXPECT_EQ(none, json::parse(R"({"result":[],"count":0,"total_count":0})"));
  const json all = CallApp("GetSecrets", {});  // a range-for over a temporary's member dangles
  for (const json& item : all["result"]) {
    EXPECT_FALSE(item.contains("secret_value"));
  }
}

TEST_F(ApiSecretsTest, GetSecretsDefaultsToTwentyAndAllowsAThousand) {
  for (int i = 0; i < 23; ++i) AddSecret("s" + std::to_string(i), "v");
  json page = CallApp("GetSecrets", {});
  EXPECT_EQ(page["count"], 20);
  EXPECT_EQ(page["total_count"], 23);
  EXPECT_EQ(CallApp("GetSecrets", {{"count", "1000"}})["count"], 23);
  EXPECT_EQ(CallApp("GetSecrets", {{"count", "1"}})["count"], 1);
}

TEST_F(ApiSecretsTest, SetSecretInfoChangesAndMovesModifiedOnlyOnChange) {
  const std::string created = Now();
  const int64_t id = AddSecret("token", "v1", "desc");
  const std::string sid = std::to_string(id);
  stack().clock().AdvanceSeconds(100);

  // Equal values and renaming to its own name: no change.
  EXPECT_EQ(CallApp("SetSecretInfo", {{"secret_id", sid},
                                      {"new_secret_name", "token"},
                                      {"secret_value", "v1"},
                                      {"description", "desc"}}),
            json::parse(R"({"result":1})"));
  EXPECT_EQ(CallApp("SetSecretInfo", {{"secret_name", "token"}}), json::parse(R"({"result":1})"));
  EXPECT_EQ(CallApp("GetSecrets", {})["result"][0]["modified"], created);

  // An empty description is "not given": it does not clear the stored one.
  EXPECT_EQ(CallApp("SetSecretInfo", {{"secret_id", sid}, {"description", ""}}),
            json::parse(R"({"result":1})"));
  EXPECT_EQ(CallApp("GetSecrets", {})["result"][0]["description"], "desc");

  // A real change.
  const std::string changed_at = Now();
  EXPECT_EQ(CallApp("SetSecretInfo", {{"secret_name", "token"},
                                      {"new_secret_name", "renamed"},
                                      {"secret_value", "v2"},
                                      {"description", " "}}),
            json::parse(R"({"result":1})"));
  json got = CallApp("GetSecretValue", {{"secret_id", sid}});
  const json expected = {{"result",
                          {{{"secret_id", id},
                            {"secret_name", "renamed"},
                            {"secret_value", "v2"},
                            {"description", " "},
                            {"created", created},
                            {"modified", changed_at}}}}};
  EXPECT_TRUE(got == expected) << Redacted(got);
}

TEST_F(ApiSecretsTest, SetSecretInfoRenameConflicts) {
  const int64_t a = AddSecret("first", "1");
  AddSecret("second", "2");
  EXPECT_EQ(ErrorOf(CallApp("SetSecretInfo",
                            {{"secret_id", std::to_string(a)}, {"new_secret_name", "second"}})),
            Err(493, "new_secret_name"));
  EXPECT_EQ(ErrorOf(CallApp("SetSecretInfo",
                            {{"secret_id", std::to_string(a)}, {"new_secret_name", "no way"}})),
            Err(496, "new_secret_name"));
  // A failed call changes nothing: the value did not change with a rejected rename.
  EXPECT_EQ(ErrorOf(CallApp("SetSecretInfo", {{"secret_id", std::to_string(a)},
                                              {"secret_value", "changed"},
                                              {"new_secret_name", "second"}})),
            Err(493, "new_secret_name"));
  json got = CallApp("GetSecretValue", {{"secret_id", std::to_string(a)}});
  EXPECT_TRUE(got["result"][0]["secret_value"] == "1");
}

TEST_F(ApiSecretsTest, DelSecretByIdsNamesAndAll) {
  const int64_t a = AddSecret("a", "1");
  const int64_t b = AddSecret("b", "2");
  AddSecret("c", "3");
  AddSecret("d", "4");
  AddSecret("e", "5");
  // Trimmed items, empty items, duplicates.
  EXPECT_EQ(CallApp("DelSecret", {{"secret_id", " " + std::to_string(a) + " ;;" +
                                                    std::to_string(a) + "; " + std::to_string(b)}}),
            json::parse(R"({"result":1})"));
  EXPECT_EQ(CallApp("DelSecret", {{"secret_name", " c ; ;c"}}), json::parse(R"({"result":1})"));
  json left = CallApp("GetSecrets", {});
  EXPECT_EQ(left["total_count"], 2);
  EXPECT_EQ(left["result"][0]["secret_name"], "d");
  EXPECT_EQ(CallApp("DelSecret", {{"secret_id", "all"}}), json::parse(R"({"result":1})"));
  EXPECT_EQ(CallApp("GetSecrets", {})["total_count"], 0);
  // `all` on an empty application.
  EXPECT_EQ(CallApp("DelSecret", {{"secret_id", "all"}}), json::parse(R"({"result":1})"));
}

TEST_F(ApiSecretsTest, DelSecretIsAllOrNothing) {
  const int64_t a = AddSecret("a", "1");
  AddSecret("b", "2");
  json missing_id = CallApp("DelSecret", {{"secret_id", std::to_string(a) + ";999999"}});
  EXPECT_EQ(ErrorOf(missing_id), Err(341, "secret_id"));
  EXPECT_NE(missing_id["error"]["msg"].get<std::string>().find("999999"), std::string::npos);
  json missing_name =
      CallApp("DelSecret", {{"secret_id", std::to_string(a)}, {"secret_name", "b;ghost"}});
  EXPECT_EQ(ErrorOf(missing_name), Err(341, "secret_name"));
  EXPECT_NE(missing_name["error"]["msg"].get<std::string>().find("ghost"), std::string::npos);
  EXPECT_EQ(CallApp("GetSecrets", {})["total_count"], 2);
  // `all` is a secret name like any other in secret_name.
  EXPECT_EQ(ErrorOf(CallApp("DelSecret", {{"secret_name", "all"}})), Err(341, "secret_name"));
  AddSecret("all", "x");
  EXPECT_EQ(CallApp("DelSecret", {{"secret_name", "all"}}), json::parse(R"({"result":1})"));
  EXPECT_EQ(CallApp("GetSecrets", {})["total_count"], 2);
}

TEST_F(ApiSecretsTest, ApplicationByShortOrFullName) {
  AddSecret("x", "1");
  for (const char* name : {"myapp", "myapp.acme.voximplant.com"}) {
    json body = Call("GetSecrets", {{"application_name", name}});
    EXPECT_EQ(body["total_count"], 1) << name << ": " << body.dump();
  }
  json both = Call("GetSecrets", {{"application_id", std::to_string(app_id_)},
                                  {"application_name", "myapp.acme.voximplant.com"}});
  EXPECT_EQ(both["total_count"], 1) << both.dump();
  json added =
      Call("AddSecret",
           {{"application_name", "myapp"}, {"secret_name", "by_name"}, {"secret_value", "v"}});
  EXPECT_TRUE(added.contains("result")) << added.dump();
}

TEST_F(ApiSecretsTest, AnotherAccountsApplicationIsLikeNoApplication) {
  Result<ApiStack::Account> globex = stack().CreateAccount("globex");
  ASSERT_TRUE(globex.ok());
  Result<int64_t> theirs = stack().CreateApplication(globex->id, "theirs");
  ASSERT_TRUE(theirs.ok());
  EXPECT_EQ(ErrorOf(Call("GetSecrets", {{"application_id", std::to_string(*theirs)}})),
            Err(116, "application_id"));
  EXPECT_EQ(ErrorOf(Call("GetSecrets", {{"application_id", "987654"}})),
            Err(116, "application_id"));
  EXPECT_EQ(ErrorOf(Call("GetSecrets", {{"application_name", "theirs"}})),
            Err(558, "application_name"));
  EXPECT_EQ(ErrorOf(Call("GetSecrets", {{"application_name", "theirs.globex.voximplant.com"}})),
            Err(558, "application_name"));
}

TEST_F(ApiSecretsTest, SecretOfAnotherApplicationIsNotFound) {
  Result<int64_t> second = stack().CreateApplication(acme_.id, "second");
  ASSERT_TRUE(second.ok());
  const int64_t id = AddSecret("here", "v");
  json body = Call("GetSecretValue", {{"application_id", std::to_string(*second)},
                                      {"secret_id", std::to_string(id)}});
  EXPECT_EQ(ErrorOf(body), Err(341, "secret_id"));
  EXPECT_NE(body["error"]["msg"].get<std::string>().find(std::to_string(id)), std::string::npos);
  body = Call("GetSecretValue",
              {{"application_id", std::to_string(*second)}, {"secret_name", "here"}});
  EXPECT_EQ(ErrorOf(body), Err(341, "secret_name"));
  EXPECT_NE(body["error"]["msg"].get<std::string>().find("'here'"), std::string::npos);
}

TEST_F(ApiSecretsTest, ValuesNeverAppearInErrors) {
  const std::string value = "VALUE-MARKER-\xff";
  json bad = CallApp("AddSecret", {{"secret_name", "x"}, {"secret_value", value}});
  EXPECT_EQ(ErrorOf(bad), Err(496, "secret_value"));
  EXPECT_EQ(bad.dump(-1, ' ', false, json::error_handler_t::replace).find("VALUE-MARKER"),
            std::string::npos);
  AddSecret("dup", "VALUE-MARKER-2");
  json dup = CallApp("AddSecret", {{"secret_name", "dup"}, {"secret_value", "VALUE-MARKER-3"}});
  EXPECT_EQ(ErrorOf(dup), Err(493, "secret_name"));
  EXPECT_EQ(dup.dump().find("VALUE-MARKER"), std::string::npos);
}

TEST_F(ApiSecretsTest, DamagedValueIsAnInternalErrorAndCanBeReplaced) {
  const int64_t id = AddSecret("fragile", "original");
  // Flip one byte of the stored record: the AEAD refuses it.
  ASSERT_TRUE(stack()
                  .store()
                  .Write([&](store::Tx& tx) -> Status {
                    VS_ASSIGN_OR_RETURN(std::optional<store::SecretRecord> row,
                                        tx.secrets().FindById(app_id_, id));
                    if (!row.has_value()) return InternalError("row missing");
                    SealedValue damaged = row->value;
                    damaged.blob.back() = static_cast<char>(damaged.blob.back() ^ 0x01);
                    return tx.secrets().ReplaceSealed(app_id_, id, damaged).status();
                  })
                  .ok());
  const ApiResponse response =
      stack().Call("GetSecretValue", {{"application_id", std::to_string(app_id_)},
                                      {"secret_id", std::to_string(id)},
                                      {"account_id", std::to_string(acme_.id)},
                                      {"api_key", acme_.api_key}});
  EXPECT_EQ(json::parse(response.body),
            json::parse(R"({"error":{"code":2,"msg":"Internal error."}})"));
  EXPECT_EQ(response.body.find("fragile"), std::string::npos);  // no partial data
  // The listing still works (no value is opened), and a new value replaces the damaged one.
  EXPECT_EQ(CallApp("GetSecrets", {})["total_count"], 1);
  EXPECT_EQ(CallApp("SetSecretInfo", {{"secret_id", std::to_string(id)}, {"secret_value", "new"}}),
            json::parse(R"({"result":1})"));
  json got = CallApp("GetSecretValue", {{"secret_id", std::to_string(id)}});
  EXPECT_TRUE(got["result"][0]["secret_value"] == "new") << Redacted(got);
}

TEST_F(ApiSecretsTest, WorksWithABearerToken) {
  Result<ApiStack::Key> key = stack().CreateKey(acme_.id, {iam::kRoleDeveloper});
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  Result<std::string> token = stack().Token(*key);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  json added = stack().CallJson("AddSecret",
                                {{"application_id", std::to_string(app_id_)},
                                 {"secret_name", "jwt_made"},
                                 {"secret_value", "v"}},
                                *token);
  ASSERT_TRUE(added.contains("result")) << added.dump();
  json list = stack().CallJson("GetSecrets", {{"application_name", "myapp"}}, *token);
  EXPECT_EQ(list["total_count"], 1);
}

}  // namespace
}  // namespace voxsecrets::api
