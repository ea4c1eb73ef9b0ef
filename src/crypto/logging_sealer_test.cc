#include "crypto/logging_sealer.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "common/clock.h"
#include "common/log.h"
#include "crypto/crypto_test_util.h"
#include "crypto/key_check.h"
#include "crypto/keyring.h"
#include "crypto/master_key.h"
#include "crypto/openssl_random.h"

namespace voxsecrets::crypto {
namespace {

// A Logger that keeps each line's message and fields (values rendered as text).
class RecordingLogger final : public Logger {
 public:
  struct Line {
    std::string message;
    std::map<std::string, std::string> fields;
  };

  void Log(LogLevel /*level*/, std::string_view message,
           std::initializer_list<LogField> fields) override {
    Line line{std::string(message), {}};
    for (const LogField& f : fields) {
      std::string value;
      if (const auto* s = std::get_if<std::string_view>(&f.value)) value = std::string(*s);
      if (const auto* i = std::get_if<int64_t>(&f.value)) value = std::to_string(*i);
      if (const auto* b = std::get_if<bool>(&f.value)) value = *b ? "true" : "false";
      line.fields[std::string(f.key)] = value;
    }
    lines.push_back(std::move(line));
  }

  std::vector<Line> lines;
};

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
    account_ = testing::AddAccount(*store_, "acme");
    app_ = testing::AddApplication(*store_, account_, "app");
    auto key = GenerateMasterKey(random_);
    ASSERT_TRUE(key.ok());
    auto version = VerifyMasterKey(*store_, *key);
    ASSERT_TRUE(version.ok()) << version.status().ToString();
    auto keyring = Keyring::Create(std::move(key).value(), *version, random_, clock_);
    ASSERT_TRUE(keyring.ok()) << keyring.status().ToString();
    keyring_ = std::move(keyring).value();
    secret_ = testing::AddSecret(*store_, *keyring_, account_, app_, "s", "logging test value");
    ASSERT_NE(secret_, 0);
  }

  // Opens (in a read transaction) through `sealer` and returns the Status.
  Status OpenThrough(ValueSealer& sealer, const ValueContext& ctx, const SealedValue& sealed) {
    return store_->Read(
        [&](store::Tx& tx) -> Status { return sealer.Open(tx, ctx, sealed).status(); });
  }

  // The lines `failure` makes the decorator write, for a Seal and an Open.
  std::vector<RecordingLogger::Line> LinesFor(const Status& failure) {
    RecordingLogger log;
    FailingSealer inner(failure);
    LoggingSealer sealer(inner, log);
    const ValueContext ctx{account_, app_, secret_};
    Status opened = OpenThrough(sealer, ctx, SealedValue{});
    EXPECT_EQ(opened, failure) << "the failure is passed on as it is, origin included";
    Status sealed =
        store_->Write([&](store::Tx& tx) -> Status { return sealer.Seal(tx, ctx, "v").status(); });
    EXPECT_EQ(sealed, failure);
    return log.lines;
  }

  testing::TempDir dir_;
  OpenSslRandom random_;
  FakeClock clock_;
  store::StorePtr store_;
  KeyringPtr keyring_;
  int64_t account_ = 0;
  int64_t app_ = 0;
  int64_t secret_ = 0;
};

TEST_F(LoggingSealerTest, NamesTheSecretAndTheOriginButNotTheValue) {
  RecordingLogger log;
  LoggingSealer sealer(*keyring_, log);
  std::optional<SealedValue> stored = testing::StoredValue(*store_, app_, secret_);
  ASSERT_TRUE(stored.has_value());
  // The same record read as another secret's value: moved, so it must not open.
  const ValueContext moved{account_, app_, secret_ + 1000};
  Status s = OpenThrough(sealer, moved, *stored);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_EQ(s.origin(), StatusOrigin::kCrypto);
  ASSERT_EQ(log.lines.size(), 1u);
  const RecordingLogger::Line& line = log.lines[0];
  EXPECT_EQ(line.message, "stored secret value cannot be opened");
  EXPECT_EQ(line.fields.at("account_id"), std::to_string(account_));
  EXPECT_EQ(line.fields.at("application_id"), std::to_string(app_));
  EXPECT_EQ(line.fields.at("secret_id"), std::to_string(secret_ + 1000));
  EXPECT_EQ(line.fields.at("code"), "data_loss");
  EXPECT_EQ(line.fields.at("origin"), "crypto");
  for (const auto& [key, value] : line.fields) {
    EXPECT_EQ(value.find("logging test value"), std::string::npos) << key;
  }
  // Success is silent.
  auto ok = testing::ReadSecret(*store_, sealer, {account_, app_, secret_});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_TRUE(ok->view() == "logging test value");
  EXPECT_EQ(log.lines.size(), 1u);
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
  Status s = store_->Read([&](store::Tx& tx) -> Status {
    return sealer.Seal(tx, {account_, app_, secret_}, "v").status();
  });
  EXPECT_EQ(s.code(), StatusCode::kInternal) << s.ToString();
  EXPECT_EQ(s.origin(), StatusOrigin::kStore) << s.ToString();
  ASSERT_EQ(log.lines.size(), 1u);
  EXPECT_EQ(log.lines[0].fields.at("origin"), "store");
}

}  // namespace
}  // namespace voxsecrets::crypto
