#include "crypto/key_check.h"

#include <gtest/gtest.h>

#include "crypto/crypto_test_util.h"
#include "crypto/master_key.h"
#include "crypto/openssl_random.h"

namespace voxsecrets::crypto {
namespace {

using testing::TempDir;

class KeyCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = testing::OpenTestStore(dir_);
    ASSERT_NE(store_, nullptr);
  }
  LockedKey NewKey() {
    auto k = GenerateMasterKey(random_);
    EXPECT_TRUE(k.ok());
    return std::move(k).value();
  }
  std::optional<std::string> Meta(const std::string& key) {
    std::optional<std::string> out;
    EXPECT_TRUE(store_
                    ->Read([&](store::Tx& tx) -> Status {
                      auto r = tx.meta().Get(key);
                      if (!r.ok()) return r.status();
                      out = *r;
                      return Status::Ok();
                    })
                    .ok());
    return out;
  }

  TempDir dir_;
  store::StorePtr store_;
  OpenSslRandom random_;
};

TEST_F(KeyCheckTest, CheckValueIsAStableHmac) {
  auto key = ParseMasterKeyText("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
                                "test");
  ASSERT_TRUE(key.ok());
  // HMAC-SHA256(key = 00..1f, "voxsecrets key check v1"), computed independently with
  // `printf 'voxsecrets key check v1' | openssl dgst -sha256 -mac HMAC -macopt hexkey:0001..1f`.
  EXPECT_EQ(KeyCheckValue(*key),
            "f4eb6e06cefae8bd5daff87492705daf7fe4f28cfc6a3babca4e4646af9f209c");
}

TEST_F(KeyCheckTest, DifferentKeysDifferentValues) {
  LockedKey a = NewKey();
  LockedKey b = NewKey();
  EXPECT_EQ(KeyCheckValue(a).size(), 64u);
  EXPECT_EQ(KeyCheckValue(a), KeyCheckValue(a));
  EXPECT_NE(KeyCheckValue(a), KeyCheckValue(b));
}

TEST_F(KeyCheckTest, FirstStartRecordsVersionOneThenAcceptsTheSameKey) {
  LockedKey key = NewKey();
  auto v = VerifyMasterKey(*store_, key);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(*v, 1u);
  EXPECT_EQ(Meta("master_key.current_version"), "1");
  EXPECT_EQ(Meta("master_key.check.1"), KeyCheckValue(key));
  auto again = VerifyMasterKey(*store_, key);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 1u);
}

TEST_F(KeyCheckTest, WrongKeyIsRefused) {
  LockedKey key = NewKey();
  ASSERT_TRUE(VerifyMasterKey(*store_, key).ok());
  auto wrong = VerifyMasterKey(*store_, NewKey());
  ASSERT_EQ(wrong.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(wrong.status().message(),
            "the master key does not match this data (key check value differs)");
  EXPECT_EQ(Meta("master_key.check.1"), KeyCheckValue(key));  // nothing was overwritten
}

TEST_F(KeyCheckTest, OldAndPendingKeysAreNamed) {
  LockedKey v1 = NewKey();
  LockedKey v2 = NewKey();
  LockedKey v3 = NewKey();
  ASSERT_TRUE(store_
                  ->Write([&](store::Tx& tx) -> Status {
                    VS_RETURN_IF_ERROR(tx.meta().Put("master_key.check.1", KeyCheckValue(v1)));
                    VS_RETURN_IF_ERROR(tx.meta().Put("master_key.check.2", KeyCheckValue(v2)));
                    VS_RETURN_IF_ERROR(tx.meta().Put("master_key.check.3", KeyCheckValue(v3)));
                    return tx.meta().Put("master_key.current_version", "2");
                  })
                  .ok());
  auto ok = VerifyMasterKey(*store_, v2);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 2u);
  auto old = VerifyMasterKey(*store_, v1);
  ASSERT_EQ(old.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(old.status().message().find("version 1, which was rotated out"), std::string::npos)
      << old.status().message();
  auto pending = VerifyMasterKey(*store_, v3);
  ASSERT_EQ(pending.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(pending.status().message().find("has not finished"), std::string::npos)
      << pending.status().message();
}

TEST_F(KeyCheckTest, DataKeysWithoutCheckValueAreRefused) {
  const int64_t account = testing::AddAccount(*store_, "acme");
  const int64_t app = testing::AddApplication(*store_, account, "app");
  ASSERT_TRUE(store_
                  ->Write([&](store::Tx& tx) -> Status {
                    store::DataKeyRecord r;
                    r.application_id = app;
                    r.version = 1;
                    r.wrapped_key = "x";
                    r.master_key_version = 1;
                    return tx.data_keys().Insert(r);
                  })
                  .ok());
  auto v = VerifyMasterKey(*store_, NewKey());
  EXPECT_EQ(v.status().code(), StatusCode::kDataLoss);
  EXPECT_FALSE(Meta("master_key.current_version").has_value());
}

TEST_F(KeyCheckTest, MalformedStoredVersion) {
  ASSERT_TRUE(store_
                  ->Write([&](store::Tx& tx) -> Status {
                    return tx.meta().Put("master_key.current_version", "two");
                  })
                  .ok());
  EXPECT_EQ(VerifyMasterKey(*store_, NewKey()).status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace voxsecrets::crypto
