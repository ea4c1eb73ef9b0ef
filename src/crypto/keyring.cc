#include "crypto/keyring.h"

#include <array>
#include <optional>
#include <vector>

#include "common/secure_bytes.h"
#include "crypto/data_key_wrap.h"
#include "crypto/key_check.h"
#include "crypto/value_record.h"

namespace voxsecrets::crypto {
namespace {

std::string Where(const ValueContext& ctx) {
  return "secret " + std::to_string(ctx.secret_id) + " of application " +
         std::to_string(ctx.application_id);
}

// Marks what went wrong in the keyring itself (StatusOrigin::kCrypto); a failure of the store
// beneath keeps its kStore.
template <typename T>
Result<T> FromKeyring(Result<T> result) {
  if (result.ok() || result.status().origin() != StatusOrigin::kUnspecified) return result;
  return result.status().WithOrigin(StatusOrigin::kCrypto);
}

}  // namespace

Result<std::unique_ptr<Keyring>> Keyring::Create(LockedKey master_key, uint32_t master_key_version,
                                                 SecureRandom& random, const Clock& clock,
                                                 KeyringOptions options) {
  if (!master_key.valid()) return InternalError("the keyring needs a master key");
  if (master_key_version == 0) return InternalError("master key versions start at 1");
  if (options.max_encryptions_per_key < 1) options.max_encryptions_per_key = 1;
  if (options.cache_capacity < 1) options.cache_capacity = 1;
  VS_ASSIGN_OR_RETURN(Aes256GcmPtr aead, Aes256Gcm::Create());
  return std::unique_ptr<Keyring>(new Keyring(std::move(aead), std::move(master_key),
                                              master_key_version, random, clock, options));
}

Keyring::Keyring(Aes256GcmPtr aead, LockedKey master_key, uint32_t master_key_version,
                 SecureRandom& random, const Clock& clock, KeyringOptions options)
    : aead_(std::move(aead)),
      master_key_version_(master_key_version),
      random_(random),
      clock_(clock),
      options_(options) {
  NoteLocking(master_key);
  master_keys_.emplace(master_key_version,
                       std::make_shared<const LockedKey>(std::move(master_key)));
}

void Keyring::NoteLocking(const LockedKey& key) {
  if (!key.memory_locked() || !key.dump_excluded()) memory_lock_degraded_.store(true);
}

Result<SealedValue> Keyring::Seal(store::Tx& tx, const ValueContext& ctx,
                                  std::string_view plaintext) {
  return FromKeyring([&]() -> Result<SealedValue> {
    store::DataKeyRepository& keys = tx.data_keys();
    VS_ASSIGN_OR_RETURN(std::optional<store::DataKeyRecord> active,
                        keys.FindActive(ctx.application_id));
    std::shared_ptr<const LockedKey> dek;
    uint32_t version = 0;
    if (!active || active->encryptions >= options_.max_encryptions_per_key) {
      version = active ? active->version + 1 : 1;
      VS_ASSIGN_OR_RETURN(dek, CreateDataKey(tx, ctx.application_id, version));
    } else {
      version = active->version;
      VS_ASSIGN_OR_RETURN(dek, KeyFor(tx, *active));
    }
    VS_ASSIGN_OR_RETURN(int64_t count, keys.AddEncryptions(ctx.application_id, version, 1));
    (void)count;  // the limit is enforced before use; see the header about overshoot
    return SealValueRecord(*aead_, dek->bytes(), version, random_, ctx, plaintext);
  }());
}

Result<SecureBytes> Keyring::Open(store::Tx& tx, const ValueContext& ctx,
                                  const SealedValue& sealed) {
  return FromKeyring([&]() -> Result<SecureBytes> {
    auto version = ValueRecordKeyVersion(sealed);
    if (!version.ok()) {
      return Status(StatusCode::kDataLoss, "the stored value of " + Where(ctx) +
                                               " is corrupt: " + version.status().message());
    }
    VS_ASSIGN_OR_RETURN(std::optional<store::DataKeyRecord> record,
                        tx.data_keys().Find(ctx.application_id, *version));
    if (!record) {
      return Status(StatusCode::kDataLoss, "the stored value of " + Where(ctx) +
                                               " needs data key version " +
                                               std::to_string(*version) + ", which does not exist");
    }
    VS_ASSIGN_OR_RETURN(std::shared_ptr<const LockedKey> dek, KeyFor(tx, *record));
    auto plain = OpenValueRecord(*aead_, dek->bytes(), ctx, sealed);
    if (!plain.ok() && plain.status().code() == StatusCode::kDataLoss) {
      return Status(StatusCode::kDataLoss,
                    "the stored value of " + Where(ctx) +
                        " failed authentication (corrupt, tampered with or moved)");
    }
    return plain;
  }());
}

void Keyring::ForgetApplication(int64_t application_id) {
  MutexLock lock(mu_);
  auto it = cache_.lower_bound(CacheId(application_id, 0));
  while (it != cache_.end() && it->first.first == application_id) {
    lru_.erase(it->second.lru);
    it = cache_.erase(it);
  }
}

void Keyring::ForgetVersionsBelow(int64_t application_id, uint32_t version) {
  MutexLock lock(mu_);
  auto it = cache_.lower_bound(CacheId(application_id, 0));
  while (it != cache_.end() && it->first.first == application_id && it->first.second < version) {
    lru_.erase(it->second.lru);
    it = cache_.erase(it);
  }
}

size_t Keyring::cached_keys() const {
  MutexLock lock(mu_);
  return cache_.size();
}

Result<uint32_t> Keyring::AddDataKeyVersion(store::Tx& tx, int64_t application_id) {
  VS_ASSIGN_OR_RETURN(std::optional<store::DataKeyRecord> active,
                      tx.data_keys().FindActive(application_id));
  const uint32_t version = active ? active->version + 1 : 1;
  VS_RETURN_IF_ERROR(CreateDataKey(tx, application_id, version).status());
  return version;
}

Result<std::shared_ptr<const LockedKey>> Keyring::CreateDataKey(store::Tx& tx,
                                                                int64_t application_id,
                                                                uint32_t version) {
  // A server that missed a master key rotation must not wrap new keys with the old master key:
  // it catches up (through the reloader) or refuses.
  VS_ASSIGN_OR_RETURN(std::optional<uint32_t> current, CurrentMasterKeyVersion(tx));
  uint32_t wrap_version = master_key_version_.load();
  std::shared_ptr<const LockedKey> master;
  if (current && *current != wrap_version) {
    std::string why;
    if (*current > wrap_version) master = MasterKey(tx, *current, &why);
    if (master == nullptr) {
      return Unavailable("the master key was rotated to version " + std::to_string(*current) +
                         " (this process holds version " + std::to_string(wrap_version) +
                         (why.empty() ? "" : "; " + why) +
                         "); restart it with the current master key");
    }
    AdvanceTo(*current);
    wrap_version = *current;
  } else {
    std::string why;
    master = MasterKey(tx, wrap_version, &why);
    if (master == nullptr) return InternalError("the wrapping master key is gone: " + why);
  }
  VS_ASSIGN_OR_RETURN(LockedKey dek, LockedKey::Allocate());
  random_.Fill(dek.mutable_bytes());
  NoteLocking(dek);
  std::array<uint8_t, kDataKeyIdSize> id_bytes{};
  random_.Fill(id_bytes);
  std::string key_id(reinterpret_cast<const char*>(id_bytes.data()), id_bytes.size());
  store::DataKeyRecord record;
  record.application_id = application_id;
  record.version = version;
  record.master_key_version = wrap_version;
  record.encryptions = 0;
  record.created = clock_.NowSeconds();
  VS_ASSIGN_OR_RETURN(record.wrapped_key, WrapDataKey(*aead_, *master, wrap_version, random_,
                                                      application_id, version, key_id, dek));
  Status inserted = tx.data_keys().Insert(record);
  if (inserted.code() == StatusCode::kAlreadyExists) {
    return Unavailable("data key version " + std::to_string(version) + " of application " +
                       std::to_string(application_id) +
                       " was created by another transaction at the same time; retry");
  }
  VS_RETURN_IF_ERROR(inserted);
  auto shared = std::make_shared<const LockedKey>(std::move(dek));
  // Safe even if `tx` rolls back: the entry is used only for a row with this key id.
  CachePut(CacheId(application_id, version), std::move(key_id), shared);
  return shared;
}

Result<std::shared_ptr<const LockedKey>> Keyring::KeyFor(store::Tx& tx,
                                                         const store::DataKeyRecord& record) {
  auto key_id = WrappedKeyId(record.wrapped_key);
  if (!key_id.ok()) {
    return Status(StatusCode::kDataLoss,
                  "data key version " + std::to_string(record.version) + " of application " +
                      std::to_string(record.application_id) + " is malformed");
  }
  const CacheId id(record.application_id, record.version);
  {
    MutexLock lock(mu_);
    auto it = cache_.find(id);
    if (it != cache_.end() && it->second.key_id == *key_id) {
      lru_.splice(lru_.begin(), lru_, it->second.lru);
      cache_hits_.fetch_add(1, std::memory_order_relaxed);
      return it->second.key;
    }
  }
  cache_misses_.fetch_add(1, std::memory_order_relaxed);
  std::string why;
  std::shared_ptr<const LockedKey> master = MasterKey(tx, record.master_key_version, &why);
  if (master == nullptr) {
    return InternalError("data key version " + std::to_string(record.version) + " of application " +
                         std::to_string(record.application_id) +
                         " is wrapped by master key version " +
                         std::to_string(record.master_key_version) + ", which this process " +
                         "does not hold (" + why + "); restart it with the current master key");
  }
  VS_ASSIGN_OR_RETURN(LockedKey dek,
                      UnwrapDataKey(*aead_, *master, record.master_key_version, record));
  NoteLocking(dek);
  auto shared = std::make_shared<const LockedKey>(std::move(dek));
  CachePut(id, std::string(*key_id), shared);
  return shared;
}

std::vector<uint32_t> Keyring::held_master_key_versions() const {
  MutexLock lock(mu_);
  std::vector<uint32_t> out;
  for (const auto& [version, key] : master_keys_) out.push_back(version);
  return out;
}

std::shared_ptr<const LockedKey> Keyring::MasterKey(store::Tx& tx, uint32_t version,
                                                    std::string* why) {
  {
    MutexLock lock(mu_);
    auto it = master_keys_.find(version);
    if (it != master_keys_.end()) return it->second;
  }
  Status loaded = LoadMasterKey(tx, version);
  if (!loaded.ok()) {
    *why = loaded.message();
    return nullptr;
  }
  MutexLock lock(mu_);
  auto it = master_keys_.find(version);
  if (it != master_keys_.end()) return it->second;
  *why = "master key version " + std::to_string(version) + " was dropped";
  return nullptr;
}

Status Keyring::LoadMasterKey(store::Tx& tx, uint32_t version) {
  MutexLock reload_lock(reload_mu_);
  {
    MutexLock lock(mu_);
    if (master_keys_.count(version) != 0) return Status::Ok();  // another thread loaded it
    // Never bring back a version older than the one new data keys are wrapped with.
    if (version < master_key_version_.load()) {
      return Unavailable("master key version " + std::to_string(version) + " was rotated out");
    }
  }
  if (reloader_ == nullptr) {
    return Unavailable("this process cannot load master key version " + std::to_string(version) +
                       " by itself");
  }
  const int64_t now = clock_.NowMillis();
  if (failed_version_ == version && now - failed_at_ < 1000 && now >= failed_at_) {
    return failed_status_;
  }
  const auto fail = [&](Status s) REQUIRES(reload_mu_) {
    failed_version_ = version;
    failed_at_ = now;
    failed_status_ = s;
    return s;
  };
  VS_ASSIGN_OR_RETURN(std::optional<std::string> check, tx.meta().Get(MetaKeyCheckName(version)));
  if (!check) {
    return fail(Unavailable("the store has no check value for master key version " +
                            std::to_string(version)));
  }
  auto key = reloader_->Load(version, *check);
  if (!key.ok()) return fail(Unavailable(key.status().message()));
  if (!ConstantTimeEquals(KeyCheckValue(*key), *check)) {
    return fail(Unavailable("the reloaded key is not master key version " +
                            std::to_string(version) + " (key check value differs)"));
  }
  NoteLocking(*key);
  failed_version_ = 0;
  MutexLock lock(mu_);
  master_keys_.emplace(version, std::make_shared<const LockedKey>(std::move(key).value()));
  return Status::Ok();
}

void Keyring::AdvanceTo(uint32_t version) {
  MutexLock lock(mu_);
  if (master_keys_.count(version) == 0) return;
  uint32_t expected = master_key_version_.load();
  while (expected < version && !master_key_version_.compare_exchange_weak(expected, version)) {
  }
  const uint32_t now_wrapping = master_key_version_.load();
  // Older keys are no longer needed: every data key was rewrapped before the store's current
  // version moved (crypto/rotation.h). Their pages are wiped when the last user lets go.
  master_keys_.erase(master_keys_.begin(), master_keys_.lower_bound(now_wrapping));
}

Result<uint32_t> Keyring::RefreshMasterKey(store::Tx& tx) {
  VS_ASSIGN_OR_RETURN(std::optional<uint32_t> current, CurrentMasterKeyVersion(tx));
  const uint32_t wrap_version = master_key_version_.load();
  if (!current || *current <= wrap_version) {
    // A rotation under way records the next version's check value first: have that key ready
    // for the data keys it rewraps. Not finding it yet is not an error.
    if (current && *current == wrap_version && reloader_ != nullptr) {
      VS_ASSIGN_OR_RETURN(std::optional<std::string> next,
                          tx.meta().Get(MetaKeyCheckName(wrap_version + 1)));
      if (next) {
        std::string why;
        (void)MasterKey(tx, wrap_version + 1, &why);
      }
    }
    return master_key_version_.load();
  }
  std::string why;
  if (MasterKey(tx, *current, &why) == nullptr) {
    return Unavailable("the master key was rotated to version " + std::to_string(*current) +
                       " (this process holds version " + std::to_string(wrap_version) +
                       "): " + why);
  }
  AdvanceTo(*current);
  return master_key_version_.load();
}

void Keyring::CachePut(CacheId id, std::string key_id, std::shared_ptr<const LockedKey> key) {
  MutexLock lock(mu_);
  auto it = cache_.find(id);
  if (it != cache_.end()) {
    it->second.key_id = std::move(key_id);
    it->second.key = std::move(key);
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return;
  }
  while (cache_.size() >= options_.cache_capacity && !lru_.empty()) {
    cache_.erase(lru_.back());
    lru_.pop_back();
  }
  lru_.push_front(id);
  cache_.emplace(id, CacheEntry{std::move(key_id), std::move(key), lru_.begin()});
}

}  // namespace voxsecrets::crypto
