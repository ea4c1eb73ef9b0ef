// Keys limited to applications (docs/AUTH.md "Keys limited to applications"), driven by the method
// registry: a key limited to the application "myapp" calls every registered method, in its
// application and in another application of the same account ("other"), and its answers are held
// to the method's MethodSpec::reach:
//   - kApplications: inside its applications it gets what a key without a limit gets; about
//     "other" it gets exactly the answer about an application that does not exist (same code,
//     field_name and message with the names swapped), no byte of it, and changes nothing;
//   - kAccount: 104 with the limit's message; the same key without a limit is let in;
//   - kNothing: the same answer as without a limit.
// Then what the limit means for keys (CreateKey / UpdateKey / GetKeys), for a deleted
// application and for a SecretsReader key. GetAuditLog of a limited key: api_audit_log_test.cc.
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

// Placeholders in probe parameters: {APP_ID} {APP_NAME} {FULL_APP_NAME} {SECRET_ID}
// {SECRET_NAME} name the target (the other application, or one that does not exist).
struct Target {
  std::string app_id;
  std::string app_name;
  std::string full_app_name;
  std::string secret_id;
  std::string secret_name;
};

using Probe = std::pair<std::string, ParamList>;

// Every way of naming an application (and a secret in it) that a method of reach kApplications
// takes: the generic ones for every method of the registry, then each write method's own.
std::vector<ParamList> GenericProbes() {
  return {
      {{"application_id", "{APP_ID}"}, {"secret_id", "{SECRET_ID}"}},
      {{"application_name", "{APP_NAME}"}, {"secret_name", "{SECRET_NAME}"}},
      {{"application_name", "{FULL_APP_NAME}"}, {"secret_id", "{SECRET_ID}"}, {"version", "1"}},
      {{"application_id", "{APP_ID}"}},
  };
}

std::vector<Probe> WriteProbes() {
  return {
      {"AddSecret",
       {{"application_id", "{APP_ID}"}, {"secret_name", "Injected"}, {"secret_value", "x"}}},
      {"AddSecret",
       {{"application_name", "{FULL_APP_NAME}"},
        {"secret_name", "Injected"},
        {"secret_value", "x"}}},
      {"SetSecretInfo",
       {{"application_id", "{APP_ID}"}, {"secret_id", "{SECRET_ID}"}, {"secret_value", "pwned"}}},
      {"SetSecretInfo",
       {{"application_name", "{APP_NAME}"},
        {"secret_name", "{SECRET_NAME}"},
        {"new_secret_name", "Renamed"}}},
      {"DelSecret", {{"application_id", "{APP_ID}"}, {"secret_id", "all"}}},
      {"DelSecret", {{"application_name", "{APP_NAME}"}, {"secret_name", "{SECRET_NAME}"}}},
      {"RestoreSecretVersion",
       {{"application_id", "{APP_ID}"}, {"secret_id", "{SECRET_ID}"}, {"version", "1"}}},
      {"SetApplicationInfo", {{"application_id", "{APP_ID}"}, {"secure_record_storage", "true"}}},
      {"SetApplicationInfo",
       {{"required_application_name", "{FULL_APP_NAME}"}, {"application_name", "hijacked"}}},
      {"DelApplication", {{"application_id", "{APP_ID}"}}},
      {"DelApplication", {{"application_name", "{APP_NAME}"}}},
      {"DelApplication", {{"application_id", "all"}, {"application_name", "{APP_NAME}"}}},
  };
}

ParamList Substitute(const ParamList& params, const Target& t) {
  const std::map<std::string, std::string> values = {{"{APP_ID}", t.app_id},
                                                     {"{APP_NAME}", t.app_name},
                                                     {"{FULL_APP_NAME}", t.full_app_name},
                                                     {"{SECRET_ID}", t.secret_id},
                                                     {"{SECRET_NAME}", t.secret_name}};
  ParamList out;
  for (auto [name, value] : params) {
    for (const auto& [placeholder, replacement] : values) {
      for (size_t at = value.find(placeholder); at != std::string::npos;
           at = value.find(placeholder, at + replacement.size())) {
        value.replace(at, placeholder.size(), replacement);
      }
    }
    out.emplace_back(name, value);
  }
  return out;
}

// `body` (an answer about `missing`) with `missing`'s names and ids in its message replaced by
// `real`'s: what the answer about `real` must be if `real` is as invisible as a missing one.
json AsIfAbout(json body, const Target& missing, const Target& real) {
  if (!body.is_object() || !body.contains("error") || !body["error"].contains("msg")) return body;
  std::string msg = body["error"]["msg"];
  for (const auto& [from, to] :
       std::vector<std::pair<std::string, std::string>>{{missing.full_app_name, real.full_app_name},
                                                        {missing.app_name, real.app_name},
                                                        {missing.secret_name, real.secret_name},
                                                        {missing.app_id, real.app_id},
                                                        {missing.secret_id, real.secret_id}}) {
    for (size_t at = msg.find(from); at != std::string::npos; at = msg.find(from, at + to.size())) {
      msg.replace(at, from.size(), to);
    }
  }
  body["error"]["msg"] = msg;
  return body;
}

int Code(const json& body) {
  return body.is_object() && body.contains("error") ? body["error"].value("code", 0) : 0;
}

class ApiScopeTest : public IamTest {
 protected:
  void SetUp() override {
    IamTest::SetUp();
    if (HasFatalFailure()) return;
    Result<int64_t> other = stack().CreateApplication(acme_.id, "other");
    Result<int64_t> spare = stack().CreateApplication(acme_.id, "spare");
    ASSERT_TRUE(other.ok() && spare.ok());
    other_app_ = *other;
    spare_app_ = *spare;
    own_secret_ = AddSecret("OwnSecret", "own-value");
    other_value_ = "other-value-" + stack().random().Uuid();
    const json added = Call("AddSecret", {{"application_id", std::to_string(other_app_)},
                                          {"secret_name", "OtherSecret"},
                                          {"secret_value", other_value_},
                                          {"description", "other-description"}});
    ASSERT_TRUE(added.contains("result")) << added.dump();
    other_secret_ = added["result"][0]["secret_id"];
    // The keys: Owner (so that no role stands in the way), limited and not.
    limited_ =
        MakeLimitedKey(acme_.id, {iam::kRoleOwner}, std::vector<int64_t>{app_id_, spare_app_});
    free_ = MakeKey(acme_.id, {iam::kRoleOwner});
  }

  Target Other() const {
    return Target{std::to_string(other_app_), "other", "other.acme.voximplant.com",
                  std::to_string(other_secret_), "OtherSecret"};
  }
  static Target Missing() {
    return Target{"987654", "nosuchapp", "nosuchapp.acme.voximplant.com", "876543", "NoSuchSecret"};
  }
  Target Own() const {
    return Target{std::to_string(app_id_), "myapp", "myapp.acme.voximplant.com",
                  std::to_string(own_secret_), "OwnSecret"};
  }

  // "other" and its secret are as they were made.
  void ExpectOtherIntact() {
    const json value = Call("GetSecretValue", {{"application_id", std::to_string(other_app_)},
                                               {"secret_id", std::to_string(other_secret_)}});
    ASSERT_TRUE(value.contains("result")) << ErrorOf(value).dump();
    EXPECT_TRUE(value["result"][0]["secret_value"] == other_value_);
    EXPECT_EQ(value["result"][0]["secret_name"], "OtherSecret");
    EXPECT_EQ(value["result"][0]["version"], 1);
    const json apps = Call("GetApplications", {{"application_id", std::to_string(other_app_)}});
    ASSERT_EQ(apps["total_count"], 1);
    EXPECT_EQ(apps["result"][0]["application_name"], "other.acme.voximplant.com");
    EXPECT_EQ(apps["result"][0]["secure_record_storage"], false);
    EXPECT_EQ(Call("GetSecrets", {{"application_id", std::to_string(other_app_)}})["total_count"],
              1);
  }

  int64_t other_app_ = 0;
  int64_t spare_app_ = 0;
  int64_t own_secret_ = 0;
  int64_t other_secret_ = 0;
  std::string other_value_;
  ApiStack::Key limited_;
  ApiStack::Key free_;
};

TEST_F(ApiScopeTest, EveryMethodInsideAndOutsideTheKeysApplications) {
  const std::string limited = TokenOf(limited_);
  const std::string free = TokenOf(free_);
  const Target other = Other();
  const Target missing = Missing();

  std::set<std::string> outside_probed;
  std::set<std::string> inside_probed;
  std::vector<Probe> writes = WriteProbes();
  for (const MethodSpec* spec : stack().dispatcher().methods().Specs()) {
    const std::string& method = spec->name;
    switch (spec->reach) {
      case iam::Reach::kAccount: {
        const json refused = CallToken(method, {}, limited);
        EXPECT_EQ(ErrorOf(refused), Err(104)) << method;
        EXPECT_NE(refused["error"].value("msg", "").find("limited to some applications"),
                  std::string::npos)
            << method << ": " << refused.dump();
        EXPECT_NE(Code(CallToken(method, {}, free)), 104) << method;
        break;
      }
      case iam::Reach::kNothing: {
        json got = CallToken(method, {}, limited);
        json want = CallToken(method, {}, free);
        ASSERT_TRUE(got.contains("result")) << method << ": " << got.dump();
        if (method == "GetAccountInfo") {
          // It tells the key its limit and only the methods the limit lets it call; the rest of
          // the answer is the same.
          EXPECT_EQ(got["result"]["key"]["application_ids"],
                    json(std::vector<int64_t>{app_id_, spare_app_}));
          for (const json& entry : got["result"]["access_entries"]) {
            const MethodSpec* listed =
                stack().dispatcher().methods().Find(entry.get<std::string>());
            ASSERT_NE(listed, nullptr) << entry;
            EXPECT_NE(listed->reach, iam::Reach::kAccount) << entry;
          }
          EXPECT_LT(got["result"]["access_entries"].size(),
                    want["result"]["access_entries"].size());
          for (json* body : {&got, &want}) {
            (*body)["result"].erase("access_entries");
            (*body)["result"]["key"].erase("key_id");
            (*body)["result"]["key"].erase("application_ids");
          }
        }
        EXPECT_EQ(got, want) << method;
        break;
      }
      case iam::Reach::kApplications: {
        std::vector<ParamList> probes;
        if (spec->access == Access::kRead) probes = GenericProbes();
        for (const auto& [name, params] : writes) {
          if (name == method) probes.push_back(params);
        }
        EXPECT_FALSE(probes.empty()) << method << " has no probe: add one to WriteProbes()";
        // Outside: exactly as for an application that does not exist.
        for (const ParamList& probe : probes) {
          const std::string context = method + " " + json(probe).dump();
          const json got = CallToken(method, Substitute(probe, other), limited);
          const json expected = CallToken(method, Substitute(probe, missing), limited);
          EXPECT_EQ(got, AsIfAbout(expected, missing, other)) << context;
          const std::string text = got.dump();
          EXPECT_EQ(text.find(other_value_), std::string::npos) << context;
          EXPECT_EQ(text.find("other-description"), std::string::npos) << context;
          EXPECT_EQ(text.find("OtherSecret\""), std::string::npos) << context;
          outside_probed.insert(method);
        }
        // Inside: reads answer as for a key without a limit (GetAuditLog shows only the
        // records of its applications: api_audit_log_test.cc).
        if (spec->access == Access::kRead && method != "GetAuditLog") {
          for (const ParamList& probe : probes) {
            const ParamList params = Substitute(probe, Own());
            EXPECT_EQ(CallToken(method, params, limited), CallToken(method, params, free))
                << method << " " << json(probe).dump();
          }
          inside_probed.insert(method);
        }
        break;
      }
    }
  }
  ExpectOtherIntact();

  // Inside, the writes work as for any Owner key (DelApplication last: it empties the key's list
  // of one application).
  const std::string own_app = std::to_string(app_id_);
  const std::string own_secret = std::to_string(own_secret_);
  const auto ok = [&](const std::string& method, const ParamList& params) {
    const json body = CallToken(method, params, limited);
    EXPECT_TRUE(body.contains("result")) << method << ": " << body.dump();
    inside_probed.insert(method);
    return body;
  };
  ok("AddSecret", {{"application_id", own_app}, {"secret_name", "Added"}, {"secret_value", "v"}});
  ok("SetSecretInfo",
     {{"application_id", own_app}, {"secret_id", own_secret}, {"secret_value", "own-value-2"}});
  ok("RestoreSecretVersion",
     {{"application_name", "myapp"}, {"secret_id", own_secret}, {"version", "1"}});
  ok("DelSecret", {{"application_id", own_app}, {"secret_name", "Added"}});
  ok("SetApplicationInfo", {{"application_id", own_app}, {"secure_record_storage", "true"}});
  // Renaming would tell whether a name is taken outside the key's applications: refused.
  const json rename = CallToken("SetApplicationInfo",
                                {{"application_id", own_app}, {"application_name", "x1"}}, limited);
  EXPECT_EQ(ErrorOf(rename), Err(104));
  ok("DelApplication", {{"application_id", std::to_string(spare_app_)}});
  for (const MethodSpec* spec : stack().dispatcher().methods().Specs()) {
    if (spec->reach != iam::Reach::kApplications) continue;
    EXPECT_TRUE(outside_probed.count(spec->name)) << spec->name;
    if (spec->name != "GetAuditLog") {
      EXPECT_TRUE(inside_probed.count(spec->name)) << spec->name << " never called inside";
    }
  }
  // DelApplication `all` of a limited key is all of its applications, not the account's.
  EXPECT_EQ(CallToken("DelApplication", {{"application_id", "all"}}, limited),
            json::parse(R"({"result":1})"));
  ExpectOtherIntact();
  EXPECT_EQ(Call("GetApplications", {})["total_count"], 1);  // only "other" is left
}

TEST_F(ApiScopeTest, GetApplicationsListsOnlyTheKeysApplications) {
  const json body = CallAs(limited_, "GetApplications", {});
  ASSERT_TRUE(body.contains("result")) << body.dump();
  EXPECT_EQ(body["total_count"], 2);
  EXPECT_EQ(body["result"][0]["application_name"], "myapp.acme.voximplant.com");
  EXPECT_EQ(body["result"][1]["application_name"], "spare.acme.voximplant.com");
  EXPECT_EQ(CallAs(free_, "GetApplications", {})["total_count"], 3);
  EXPECT_EQ(CallAs(limited_, "GetApplications", {{"application_name", "o"}})["total_count"], 0);
}

TEST_F(ApiScopeTest, CreateKeyAndUpdateKeySetTheApplicationsGetKeysShowsThem) {
  const json made = CallAs(free_, "CreateKey",
                           {{"role_name", "SecretsReader"},
                            {"application_ids", std::to_string(other_app_)},
                            {"application_names", "myapp;myapp.acme.voximplant.com"}});
  ASSERT_TRUE(made.contains("result")) << made.dump();
  const std::string key_id = made["result"][0]["key_id"];
  std::vector<int64_t> want = {app_id_, other_app_};
  std::sort(want.begin(), want.end());
  const auto shown = [&](const std::string& id) {
    const json keys = CallAs(free_, "GetKeys", {{"key_id", id}});
    EXPECT_EQ(keys["total_count"], 1) << keys.dump();
    return keys["result"][0];
  };
  EXPECT_EQ(shown(key_id)["application_ids"], json(want));
  EXPECT_FALSE(shown(free_.key_id).contains("application_ids"));  // no limit: no member
  EXPECT_EQ(FindKeyRecord(key_id)->application_ids, want);

  // UpdateKey: a new list; `all` lifts the limit; absent leaves it.
  EXPECT_EQ(CallAs(free_, "UpdateKey", {{"key_id", key_id}, {"application_names", "spare"}}),
            OneJson());
  EXPECT_EQ(shown(key_id)["application_ids"], json::array({spare_app_}));
  EXPECT_EQ(CallAs(free_, "UpdateKey", {{"key_id", key_id}, {"key_name", "reader"}}), OneJson());
  EXPECT_EQ(shown(key_id)["application_ids"], json::array({spare_app_}));
  EXPECT_EQ(CallAs(free_, "UpdateKey", {{"key_id", key_id}, {"application_ids", "all"}}),
            OneJson());
  EXPECT_FALSE(shown(key_id).contains("application_ids"));
  EXPECT_FALSE(FindKeyRecord(key_id)->application_ids.has_value());

  // Unknown applications (or another account's) name themselves; nothing changes.
  Result<ApiStack::Account> bravo = stack().CreateAccount("bravo");
  ASSERT_TRUE(bravo.ok());
  Result<int64_t> theirs = stack().CreateApplication(bravo->id, "theirs");
  ASSERT_TRUE(theirs.ok());
  const json by_id = CallAs(free_, "UpdateKey",
                            {{"key_id", key_id}, {"application_ids", std::to_string(*theirs)}});
  EXPECT_EQ(ErrorOf(by_id), Err(116, "application_ids"));
  EXPECT_EQ(by_id["error"]["msg"], "Application " + std::to_string(*theirs) + " is not found.");
  const json by_name =
      CallAs(free_, "CreateKey", {{"application_names", "myapp;theirs"}, {"key_name", "x"}});
  EXPECT_EQ(ErrorOf(by_name), Err(558, "application_names"));
  EXPECT_EQ(by_name["error"]["msg"], "Application 'theirs' is not found.");
  EXPECT_EQ(ErrorOf(CallAs(free_, "CreateKey", {{"application_ids", "1;x"}})),
            Err(116, "application_ids"));
  EXPECT_EQ(ErrorOf(CallAs(free_, "CreateKey", {{"application_ids", "all;1"}})),
            Err(116, "application_ids"));
  EXPECT_FALSE(FindKeyRecord(key_id)->application_ids.has_value());

  // The grant rule: an Admin cannot change the applications of an Owner key.
  ApiStack::Key admin = MakeKey(acme_.id, {iam::kRoleAdmin});
  EXPECT_EQ(
      ErrorOf(CallAs(admin, "UpdateKey",
                     {{"key_id", free_.key_id}, {"application_ids", std::to_string(app_id_)}})),
      Err(435));
  EXPECT_FALSE(FindKeyRecord(free_.key_id)->application_ids.has_value());
}

TEST_F(ApiScopeTest, AKeyLeftWithoutApplicationsIsRefusedUntilGivenSomeAgain) {
  ApiStack::Key only_other =
      MakeLimitedKey(acme_.id, {iam::kRoleDeveloper}, std::vector<int64_t>{other_app_});
  const std::string token = TokenOf(only_other);
  ASSERT_TRUE(CallToken("GetSecrets", {{"application_id", std::to_string(other_app_)}}, token)
                  .contains("result"));
  EXPECT_EQ(CallAs(free_, "DelApplication", {{"application_id", std::to_string(other_app_)}}),
            OneJson());
  // The key is still limited — to nothing — and every call says so, the next one already (the
  // same token).
  EXPECT_EQ(FindKeyRecord(only_other.key_id)->application_ids, std::vector<int64_t>{});
  for (const std::string method : {"GetSecrets", "GetApplications", "GetRoles", "GetAccountInfo"}) {
    const json refused = CallToken(method, {{"application_id", std::to_string(app_id_)}}, token);
    EXPECT_EQ(ErrorOf(refused), Err(104)) << method;
    EXPECT_EQ(refused["error"]["msg"],
              "Forbidden command: every application this key was limited to has been deleted; "
              "give it applications with UpdateKey or delete it.");
  }
  EXPECT_EQ(
      CallAs(free_, "GetKeys", {{"key_id", only_other.key_id}})["result"][0]["application_ids"],
      json::array());
  EXPECT_EQ(CallAs(free_, "UpdateKey",
                   {{"key_id", only_other.key_id}, {"application_ids", std::to_string(app_id_)}}),
            OneJson());
  EXPECT_TRUE(CallToken("GetSecrets", {{"application_id", std::to_string(app_id_)}}, token)
                  .contains("result"));
}

// The recommended setup (docs/AUTH.md): a SecretsReader key limited to its service's application
// reads values there and can change nothing anywhere.
TEST_F(ApiScopeTest, AReaderKeyLimitedToItsApplicationReadsAndChangesNothing) {
  const json made = CallAs(free_, "CreateKey",
                           {{"role_name", "SecretsReader"},
                            {"application_names", "myapp"},
                            {"key_name", "billing-service"}});
  ASSERT_TRUE(made.contains("result")) << made.dump();
  const std::string key_id = made["result"][0]["key_id"];
  const std::string token =
      TokenFromPrivateKey(made["result"][0]["private_key"].get<std::string>(), key_id, acme_.id);
  const std::string own_app = std::to_string(app_id_);
  const std::string own_secret = std::to_string(own_secret_);
  const json value =
      CallToken("GetSecretValue", {{"application_id", own_app}, {"secret_id", own_secret}}, token);
  ASSERT_TRUE(value.contains("result")) << ErrorOf(value).dump();
  EXPECT_TRUE(value["result"][0]["secret_value"] == "own-value");
  EXPECT_TRUE(CallToken("GetSecrets", {{"application_id", own_app}}, token).contains("result"));
  EXPECT_TRUE(CallToken("GetSecretVersions",
                        {{"application_id", own_app}, {"secret_id", own_secret}}, token)
                  .contains("result"));
  EXPECT_EQ(CallToken("GetApplications", {}, token)["total_count"], 1);
  for (const auto& [method, params] : std::vector<Probe>{
           {"AddSecret",
            {{"application_id", own_app}, {"secret_name", "N"}, {"secret_value", "v"}}},
           {"SetSecretInfo",
            {{"application_id", own_app}, {"secret_id", own_secret}, {"secret_value", "w"}}},
           {"DelSecret", {{"application_id", own_app}, {"secret_id", own_secret}}},
           {"RestoreSecretVersion",
            {{"application_id", own_app}, {"secret_id", own_secret}, {"version", "1"}}},
           {"SetApplicationInfo", {{"application_id", own_app}, {"secure_record_storage", "1"}}},
           {"DelApplication", {{"application_id", own_app}}},
           {"AddApplication", {{"application_name", "mine"}}},
           {"CreateKey", {}},
           {"GetAuditLog", {}}}) {
    EXPECT_EQ(ErrorOf(CallToken(method, params, token)), Err(104)) << method;
  }
  // Another application of the account does not exist for it.
  EXPECT_EQ(ErrorOf(CallToken("GetSecretValue",
                              {{"application_id", std::to_string(other_app_)},
                               {"secret_id", std::to_string(other_secret_)}},
                              token)),
            Err(116, "application_id"));
  ExpectOtherIntact();
  EXPECT_TRUE(Call("GetSecretValue", {{"application_id", own_app},
                                      {"secret_id", own_secret}})["result"][0]["secret_value"] ==
              "own-value");
}

}  // namespace
}  // namespace voxsecrets::api
