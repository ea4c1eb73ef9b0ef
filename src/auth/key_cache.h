// KeyCache: kid → parsed RSA public key (EVP_PKEY), so that a key's PEM is parsed once, not on
// every request (a PEM parse costs ~300 µs with OpenSSL 3.0, an RS256 verification ~21 µs).
//
// The cache is never the authority on whether a key exists or what it is: callers always look the
// key up in the directory first and pass the PEM they got. An entry is used only when its PEM is
// byte-for-byte the one passed in; otherwise the PEM is parsed again and replaces the entry. So a
// deleted key (the directory no longer returns it) or a replaced key can never be used through a
// stale entry; Invalidate() only frees memory early.
//
// Bounded: at most `max_entries` keys. Inserting into a full cache evicts the least recently used
// entry (recency is a relaxed atomic tick, so hits need only the shared lock).
// A PEM that fails to parse is not cached (each attempt parses again).
//
// Thread-safety: all methods may be called concurrently. Hits take a shared lock; misses parse
// outside any lock, then take the exclusive lock to insert.
// Ownership: Get() returns a shared handle; the key stays alive for its holders even after the
// entry is evicted or invalidated.
#ifndef VOXSECRETS_AUTH_KEY_CACHE_H_
#define VOXSECRETS_AUTH_KEY_CACHE_H_

#include <openssl/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/mutex.h"
#include "common/status.h"

namespace voxsecrets::auth {

// A parsed public key shared between the cache and in-flight verifications. Use it read-only.
using SharedPublicKey = std::shared_ptr<EVP_PKEY>;

class KeyCache {
 public:
  static constexpr size_t kDefaultMaxEntries = 10000;

  // REQUIRES: max_entries >= 1.
  explicit KeyCache(size_t max_entries = kDefaultMaxEntries);
  KeyCache(const KeyCache&) = delete;
  KeyCache& operator=(const KeyCache&) = delete;

  // The parsed key for `kid` whose SubjectPublicKeyInfo PEM is `pem`: from the cache when the
  // cached PEM equals `pem`, else parsed (rs256.h ParseRsaPublicKeyPem) and cached.
  // kInvalidArgument when `pem` is not an acceptable RSA public key.
  Result<SharedPublicKey> Get(std::string_view kid, std::string_view pem);

  // Drops the entry of `kid`, if any (e.g. after DeleteKey).
  void Invalidate(std::string_view kid);
  void Clear();

  size_t size() const;
  size_t max_entries() const { return max_entries_; }
  // How many PEMs were parsed successfully so far (tests check that a kid is parsed once).
  size_t parse_count_for_test() const { return parse_count_.load(std::memory_order_relaxed); }
  // Lookups answered from the cache, and lookups that had to parse (metrics).
  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  struct Entry {
    std::string pem;
    SharedPublicKey key;
    mutable std::atomic<uint64_t> last_used{0};
  };
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Map = std::unordered_map<std::string, std::unique_ptr<Entry>, StringHash, std::equal_to<>>;

  void EvictOneLocked() REQUIRES(mu_);  // REQUIRES: map_ not empty.

  const size_t max_entries_;
  std::atomic<uint64_t> tick_{0};
  std::atomic<size_t> parse_count_{0};
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
  mutable SharedMutex mu_;
  Map map_ GUARDED_BY(mu_);
};

}  // namespace voxsecrets::auth

#endif  // VOXSECRETS_AUTH_KEY_CACHE_H_
