#include "crypto/rotation.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/aead.h"
#include "crypto/crypto_test_util.h"
#include "crypto/data_key_wrap.h"
#include "crypto/key_check.h"
#include "crypto/master_key.h"
#include "crypto/openssl_random.h"

namespace voxsecrets::crypto {
namespace {

using testing::AddSecret;
using testing::ReadSecret;
using testing::StoredValue;

struct Row {
  int64_t app;
  int64_t id;
  std::string value;
};

class RotationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = testing::OpenTestStore(dir_);
    ASSERT_NE(store_, nullptr);
    account_ = testing::AddAccount(*store_, "acme");
    app_ = testing::AddApplication(*store_, account_, "app");
    app2_ = testing::AddApplication(*store_, account_, "app2");
    old_key_ = NewKey();
    new_key_ = NewKey();
    auto v = VerifyMasterKey(*store_, old_key_);
    ASSERT_TRUE(v.ok());
    ASSERT_EQ(*v, 1u);
    server_ = MakeKeyring(old_key_, 1, {.max_encryptions_per_key = 4, .cache_capacity = 64});
    // Several data key versions per application (automatic rotation every 4 seals).
    for (int i = 0; i < 10; ++i) {
      for (int64_t app : {app_, app2_}) {
        const std::string value = "value " + std::to_string(app) + "/" + std::to_string(i);
        rows_.push_back(
            {app, AddSecret(*store_, *server_, account_, app, "s" + std::to_string(i), value),
             value});
      }
    }
  }

  LockedKey NewKey() {
    auto k = GenerateMasterKey(random_);
    EXPECT_TRUE(k.ok());
    return std::move(k).value();
  }

  KeyringPtr MakeKeyring(const LockedKey& key, uint32_t version, KeyringOptions options = {}) {
    auto copy = key.Clone();
    EXPECT_TRUE(copy.ok());
    auto k = Keyring::Create(std::move(copy).value(), version, random_, clock_, options);
    EXPECT_TRUE(k.ok());
    return k.ok() ? std::move(k).value() : nullptr;
  }

  // Every row opens to its value through `keyring`.
  void ExpectAllOpen(Keyring& keyring) {
    for (const Row& row : rows_) {
      auto r = ReadSecret(*store_, keyring, {account_, row.app, row.id});
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_TRUE(r->view() == row.value) << row.id;
    }
  }

  std::vector<store::DataKeyRecord> DataKeys() {
    std::vector<store::DataKeyRecord> out;
    EXPECT_TRUE(store_
                    ->Read([&](store::Tx& tx) -> Status {
                      VS_ASSIGN_OR_RETURN(out, tx.data_keys().ListAll());
                      return Status::Ok();
                    })
                    .ok());
    return out;
  }

  testing::TempDir dir_;
  store::StorePtr store_;
  OpenSslRandom random_;
  FakeClock clock_;
  int64_t account_ = 0;
  int64_t app_ = 0;
  int64_t app2_ = 0;
  LockedKey old_key_ = std::move(LockedKey::Allocate()).value();
  LockedKey new_key_ = std::move(LockedKey::Allocate()).value();
  KeyringPtr server_;
  std::vector<Row> rows_;
};

TEST_F(RotationTest, MasterKeyRotationNeedsOnlyTheNewKeyAfterwards) {
  const size_t keys_before = DataKeys().size();
  ASSERT_EQ(keys_before, 6u);  // 10 seals per app at 4 per key: versions 1..3 each
  auto r = RotateMasterKey(*store_, old_key_, 1, new_key_, 2, random_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rewrapped, 6);
  for (const auto& k : DataKeys()) EXPECT_EQ(k.master_key_version, 2u);

  // A restart with the new key works; with the old key it is refused.
  auto v = VerifyMasterKey(*store_, new_key_);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(*v, 2u);
  auto old = VerifyMasterKey(*store_, old_key_);
  EXPECT_EQ(old.status().code(), StatusCode::kUnauthenticated);
  KeyringPtr fresh = MakeKeyring(new_key_, 2);
  ExpectAllOpen(*fresh);
  // An old-key keyring that has nothing cached cannot unwrap anything any more.
  KeyringPtr stale = MakeKeyring(old_key_, 1);
  EXPECT_FALSE(ReadSecret(*store_, *stale, {account_, rows_[0].app, rows_[0].id}).ok());
  // New data keys made after the rotation are wrapped by the new key.
  const int64_t app3 = testing::AddApplication(*store_, account_, "app3");
  ASSERT_NE(AddSecret(*store_, *fresh, account_, app3, "n", "new"), 0);
  for (const auto& k : DataKeys()) EXPECT_EQ(k.master_key_version, 2u);
}

TEST_F(RotationTest, ARunningServerKeepsServingFromItsCache) {
  auto r = RotateMasterKey(*store_, old_key_, 1, new_key_, 2, random_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // server_ sealed every value, so it has every data key cached: it keeps reading and writing.
  ExpectAllOpen(*server_);
  ASSERT_NE(AddSecret(*store_, *server_, account_, app_, "later", "later"), 0);
  // But it refuses to wrap a brand-new data key with the old master key.
  const int64_t app3 = testing::AddApplication(*store_, account_, "app3");
  Status s = store_->Write([&](store::Tx& tx) -> Status {
    return server_->Seal(tx, {account_, app3, 1}, "x").status();
  });
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
}

TEST_F(RotationTest, MasterKeyRotationIsCheckedAndRepeatable) {
  LockedKey stranger = NewKey();
  EXPECT_EQ(RotateMasterKey(*store_, stranger, 1, new_key_, 2, random_).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(RotateMasterKey(*store_, old_key_, 1, new_key_, 1, random_).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RotateMasterKey(*store_, old_key_, 1, old_key_, 2, random_).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RotateMasterKey(*store_, old_key_, 3, new_key_, 4, random_).status().code(),
            StatusCode::kUnauthenticated);
  ASSERT_TRUE(RotateMasterKey(*store_, old_key_, 1, new_key_, 2, random_).ok());
  // Running it again is a no-op; a different "version 2" key is refused.
  auto again = RotateMasterKey(*store_, old_key_, 1, new_key_, 2, random_);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->rewrapped, 0);
  EXPECT_EQ(RotateMasterKey(*store_, old_key_, 1, stranger, 2, random_).status().code(),
            StatusCode::kUnauthenticated);
  // And the next rotation starts from version 2.
  LockedKey third = NewKey();
  auto next = RotateMasterKey(*store_, new_key_, 2, third, 3, random_);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  ExpectAllOpen(*MakeKeyring(third, 3));
}

TEST_F(RotationTest, AnInterruptedMasterKeyRotationResumes) {
  // Simulate a crash midway: version 2 recorded, one data key rewrapped, flip not done.
  {
    auto aead = std::move(Aes256Gcm::Create()).value();
    const auto keys = DataKeys();
    ASSERT_TRUE(
        store_
            ->Write([&](store::Tx& tx) -> Status {
              VS_RETURN_IF_ERROR(tx.meta().Put(MetaKeyCheckName(2), KeyCheckValue(new_key_)));
              const auto& k = keys[0];
              VS_ASSIGN_OR_RETURN(LockedKey dek, UnwrapDataKey(*aead, old_key_, 1, k));
              VS_ASSIGN_OR_RETURN(std::string_view id, WrappedKeyId(k.wrapped_key));
              VS_ASSIGN_OR_RETURN(
                  std::string wrapped,
                  WrapDataKey(*aead, new_key_, 2, random_, k.application_id, k.version, id, dek));
              return tx.data_keys().Rewrap(k.application_id, k.version, wrapped, 2);
            })
            .ok());
  }
  EXPECT_EQ(VerifyMasterKey(*store_, new_key_).status().code(), StatusCode::kUnauthenticated);
  auto r = RotateMasterKey(*store_, old_key_, 1, new_key_, 2, random_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rewrapped, 5);
  ExpectAllOpen(*MakeKeyring(new_key_, 2));
}

TEST_F(RotationTest, ApplicationKeyRotationReencryptsAndDeletesOldVersions) {
  std::vector<SealedValue> before;
  for (const Row& row : rows_) before.push_back(*StoredValue(*store_, row.app, row.id));
  // The CLI runs its own keyring (default limits) while server_ keeps serving.
  KeyringPtr cli = MakeKeyring(old_key_, 1);
  auto r = RotateApplicationKey(*store_, *cli, account_, app_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->new_version, 4u);  // app_ had versions 1..3
  EXPECT_EQ(r->reencrypted, 10);
  for (size_t i = 0; i < rows_.size(); ++i) {
    const SealedValue after = *StoredValue(*store_, rows_[i].app, rows_[i].id);
    if (rows_[i].app == app_) {
      EXPECT_EQ(after.key_version, 4u);
      EXPECT_NE(after.blob, before[i].blob);
    } else {
      EXPECT_EQ(after, before[i]);  // the other application is untouched
    }
  }
  for (const auto& k : DataKeys()) {
    if (k.application_id == app_) {
      EXPECT_EQ(k.version, 4u);
    }
  }
  ExpectAllOpen(*server_);
  ExpectAllOpen(*MakeKeyring(old_key_, 1));
  // A second rotation moves everything again.
  auto again = RotateApplicationKey(*store_, *cli, account_, app_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->new_version, 5u);
  ExpectAllOpen(*MakeKeyring(old_key_, 1));
  ExpectAllOpen(*server_);
}

TEST_F(RotationTest, ApplicationKeyRotationWithAutomaticRotationOnTheWay) {
  // server_ rotates every 4 seals: re-encrypting 10 values goes through versions 4, 5 and 6.
  auto r = RotateApplicationKey(*store_, *server_, account_, app_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->new_version, 4u);
  EXPECT_EQ(r->reencrypted, 10);
  for (const auto& k : DataKeys()) {
    if (k.application_id == app_) {
      EXPECT_GE(k.version, 4u);
    }
  }
  for (const Row& row : rows_) {
    if (row.app == app_) {
      EXPECT_GE(StoredValue(*store_, row.app, row.id)->key_version, 4u);
    }
  }
  ExpectAllOpen(*MakeKeyring(old_key_, 1));
}

TEST_F(RotationTest, ApplicationKeyRotationChecksTheAccount) {
  const int64_t other = testing::AddAccount(*store_, "other");
  EXPECT_EQ(RotateApplicationKey(*store_, *server_, other, app_).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(RotateApplicationKey(*store_, *server_, account_, 424242).status().code(),
            StatusCode::kNotFound);
}

// Older versions of secrets' values (kept by secret versioning) are values like the current
// ones: an application key rotation re-encrypts them before it deletes the data keys they used,
// and a master key rotation leaves them readable with the new key alone.
class RotationWithVersionsTest : public RotationTest {
 protected:
  void SetUp() override {
    RotationTest::SetUp();
    if (HasFatalFailure()) return;
    for (const Row& row : rows_) {
      for (int64_t version = 1; version <= 2; ++version) {
        const std::string value = "older " + std::to_string(version) + " of " + row.value;
        ASSERT_TRUE(
            testing::AddOlderVersion(*store_, *server_, account_, row.app, row.id, version, value)
                .ok());
        older_.push_back({row, version, value});
      }
    }
  }

  // Every older version opens to its value through `keyring`, as that version only.
  void ExpectOlderOpen(Keyring& keyring) {
    for (const auto& older : older_) {
      // Named references, not a structured binding: clang-14 cannot capture bindings.
      const Row& row = older.row;
      const int64_t version = older.version;
      const std::string& value = older.value;
      std::optional<SealedValue> sealed =
          testing::StoredOlderValue(*store_, row.app, row.id, version);
      ASSERT_TRUE(sealed.has_value());
      Status opened = store_->Read([&](store::Tx& tx) -> Status {
        auto plain = keyring.Open(tx, {account_, row.app, row.id, version}, *sealed);
        if (!plain.ok()) return plain.status();
        EXPECT_TRUE(plain->view() == value) << row.id << " v" << version;
        auto as_other = keyring.Open(tx, {account_, row.app, row.id, version + 1}, *sealed);
        EXPECT_EQ(as_other.status().code(), StatusCode::kDataLoss);
        return Status::Ok();
      });
      ASSERT_TRUE(opened.ok()) << opened.ToString();
    }
  }

  struct Older {
    Row row;
    int64_t version;
    std::string value;
  };
  std::vector<Older> older_;
};

TEST_F(RotationWithVersionsTest, ApplicationKeyRotationReencryptsOlderVersionsToo) {
  KeyringPtr cli = MakeKeyring(old_key_, 1);
  auto r = RotateApplicationKey(*store_, *cli, account_, app_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->reencrypted, 30);  // 10 current values and 20 older ones of app_
  const uint32_t active = r->new_version;
  for (const auto& [row, version, value] : older_) {
    const SealedValue sealed = *testing::StoredOlderValue(*store_, row.app, row.id, version);
    if (row.app == app_) {
      EXPECT_GE(sealed.key_version, active);
    }
  }
  // The data keys below the new version are gone, yet every value opens.
  for (const auto& k : DataKeys()) {
    if (k.application_id == app_) {
      EXPECT_GE(k.version, active);
    }
  }
  ExpectOlderOpen(*MakeKeyring(old_key_, 1));
  ExpectAllOpen(*MakeKeyring(old_key_, 1));
}

TEST_F(RotationWithVersionsTest, MasterKeyRotationKeepsOlderVersionsReadable) {
  auto r = RotateMasterKey(*store_, old_key_, 1, new_key_, 2, random_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  KeyringPtr fresh = MakeKeyring(new_key_, 2);
  ExpectOlderOpen(*fresh);
  ExpectAllOpen(*fresh);
}

TEST_F(RotationWithVersionsTest, ApplicationKeyRotationStopsOnACorruptOlderVersion) {
  const Older& target = older_[0];  // of app_ (rows_ alternate app_, app2_)
  ASSERT_EQ(target.row.app, app_);
  SealedValue bad = *testing::StoredOlderValue(*store_, app_, target.row.id, target.version);
  bad.blob[bad.blob.size() / 2] ^= 1;
  ASSERT_TRUE(store_
                  ->Write([&](store::Tx& tx) -> Status {
                    return tx.secret_versions()
                        .ReplaceSealed(app_, target.row.id, target.version, bad)
                        .status();
                  })
                  .ok());
  auto r = RotateApplicationKey(*store_, *server_, account_, app_);
  ASSERT_EQ(r.status().code(), StatusCode::kDataLoss);
  // Nothing a value needs was deleted: the other older versions still open with a fresh keyring.
  older_.erase(older_.begin());
  ExpectOlderOpen(*MakeKeyring(old_key_, 1));
  ExpectAllOpen(*MakeKeyring(old_key_, 1));
}

TEST_F(RotationTest, ApplicationKeyRotationStopsOnACorruptValue) {
  SealedValue bad = *StoredValue(*store_, app_, rows_[0].id);
  bad.blob[bad.blob.size() / 2] ^= 1;
  ASSERT_TRUE(store_
                  ->Write([&](store::Tx& tx) -> Status {
                    return tx.secrets().ReplaceSealed(app_, rows_[0].id, bad).status();
                  })
                  .ok());
  auto r = RotateApplicationKey(*store_, *server_, account_, app_);
  ASSERT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status().message().find("secret " + std::to_string(rows_[0].id) + " "),
            std::string::npos)
      << r.status().message();
  // Nothing was deleted: every other value still opens with a fresh keyring.
  KeyringPtr fresh = MakeKeyring(old_key_, 1);
  for (size_t i = 1; i < rows_.size(); ++i) {
    auto v = ReadSecret(*store_, *fresh, {account_, rows_[i].app, rows_[i].id});
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_TRUE(v->view() == rows_[i].value);
  }
}

}  // namespace
}  // namespace voxsecrets::crypto
