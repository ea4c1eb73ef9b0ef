// A Keyring that keeps serving through a master key rotation done by another process: it loads
// the new master key through its MasterKeyReloader, checks it, and wraps new data keys with it.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "crypto/aead.h"
#include "crypto/crypto_test_util.h"
#include "crypto/data_key_wrap.h"
#include "crypto/key_check.h"
#include "crypto/keyring.h"
#include "crypto/master_key.h"
#include "crypto/openssl_random.h"
#include "crypto/rotation.h"

namespace voxsecrets::crypto {
namespace {

using testing::AddSecret;
using testing::ReadSecret;

// Hands out a copy of one key and counts the calls.
class FakeReloader final : public MasterKeyReloader {
 public:
  explicit FakeReloader(const LockedKey& key) : key_(std::move(key.Clone()).value()) {}
  Result<LockedKey> Load(uint32_t version, std::string_view check_value) override {
    ++calls;
    last_version = version;
    if (!available) return NotFound("no key file yet");
    (void)check_value;
    return key_.Clone();
  }
  std::atomic<int> calls{0};
  std::atomic<uint32_t> last_version{0};
  std::atomic<bool> available{true};

 private:
  LockedKey key_;
};

class MasterKeyReloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = testing::OpenTestStore(dir_);
    ASSERT_NE(store_, nullptr);
    account_ = testing::AddAccount(*store_, "acme");
    app_ = testing::AddApplication(*store_, account_, "app");
    app2_ = testing::AddApplication(*store_, account_, "app2");
    old_key_ = std::move(GenerateMasterKey(random_)).value();
    new_key_ = std::move(GenerateMasterKey(random_)).value();
    ASSERT_EQ(VerifyMasterKey(*store_, old_key_).value(), 1u);
    server_ = MakeKeyring(old_key_, 1);
    id1_ = AddSecret(*store_, *server_, account_, app_, "a", "value a");
    id2_ = AddSecret(*store_, *server_, account_, app2_, "b", "value b");
    ASSERT_NE(id1_, 0);
    ASSERT_NE(id2_, 0);
  }

  KeyringPtr MakeKeyring(const LockedKey& key, uint32_t version) {
    auto k = Keyring::Create(std::move(key.Clone()).value(), version, random_, clock_);
    EXPECT_TRUE(k.ok());
    return k.ok() ? std::move(k).value() : nullptr;
  }

  Result<SealedValue> SealInNewApp(Keyring& keyring, const std::string& name) {
    const int64_t app = testing::AddApplication(*store_, account_, name);
    std::optional<Result<SealedValue>> out;
    Status s = store_->Write([&](store::Tx& tx) -> Status {
      out.emplace(keyring.Seal(tx, {account_, app, 1}, "x"));
      return out->status();
    });
    if (!s.ok()) return s;
    return std::move(*out);
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

  Result<uint32_t> Refresh(Keyring& keyring) {
    uint32_t version = 0;
    Status s = store_->Read([&](store::Tx& tx) -> Status {
      VS_ASSIGN_OR_RETURN(version, keyring.RefreshMasterKey(tx));
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return version;
  }

  testing::TempDir dir_;
  store::StorePtr store_;
  OpenSslRandom random_;
  FakeClock clock_;
  int64_t account_ = 0;
  int64_t app_ = 0;
  int64_t app2_ = 0;
  int64_t id1_ = 0;
  int64_t id2_ = 0;
  LockedKey old_key_ = std::move(LockedKey::Allocate()).value();
  LockedKey new_key_ = std::move(LockedKey::Allocate()).value();
  KeyringPtr server_;
};

TEST_F(MasterKeyReloadTest, ANewDataKeyAfterARotationUsesTheReloadedKey) {
  FakeReloader reloader(new_key_);
  server_->SetMasterKeyReloader(&reloader);
  ASSERT_TRUE(RotateMasterKey(*store_, old_key_, 1, new_key_, 2, random_).ok());
  EXPECT_EQ(server_->master_key_version(), 1u);  // nothing asked for it yet

  auto sealed = SealInNewApp(*server_, "app3");
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  EXPECT_EQ(reloader.last_version.load(), 2u);
  EXPECT_EQ(server_->master_key_version(), 2u);
  // The old master key is gone from memory; every data key is wrapped by version 2.
  EXPECT_EQ(server_->held_master_key_versions(), std::vector<uint32_t>{2});
  for (const auto& k : DataKeys()) EXPECT_EQ(k.master_key_version, 2u);
  // And everything still opens, in this keyring and in a fresh one on the new key.
  KeyringPtr fresh = MakeKeyring(new_key_, 2);
  for (Keyring* k : {server_.get(), fresh.get()}) {
    auto a = ReadSecret(*store_, *k, {account_, app_, id1_});
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    EXPECT_TRUE(a->view() == "value a");
  }
}

TEST_F(MasterKeyReloadTest, AKeyringWithNothingCachedUnwrapsRewrappedKeys) {
  KeyringPtr cold = MakeKeyring(old_key_, 1);
  FakeReloader reloader(new_key_);
  cold->SetMasterKeyReloader(&reloader);
  ASSERT_TRUE(RotateMasterKey(*store_, old_key_, 1, new_key_, 2, random_).ok());
  auto b = ReadSecret(*store_, *cold, {account_, app2_, id2_});
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_TRUE(b->view() == "value b");
  EXPECT_EQ(reloader.calls.load(), 1);
}

TEST_F(MasterKeyReloadTest, RefreshCatchesUpAndLoadsThePendingVersionEarly) {
  FakeReloader reloader(new_key_);
  server_->SetMasterKeyReloader(&reloader);
  EXPECT_EQ(Refresh(*server_).value(), 1u);
  EXPECT_EQ(reloader.calls.load(), 0);  // nothing to do
  // A rotation has begun: version 2's check value is recorded, the flip has not happened.
  ASSERT_TRUE(store_
                  ->Write([&](store::Tx& tx) {
                    return tx.meta().Put(MetaKeyCheckName(2), KeyCheckValue(new_key_));
                  })
                  .ok());
  EXPECT_EQ(Refresh(*server_).value(), 1u);
  EXPECT_EQ(server_->held_master_key_versions(), (std::vector<uint32_t>{1, 2}));
  ASSERT_TRUE(RotateMasterKey(*store_, old_key_, 1, new_key_, 2, random_).ok());
  EXPECT_EQ(Refresh(*server_).value(), 2u);
  EXPECT_EQ(server_->held_master_key_versions(), std::vector<uint32_t>{2});
  EXPECT_EQ(reloader.calls.load(), 1);
}

TEST_F(MasterKeyReloadTest, AReloadedKeyMustMatchTheStoredCheckValue) {
  LockedKey stranger = std::move(GenerateMasterKey(random_)).value();
  FakeReloader wrong(stranger);
  server_->SetMasterKeyReloader(&wrong);
  ASSERT_TRUE(RotateMasterKey(*store_, old_key_, 1, new_key_, 2, random_).ok());
  auto r = Refresh(*server_);
  ASSERT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("key check value differs"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(SealInNewApp(*server_, "app3").status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(server_->master_key_version(), 1u);
  // A failing source is asked at most once a second, however many requests need the key.
  EXPECT_EQ(wrong.calls.load(), 1);
  clock_.AdvanceSeconds(2);
  EXPECT_FALSE(Refresh(*server_).ok());
  EXPECT_EQ(wrong.calls.load(), 2);
  // Values whose data keys are cached keep opening meanwhile.
  auto a = ReadSecret(*store_, *server_, {account_, app_, id1_});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
}

TEST_F(MasterKeyReloadTest, WithoutAReloaderNewDataKeysAreRefusedAsBefore) {
  ASSERT_TRUE(RotateMasterKey(*store_, old_key_, 1, new_key_, 2, random_).ok());
  auto r = SealInNewApp(*server_, "app3");
  ASSERT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("restart"), std::string::npos) << r.status().message();
}

TEST_F(MasterKeyReloadTest, NoSealFailsWhileTheMasterKeyRotates) {
  FakeReloader reloader(new_key_);
  server_->SetMasterKeyReloader(&reloader);
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::atomic<int> seals{0};
  std::vector<int64_t> apps;
  for (int i = 0; i < 40; ++i) {
    apps.push_back(testing::AddApplication(*store_, account_, "load" + std::to_string(i)));
  }
  std::thread writer([&] {
    // Each seal into a fresh application creates a data key: the path a rotation affects.
    for (size_t i = 0; i < apps.size() && !stop.load(); ++i) {
      if (AddSecret(*store_, *server_, account_, apps[i], "s", "v") == 0) ++failures;
      ++seals;
    }
  });
  auto r = RotateMasterKey(*store_, old_key_, 1, new_key_, 2, random_);
  writer.join();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(seals.load(), 40);
  // Whatever the interleaving, nothing is left that needs the old key.
  for (const auto& k : DataKeys()) EXPECT_EQ(k.master_key_version, 2u);
  KeyringPtr fresh = MakeKeyring(new_key_, 2);
  for (int64_t app : apps) {
    std::optional<store::SecretRecord> rec;
    ASSERT_TRUE(store_
                    ->Read([&](store::Tx& tx) -> Status {
                      VS_ASSIGN_OR_RETURN(rec, tx.secrets().FindByName(app, "s"));
                      return Status::Ok();
                    })
                    .ok());
    ASSERT_TRUE(rec.has_value());
    auto v = ReadSecret(*store_, *fresh, {account_, app, rec->info.id});
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_TRUE(v->view() == "v");
  }
}

}  // namespace
}  // namespace voxsecrets::crypto
