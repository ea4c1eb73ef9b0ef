// ReadHintFor and the dispatcher's use of it: a read call hints its application and secret to the
// store (store::Tx::Prefetch) under the account it will act as, and only then.
#include "api/read_hint.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/audit_hook.h"
#include "api/rate_limiter.h"
#include "common/clock.h"
#include "common/mutex.h"
#include "iam/roles.h"
#include "store/sqlite/sqlite_store.h"
#include "tests/testing/api_fixture.h"

namespace voxsecrets::api {
namespace {

// A store that notes every hint its transactions are given (then passes it on). With
// RerunCompleteReads it also does what Store::Read allows after a complete hint (the PostgreSQL
// store when its lone prefetch was not enough): drops the callback's first run, whatever it
// returned, and runs it again in a new transaction.
class HintRecordingStore final : public store::Store {
 public:
  explicit HintRecordingStore(store::StorePtr inner) : inner_(std::move(inner)) {}

  void RerunCompleteReads() { rerun_complete_reads_ = true; }

  std::vector<store::ReadHint> hints() EXCLUDES(mu_) {
    MutexLock lock(mu_);
    return hints_;
  }
  void Clear() EXCLUDES(mu_) {
    MutexLock lock(mu_);
    hints_.clear();
  }

  // Store
  Status Read(const store::TxFn& fn) override {
    bool complete = false;
    const auto run = [&](store::Tx& tx) -> Status {
      RecordingTx recording(tx, *this, &complete);
      return fn(recording);
    };
    Status first = inner_->Read(run);
    if (!complete || !rerun_complete_reads_) return first;
    return inner_->Read(run);
  }
  Status Write(const store::TxFn& fn) override {
    return inner_->Write([&](store::Tx& tx) -> Status {
      RecordingTx recording(tx, *this, nullptr);
      return fn(recording);
    });
  }
  Result<int> SchemaVersion() override { return inner_->SchemaVersion(); }
  std::string_view BackendName() const override { return inner_->BackendName(); }

 private:
  class RecordingTx final : public store::Tx {
   public:
    RecordingTx(store::Tx& inner, HintRecordingStore& owner, bool* complete)
        : inner_(inner), owner_(owner), complete_(complete) {}
    store::AccountRepository& accounts() override { return inner_.accounts(); }
    store::KeyRepository& keys() override { return inner_.keys(); }
    store::ApplicationRepository& applications() override { return inner_.applications(); }
    store::SecretRepository& secrets() override { return inner_.secrets(); }
    store::SecretVersionRepository& secret_versions() override { return inner_.secret_versions(); }
    store::DataKeyRepository& data_keys() override { return inner_.data_keys(); }
    store::MetaRepository& meta() override { return inner_.meta(); }
    store::AuditRepository& audit() override { return inner_.audit(); }
    store::CopyRepository& copy() override { return inner_.copy(); }
    Status Savepoint() override { return inner_.Savepoint(); }
    Status ReleaseSavepoint() override { return inner_.ReleaseSavepoint(); }
    Status RollbackToSavepoint() override { return inner_.RollbackToSavepoint(); }
    Status Prefetch(const store::ReadHint& hint) override {
      {
        MutexLock lock(owner_.mu_);
        owner_.hints_.push_back(hint);
      }
      if (complete_ != nullptr && hint.complete) *complete_ = true;
      return inner_.Prefetch(hint);
    }
    bool UsesReadHints() const override { return true; }  // to see them

   private:
    store::Tx& inner_;
    HintRecordingStore& owner_;
    bool* const complete_;  // set when a complete hint was given; null in writes
  };

  store::StorePtr inner_;
  bool rerun_complete_reads_ = false;
  Mutex mu_;
  std::vector<store::ReadHint> hints_ GUARDED_BY(mu_);
};

class ReadHintTest : public ApiTest {
 protected:
  ApiStackOptions StackOptions() override {
    ApiStackOptions options;
    options.make_store = [this]() -> Result<store::StorePtr> {
      char dir[] = "/tmp/voxsecrets-hint-XXXXXX";
      if (mkdtemp(dir) == nullptr) return InternalError("mkdtemp failed");
      dir_ = dir;
      store::SqliteOptions sqlite;
      sqlite.path = dir_ + "/voxsecrets.db";
      VS_ASSIGN_OR_RETURN(store::StorePtr inner, store::OpenSqliteStore(sqlite));
      auto recording = std::make_unique<HintRecordingStore>(std::move(inner));
      recording_ = recording.get();
      return store::StorePtr(std::move(recording));
    };
    return options;
  }
  void TearDown() override {
    ApiTest::TearDown();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // Account "acme" with application "myapp" holding secret "db" (value "v"), added by AddSecret
  // with a token of an Owner key of acme (so the token is verified, its issuer cached).
  struct Acme {
    ApiStack::Account account;
    int64_t app = 0;
    std::string token;
  };
  void AddAcmeSecret(Acme& out) {
    Result<ApiStack::Account> acme = stack().CreateAccount("acme");
    ASSERT_TRUE(acme.ok()) << acme.status().ToString();
    out.account = *acme;
    Result<int64_t> app = stack().CreateApplication(acme->id, "myapp");
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    out.app = *app;
    Result<ApiStack::Key> key = stack().CreateKey(acme->id, {iam::kRoleOwner});
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    Result<std::string> token = stack().Token(*key);
    ASSERT_TRUE(token.ok()) << token.status().ToString();
    out.token = *token;
    ASSERT_EQ(
        stack()
            .Call("AddSecret",
                  {{"application_name", "myapp"}, {"secret_name", "db"}, {"secret_value", "v"}},
                  out.token)
            .error_code,
        0);
  }

  HintRecordingStore* recording_ = nullptr;
  std::string dir_;
};

TEST_F(ReadHintTest, ReadCallsHintTheirApplicationAndSecretUnderTheCallersAccount) {
  Acme acme;
  ASSERT_NO_FATAL_FAILURE(AddAcmeSecret(acme));
  EXPECT_TRUE(recording_->hints().empty());  // AddSecret is a write: it gives no hint

  // The token is verified (AddSecret did): its issuer names the account.
  ASSERT_EQ(stack()
                .Call("GetSecretValue", {{"application_name", "myapp"}, {"secret_name", "db"}},
                      acme.token)
                .error_code,
            0);
  std::vector<store::ReadHint> hints = recording_->hints();
  ASSERT_EQ(hints.size(), 1u);
  EXPECT_EQ(hints[0].account_id, acme.account.id);
  EXPECT_FALSE(hints[0].application_id.has_value());
  EXPECT_EQ(hints[0].application_name, "myapp");
  EXPECT_EQ(hints[0].secret_name, "db");
  EXPECT_TRUE(hints[0].complete);  // GetSecretValue reads nothing more (the identity is cached)

  // A stored version is one more lookup: not complete.
  recording_->Clear();
  ASSERT_EQ(stack()
                .Call("GetSecretValue",
                      {{"application_name", "myapp"}, {"secret_name", "db"}, {"version", "1"}},
                      acme.token)
                .error_code,
            0);
  hints = recording_->hints();
  ASSERT_EQ(hints.size(), 1u);
  EXPECT_EQ(hints[0].secret_name, "db");
  EXPECT_FALSE(hints[0].complete);

  recording_->Clear();
  ASSERT_EQ(stack()
                .Call("GetSecrets", {{"application_id", std::to_string(acme.app)}}, acme.token)
                .error_code,
            0);
  hints = recording_->hints();
  ASSERT_EQ(hints.size(), 1u);
  EXPECT_EQ(hints[0].account_id, acme.account.id);
  EXPECT_EQ(hints[0].application_id, std::optional<int64_t>(acme.app));
  EXPECT_TRUE(hints[0].secret_name.empty());  // a listing: no secret
  EXPECT_FALSE(hints[0].secret_id.has_value());
  EXPECT_FALSE(hints[0].complete);  // the listing itself is more

  // Legacy credentials name their account themselves.
  recording_->Clear();
  ASSERT_EQ(stack()
                .Call("GetSecretValue", {{"account_id", std::to_string(acme.account.id)},
                                         {"api_key", acme.account.api_key},
                                         {"application_id", std::to_string(acme.app)},
                                         {"secret_name", "db"}})
                .error_code,
            0);
  hints = recording_->hints();
  ASSERT_EQ(hints.size(), 1u);
  EXPECT_EQ(hints[0].account_id, acme.account.id);
  EXPECT_EQ(hints[0].secret_name, "db");

  // Methods that look nothing up first hint nothing (an empty hint).
  recording_->Clear();
  ASSERT_EQ(stack().Call("GetApplications", {}, acme.token).error_code, 0);
  hints = recording_->hints();
  ASSERT_EQ(hints.size(), 1u);
  EXPECT_EQ(hints[0].account_id, 0);
}

// Counts the records the dispatcher asks for (reads are recorded after the store returned).
class CountingAudit final : public AuditHook {
 public:
  Status InTransaction(CallContext&, store::Tx&) override { return Status::Ok(); }
  Status Record(const AuditCall& call, const Status& outcome) override {
    MutexLock lock(mu_);
    records_.push_back(std::string(call.method) + (outcome.ok() ? ":ok" : ":failed") +
                       (call.facts != nullptr && call.facts->secret_version.has_value()
                            ? ":v" + std::to_string(*call.facts->secret_version)
                            : ""));
    return Status::Ok();
  }
  std::vector<std::string> records() EXCLUDES(mu_) {
    MutexLock lock(mu_);
    return records_;
  }

 private:
  Mutex mu_;
  std::vector<std::string> records_ GUARDED_BY(mu_);
};

class ReadHintRerunTest : public ReadHintTest {
 protected:
  ApiStackOptions StackOptions() override {
    ApiStackOptions options = ReadHintTest::StackOptions();
    options.audit = &audit_;
    options.dispatcher.limits.per_key = &per_key_;
    return options;
  }

  CountingAudit audit_;
  FakeClock clock_{1767225600};  // never advanced: the key's bucket only empties
  RateLimiter per_key_{RateLimit{.per_second = 1, .burst = 3}, clock_};
};

// A read the store runs twice (its lone prefetch was not enough) is one call: one token of the
// caller's rate limit, one audit record, the second run's answer.
TEST_F(ReadHintRerunTest, AReadRunTwiceByTheStoreIsChargedAndAuditedOnce) {
  recording_->RerunCompleteReads();
  Acme acme;
  ASSERT_NO_FATAL_FAILURE(AddAcmeSecret(acme));  // one token of three
  recording_->Clear();
  const std::vector<std::pair<std::string, std::string>> params = {{"application_name", "myapp"},
                                                                   {"secret_name", "db"}};
  for (int i = 0; i < 2; ++i) {
    const nlohmann::json body = stack().CallJson("GetSecretValue", params, acme.token);
    ASSERT_TRUE(body.contains("result")) << i;
    EXPECT_EQ(body["result"][0]["secret_value"], "v") << i;
  }
  EXPECT_EQ(recording_->hints().size(), 4u);  // each call ran twice
  // Three tokens taken, one per call: the next call is refused.
  EXPECT_EQ(stack().Call("GetSecretValue", params, acme.token).error_code, 340);
  std::vector<std::string> records = audit_.records();
  // (AddSecret's record is written in its own transaction: InTransaction.)
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0], "GetSecretValue:ok:v1");
  EXPECT_EQ(records[1], "GetSecretValue:ok:v1");
  EXPECT_EQ(records[2], "GetSecretValue:failed");
}

TEST_F(ReadHintTest, AnUnverifiedTokenOrAFullApplicationNameGivesNoHint) {
  Result<ApiStack::Account> acme = stack().CreateAccount("acme");
  ASSERT_TRUE(acme.ok()) << acme.status().ToString();
  Result<ApiStack::Key> key = stack().CreateKey(acme->id, {iam::kRoleOwner});
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  Result<std::string> token = stack().Token(*key);
  ASSERT_TRUE(token.ok()) << token.status().ToString();

  ApiRequest request;
  request.method = "GetSecretValue";
  request.bearer_token = *token;
  request.params.Set("application_name", "myapp");
  request.params.Set("secret_name", "db");
  // Never verified: its claims are not read.
  EXPECT_EQ(ReadHintFor(Prefetch::kSecret, request, stack().authenticator()).account_id, 0);
  ASSERT_EQ(stack().Call("GetAccountInfo", {}, *token).error_code, 0);  // now verified
  store::ReadHint hint = ReadHintFor(Prefetch::kSecret, request, stack().authenticator());
  EXPECT_EQ(hint.account_id, acme->id);
  EXPECT_EQ(ReadHintFor(Prefetch::kNothing, request, stack().authenticator()).account_id, 0);
  // A full name is looked up by its short part: nothing to hint as it is.
  request.params.Set("application_name", "myapp.acme.voximplant.com");
  EXPECT_EQ(ReadHintFor(Prefetch::kSecret, request, stack().authenticator()).account_id, 0);
  // A malformed id: nothing.
  request.params.Set("application_id", "12x");
  EXPECT_EQ(ReadHintFor(Prefetch::kSecret, request, stack().authenticator()).account_id, 0);
}

}  // namespace
}  // namespace voxsecrets::api
