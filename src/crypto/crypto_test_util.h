// Test helpers for crypto/ tests: a temporary directory, a SQLite store in it with an account
// and applications, and a secret row written the way the secrets layer does it (insert, then
// seal under the new id and replace). Test-only; not part of vs_crypto.
#ifndef VOXSECRETS_CRYPTO_CRYPTO_TEST_UTIL_H_
#define VOXSECRETS_CRYPTO_CRYPTO_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/sealed_value.h"
#include "common/secure_bytes.h"
#include "common/status.h"
#include "crypto/key_check.h"
#include "crypto/keyring.h"
#include "crypto/master_key.h"
#include "crypto/value_sealer.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace voxsecrets::crypto::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base != nullptr && *base != '\0' ? base : "/tmp") +
                       "/voxsecrets-crypto-test-XXXXXX";
    char* made = mkdtemp(tmpl.data());
    if (made != nullptr) path_ = made;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

inline store::StorePtr OpenTestStore(const TempDir& dir, std::string_view name = "test.db") {
  store::SqliteOptions options;
  options.path = dir.File(name);
  auto store = store::OpenSqliteStore(options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

inline int64_t AddAccount(store::Store& store, const std::string& name) {
  int64_t id = 0;
  Status s = store.Write([&](store::Tx& tx) -> Status {
    store::AccountRecord a;
    a.name = name;
    a.email = name + "@example.com";
    a.created = 1767225600;
    auto r = tx.accounts().Insert(a);
    if (!r.ok()) return r.status();
    id = *r;
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return id;
}

inline int64_t AddApplication(store::Store& store, int64_t account_id, const std::string& name) {
  int64_t id = 0;
  Status s = store.Write([&](store::Tx& tx) -> Status {
    store::ApplicationRecord a;
    a.account_id = account_id;
    a.name = name;
    a.created = a.modified = 1767225600;
    auto r = tx.applications().Insert(a);
    if (!r.ok()) return r.status();
    id = *r;
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return id;
}

// Inserts a secret and stores `value` sealed for its id; returns the id (0 on failure).
inline int64_t AddSecret(store::Store& store, ValueSealer& sealer, int64_t account_id,
                         int64_t application_id, const std::string& name, std::string_view value) {
  int64_t id = 0;
  Status s = store.Write([&](store::Tx& tx) -> Status {
    auto inserted = tx.secrets().Insert(application_id, name, "", SealedValue{}, 1767225600);
    if (!inserted.ok()) return inserted.status();
    id = *inserted;
    auto sealed = sealer.Seal(tx, ValueContext{account_id, application_id, id}, value);
    if (!sealed.ok()) return sealed.status();
    auto replaced = tx.secrets().ReplaceSealed(application_id, id, *sealed);
    if (!replaced.ok()) return replaced.status();
    return *replaced ? Status::Ok() : InternalError("secret vanished");
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return s.ok() ? id : 0;
}

// Keeps `value` sealed as older version `version` of a secret (store::SecretVersionRecord).
inline Status AddOlderVersion(store::Store& store, ValueSealer& sealer, int64_t account_id,
                              int64_t application_id, int64_t secret_id, int64_t version,
                              std::string_view value) {
  return store.Write([&](store::Tx& tx) -> Status {
    auto sealed =
        sealer.Seal(tx, ValueContext{account_id, application_id, secret_id, version}, value);
    if (!sealed.ok()) return sealed.status();
    store::SecretVersionRecord record;
    record.info = store::SecretVersionInfo{secret_id, version, 1767225600};
    record.value = *sealed;
    return tx.secret_versions().Insert(application_id, record);
  });
}

// The sealed value of older version `version` of a secret (nullopt when there is none).
inline std::optional<SealedValue> StoredOlderValue(store::Store& store, int64_t application_id,
                                                   int64_t secret_id, int64_t version) {
  std::optional<SealedValue> out;
  Status s = store.Read([&](store::Tx& tx) -> Status {
    auto r = tx.secret_versions().Find(application_id, secret_id, version);
    if (!r.ok()) return r.status();
    if (*r) out = (*r)->value;
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

inline std::optional<SealedValue> StoredValue(store::Store& store, int64_t application_id,
                                              int64_t secret_id) {
  std::optional<SealedValue> out;
  Status s = store.Read([&](store::Tx& tx) -> Status {
    auto r = tx.secrets().FindById(application_id, secret_id);
    if (!r.ok()) return r.status();
    if (*r) out = (*r)->value;
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

// A Keyring over a new random master key whose check value is stored in `store` (version 1 on a
// fresh store). nullptr, with a test failure, when any step fails.
inline KeyringPtr NewKeyring(store::Store& store, SecureRandom& random, const Clock& clock) {
  auto key = GenerateMasterKey(random);
  EXPECT_TRUE(key.ok()) << key.status().ToString();
  if (!key.ok()) return nullptr;
  auto version = VerifyMasterKey(store, *key);
  EXPECT_TRUE(version.ok()) << version.status().ToString();
  if (!version.ok()) return nullptr;
  auto keyring = Keyring::Create(std::move(key).value(), *version, random, clock);
  EXPECT_TRUE(keyring.ok()) << keyring.status().ToString();
  return keyring.ok() ? std::move(keyring).value() : nullptr;
}

// Opens the stored value of a secret in a read transaction.
inline Result<SecureBytes> ReadSecret(store::Store& store, ValueSealer& sealer,
                                      const ValueContext& ctx) {
  std::optional<Result<SecureBytes>> out;
  Status s = store.Read([&](store::Tx& tx) -> Status {
    auto r = tx.secrets().FindById(ctx.application_id, ctx.secret_id);
    if (!r.ok()) return r.status();
    if (!*r) return NotFound("no such secret");
    out.emplace(sealer.Open(tx, ctx, (*r)->value));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return std::move(*out);
}

}  // namespace voxsecrets::crypto::testing

#endif  // VOXSECRETS_CRYPTO_CRYPTO_TEST_UTIL_H_
