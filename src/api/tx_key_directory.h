// TxKeyDirectory: auth::KeyDirectory answered inside the transaction of the call being
// authenticated, so that the key and account lookups and the method see one snapshot and cost no
// transaction of their own; IamCache: the rows it read, kept across calls for as long as they are
// provably current.
//
// How the cache stays correct (docs/ARCHITECTURE.md, "Caches"): every entry is tagged with the
// identity change counter (store::MetaRepository::IamVersion) of the snapshot it was read in. The
// database moves that counter in the transaction of every change to accounts, keys, key roles and
// keys' applications, whoever makes it (this process, another node on the same PostgreSQL, the
// admin CLI beside a SQLite server). A call reads the counter in its own transaction (one indexed
// row) and uses an entry only when it was read at that very counter: then the rows are the ones
// its snapshot holds. A deleted key, a changed role or a changed application scope is therefore
// refused or applied at the next request, on every node, with no invalidation message to lose.
// Only read transactions fill the cache (what a write transaction reads may still be rolled
// back); write transactions may use it.
//
// Thread-safety: IamCache may be shared by all threads (a shared lock for lookups). A
// TxKeyDirectory belongs to the call (the thread running its transaction callback).
// Ownership: a TxKeyDirectory references its transaction and the cache; it must not outlive the
// transaction callback.
#ifndef VOXSECRETS_API_TX_KEY_DIRECTORY_H_
#define VOXSECRETS_API_TX_KEY_DIRECTORY_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/key_directory.h"
#include "common/mutex.h"
#include "common/status.h"
#include "store/store.h"

namespace voxsecrets::api {

class IamCache {
 public:
  static constexpr size_t kDefaultMaxEntries = 100000;

  // What the directory needs of an account.
  struct Account {
    bool exists = false;
    std::optional<int64_t> parent_id;
    std::string api_key_hash;  // empty = none
  };

  // REQUIRES: max_entries >= 1. When full, the cache starts over empty.
  explicit IamCache(size_t max_entries = kDefaultMaxEntries) : max_entries_(max_entries) {}
  IamCache(const IamCache&) = delete;
  IamCache& operator=(const IamCache&) = delete;

  // True (and *out set; nullopt = no such key) when an entry read at `version` exists.
  bool FindKey(int64_t version, std::string_view key_id, std::optional<auth::KeyInfo>* out) const
      EXCLUDES(mu_);
  bool FindAccount(int64_t version, int64_t account_id, Account* out) const EXCLUDES(mu_);
  // Remembers rows read in a committed snapshot at `version`. A newer version empties the cache
  // first; rows of an older version than the cache's are ignored.
  void PutKey(int64_t version, std::string_view key_id, const std::optional<auth::KeyInfo>& key)
      EXCLUDES(mu_);
  void PutAccount(int64_t version, int64_t account_id, const Account& account) EXCLUDES(mu_);

  // For metrics and tests.
  int64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  int64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // False when rows of `version` must not be stored.
  bool PrepareForLocked(int64_t version) REQUIRES(mu_);

  const size_t max_entries_;
  mutable std::atomic<int64_t> hits_{0};
  mutable std::atomic<int64_t> misses_{0};
  mutable SharedMutex mu_;
  int64_t version_ GUARDED_BY(mu_) = -1;  // the version every entry was read at
  std::unordered_map<std::string, std::optional<auth::KeyInfo>, StringHash, std::equal_to<>> keys_
      GUARDED_BY(mu_);
  std::unordered_map<int64_t, Account> accounts_ GUARDED_BY(mu_);
};

class TxKeyDirectory final : public auth::KeyDirectory {
 public:
  // `cache` may be null (every lookup reads `tx`). `fill`: may rows read here be cached — only
  // when `tx` is a read transaction.
  TxKeyDirectory(store::Tx& tx, IamCache* cache, bool fill) : tx_(tx), cache_(cache), fill_(fill) {}

  // auth::KeyDirectory
  Result<std::optional<auth::KeyInfo>> FindKey(std::string_view key_id) override;
  Result<auth::AccountLink> FindAccount(int64_t account_id) override;
  Result<std::optional<std::string>> FindApiKeyHash(int64_t account_id) override;

 private:
  // The transaction's identity change counter, read once.
  Result<int64_t> Version();
  Result<IamCache::Account> Account(int64_t account_id);

  store::Tx& tx_;
  IamCache* const cache_;
  const bool fill_;
  std::optional<int64_t> version_;
};

}  // namespace voxsecrets::api

#endif  // VOXSECRETS_API_TX_KEY_DIRECTORY_H_
