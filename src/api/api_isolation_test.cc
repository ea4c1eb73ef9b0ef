// The isolation matrix: accounts A ("acme"), B (unrelated) and C (a child of A), each with an
// application, a secret and keys. Every secrets, application and key method is called with every
// caller's credentials (its Owner key, its legacy api_key, and A's key acting as C) against every
// other account's application ids and names, secret ids and names, and key ids: the write
// methods with the hand-made probes below, and every read method of the registry (so a new one
// too) with the generic ones of ReadProbes(). Each answer must
// be exactly the answer for an id or name that does not exist at all (same code, same field_name,
// same message with the id or name in it), never carry a byte of the other account's data, and
// change nothing. Bearer tokens naming an account the key may not act as are refused with 100.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/api_iam_test_base.h"

namespace voxsecrets::api {
namespace {

using nlohmann::json;

struct Tenant {
  ApiStack::Account account;
  ApiStack::Key owner;      // the key calls are made with
  ApiStack::Key developer;  // a key that only appears as a target
  int64_t app_id = 0;
  std::string app_name;  // short
  int64_t secret_id = 0;
  std::string secret_name;
  std::string secret_value;  // never sent by anyone but the owner: must never appear elsewhere
  std::string description;   // idem
  std::string key_name;      // idem (the developer key's name)
};

// What a probe names: the target's ids and names, or ones that exist nowhere.
struct Target {
  std::string app_id;
  std::string app_name;
  std::string full_app_name;
  std::string secret_id;
  std::string secret_name;
  std::string key_id;
};

struct Probe {
  std::string method;
  // Parameter values may hold placeholders: {APP_ID} {APP_NAME} {FULL_APP_NAME} {SECRET_ID}
  // {SECRET_NAME} {KEY_ID} (the target's) and {OWN_APP} (the caller's own application id).
  std::vector<std::pair<std::string, std::string>> params;
};

const std::vector<Probe>& Probes() {
  static const std::vector<Probe> probes = {
      {"GetSecrets", {{"application_id", "{APP_ID}"}}},
      {"GetSecrets", {{"application_name", "{APP_NAME}"}}},
      {"GetSecrets", {{"application_name", "{FULL_APP_NAME}"}}},
      {"GetSecretValue", {{"application_id", "{APP_ID}"}, {"secret_id", "{SECRET_ID}"}}},
      {"GetSecretValue", {{"application_name", "{APP_NAME}"}, {"secret_name", "{SECRET_NAME}"}}},
      {"GetSecretValue", {{"application_id", "{OWN_APP}"}, {"secret_id", "{SECRET_ID}"}}},
      {"GetSecretValue", {{"application_id", "{OWN_APP}"}, {"secret_name", "{SECRET_NAME}"}}},
      {"AddSecret",
       {{"application_id", "{APP_ID}"}, {"secret_name", "Injected"}, {"secret_value", "x"}}},
      {"AddSecret",
       {{"application_name", "{FULL_APP_NAME}"},
        {"secret_name", "Injected"},
        {"secret_value", "x"}}},
      {"SetSecretInfo",
       {{"application_id", "{APP_ID}"}, {"secret_id", "{SECRET_ID}"}, {"secret_value", "pwned"}}},
      {"SetSecretInfo",
       {{"application_id", "{OWN_APP}"}, {"secret_id", "{SECRET_ID}"}, {"secret_value", "pwned"}}},
      {"SetSecretInfo",
       {{"application_id", "{OWN_APP}"},
        {"secret_name", "{SECRET_NAME}"},
        {"new_secret_name", "Renamed"}}},
      {"DelSecret", {{"application_id", "{APP_ID}"}, {"secret_id", "all"}}},
      {"DelSecret", {{"application_id", "{APP_ID}"}, {"secret_id", "{SECRET_ID}"}}},
      {"DelSecret", {{"application_id", "{OWN_APP}"}, {"secret_id", "{SECRET_ID}"}}},
      {"DelSecret", {{"application_id", "{OWN_APP}"}, {"secret_name", "{SECRET_NAME}"}}},
      {"RestoreSecretVersion",
       {{"application_id", "{APP_ID}"}, {"secret_id", "{SECRET_ID}"}, {"version", "1"}}},
      {"RestoreSecretVersion",
       {{"application_id", "{OWN_APP}"}, {"secret_name", "{SECRET_NAME}"}, {"version", "1"}}},
      {"GetApplications", {{"application_id", "{APP_ID}"}}},
      {"GetApplications", {{"application_name", "{APP_NAME}"}}},
      {"SetApplicationInfo", {{"application_id", "{APP_ID}"}, {"application_name", "hijacked"}}},
      {"SetApplicationInfo",
       {{"required_application_name", "{APP_NAME}"}, {"secure_record_storage", "true"}}},
      {"DelApplication", {{"application_id", "{APP_ID}"}}},
      {"DelApplication", {{"application_name", "{APP_NAME}"}}},
      {"GetKeys", {{"key_id", "{KEY_ID}"}, {"with_roles", "true"}}},
      {"UpdateKey", {{"key_id", "{KEY_ID}"}, {"key_name", "pwned"}}},
      {"DeleteKey", {{"key_id", "{KEY_ID}"}}},
      {"SetKeyRoles", {{"key_id", "{KEY_ID}"}, {"role_name", "Owner"}}},
      {"GetKeyRoles", {{"key_id", "{KEY_ID}"}, {"with_expanded_roles", "true"}}},
      {"RemoveKeyRoles", {{"key_id", "{KEY_ID}"}, {"role_id", "5"}}},
  };
  return probes;
}

// What every read method of the registry is also called with: each way of naming another
// account's application, secret and key. A read changes nothing, so the answer about the real
// target can be compared with the answer about a missing one whatever the method does.
std::vector<Probe> ReadProbes(const std::string& method) {
  return {
      {method, {{"application_id", "{APP_ID}"}, {"secret_id", "{SECRET_ID}"}}},
      {method, {{"application_name", "{APP_NAME}"}, {"secret_name", "{SECRET_NAME}"}}},
      {method, {{"application_name", "{FULL_APP_NAME}"}}},
      {method, {{"application_id", "{OWN_APP}"}, {"secret_id", "{SECRET_ID}"}}},
      {method, {{"application_id", "{OWN_APP}"}, {"secret_name", "{SECRET_NAME}"}}},
      {method, {{"application_id", "{APP_ID}"}, {"secret_id", "{SECRET_ID}"}, {"version", "1"}}},
      {method, {{"key_id", "{KEY_ID}"}, {"with_roles", "true"}}},
  };
}

std::string Substitute(std::string text, const Target& t, int64_t own_app) {
  const std::map<std::string, std::string> values = {{"{APP_ID}", t.app_id},
                                                     {"{APP_NAME}", t.app_name},
                                                     {"{FULL_APP_NAME}", t.full_app_name},
                                                     {"{SECRET_ID}", t.secret_id},
                                                     {"{SECRET_NAME}", t.secret_name},
                                                     {"{KEY_ID}", t.key_id},
                                                     {"{OWN_APP}", std::to_string(own_app)}};
  for (const auto& [placeholder, value] : values) {
    for (size_t at = text.find(placeholder); at != std::string::npos;
         at = text.find(placeholder, at + value.size())) {
      text.replace(at, placeholder.size(), value);
    }
  }
  return text;
}

// The answer `body` got for the never-existing ids and names `missing`, with those ids and names
// in its error message replaced by `real`'s: what an answer about `real` must be, byte for byte,
// if `real` is as invisible as something that does not exist. (The missing ids and names are
// distinct from each other and from every real one, so the replacement is unambiguous.)
json AsIfAbout(json body, const Target& missing, const Target& real) {
  if (!body.is_object() || !body.contains("error") || !body["error"].contains("msg")) return body;
  std::string msg = body["error"]["msg"];
  const std::vector<std::pair<std::string, std::string>> swaps = {
      {missing.full_app_name, real.full_app_name},
      {missing.app_name, real.app_name},
      {missing.secret_name, real.secret_name},
      {missing.key_id, real.key_id},
      {missing.app_id, real.app_id},
      {missing.secret_id, real.secret_id}};
  for (const auto& [from, to] : swaps) {
    for (size_t at = msg.find(from); at != std::string::npos; at = msg.find(from, at + to.size())) {
      msg.replace(at, from.size(), to);
    }
  }
  body["error"]["msg"] = msg;
  return body;
}

class ApiIsolationTest : public IamTest {
 protected:
  void SetUp() override {
    IamTest::SetUp();
    if (HasFatalFailure()) return;
    a_ = MakeTenant(acme_, app_id_, "myapp", "AlphaSecret");
    Result<ApiStack::Account> b = stack().CreateAccount("bravo");
    ASSERT_TRUE(b.ok());
    Result<ApiStack::Account> c = stack().CreateAccount("charlie", acme_.id);
    ASSERT_TRUE(c.ok());
    Result<int64_t> b_app = stack().CreateApplication(b->id, "bravoapp");
    Result<int64_t> c_app = stack().CreateApplication(c->id, "charlieapp");
    ASSERT_TRUE(b_app.ok() && c_app.ok());
    b_ = MakeTenant(*b, *b_app, "bravoapp", "BravoSecret");
    c_ = MakeTenant(*c, *c_app, "charlieapp", "CharlieSecret");
  }

  Tenant MakeTenant(const ApiStack::Account& account, int64_t app_id, const std::string& app_name,
                    const std::string& secret_name) {
    Tenant t;
    t.account = account;
    t.owner = MakeKey(account.id, {iam::kRoleOwner});
    t.developer = MakeKey(account.id, {iam::kRoleDeveloper});
    t.app_id = app_id;
    t.app_name = app_name;
    t.secret_name = secret_name;
    t.secret_value = "value-of-" + account.name + "-" + stack().random().Uuid();
    t.description = "description-of-" + account.name + "-" + stack().random().Uuid();
    t.key_name = "keyname-" + account.name.substr(0, 3) + stack().random().Uuid().substr(0, 8);
    json added = CallLegacy(account, "AddSecret",
                            {{"application_id", std::to_string(app_id)},
                             {"secret_name", secret_name},
                             {"secret_value", t.secret_value},
                             {"description", t.description}});
    EXPECT_TRUE(added.contains("result")) << ErrorOf(added).dump();
    if (added.contains("result")) t.secret_id = added["result"][0]["secret_id"];
    EXPECT_EQ(CallLegacy(account, "UpdateKey",
                         {{"key_id", t.developer.key_id}, {"key_name", t.key_name}}),
              OneJson());
    return t;
  }

  static Target TargetOf(const Tenant& t) {
    return Target{std::to_string(t.app_id),
                  t.app_name,
                  t.app_name + "." + t.account.name + ".voximplant.com",
                  std::to_string(t.secret_id),
                  t.secret_name,
                  t.developer.key_id};
  }
  // Ids and names that exist in no account (the names in the target account's full-name form).
  Target Missing(const Tenant& t) {
    return Target{"987654", "nosuchapp",    "nosuchapp." + t.account.name + ".voximplant.com",
                  "876543", "NoSuchSecret", stack().random().Uuid()};
  }

  // No byte of `t`'s private data in `body` (values, descriptions, key names are never sent by
  // anyone but `t`).
  static void ExpectNothingOf(const Tenant& t, const json& body, const std::string& context) {
    const std::string text = body.dump();
    EXPECT_EQ(text.find(t.secret_value), std::string::npos) << context;
    EXPECT_EQ(text.find(t.description), std::string::npos) << context;
    EXPECT_EQ(text.find(t.key_name), std::string::npos) << context;
  }

  // Everything of `t` is as it was made.
  void ExpectIntact(const Tenant& t) {
    json value = CallLegacy(
        t.account, "GetSecretValue",
        {{"application_id", std::to_string(t.app_id)}, {"secret_id", std::to_string(t.secret_id)}});
    ASSERT_TRUE(value.contains("result")) << t.account.name << " " << ErrorOf(value).dump();
    EXPECT_TRUE(value["result"][0]["secret_value"] == t.secret_value) << t.account.name;
    EXPECT_EQ(value["result"][0]["secret_name"], t.secret_name);
    json secrets =
        CallLegacy(t.account, "GetSecrets", {{"application_id", std::to_string(t.app_id)}});
    EXPECT_EQ(secrets["total_count"], 1) << t.account.name;
    json apps = CallLegacy(t.account, "GetApplications", {});
    ASSERT_EQ(apps["total_count"], 1) << t.account.name;
    EXPECT_EQ(apps["result"][0]["application_id"], t.app_id);
    EXPECT_EQ(apps["result"][0]["application_name"],
              t.app_name + "." + t.account.name + ".voximplant.com");
    EXPECT_EQ(apps["result"][0]["secure_record_storage"], false);
    json keys = CallLegacy(t.account, "GetKeys", {{"with_roles", "true"}});
    ASSERT_EQ(keys["total_count"], 2) << t.account.name;
    int developers = 0;
    for (const json& key : keys["result"]) {
      if (key["key_id"] != t.developer.key_id) continue;
      ++developers;
      EXPECT_EQ(key["key_name"], t.key_name);
      ASSERT_EQ(key["roles"].size(), 1u);
      EXPECT_EQ(key["roles"][0]["role_id"], iam::kRoleDeveloper);
    }
    EXPECT_EQ(developers, 1) << t.account.name;
  }

  Tenant a_, b_, c_;
};

TEST_F(ApiIsolationTest, NoCallerReachesAnotherAccountsData) {
  struct Caller {
    std::string label;
    const Tenant* acts_as;  // the account the calls run as
    std::function<json(const std::string&, const ParamList&)> call;
  };
  const std::string a_token = TokenOf(a_.owner);
  const std::string b_token = TokenOf(b_.owner);
  const std::string c_token = TokenOf(c_.owner);
  const std::string a_as_c_token = TokenOf(a_.owner, c_.account.id);
  auto bearer = [this](const std::string& token) {
    return [this, token](const std::string& method, const ParamList& params) {
      return CallToken(method, params, token);
    };
  };
  auto legacy = [this](const ApiStack::Account& account) {
    return [this, account](const std::string& method, const ParamList& params) {
      return CallLegacy(account, method, params);
    };
  };
  const std::vector<Caller> callers = {
      {"A key", &a_, bearer(a_token)},           {"A legacy", &a_, legacy(a_.account)},
      {"B key", &b_, bearer(b_token)},           {"B legacy", &b_, legacy(b_.account)},
      {"C key", &c_, bearer(c_token)},           {"C legacy", &c_, legacy(c_.account)},
      {"A key as C", &c_, bearer(a_as_c_token)},
  };
  const std::vector<const Tenant*> tenants = {&a_, &b_, &c_};

  std::vector<Probe> probes = Probes();
  int read_methods = 0;
  for (const MethodSpec* spec : stack().dispatcher().methods().Specs()) {
    if (spec->access != Access::kRead) continue;
    for (Probe& probe : ReadProbes(spec->name)) probes.push_back(std::move(probe));
    ++read_methods;
  }
  EXPECT_GE(read_methods, 8);

  int compared = 0;
  for (const Caller& caller : callers) {
    for (const Tenant* target : tenants) {
      if (target == caller.acts_as) continue;
      const Target real = TargetOf(*target);
      const Target missing = Missing(*target);
      for (const Probe& probe : probes) {
        ParamList with_real;
        ParamList with_missing;
        for (const auto& [name, value] : probe.params) {
          with_real.emplace_back(name, Substitute(value, real, caller.acts_as->app_id));
          with_missing.emplace_back(name, Substitute(value, missing, caller.acts_as->app_id));
        }
        const std::string context = caller.label + " -> " + target->account.name + ": " +
                                    probe.method + " " + json(probe.params).dump();
        const json got = caller.call(probe.method, with_real);
        const json expected = caller.call(probe.method, with_missing);
        EXPECT_EQ(got, AsIfAbout(expected, missing, real)) << context;
        ExpectNothingOf(*target, got, context);
        ++compared;
      }
      // Unfiltered listings of the caller's own account show nothing of the target.
      for (const char* method : {"GetApplications", "GetKeys"}) {
        ExpectNothingOf(*target, caller.call(method, {{"with_roles", "true"}}),
                        caller.label + " listing " + method);
      }
      ExpectNothingOf(
          *target,
          caller.call("GetSecrets", {{"application_id", std::to_string(caller.acts_as->app_id)}}),
          caller.label + " listing secrets");
    }
  }
  EXPECT_EQ(compared, 14 * static_cast<int>(probes.size()));
  for (const Tenant* t : tenants) ExpectIntact(*t);
}

TEST_F(ApiIsolationTest, KeysCannotNameAnAccountTheyDoNotOwn) {
  const ParamList probe = {{"application_id", std::to_string(a_.app_id)}};
  // Unrelated keys, a child's key naming its parent, a parent's key naming an unrelated account,
  // and accounts that do not exist.
  EXPECT_EQ(ErrorOf(CallAs(b_.owner, "GetSecrets", probe, a_.account.id)), Err(100));
  EXPECT_EQ(ErrorOf(CallAs(c_.owner, "GetSecrets", probe, a_.account.id)), Err(100));
  EXPECT_EQ(ErrorOf(CallAs(a_.owner, "GetSecrets", probe, b_.account.id)), Err(100));
  EXPECT_EQ(ErrorOf(CallAs(b_.owner, "GetSecrets", probe, c_.account.id)), Err(100));
  EXPECT_EQ(ErrorOf(CallAs(a_.owner, "GetSecrets", probe, 424242)), Err(100));
  // Legacy: one account's id with another's api_key.
  ApiStack::Account mixed = a_.account;
  mixed.api_key = b_.account.api_key;
  EXPECT_EQ(ErrorOf(CallLegacy(mixed, "GetSecrets", probe)), Err(100));
  mixed = c_.account;
  mixed.api_key = a_.account.api_key;  // a parent's api_key does not open the child
  EXPECT_EQ(ErrorOf(CallLegacy(mixed, "GetSecrets", probe)), Err(100));
  // A bearer token wins over account_id / api_key parameters (the Java client sends account_id):
  // B's token with A's legacy credentials runs as B.
  ParamList with_legacy = probe;
  with_legacy.emplace_back("account_id", std::to_string(a_.account.id));
  with_legacy.emplace_back("api_key", a_.account.api_key);
  EXPECT_EQ(ErrorOf(CallAs(b_.owner, "GetSecrets", with_legacy)), Err(116, "application_id"));
  // The positive control: A's key acting as its child C sees C's secret.
  json value = CallAs(
      a_.owner, "GetSecretValue",
      {{"application_id", std::to_string(c_.app_id)}, {"secret_id", std::to_string(c_.secret_id)}},
      c_.account.id);
  ASSERT_TRUE(value.contains("result")) << ErrorOf(value).dump();
  EXPECT_TRUE(value["result"][0]["secret_value"] == c_.secret_value);
  for (const Tenant* t : {&a_, &b_, &c_}) ExpectIntact(*t);
}

}  // namespace
}  // namespace voxsecrets::api
