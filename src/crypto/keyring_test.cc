#include "crypto/keyring.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "crypto/crypto_test_util.h"
#include "crypto/data_key_wrap.h"
#include "crypto/key_check.h"
#include "crypto/master_key.h"
#include "crypto/openssl_random.h"
#include "crypto/value_record.h"

namespace voxsecrets::crypto {
namespace {

using testing::AddSecret;
using testing::ReadSecret;
using testing::StoredValue;

class KeyringTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = testing::OpenTestStore(dir_);
    ASSERT_NE(store_, nullptr);
    account_ = testing::AddAccount(*store_, "acme");
    other_account_ = testing::AddAccount(*store_, "other");
    app_ = testing::AddApplication(*store_, account_, "app");
    app2_ = testing::AddApplication(*store_, account_, "app2");
    auto key = GenerateMasterKey(random_);
    ASSERT_TRUE(key.ok());
    master_ = std::move(key).value();
    auto v = VerifyMasterKey(*store_, master_);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    master_version_ = *v;
    keyring_ = MakeKeyring();
    ASSERT_NE(keyring_, nullptr);
  }

  KeyringPtr MakeKeyring(KeyringOptions options = {}) {
    auto copy = master_.Clone();
    EXPECT_TRUE(copy.ok());
    auto k = Keyring::Create(std::move(copy).value(), master_version_, random_, clock_, options);
    EXPECT_TRUE(k.ok()) << k.status().ToString();
    return k.ok() ? std::move(k).value() : nullptr;
  }

  std::optional<store::DataKeyRecord> DataKey(int64_t app, uint32_t version) {
    std::optional<store::DataKeyRecord> out;
    EXPECT_TRUE(store_
                    ->Read([&](store::Tx& tx) -> Status {
                      VS_ASSIGN_OR_RETURN(out, tx.data_keys().Find(app, version));
                      return Status::Ok();
                    })
                    .ok());
    return out;
  }

  // Opens `sealed` as if it were stored for `ctx`, in a read transaction.
  Result<SecureBytes> OpenAs(Keyring& keyring, const ValueContext& ctx, const SealedValue& sealed) {
    std::optional<Result<SecureBytes>> out;
    Status s = store_->Read([&](store::Tx& tx) -> Status {
      out.emplace(keyring.Open(tx, ctx, sealed));
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return std::move(*out);
  }

  bool Opens(Keyring& keyring, const ValueContext& ctx, std::string_view expected) {
    auto r = ReadSecret(*store_, keyring, ctx);
    if (!r.ok()) {
      ADD_FAILURE() << r.status().ToString();
      return false;
    }
    return r->view() == expected;
  }

  testing::TempDir dir_;
  store::StorePtr store_;
  OpenSslRandom random_;
  FakeClock clock_;
  int64_t account_ = 0;
  int64_t other_account_ = 0;
  int64_t app_ = 0;
  int64_t app2_ = 0;
  LockedKey master_ = std::move(LockedKey::Allocate()).value();
  uint32_t master_version_ = 0;
  KeyringPtr keyring_;
};

TEST_F(KeyringTest, SealAndOpenThroughTheStore) {
  std::string emoji;
  for (int i = 0; i < 8192; ++i) emoji += "\xF0\x9F\x98\x80";
  const std::vector<std::string> values = {"v", std::string("with\0nul", 8), " spaces \n", emoji};
  std::vector<int64_t> ids;
  for (size_t i = 0; i < values.size(); ++i) {
    ids.push_back(
        AddSecret(*store_, *keyring_, account_, app_, "s" + std::to_string(i), values[i]));
    ASSERT_NE(ids.back(), 0);
  }
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_TRUE(Opens(*keyring_, {account_, app_, ids[i]}, values[i])) << i;
    auto stored = StoredValue(*store_, app_, ids[i]);
    ASSERT_TRUE(stored.has_value());
    EXPECT_EQ(stored->key_version, 1u);
    EXPECT_EQ(stored->blob.size(), values[i].size() + kValueRecordOverhead);
    if (values[i].size() >= 8) {  // shorter strings turn up in random bytes by chance
      EXPECT_EQ(stored->blob.find(values[i]), std::string::npos);  // no plaintext in storage
    }
  }
}

TEST_F(KeyringTest, FirstSealCreatesAWrappedDataKeyAndCountsUses) {
  EXPECT_FALSE(DataKey(app_, 1).has_value());
  clock_.SetSeconds(1800000000);
  AddSecret(*store_, *keyring_, account_, app_, "a", "1");
  AddSecret(*store_, *keyring_, account_, app_, "b", "2");
  auto dek = DataKey(app_, 1);
  ASSERT_TRUE(dek.has_value());
  EXPECT_EQ(dek->master_key_version, master_version_);
  EXPECT_EQ(dek->wrapped_key.size(), kWrappedKeySize);
  EXPECT_EQ(dek->encryptions, 2);
  EXPECT_EQ(dek->created, 1800000000);
  EXPECT_FALSE(DataKey(app2_, 1).has_value());
  // The wrapped key opens under the master key with the documented AAD.
  auto unwrapped =
      UnwrapDataKey(*std::move(Aes256Gcm::Create()).value(), master_, master_version_, *dek);
  EXPECT_TRUE(unwrapped.ok()) << unwrapped.status().ToString();
}

TEST_F(KeyringTest, SameValueTwiceGivesDifferentCiphertexts) {
  const int64_t a = AddSecret(*store_, *keyring_, account_, app_, "a", "same");
  const int64_t b = AddSecret(*store_, *keyring_, account_, app_, "b", "same");
  EXPECT_NE(StoredValue(*store_, app_, a)->blob, StoredValue(*store_, app_, b)->blob);
}

TEST_F(KeyringTest, CiphertextIsBoundToItsRow) {
  const int64_t a = AddSecret(*store_, *keyring_, account_, app_, "a", "value-a");
  const int64_t b = AddSecret(*store_, *keyring_, account_, app_, "b", "value-b");
  const int64_t c = AddSecret(*store_, *keyring_, account_, app2_, "c", "value-c");
  const SealedValue sealed_a = *StoredValue(*store_, app_, a);
  for (const ValueContext& wrong :
       {ValueContext{account_, app_, b}, ValueContext{other_account_, app_, a},
        ValueContext{account_, app2_, a}}) {
    auto r = OpenAs(*keyring_, wrong, sealed_a);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
    EXPECT_EQ(r.status().message().find("value-a"), std::string::npos);
  }
  // Moving the blob to another row (same app) or another application's row fails to open.
  ASSERT_TRUE(store_
                  ->Write([&](store::Tx& tx) -> Status {
                    VS_RETURN_IF_ERROR(tx.secrets().ReplaceSealed(app_, b, sealed_a).status());
                    return tx.secrets().ReplaceSealed(app2_, c, sealed_a).status();
                  })
                  .ok());
  EXPECT_EQ(ReadSecret(*store_, *keyring_, {account_, app_, b}).status().code(),
            StatusCode::kDataLoss);
  EXPECT_EQ(ReadSecret(*store_, *keyring_, {account_, app2_, c}).status().code(),
            StatusCode::kDataLoss);
  EXPECT_TRUE(Opens(*keyring_, {account_, app_, a}, "value-a"));
}

TEST_F(KeyringTest, TamperedOrTruncatedRecordsFailCleanly) {
  const int64_t id = AddSecret(*store_, *keyring_, account_, app_, "a", "tamper me");
  const SealedValue sealed = *StoredValue(*store_, app_, id);
  const ValueContext ctx{account_, app_, id};
  for (size_t i = 0; i < sealed.blob.size(); ++i) {
    for (int bit : {0, 7}) {
      SealedValue bad = sealed;
      bad.blob[i] = static_cast<char>(bad.blob[i] ^ (1 << bit));
      auto r = OpenAs(*keyring_, ctx, bad);
      ASSERT_FALSE(r.ok()) << "byte " << i;
      EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << "byte " << i;
    }
  }
  for (size_t n = 0; n < sealed.blob.size(); ++n) {
    SealedValue bad = sealed;
    bad.blob.resize(n);
    EXPECT_EQ(OpenAs(*keyring_, ctx, bad).status().code(), StatusCode::kDataLoss) << n;
  }
  SealedValue wrong_version = sealed;
  wrong_version.key_version = 2;
  EXPECT_EQ(OpenAs(*keyring_, ctx, wrong_version).status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(OpenAs(*keyring_, ctx, SealedValue{}).status().code(), StatusCode::kDataLoss);
  EXPECT_TRUE(OpenAs(*keyring_, ctx, sealed).ok());
}

TEST_F(KeyringTest, RotatesTheDataKeyAtTheThreshold) {
  KeyringPtr keyring = MakeKeyring({.max_encryptions_per_key = 3, .cache_capacity = 16});
  std::vector<int64_t> ids;
  for (int i = 0; i < 7; ++i) {
    ids.push_back(AddSecret(*store_, *keyring, account_, app_, "s" + std::to_string(i),
                            "value " + std::to_string(i)));
  }
  const std::vector<uint32_t> expected_versions = {1, 1, 1, 2, 2, 2, 3};
  for (size_t i = 0; i < ids.size(); ++i) {
    EXPECT_EQ(StoredValue(*store_, app_, ids[i])->key_version, expected_versions[i]) << i;
  }
  EXPECT_EQ(DataKey(app_, 1)->encryptions, 3);
  EXPECT_EQ(DataKey(app_, 2)->encryptions, 3);
  EXPECT_EQ(DataKey(app_, 3)->encryptions, 1);
  // Old values keep opening, also with an empty cache.
  KeyringPtr fresh = MakeKeyring();
  for (size_t i = 0; i < ids.size(); ++i) {
    EXPECT_TRUE(Opens(*keyring, {account_, app_, ids[i]}, "value " + std::to_string(i)));
    EXPECT_TRUE(Opens(*fresh, {account_, app_, ids[i]}, "value " + std::to_string(i)));
  }
}

TEST_F(KeyringTest, SmallCacheStillOpensEverything) {
  KeyringPtr keyring = MakeKeyring({.max_encryptions_per_key = 2, .cache_capacity = 1});
  std::vector<std::pair<int64_t, int64_t>> rows;
  for (int i = 0; i < 6; ++i) {
    const int64_t app = i % 2 == 0 ? app_ : app2_;
    rows.emplace_back(app, AddSecret(*store_, *keyring, account_, app, "s" + std::to_string(i),
                                     "v" + std::to_string(i)));
  }
  EXPECT_EQ(keyring->cached_keys(), 1u);
  const uint64_t misses_before = keyring->cache_misses();
  // Alternating applications through a one-key cache: every open unwraps again.
  for (int round = 0; round < 2; ++round) {
    for (size_t i = 0; i < rows.size(); ++i) {
      EXPECT_TRUE(
          Opens(*keyring, {account_, rows[i].first, rows[i].second}, "v" + std::to_string(i)));
    }
  }
  EXPECT_EQ(keyring->cache_misses() - misses_before, 12u);
  // Opening the same value again is a hit.
  const uint64_t hits_before = keyring->cache_hits();
  EXPECT_TRUE(Opens(*keyring, {account_, rows[5].first, rows[5].second}, "v5"));
  EXPECT_EQ(keyring->cache_hits(), hits_before + 1);
}

TEST_F(KeyringTest, AKeyFromARolledBackTransactionIsNeverUsed) {
  // The first Seal creates (and caches) data key version 1, then the transaction rolls back.
  Status rolled_back = store_->Write([&](store::Tx& tx) -> Status {
    auto s = keyring_->Seal(tx, {account_, app_, 999}, "lost");
    if (!s.ok()) return s.status();
    return Status(StatusCode::kUnavailable, "simulated failure after sealing");
  });
  ASSERT_EQ(rolled_back.code(), StatusCode::kUnavailable);
  EXPECT_FALSE(DataKey(app_, 1).has_value());
  // Another keyring creates the committed version 1 with a different key.
  KeyringPtr other = MakeKeyring();
  const int64_t id = AddSecret(*store_, *other, account_, app_, "a", "committed");
  ASSERT_NE(id, 0);
  // The first keyring must notice its cached version 1 is not the stored one.
  EXPECT_TRUE(Opens(*keyring_, {account_, app_, id}, "committed"));
  const int64_t id2 = AddSecret(*store_, *keyring_, account_, app_, "b", "second");
  EXPECT_TRUE(Opens(*other, {account_, app_, id2}, "second"));
}

TEST_F(KeyringTest, WrongMasterKeyCannotOpen) {
  const int64_t id = AddSecret(*store_, *keyring_, account_, app_, "a", "value");
  auto wrong = GenerateMasterKey(random_);
  ASSERT_TRUE(wrong.ok());
  auto keyring = Keyring::Create(std::move(wrong).value(), master_version_, random_, clock_);
  ASSERT_TRUE(keyring.ok());
  auto r = ReadSecret(*store_, **keyring, {account_, app_, id});
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  // A keyring of another master key version is told to restart with the current key.
  auto copy = master_.Clone();
  auto v2 = Keyring::Create(std::move(copy).value(), master_version_ + 1, random_, clock_);
  ASSERT_TRUE(v2.ok());
  auto r2 = ReadSecret(*store_, **v2, {account_, app_, id});
  EXPECT_EQ(r2.status().code(), StatusCode::kInternal);
  EXPECT_NE(r2.status().message().find("restart"), std::string::npos) << r2.status().message();
}

TEST_F(KeyringTest, MissingDataKeyIsDataLoss) {
  const int64_t id = AddSecret(*store_, *keyring_, account_, app_, "a", "value");
  ASSERT_TRUE(store_
                  ->Write([&](store::Tx& tx) -> Status {
                    return tx.data_keys().DeleteForApplication(app_);
                  })
                  .ok());
  EXPECT_EQ(ReadSecret(*store_, *keyring_, {account_, app_, id}).status().code(),
            StatusCode::kDataLoss);
}

TEST_F(KeyringTest, NoNewDataKeyAfterTheMasterKeyWasRotated) {
  const int64_t id = AddSecret(*store_, *keyring_, account_, app_, "a", "value");
  ASSERT_TRUE(store_
                  ->Write([&](store::Tx& tx) -> Status {
                    return tx.meta().Put(kMetaMasterKeyVersion, "2");
                  })
                  .ok());
  // app_ has a data key: sealing and opening go on. app2_ would need a new one: refused.
  EXPECT_NE(AddSecret(*store_, *keyring_, account_, app_, "b", "more"), 0);
  EXPECT_TRUE(Opens(*keyring_, {account_, app_, id}, "value"));
  Status s = store_->Write([&](store::Tx& tx) -> Status {
    return keyring_->Seal(tx, {account_, app2_, 1}, "x").status();
  });
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("restart"), std::string::npos) << s.message();
}

TEST_F(KeyringTest, ForgetApplicationDropsCachedKeys) {
  AddSecret(*store_, *keyring_, account_, app_, "a", "1");
  AddSecret(*store_, *keyring_, account_, app2_, "b", "2");
  EXPECT_EQ(keyring_->cached_keys(), 2u);
  ASSERT_TRUE(store_
                  ->Write([&](store::Tx& tx) -> Status {
                    return tx.applications().Delete(account_, app_).status();
                  })
                  .ok());
  keyring_->ForgetApplication(app_);
  EXPECT_EQ(keyring_->cached_keys(), 1u);
  EXPECT_FALSE(DataKey(app_, 1).has_value());  // the data key went with the application
}

TEST_F(KeyringTest, ConcurrentSealAndOpen) {
  KeyringPtr keyring = MakeKeyring({.max_encryptions_per_key = 5, .cache_capacity = 2});
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const int64_t app = t % 2 == 0 ? app_ : app2_;
      for (int i = 0; i < 25; ++i) {
        const std::string value = "t" + std::to_string(t) + "-" + std::to_string(i);
        const int64_t id = AddSecret(*store_, *keyring, account_, app, value, value);
        auto r = ReadSecret(*store_, *keyring, {account_, app, id});
        if (id == 0 || !r.ok() || r->view() != value) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  // 50 seals per application at 5 per key: versions 1..10.
  EXPECT_TRUE(DataKey(app_, 10).has_value());
  EXPECT_FALSE(DataKey(app_, 11).has_value());
}

}  // namespace
}  // namespace voxsecrets::crypto
