#include "auth/key_cache.h"

#include <cassert>

#include "auth/rs256.h"

namespace voxsecrets::auth {

KeyCache::KeyCache(size_t max_entries) : max_entries_(max_entries) { assert(max_entries >= 1); }

Result<SharedPublicKey> KeyCache::Get(std::string_view kid, std::string_view pem) {
  {
    ReaderMutexLock lock(mu_);
    auto it = map_.find(kid);
    if (it != map_.end() && it->second->pem == pem) {
      it->second->last_used.store(tick_.fetch_add(1, std::memory_order_relaxed) + 1,
                                  std::memory_order_relaxed);
      hits_.fetch_add(1, std::memory_order_relaxed);
      return it->second->key;
    }
  }
  misses_.fetch_add(1, std::memory_order_relaxed);

  // Miss or changed PEM: parse without holding the lock (~300 µs).
  VS_ASSIGN_OR_RETURN(EvpPkeyPtr parsed, ParseRsaPublicKeyPem(pem));
  parse_count_.fetch_add(1, std::memory_order_relaxed);
  auto entry = std::make_unique<Entry>();
  entry->pem = std::string(pem);
  entry->key = SharedPublicKey(parsed.release(), EvpPkeyDeleter());
  entry->last_used.store(tick_.fetch_add(1, std::memory_order_relaxed) + 1,
                         std::memory_order_relaxed);
  SharedPublicKey key = entry->key;

  WriterMutexLock lock(mu_);
  auto it = map_.find(kid);
  if (it != map_.end()) {
    // Another thread may have inserted the same PEM meanwhile; either way the newest PEM wins.
    it->second = std::move(entry);
  } else {
    if (map_.size() >= max_entries_) EvictOneLocked();
    map_.emplace(std::string(kid), std::move(entry));
  }
  return key;
}

void KeyCache::EvictOneLocked() {
  auto oldest = map_.begin();
  uint64_t oldest_tick = oldest->second->last_used.load(std::memory_order_relaxed);
  for (auto it = std::next(map_.begin()); it != map_.end(); ++it) {
    const uint64_t t = it->second->last_used.load(std::memory_order_relaxed);
    if (t < oldest_tick) {
      oldest = it;
      oldest_tick = t;
    }
  }
  map_.erase(oldest);
}

void KeyCache::Invalidate(std::string_view kid) {
  WriterMutexLock lock(mu_);
  auto it = map_.find(kid);
  if (it != map_.end()) map_.erase(it);
}

void KeyCache::Clear() {
  WriterMutexLock lock(mu_);
  map_.clear();
}

size_t KeyCache::size() const {
  ReaderMutexLock lock(mu_);
  return map_.size();
}

}  // namespace voxsecrets::auth
