// FakeKeyDirectory: an in-memory KeyDirectory for tests, the fuzzer and benchmarks (a test double
// for the store; production wiring implements KeyDirectory over store/). Header-only.
//
// Besides the data it counts lookups and can be told to fail every call with a given Status, so
// tests can prove that a storage outage is not reported as bad credentials.
//
// Thread-safety: all methods may be called concurrently (one mutex).
#ifndef VOXSECRETS_AUTH_FAKE_KEY_DIRECTORY_H_
#define VOXSECRETS_AUTH_FAKE_KEY_DIRECTORY_H_

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "auth/key_directory.h"
#include "common/mutex.h"

namespace voxsecrets::auth {

class FakeKeyDirectory final : public KeyDirectory {
 public:
  void AddKey(KeyInfo key) {
    MutexLock lock(mu_);
    std::string id = key.key_id;
    keys_[std::move(id)] = std::move(key);
  }
  void RemoveKey(const std::string& key_id) {
    MutexLock lock(mu_);
    keys_.erase(key_id);
  }
  void AddAccount(int64_t id, std::optional<int64_t> parent_id = std::nullopt,
                  std::optional<std::string> api_key_hash = std::nullopt) {
    MutexLock lock(mu_);
    accounts_[id] = Account{parent_id, std::move(api_key_hash)};
  }
  // Every later call fails with `status` (OK = stop failing).
  void FailWith(Status status) {
    MutexLock lock(mu_);
    fail_ = std::move(status);
  }
  size_t find_account_calls() const {
    MutexLock lock(mu_);
    return find_account_calls_;
  }

  // KeyDirectory
  Result<std::optional<KeyInfo>> FindKey(std::string_view key_id) override {
    MutexLock lock(mu_);
    if (!fail_.ok()) return fail_;
    auto it = keys_.find(std::string(key_id));
    if (it == keys_.end()) return std::optional<KeyInfo>();
    return std::optional<KeyInfo>(it->second);
  }
  Result<AccountLink> FindAccount(int64_t account_id) override {
    MutexLock lock(mu_);
    ++find_account_calls_;
    if (!fail_.ok()) return fail_;
    auto it = accounts_.find(account_id);
    if (it == accounts_.end()) return AccountLink{};
    return AccountLink{true, it->second.parent_id};
  }
  Result<std::optional<std::string>> FindApiKeyHash(int64_t account_id) override {
    MutexLock lock(mu_);
    if (!fail_.ok()) return fail_;
    auto it = accounts_.find(account_id);
    if (it == accounts_.end()) return std::optional<std::string>();
    return it->second.api_key_hash;
  }

 private:
  struct Account {
    std::optional<int64_t> parent_id;
    std::optional<std::string> api_key_hash;
  };
  mutable Mutex mu_;
  std::map<std::string, KeyInfo, std::less<>> keys_ GUARDED_BY(mu_);
  std::map<int64_t, Account> accounts_ GUARDED_BY(mu_);
  Status fail_ GUARDED_BY(mu_);
  size_t find_account_calls_ GUARDED_BY(mu_) = 0;
};

}  // namespace voxsecrets::auth

#endif  // VOXSECRETS_AUTH_FAKE_KEY_DIRECTORY_H_
