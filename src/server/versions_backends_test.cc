// Secret versions on both storage backends, through the Dispatcher over the real keyring:
// numbering, retention at N, restore, deletion with the secret, key rotation re-wrapping older
// versions, and a version's ciphertext moved into the place of another detected by its associated
// data. The repositories' own rules are the conformance suite's
// (tests/testing/store_conformance_versions.cc); this holds the whole stack above each backend to
// the API's promises (docs/API.md "Secret versions").
//
// The PostgreSQL cases need a server (store/postgres/pg_test_util.h): without one they skip, and
// fail under CI=true.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "crypto/rotation.h"
#include "store/postgres/pg_test_util.h"
#include "tests/testing/api_fixture.h"

namespace voxsecrets::server {
namespace {

using nlohmann::json;
using ParamList = std::vector<std::pair<std::string, std::string>>;

enum class Backend { kSqlite, kPostgres };

constexpr int64_t kKept = 3;  // serve --secret-versions 3

class VersionsOnBackendTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    api::ApiStackOptions options;
    options.secret_versions = kKept;
    if (GetParam() == Backend::kPostgres) {
      std::string url;
      if (!store::pgtest::RequireServer(&url)) {
        if (!IsSkipped()) FAIL() << "no PostgreSQL test server";
        return;
      }
      options.make_store = []() -> Result<store::StorePtr> {
        store::StorePtr made = store::pgtest::MakeTestPgStore();
        if (made == nullptr) return InternalError("no PostgreSQL test store");
        return made;
      };
    }
    Result<std::unique_ptr<api::ApiStack>> stack = api::ApiStack::Create(std::move(options));
    ASSERT_TRUE(stack.ok()) << stack.status().ToString();
    stack_ = std::move(*stack);
    Result<api::ApiStack::Account> acme = stack_->CreateAccount("acme");
    ASSERT_TRUE(acme.ok()) << acme.status().ToString();
    acme_ = *acme;
    Result<int64_t> app = stack_->CreateApplication(acme_.id, "myapp");
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    app_id_ = *app;
  }

  // `method` in "myapp" with acme's legacy credentials.
  json Call(std::string_view method, ParamList params) {
    params.emplace_back("application_id", std::to_string(app_id_));
    params.emplace_back("account_id", std::to_string(acme_.id));
    params.emplace_back("api_key", acme_.api_key);
    return stack_->CallJson(method, params);
  }
  int64_t Add(const std::string& name, const std::string& value) {
    const json body = Call("AddSecret", {{"secret_name", name}, {"secret_value", value}});
    EXPECT_TRUE(body.contains("result")) << body.dump();
    return body.contains("result") ? body["result"][0]["secret_id"].get<int64_t>() : 0;
  }
  void SetValue(int64_t id, const std::string& value) {
    stack_->clock().AdvanceSeconds(10);
    const json body =
        Call("SetSecretInfo", {{"secret_id", std::to_string(id)}, {"secret_value", value}});
    EXPECT_EQ(body, json::parse(R"({"result":1})"));
  }
  json Value(int64_t id, std::optional<int64_t> version = std::nullopt) {
    ParamList params = {{"secret_id", std::to_string(id)}};
    if (version.has_value()) params.emplace_back("version", std::to_string(*version));
    return Call("GetSecretValue", params);
  }
  // The `version` member and whether the value is `want` (never printed).
  void ExpectValue(int64_t id, std::optional<int64_t> version, const std::string& want,
                   int64_t answered_version) {
    const json body = Value(id, version);
    ASSERT_TRUE(body.contains("result")) << body.dump();
    EXPECT_TRUE(body["result"][0]["secret_value"] == want)
        << "secret " << id << " version " << version.value_or(0);
    EXPECT_EQ(body["result"][0]["version"], answered_version);
  }
  // The version numbers GetSecretVersions lists; only the first of the first page is current.
  std::vector<int64_t> Versions(int64_t id, ParamList extra = {}) {
    const bool first_page = extra.empty();
    extra.emplace_back("secret_id", std::to_string(id));
    const json body = Call("GetSecretVersions", extra);
    EXPECT_TRUE(body.contains("result")) << body.dump();
    std::vector<int64_t> out;
    if (!body.contains("result")) return out;
    for (const json& item : body["result"]) {
      out.push_back(item["version"]);
      EXPECT_EQ(item["current"], first_page && out.size() == 1) << item.dump();
    }
    return out;
  }
  std::vector<store::SecretVersionRecord> StoredOlder() {
    std::vector<store::SecretVersionRecord> rows;
    const Status s = stack_->store().Read([&](store::Tx& tx) -> Status {
      VS_ASSIGN_OR_RETURN(rows, tx.secret_versions().ListSealed(app_id_));
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return rows;
  }
  static int Code(const json& body) {
    return body.contains("error") ? body["error"].value("code", 0) : 0;
  }

  std::unique_ptr<api::ApiStack> stack_;
  api::ApiStack::Account acme_;
  int64_t app_id_ = 0;
};

TEST_P(VersionsOnBackendTest, NumberingRetentionAndRestore) {
  const int64_t id = Add("db", "v1");
  ExpectValue(id, std::nullopt, "v1", 1);
  // A rename and a description make no version.
  EXPECT_EQ(
      Call("SetSecretInfo",
           {{"secret_id", std::to_string(id)}, {"new_secret_name", "db2"}, {"description", "d"}}),
      json::parse(R"({"result":1})"));
  EXPECT_EQ(Versions(id), std::vector<int64_t>{1});
  for (int v = 2; v <= 5; ++v) SetValue(id, "v" + std::to_string(v));
  // The last kKept are kept, newest (current) first.
  EXPECT_EQ(Versions(id), (std::vector<int64_t>{5, 4, 3}));
  EXPECT_EQ(Versions(id, {{"count", "1"}, {"offset", "1"}}), std::vector<int64_t>{4});
  EXPECT_EQ(StoredOlder().size(), 2u);
  for (int64_t v = 3; v <= 5; ++v) ExpectValue(id, v, "v" + std::to_string(v), v);
  const json dropped = Value(id, 2);
  EXPECT_EQ(Code(dropped), 341) << dropped.dump();
  EXPECT_EQ(dropped["error"]["field_name"], "version");

  // A restore is the next version, with the old value.
  EXPECT_EQ(Call("RestoreSecretVersion", {{"secret_name", "db2"}, {"version", "3"}}),
            json::parse(R"({"result":1,"version":6})"));
  ExpectValue(id, std::nullopt, "v3", 6);
  EXPECT_EQ(Versions(id), (std::vector<int64_t>{6, 5, 4}));
  EXPECT_EQ(Code(Value(id, 3)), 341);
  EXPECT_EQ(
      Code(Call("RestoreSecretVersion", {{"secret_id", std::to_string(id)}, {"version", "3"}})),
      341);
}

TEST_P(VersionsOnBackendTest, DelSecretDeletesEveryVersion) {
  const int64_t id = Add("db", "v1");
  const int64_t kept = Add("other", "o1");
  SetValue(id, "v2");
  SetValue(id, "v3");
  SetValue(kept, "o2");
  EXPECT_EQ(StoredOlder().size(), 3u);
  EXPECT_EQ(Call("DelSecret", {{"secret_id", std::to_string(id)}}), json::parse(R"({"result":1})"));
  const std::vector<store::SecretVersionRecord> left = StoredOlder();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].info.secret_id, kept);
  const json gone = Call("GetSecretVersions", {{"secret_id", std::to_string(id)}});
  EXPECT_EQ(Code(gone), 341);
  EXPECT_EQ(gone["error"]["field_name"], "secret_id");
  ExpectValue(kept, 1, "o1", 1);
}

TEST_P(VersionsOnBackendTest, ApplicationKeyRotationRewrapsOlderVersions) {
  std::vector<int64_t> ids;
  for (int s = 0; s < 3; ++s) {
    const std::string prefix = "s" + std::to_string(s) + "-v";
    ids.push_back(Add("S" + std::to_string(s), prefix + "1"));
    SetValue(ids.back(), prefix + "2");
    SetValue(ids.back(), prefix + "3");
  }
  Result<crypto::AppKeyRotation> rotated =
      crypto::RotateApplicationKey(stack_->store(), stack_->keyring(), acme_.id, app_id_);
  ASSERT_TRUE(rotated.ok()) << rotated.status().ToString();
  EXPECT_EQ(rotated->reencrypted, 9);  // 3 current values and 6 older ones
  for (const store::SecretVersionRecord& older : StoredOlder()) {
    EXPECT_EQ(older.value.key_version, rotated->new_version) << older.info.version;
  }
  // Only the new data key is left for the application, and every version still opens as itself.
  const Status keys = stack_->store().Read([&](store::Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::vector<store::DataKeyRecord> all, tx.data_keys().ListAll());
    for (const store::DataKeyRecord& key : all) {
      if (key.application_id == app_id_) {
        EXPECT_EQ(key.version, rotated->new_version);
      }
    }
    return Status::Ok();
  });
  ASSERT_TRUE(keys.ok()) << keys.ToString();
  for (int s = 0; s < 3; ++s) {
    for (int64_t v = 1; v <= 3; ++v) {
      ExpectValue(ids[s], v, "s" + std::to_string(s) + "-v" + std::to_string(v), v);
    }
  }
}

// Each version's ciphertext is bound to its number: moved into another version's place (or the
// current value's) it does not open, and never as the other's value.
TEST_P(VersionsOnBackendTest, ASwappedVersionCiphertextIsDetected) {
  const int64_t id = Add("db", "value one");
  SetValue(id, "value two");
  SetValue(id, "value three");
  const std::vector<store::SecretVersionRecord> older = StoredOlder();
  ASSERT_EQ(older.size(), 2u);
  ASSERT_EQ(older[0].info.version, 1);
  ASSERT_EQ(older[1].info.version, 2);
  const Status swapped = stack_->store().Write([&](store::Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(bool a, tx.secret_versions().ReplaceSealed(app_id_, id, 1, older[1].value));
    VS_ASSIGN_OR_RETURN(bool b, tx.secret_versions().ReplaceSealed(app_id_, id, 2, older[0].value));
    if (!a || !b) return InternalError("version rows not found");
    return Status::Ok();
  });
  ASSERT_TRUE(swapped.ok()) << swapped.ToString();
  for (int64_t v : {1, 2}) {
    const json body = Value(id, v);
    EXPECT_EQ(Code(body), 2) << "version " << v;  // kDataLoss: "Internal error."
    EXPECT_EQ(body.dump().find("value "), std::string::npos);
  }
  // A restore of a damaged version changes nothing; the current value is intact.
  EXPECT_EQ(
      Code(Call("RestoreSecretVersion", {{"secret_id", std::to_string(id)}, {"version", "1"}})), 2);
  ExpectValue(id, std::nullopt, "value three", 3);
  // Version 1's ciphertext as the current value does not open either.
  const Status current = stack_->store().Write([&](store::Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(bool replaced, tx.secrets().ReplaceSealed(app_id_, id, older[0].value));
    return replaced ? Status::Ok() : InternalError("secret row not found");
  });
  ASSERT_TRUE(current.ok()) << current.ToString();
  EXPECT_EQ(Code(Value(id)), 2);
}

std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "sqlite" : "postgresql";
}

INSTANTIATE_TEST_SUITE_P(Backends, VersionsOnBackendTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

}  // namespace
}  // namespace voxsecrets::server
