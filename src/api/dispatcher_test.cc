// The Dispatcher's flow: method, decoding, credentials, roles, transactions, server faults,
// post-commit work and the audit seam (docs/API.md "Order of checks", "Errors").
#include "api/dispatcher.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "api/api_test_base.h"
#include "api/rate_limiter.h"
#include "common/clock.h"
#include "iam/roles.h"

namespace voxsecrets::api {
namespace {

using nlohmann::json;

// Records what the dispatcher tells it; can be told to fail either method.
class RecordingAudit final : public AuditHook {
 public:
  Status InTransaction(CallContext& call, store::Tx&) override {
    in_tx.push_back(std::string(call.method));
    last_facts = call.audit;
    return fail_in_tx;
  }
  Status Record(const AuditCall& call, const Status& outcome) override {
    after.push_back(std::string(call.method) + ":" + std::string(StatusCodeName(outcome.code())) +
                    (call.principal == nullptr ? ":anonymous" : "") +
                    (call.facts == nullptr ? ":refused" : ""));
    return fail_record;
  }
  std::vector<std::string> in_tx;
  std::vector<std::string> after;
  AuditFacts last_facts;
  Status fail_in_tx;
  Status fail_record;
};

// Two probes take the place of the real GetAccountInfo (any caller, read) and CreateKey (Owner
// and Admin, write): same registration, the probe's handler.
class DispatcherTest : public ApiCallTest {
 protected:
  ApiStackOptions StackOptions() override {
    ApiStackOptions options;
    options.audit = &audit_;
    options.register_methods = [this](MethodTable& table, ApiStack&) {
      MethodTable probed;
      for (const MethodSpec* spec : table.Specs()) {
        MethodSpec copy = *spec;
        if (copy.name == "GetAccountInfo" || copy.name == "CreateKey") {
          copy.handler = [this](CallContext& call, store::Tx& tx) { return probe_(call, tx); };
          copy.prepare = nullptr;
        }
        probed.Add(std::move(copy));
      }
      table = std::move(probed);
    };
    return options;
  }

  // Inserts an account named `name` in the handler's transaction.
  static Status InsertAccount(store::Tx& tx, const std::string& name) {
    store::AccountRecord record;
    record.name = name;
    record.email = name + "@example.com";
    return tx.accounts().Insert(record).status();
  }
  bool AccountExists(const std::string& name) {
    bool exists = false;
    EXPECT_TRUE(stack()
                    .store()
                    .Read([&](store::Tx& tx) -> Status {
                      VS_ASSIGN_OR_RETURN(auto account, tx.accounts().FindByName(name));
                      exists = account.has_value();
                      return Status::Ok();
                    })
                    .ok());
    return exists;
  }

  RecordingAudit audit_;
  MethodHandler probe_ = [](CallContext&, store::Tx&) -> Result<json> { return ResultOne(); };

  static json ResultOne() { return json::parse(R"({"result":1})"); }
};

TEST_F(DispatcherTest, MissingMethod) {
  EXPECT_EQ(stack().CallJson("", {}),
            json::parse(R"({"error":{"code":102,"msg":"Missing 'cmd' parameter."}})"));
}

json UnknownCommand(const std::string& shown) {
  json error = json::object();
  error["code"] = 103;
  error["msg"] = "Unknown command '" + shown + "'.";
  json body = json::object();
  body["error"] = std::move(error);
  return body;
}

TEST_F(DispatcherTest, UnknownMethodBeforeCredentials) {
  EXPECT_EQ(stack().CallJson("NoSuchMethod", {}), UnknownCommand("NoSuchMethod"));
  // Names match exactly.
  EXPECT_EQ(stack().CallJson("getsecrets", {}), UnknownCommand("getsecrets"));
  EXPECT_EQ(Call("GetSecret", {}), UnknownCommand("GetSecret"));
}

// The name is the caller's input: shown cut to 64 characters, with anything but [A-Za-z0-9_] as
// '?' (no quotes, control characters or other scripts reach the message), never a field_name.
TEST_F(DispatcherTest, UnknownMethodMessageShowsTheNameSafely) {
  EXPECT_EQ(stack().CallJson("Get_Secret2", {}), UnknownCommand("Get_Secret2"));
  EXPECT_EQ(stack().CallJson("Get'Secrets\"", {}), UnknownCommand("Get?Secrets?"));
  EXPECT_EQ(stack().CallJson("Get\nSecrets\r\t<b>", {}), UnknownCommand("Get?Secrets???b?"));
  // Two bytes of one Cyrillic letter: two '?'.
  EXPECT_EQ(stack().CallJson("Get\xd0\x96", {}), UnknownCommand("Get??"));
  EXPECT_EQ(stack().CallJson("\xff\xfe", {}), UnknownCommand("??"));
  EXPECT_EQ(stack().CallJson(std::string(64, 'A'), {}), UnknownCommand(std::string(64, 'A')));
  EXPECT_EQ(stack().CallJson(std::string(65, 'A'), {}),
            UnknownCommand(std::string(64, 'A') + "..."));
  const json huge = stack().CallJson(std::string(60000, 'x'), {});
  EXPECT_EQ(huge, UnknownCommand(std::string(64, 'x') + "..."));
  EXPECT_FALSE(huge["error"].contains("field_name"));
}

TEST_F(DispatcherTest, DecodeFailureAfterMethodBeforeCredentials) {
  ApiRequest request;
  request.method = "GetSecrets";
  request.decode_status =
      Status(StatusCode::kMalformedRequest, "The request body is not valid JSON.");
  EXPECT_EQ(json::parse(stack().dispatcher().Handle(request).body),
            json::parse(R"({"error":{"code":101,"msg":"The request body is not valid JSON."}})"));
  request.method = "Nope";
  EXPECT_EQ(json::parse(stack().dispatcher().Handle(request).body)["error"]["code"], 103);
}

TEST_F(DispatcherTest, TheResponseCarriesTheErrorCodeOfItsBody) {
  ApiRequest request;
  request.method = "Nope";
  ApiResponse unknown = stack().dispatcher().Handle(request);
  EXPECT_EQ(unknown.error_code, 103);
  request.method = "GetSecrets";
  ApiResponse refused = stack().dispatcher().Handle(request);
  EXPECT_EQ(refused.error_code, 100);
  EXPECT_EQ(json::parse(refused.body)["error"]["code"], 100);
}

TEST_F(DispatcherTest, NoCredentials) {
  const json failed = json::parse(R"({"error":{"code":100,"msg":"Authorization failed."}})");
  EXPECT_EQ(stack().CallJson("GetSecrets", {{"application_id", "1"}}), failed);
  EXPECT_EQ(stack().CallJson("GetSecrets", {{"account_id", std::to_string(acme_.id)}}), failed);
  EXPECT_EQ(stack().CallJson("GetSecrets", {{"api_key", acme_.api_key}}), failed);
}

TEST_F(DispatcherTest, LegacyCredentials) {
  EXPECT_EQ(CallApp("GetSecrets", {}), json::parse(R"({"result":[],"count":0,"total_count":0})"));
  const json failed = json::parse(R"({"error":{"code":100,"msg":"Authorization failed."}})");
  EXPECT_EQ(stack().CallJson("GetSecrets", {{"account_id", std::to_string(acme_.id)},
                                            {"api_key", acme_.api_key + "x"}}),
            failed);
  EXPECT_EQ(stack().CallJson("GetSecrets", {{"account_id", "acme"}, {"api_key", acme_.api_key}}),
            failed);
  EXPECT_EQ(stack().CallJson("GetSecrets", {{"account_id", std::to_string(acme_.id + 1000)},
                                            {"api_key", acme_.api_key}}),
            failed);
  // Legacy credentials hold every role, DelApplication (Owner only) included.
  EXPECT_EQ(CallApp("DelApplication", {}), ResultOne());
}

TEST_F(DispatcherTest, BearerTokenAndIgnoredAccountIdParameter) {
  Result<ApiStack::Account> globex = stack().CreateAccount("globex");
  ASSERT_TRUE(globex.ok());
  Result<ApiStack::Key> key = stack().CreateKey(acme_.id, {iam::kRoleOwner});
  ASSERT_TRUE(key.ok());
  Result<std::string> token = stack().Token(*key);
  ASSERT_TRUE(token.ok());
  // The Java client adds account_id to every call: with a bearer token it is ignored, even when
  // it names another account or comes with a wrong api_key.
  json body =
      stack().CallJson("GetApplications",
                       {{"account_id", std::to_string(globex->id)}, {"api_key", "wrong"}}, *token);
  ASSERT_TRUE(body.contains("result")) << body.dump();
  EXPECT_EQ(body["result"][0]["application_name"], "myapp.acme.voximplant.com");
  // A bad token fails even when good legacy credentials come along.
  body = stack().CallJson("GetApplications",
                          {{"account_id", std::to_string(acme_.id)}, {"api_key", acme_.api_key}},
                          "not.a.token");
  EXPECT_EQ(body, json::parse(R"({"error":{"code":447,"msg":"Invalid token format."}})"));
}

TEST_F(DispatcherTest, TokenFaults) {
  Result<ApiStack::Key> key = stack().CreateKey(acme_.id, {iam::kRoleOwner});
  ASSERT_TRUE(key.ok());
  const int64_t now = stack().clock().NowSeconds();
  auto call_with = [&](int64_t ttl, int64_t iat) {
    Result<std::string> token = stack().Token(*key, ttl, std::nullopt, iat);
    EXPECT_TRUE(token.ok());
    return stack().CallJson("GetApplications", {}, token.ok() ? *token : "");
  };
  EXPECT_EQ(
      call_with(3601, now),
      json::parse(R"({"error":{"code":454,"msg":"The token TTL exceeds the maximum limit."}})"));
  EXPECT_EQ(call_with(60, now + 120),
            json::parse(R"({"error":{"code":455,"msg":"Token issued in the future."}})"));
  EXPECT_EQ(call_with(60, now - 61),
            json::parse(R"({"error":{"code":456,"msg":"The token has expired."}})"));
  EXPECT_TRUE(call_with(3600, now).contains("result"));
  // A deleted key: authorization failed.
  Result<std::string> token = stack().Token(*key);
  ASSERT_TRUE(token.ok());
  ASSERT_TRUE(stack()
                  .store()
                  .Write([&](store::Tx& tx) -> Status {
                    VS_ASSIGN_OR_RETURN(bool deleted, tx.keys().Delete(acme_.id, key->key_id));
                    return deleted ? Status::Ok() : InternalError("key not deleted");
                  })
                  .ok());
  EXPECT_EQ(stack().CallJson("GetApplications", {}, *token),
            json::parse(R"({"error":{"code":100,"msg":"Authorization failed."}})"));
}

TEST_F(DispatcherTest, RolesDecideBeforeParameters) {
  const json forbidden = json::parse(R"({"error":{"code":104,"msg":"Forbidden command."}})");
  Result<ApiStack::Key> support = stack().CreateKey(acme_.id, {iam::kRoleSupport});
  Result<ApiStack::Key> developer = stack().CreateKey(acme_.id, {iam::kRoleDeveloper});
  Result<ApiStack::Key> admin = stack().CreateKey(acme_.id, {iam::kRoleAdmin});
  Result<ApiStack::Key> nobody = stack().CreateKey(acme_.id, {});
  ASSERT_TRUE(support.ok() && developer.ok() && admin.ok() && nobody.ok());
  auto token = [&](const ApiStack::Key& key) { return stack().Token(key).value(); };

  // Support may list but not read values or write; the role check comes before parameters.
  EXPECT_EQ(stack().CallJson("GetSecretValue", {}, token(*support)), forbidden);
  EXPECT_EQ(stack().CallJson("AddSecret", {}, token(*support)), forbidden);
  EXPECT_EQ(ErrorOf(stack().CallJson("GetSecrets", {}, token(*support))),
            Err(485, "application_id"));
  // Developer: secrets yes, application changes no.
  EXPECT_EQ(ErrorOf(stack().CallJson("AddSecret", {}, token(*developer))),
            Err(485, "application_id"));
  EXPECT_EQ(stack().CallJson("AddApplication", {}, token(*developer)), forbidden);
  // Admin: applications yes, DelApplication no (Owner only).
  EXPECT_EQ(ErrorOf(stack().CallJson("AddApplication", {}, token(*admin))),
            Err(485, "application_name"));
  EXPECT_EQ(stack().CallJson("DelApplication", {}, token(*admin)), forbidden);
  // No role at all: only the methods any caller may use.
  EXPECT_EQ(stack().CallJson("GetApplications", {}, token(*nobody)), forbidden);
  EXPECT_EQ(stack().CallJson("GetAccountInfo", {}, token(*nobody)), ResultOne());
}

TEST_F(DispatcherTest, ParentKeyActsAsChildThroughIss) {
  Result<ApiStack::Account> child = stack().CreateAccount("acme-child", acme_.id);
  ASSERT_TRUE(child.ok());
  ASSERT_TRUE(stack().CreateApplication(child->id, "kidapp").ok());
  Result<ApiStack::Key> key = stack().CreateKey(acme_.id, {iam::kRoleOwner});
  ASSERT_TRUE(key.ok());
  Result<std::string> as_child = stack().Token(*key, 60, child->id);
  ASSERT_TRUE(as_child.ok());
  json body = stack().CallJson("GetApplications", {}, *as_child);
  ASSERT_TRUE(body.contains("result")) << body.dump();
  EXPECT_EQ(body["total_count"], 1);
  EXPECT_EQ(body["result"][0]["application_name"], "kidapp.acme-child.voximplant.com");
  json added = stack().CallJson(
      "AddSecret", {{"application_name", "kidapp"}, {"secret_name", "s"}, {"secret_value", "v"}},
      *as_child);
  EXPECT_TRUE(added.contains("result")) << added.dump();
  // The parent's own application is not the child's.
  EXPECT_EQ(ErrorOf(stack().CallJson("GetSecrets", {{"application_name", "myapp"}}, *as_child)),
            Err(558, "application_name"));
}

TEST_F(DispatcherTest, ServerFaultsAreGeneric) {
  const std::vector<std::pair<Status, std::string>> cases = {
      {InternalError("disk /var/lib/secret.db is on fire"),
       R"({"error":{"code":1,"msg":"Fatal error."}})"},
      {Status(StatusCode::kDataLoss, "record 7 tag mismatch"),
       R"({"error":{"code":2,"msg":"Internal error."}})"},
      {Unavailable("database is locked"), R"({"error":{"code":4,"msg":"DB error."}})"},
  };
  for (const auto& [status, expected] : cases) {
    probe_ = [status = status](CallContext&, store::Tx&) -> Result<json> { return status; };
    EXPECT_EQ(Call("GetAccountInfo", {}), json::parse(expected));
  }
}

TEST_F(DispatcherTest, ExceptionsBecomeFatalErrorAndRollBack) {
  probe_ = [](CallContext&, store::Tx& tx) -> Result<json> {
    VS_RETURN_IF_ERROR(InsertAccount(tx, "thrown"));
    throw std::runtime_error("library blew up with details");
  };
  EXPECT_EQ(Call("CreateKey", {}), json::parse(R"({"error":{"code":1,"msg":"Fatal error."}})"));
  EXPECT_FALSE(AccountExists("thrown"));
}

TEST_F(DispatcherTest, FailedWriteRollsBackAndSkipsAfterCommit) {
  int after_commit_runs = 0;
  probe_ = [&](CallContext& call, store::Tx& tx) -> Result<json> {
    VS_RETURN_IF_ERROR(InsertAccount(tx, "half-done"));
    call.after_commit.push_back([&] { ++after_commit_runs; });
    return MissingArgument("key_name");
  };
  EXPECT_EQ(ErrorOf(Call("CreateKey", {})), Err(485, "key_name"));
  EXPECT_FALSE(AccountExists("half-done"));
  EXPECT_EQ(after_commit_runs, 0);

  probe_ = [&](CallContext& call, store::Tx& tx) -> Result<json> {
    VS_RETURN_IF_ERROR(InsertAccount(tx, "committed"));
    call.after_commit.push_back([&] { ++after_commit_runs; });
    return ResultOne();
  };
  EXPECT_EQ(Call("CreateKey", {}), ResultOne());
  EXPECT_TRUE(AccountExists("committed"));
  EXPECT_EQ(after_commit_runs, 1);
}

TEST_F(DispatcherTest, UnencodableAnswerRollsBackTheWrite) {
  probe_ = [](CallContext&, store::Tx& tx) -> Result<json> {
    VS_RETURN_IF_ERROR(InsertAccount(tx, "unanswered"));
    json body = json::object();
    body["result"] = std::string("\xff\xfe");
    return body;
  };
  EXPECT_EQ(Call("CreateKey", {}), json::parse(R"({"error":{"code":1,"msg":"Fatal error."}})"));
  EXPECT_FALSE(AccountExists("unanswered"));
}

TEST_F(DispatcherTest, AuditHookSeesWritesInTransactionAndEverythingElseAfter) {
  const int64_t id = AddSecret("audited", "v");
  ASSERT_EQ(audit_.in_tx, std::vector<std::string>{"AddSecret"});
  EXPECT_EQ(audit_.last_facts.application_id, app_id_);
  EXPECT_EQ(audit_.last_facts.secret_ids, std::vector<int64_t>{id});
  EXPECT_EQ(audit_.last_facts.secret_names, std::vector<std::string>{"audited"});
  EXPECT_TRUE(audit_.after.empty());

  CallApp("GetSecretValue", {{"secret_id", std::to_string(id)}});
  CallApp("AddSecret", {{"secret_name", "audited"}, {"secret_value", "v"}});  // duplicate
  EXPECT_EQ(audit_.after,
            (std::vector<std::string>{"GetSecretValue:ok", "AddSecret:already_exists"}));
  // Refused before a handler ran: recorded too, without facts (and without a principal when
  // authentication did not succeed).
  audit_.after.clear();
  stack().CallJson("GetSecrets", {});
  stack().CallJson("NoSuchMethod", {});
  stack().CallJson("", {});
  EXPECT_EQ(audit_.after, (std::vector<std::string>{"GetSecrets:unauthenticated:anonymous:refused",
                                                    "NoSuchMethod:unknown_method:anonymous:refused",
                                                    ":missing_method:anonymous:refused"}));
  EXPECT_EQ(audit_.in_tx.size(), 1u);

  // A read whose record cannot be written is answered with the audit error, not its value.
  audit_.fail_record = Unavailable("audit store down");
  EXPECT_EQ(CallApp("GetSecretValue", {{"secret_id", std::to_string(id)}}),
            json::parse(R"({"error":{"code":4,"msg":"DB error."}})"));
  // A call that failed anyway keeps its own error.
  EXPECT_EQ(ErrorOf(CallApp("GetSecretValue", {{"secret_id", "999999"}})), Err(341, "secret_id"));
  audit_.fail_record = Status::Ok();

  // A failing audit write fails the call and rolls the change back.
  audit_.fail_in_tx = Unavailable("audit table locked");
  EXPECT_EQ(CallApp("AddSecret", {{"secret_name", "unaudited"}, {"secret_value", "v"}}),
            json::parse(R"({"error":{"code":4,"msg":"DB error."}})"));
  audit_.fail_in_tx = Status::Ok();
  EXPECT_EQ(ErrorOf(CallApp("GetSecretValue", {{"secret_name", "unaudited"}})),
            Err(341, "secret_name"));
}

TEST_F(DispatcherTest, HandlersSeeTheCall) {
  CallContext* seen = nullptr;
  std::string method;
  int64_t account = 0;
  std::string ip;
  probe_ = [&](CallContext& call, store::Tx&) -> Result<json> {
    seen = &call;
    method = std::string(call.method);
    account = call.principal.account_id;
    ip = std::string(call.client_ip);
    return ResultOne();
  };
  EXPECT_EQ(Call("GetAccountInfo", {}), ResultOne());
  EXPECT_NE(seen, nullptr);
  EXPECT_EQ(method, "GetAccountInfo");
  EXPECT_EQ(account, acme_.id);
  EXPECT_EQ(ip, "127.0.0.1");
}

// Request-rate limits (api/rate_limiter.h) as the dispatcher applies them.
class DispatcherRateLimitTest : public ApiCallTest {
 protected:
  ApiStackOptions StackOptions() override {
    ApiStackOptions options;
    options.dispatcher.limits.per_address = &per_address_;
    options.dispatcher.limits.per_key = &per_key_;
    return options;
  }
  static int CodeOf(const json& body) {
    return body.contains("error") ? body["error"].value("code", -1) : 0;
  }

  FakeClock clock_{1767225600};
  RateLimiter per_address_{RateLimit{.per_second = 10, .burst = 6}, clock_};
  RateLimiter per_key_{RateLimit{.per_second = 1, .burst = 2}, clock_};
};

TEST_F(DispatcherRateLimitTest, EachKeyHasItsOwnBucketAndAnEmptyOneIs340) {
  // acme's legacy credentials: a bucket per account.
  EXPECT_EQ(CodeOf(CallApp("GetSecrets", {})), 0);
  EXPECT_EQ(CodeOf(CallApp("GetSecrets", {})), 0);
  const json limited = CallApp("GetSecrets", {});
  EXPECT_EQ(limited, json::parse(R"({"error":{"code":340,"msg":"Rate limit exceed."}})"));
  // Another key of the same account has a bucket of its own.
  Result<ApiStack::Key> key = stack().CreateKey(acme_.id, {iam::kRoleDeveloper});
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  Result<std::string> token = stack().Token(*key);
  ASSERT_TRUE(token.ok());
  const ParamList in_app = {{"application_id", std::to_string(app_id_)}};
  EXPECT_EQ(CodeOf(stack().CallJson("GetSecrets", in_app, *token)), 0);
  // A caller that fails authentication is refused for that, and takes nothing from a bucket.
  EXPECT_EQ(CodeOf(stack().CallJson("GetSecrets", in_app, "not.a.token")), 447);
  // A second later the account's bucket has a token again.
  clock_.AdvanceSeconds(1);
  EXPECT_EQ(CodeOf(CallApp("GetSecrets", {})), 0);
  EXPECT_EQ(CodeOf(CallApp("GetSecrets", {})), 340);
}

TEST_F(DispatcherRateLimitTest, TheAddressIsCheckedBeforeAnythingElse) {
  // Six calls of any kind from 127.0.0.1 empty its bucket (the key's bucket is not touched by
  // calls that never authenticate).
  for (int i = 0; i < 6; ++i) EXPECT_EQ(CodeOf(stack().CallJson("NoSuchMethod", {})), 103) << i;
  EXPECT_EQ(CodeOf(stack().CallJson("NoSuchMethod", {})), 340);
  EXPECT_EQ(CodeOf(CallApp("GetSecrets", {})), 340);
  clock_.AdvanceSeconds(1);  // 10 more tokens
  EXPECT_EQ(CodeOf(CallApp("GetSecrets", {})), 0);
}

}  // namespace
}  // namespace voxsecrets::api
