// Keyring: the ValueSealer of voxsecrets. Holds the master key (KEK) and seals values under
// per-application data keys (DEKs) kept, wrapped by the KEK, in store::DataKeyRepository.
//
//  - An application's first Seal creates its data key version 1 (random 32 bytes, wrapped with
//    AES-256-GCM, see crypto/data_key_wrap.h), inside the caller's write transaction.
//  - Seal uses the active (highest) version and counts the encryption in the same transaction.
//    A key seals at most KeyringOptions::max_encryptions_per_key values; the Seal that would go
//    past it first creates the next version (automatic rotation, long before the 2^32 random-
//    nonce limit of NIST SP 800-38D). With concurrent transactions on a backend that does not
//    serialise them, a key may overshoot the limit by the number of such transactions.
//  - Open uses the version written in the record, so values sealed under older versions keep
//    opening until RotateApplicationKey (crypto/rotation.h) moves them and deletes the versions.
//  - Unwrapped data keys are cached (LRU, KeyringOptions::cache_capacity entries), each in a
//    LockedKey. A cache entry is used only when the stored row carries the same key id, so a key
//    created by a rolled-back transaction is never used for another row, and a row rewrapped by
//    RotateMasterKey keeps being served from the cache without the new master key.
//  - Master key rotation while the process runs (crypto/rotation.h): the Keyring holds master
//    keys by version. When a data key it must unwrap was rewrapped by a version it does not
//    hold, or the store's current version (key_check.h) moved past the one it wraps new data
//    keys with, it asks its MasterKeyReloader (if one was set) for the key of that version,
//    accepts it only when its check value equals the one stored for the version, and goes on:
//    no request fails because of a rotation. Once the store's current version moved on, older
//    master keys are dropped from memory. RefreshMasterKey does the same from a background
//    check. Without a reloader (or when it cannot produce the key) a new data key is refused
//    (kUnavailable) once the store says the master key was rotated to a version this Keyring
//    does not hold: restart with the new master key.
//
// Failures of Seal and Open that the Keyring makes itself carry StatusOrigin::kCrypto; those of
// the store beneath keep StatusOrigin::kStore (common/status.h).
//
// Records and associated data: crypto/value_record.h and docs/RECORD_FORMAT.md.
//
// Thread-safety: Seal/Open/ForgetApplication/RefreshMasterKey may be called concurrently from
// any thread; the cache and the master keys are guarded by a mutex held only for lookups and
// inserts; reloads are serialised by a second mutex (never taken while holding the first).
// Ownership: owns the master keys; `random`, `clock` and the reloader must outlive the
// Keyring.
#ifndef VOXSECRETS_CRYPTO_KEYRING_H_
#define VOXSECRETS_CRYPTO_KEYRING_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/mutex.h"
#include "common/random.h"
#include "common/status.h"
#include "crypto/aead.h"
#include "crypto/locked_key.h"
#include "crypto/value_sealer.h"
#include "store/records.h"
#include "store/store.h"

namespace voxsecrets::crypto {

// Where a Keyring finds a master key version it does not hold, after `voxsecrets keys
// rotate-master` ran while this process was serving (server/master_key_watcher.h reads the
// server's key source again). Called with a reload mutex held, possibly inside a store
// transaction: it must not use the store. The Keyring checks the returned key itself.
class MasterKeyReloader {
 public:
  virtual ~MasterKeyReloader() = default;
  // A key whose check value (key_check.h) is `check_value`, or an error saying why none could
  // be loaded (never containing key material).
  virtual Result<LockedKey> Load(uint32_t version, std::string_view check_value) = 0;
};

struct KeyringOptions {
  // Values one data key may seal before the next version is made. Default 2^31.
  int64_t max_encryptions_per_key = int64_t{1} << 31;
  // Unwrapped data keys kept in memory (one locked page each). Default 1024 (4 MiB).
  size_t cache_capacity = 1024;
};

class Keyring final : public ValueSealer {
 public:
  // REQUIRES: master_key.valid(); master_key_version is the one VerifyMasterKey returned.
  static Result<std::unique_ptr<Keyring>> Create(LockedKey master_key, uint32_t master_key_version,
                                                 SecureRandom& random, const Clock& clock,
                                                 KeyringOptions options = {});

  // ValueSealer
  Result<SealedValue> Seal(store::Tx& tx, const ValueContext& ctx,
                           std::string_view plaintext) override;
  Result<SecureBytes> Open(store::Tx& tx, const ValueContext& ctx,
                           const SealedValue& sealed) override;
  void ForgetApplication(int64_t application_id) override;

  // Makes the next data key version of the application the active one and returns it.
  // REQUIRES: `tx` is a write transaction.
  Result<uint32_t> AddDataKeyVersion(store::Tx& tx, int64_t application_id);
  // Drops cached keys of the application's versions below `version` (after they were deleted).
  void ForgetVersionsBelow(int64_t application_id, uint32_t version);

  // Sets where missing master key versions are loaded from (nullptr: nowhere). Call before
  // the Keyring is shared between threads.
  void SetMasterKeyReloader(MasterKeyReloader* reloader) { reloader_ = reloader; }
  // Catches up with the store's master key: when the store's current version moved past the one
  // this Keyring wraps with, loads it (through the reloader), makes it the wrapping key and drops
  // older master keys; when a rotation to the next version is under way, loads that one too so
  // data keys already rewrapped can be unwrapped. Reads the meta repository only, so a read
  // transaction is enough. Returns the version new data keys are now wrapped with. Errors:
  // kUnavailable (the reloader has no key with the stored check value, or there is no
  // reloader), kDataLoss (malformed meta).
  Result<uint32_t> RefreshMasterKey(store::Tx& tx);

  // The master key version new data keys are wrapped with.
  uint32_t master_key_version() const { return master_key_version_.load(); }
  // Master key versions held in memory (tests, `keys status`).
  std::vector<uint32_t> held_master_key_versions() const;
  // True when the master key or some data key could not be mlock()ed (or excluded from core
  // dumps). The keys still work; log it once.
  bool memory_lock_degraded() const { return memory_lock_degraded_.load(); }
  // Number of cached data keys (tests, metrics).
  size_t cached_keys() const;
  // Data key lookups answered from the cache, and those that unwrapped the key (metrics).
  uint64_t cache_hits() const { return cache_hits_.load(std::memory_order_relaxed); }
  uint64_t cache_misses() const { return cache_misses_.load(std::memory_order_relaxed); }

 private:
  using CacheId = std::pair<int64_t, uint32_t>;  // (application_id, version)
  struct CacheEntry {
    std::string key_id;
    std::shared_ptr<const LockedKey> key;
    std::list<CacheId>::iterator lru;
  };

  Keyring(Aes256GcmPtr aead, LockedKey master_key, uint32_t master_key_version,
          SecureRandom& random, const Clock& clock, KeyringOptions options);

  // The master key of `version`, from memory or loaded through the reloader (after checking it
  // against the check value the store holds for that version); nullptr when not available.
  // `why` gets the reason then.
  std::shared_ptr<const LockedKey> MasterKey(store::Tx& tx, uint32_t version, std::string* why)
      EXCLUDES(mu_);
  // Loads master key `version` through the reloader. Takes reload_mu_, then mu_.
  Status LoadMasterKey(store::Tx& tx, uint32_t version) EXCLUDES(reload_mu_, mu_);
  // Makes `version` (held) the wrapping version and drops older master keys.
  void AdvanceTo(uint32_t version) EXCLUDES(mu_);
  // Creates, stores and caches data key `version` of the application.
  Result<std::shared_ptr<const LockedKey>> CreateDataKey(store::Tx& tx, int64_t application_id,
                                                         uint32_t version);
  // The unwrapped key of a stored record, from the cache or by unwrapping.
  Result<std::shared_ptr<const LockedKey>> KeyFor(store::Tx& tx,
                                                  const store::DataKeyRecord& record);
  void CachePut(CacheId id, std::string key_id, std::shared_ptr<const LockedKey> key) EXCLUDES(mu_);
  void NoteLocking(const LockedKey& key);

  const Aes256GcmPtr aead_;
  std::atomic<uint32_t> master_key_version_;  // wraps new data keys
  SecureRandom& random_;
  const Clock& clock_;
  const KeyringOptions options_;
  MasterKeyReloader* reloader_ = nullptr;
  std::atomic<bool> memory_lock_degraded_{false};
  std::atomic<uint64_t> cache_hits_{0};
  std::atomic<uint64_t> cache_misses_{0};

  // Serialises reloads; records the last failed one so that a missing key is not looked for
  // more than once a second per version.
  Mutex reload_mu_;
  uint32_t failed_version_ GUARDED_BY(reload_mu_) = 0;
  int64_t failed_at_ GUARDED_BY(reload_mu_) = 0;
  Status failed_status_ GUARDED_BY(reload_mu_);

  mutable Mutex mu_ ACQUIRED_AFTER(reload_mu_);
  std::map<uint32_t, std::shared_ptr<const LockedKey>> master_keys_ GUARDED_BY(mu_);
  std::map<CacheId, CacheEntry> cache_ GUARDED_BY(mu_);
  std::list<CacheId> lru_ GUARDED_BY(mu_);  // most recently used first
};

using KeyringPtr = std::unique_ptr<Keyring>;

}  // namespace voxsecrets::crypto

#endif  // VOXSECRETS_CRYPTO_KEYRING_H_
