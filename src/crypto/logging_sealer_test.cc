#include "crypto/logging_sealer.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/log.h"
#include "common/log_test_util.h"
#include "crypto/crypto_test_util.h"
#include "crypto/openssl_random.h"

namespace voxsecrets::crypto {
namespace {

// A sealer that fails every call with a given Status.
class FailingSealer final : public ValueSealer {
 public:
  explicit FailingSealer(Status status) : status_(std::move(status)) {}
  Result<SealedValue> Seal(store::Tx&, const ValueContext&, std::string_view) override {
    return status_;
  }
  Result<SecureBytes> Open(store::Tx&, const ValueContext&, const SealedValue&) override {
    return status_;
  }
  void ForgetApplication(int64_t) override {}

 private:
  Status status_;
};

class LoggingSealerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = testing::OpenTestStore(dir_);
    ASSERT_NE(store_, nullptr);
    keyring_ = testing::NewKeyring(*store_, random_, clock_);
    ASSERT_NE(keyring_, nullptr);
    ctx_.account_id = testing::AddAccount(*store_, "acme");
    ctx_.application_id = testing::AddApplication(*store_, ctx_.account_id, "app");
    ctx_.secret_id = testing::AddSecret(*store_, *keyring_, ctx_.account_id, ctx_.application_id,
                                        "s", "logging test value");
    ASSERT_NE(ctx_.secret_id, 0);
  }

  // Opens (in a read transaction) through `sealer` and returns the Status.
  Status OpenThrough(ValueSealer& sealer, const ValueContext& ctx, const SealedValue& sealed) {
    return store_->Read(
        [&](store::Tx& tx) -> Status { return sealer.Open(tx, ctx, sealed).status(); });
  }

  // The lines `failure` makes the decorator write, for an Open and a Seal.
  std::vector<RecordingLogger::Line> LinesFor(const Status& failure) {
    RecordingLogger log;
    FailingSealer inner(failure);
    LoggingSealer sealer(inner, log);
    Status opened = OpenThrough(sealer, ctx_, SealedValue{});
    EXPECT_EQ(opened, failure) << "the failure is passed on as it is, origin included";
    Status sealed =
        store_->Write([&](store::Tx& tx) -> Status { return sealer.Seal(tx, ctx_, "v").status(); });
    EXPECT_EQ(sealed, failure);
    return log.lines();
  }

  testing::TempDir dir_;
  OpenSslRandom random_;
  FakeClock clock_;
  store::StorePtr store_;
  KeyringPtr keyring_;
  ValueContext ctx_;  // the one secret: account "acme", application "app", secret "s"
};

TEST_F(LoggingSealerTest, NamesTheSecretAndTheOriginButNotTheValue) {
  RecordingLogger log;
  LoggingSealer sealer(*keyring_, log);
  std::optional<SealedValue> stored =
      testing::StoredValue(*store_, ctx_.application_id, ctx_.secret_id);
  ASSERT_TRUE(stored.has_value());
  // The same record read as another secret's value: moved, so it must not open.
  const ValueContext moved{ctx_.account_id, ctx_.application_id, ctx_.secret_id + 1000};
  Status s = OpenThrough(sealer, moved, *stored);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_EQ(s.origin(), StatusOrigin::kCrypto);
  const std::vector<RecordingLogger::Line> lines = log.lines();
  ASSERT_EQ(lines.size(), 1u);
  const RecordingLogger::Line& line = lines[0];
  EXPECT_EQ(line.message, "stored secret value cannot be opened");
  EXPECT_EQ(line.fields.at("account_id"), std::to_string(moved.account_id));
  EXPECT_EQ(line.fields.at("application_id"), std::to_string(moved.application_id));
  EXPECT_EQ(line.fields.at("secret_id"), std::to_string(moved.secret_id));
  EXPECT_EQ(line.fields.at("code"), "data_loss");
  EXPECT_EQ(line.fields.at("origin"), "crypto");
  for (const auto& [key, value] : line.fields) {
    EXPECT_EQ(value.find("logging test value"), std::string::npos) << key;
  }
  // Success is silent.
  auto ok = testing::ReadSecret(*store_, sealer, ctx_);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_TRUE(ok->view() == "logging test value");
  EXPECT_EQ(log.lines().size(), 1u);
}

TEST_F(LoggingSealerTest, TheStoresOwnUnavailabilityIsNotLogged) {
  EXPECT_TRUE(LinesFor(Unavailable("postgresql: connection lost").WithOrigin(StatusOrigin::kStore))
                  .empty());
}

TEST_F(LoggingSealerTest, DecidesByOriginNeverByMessage) {
  // Worded like the store, made by the keyring: a fault of the keys, logged.
  std::vector<RecordingLogger::Line> lines =
      LinesFor(Unavailable("sqlite: not really").WithOrigin(StatusOrigin::kCrypto));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].fields.at("origin"), "crypto");
  EXPECT_EQ(lines[1].message, "cannot seal a secret value");
  // Worded like nothing in particular, made by the store: not logged.
  EXPECT_TRUE(LinesFor(Unavailable("database is locked").WithOrigin(StatusOrigin::kStore)).empty());
  // No origin at all is no excuse: logged.
  EXPECT_EQ(LinesFor(Unavailable("postgresql: looks like the store")).size(), 2u);
}

TEST_F(LoggingSealerTest, OtherFaultsOfTheStoreAreLoggedAndNonFaultsAreNot) {
  std::vector<RecordingLogger::Line> corrupt =
      LinesFor(Status(StatusCode::kDataLoss, "a row is corrupt").WithOrigin(StatusOrigin::kStore));
  ASSERT_EQ(corrupt.size(), 2u);
  EXPECT_EQ(corrupt[0].fields.at("code"), "data_loss");
  EXPECT_EQ(corrupt[0].fields.at("origin"), "store");
  EXPECT_EQ(LinesFor(InternalError("a bug").WithOrigin(StatusOrigin::kStore)).size(), 2u);
  EXPECT_TRUE(LinesFor(NotFound("no such secret").WithOrigin(StatusOrigin::kStore)).empty());
  EXPECT_TRUE(LinesFor(InvalidArgument("secret_value")).empty());
}

TEST_F(LoggingSealerTest, AStoreFailureBeneathTheKeyringKeepsTheStoreOrigin) {
  RecordingLogger log;
  LoggingSealer sealer(*keyring_, log);
  // Seal counts the encryption in the store: in a read transaction SQLite refuses the write
  // (SQLITE_READONLY, kInternal), and the keyring passes that on with its origin.
  Status s =
      store_->Read([&](store::Tx& tx) -> Status { return sealer.Seal(tx, ctx_, "v").status(); });
  EXPECT_EQ(s.code(), StatusCode::kInternal) << s.ToString();
  EXPECT_EQ(s.origin(), StatusOrigin::kStore) << s.ToString();
  const std::vector<RecordingLogger::Line> lines = log.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].fields.at("origin"), "store");
}

}  // namespace
}  // namespace voxsecrets::crypto
