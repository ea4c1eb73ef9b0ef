// VerifiedTokenCache: bearer tokens whose RS256 signature has been verified, so that a token
// reused until it expires (what the Go client and most scripts do) is decoded and verified once.
//
// An entry is keyed by the SHA-256 of the whole token text: a lookup hits only for the very bytes
// that were verified. It keeps what the signature covered and what the verification used (kid,
// iss, iat, exp, the parsed public key). It is NOT an authority on whether the token is still
// good: the Authenticator, on every hit, still asks the KeyDirectory for the key (a deleted key or
// changed roles apply to the very next request, also across nodes sharing a database), checks
// that the directory's key is the one that verified the signature, re-checks the issuer and
// re-checks every time rule against the clock (expiry).
//
// Bounded: at most `max_entries` entries (the default, 65536, is ~16 MiB at most). Inserting into
// a full cache evicts the oldest insertion first (FIFO: tokens inserted first expire first, as
// every client gives its tokens the same lifetime). Expired entries are dropped when a lookup
// finds them expired, or when they are the oldest.
// Only the digest of a token is kept, never the token itself.
//
// Thread-safety: all methods may be called concurrently (lookups take a shared lock).
// Ownership: entries share the parsed key with KeyCache (SharedPublicKey); a held key stays alive
// while an entry refers to it, so a pointer comparison can tell "the same key" (no reuse of
// addresses while compared).
#ifndef VOXSECRETS_AUTH_TOKEN_CACHE_H_
#define VOXSECRETS_AUTH_TOKEN_CACHE_H_

#include <openssl/types.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/key_cache.h"
#include "common/mutex.h"

namespace voxsecrets::auth {

struct VerifiedToken {
  std::string kid;
  int64_t iss = 0;
  int64_t iat = 0;
  int64_t exp = 0;
  SharedPublicKey key;  // the key that verified the signature
};

class VerifiedTokenCache {
 public:
  static constexpr size_t kDefaultMaxEntries = 65536;

  // REQUIRES: max_entries >= 1.
  explicit VerifiedTokenCache(size_t max_entries = kDefaultMaxEntries);
  VerifiedTokenCache(const VerifiedTokenCache&) = delete;
  VerifiedTokenCache& operator=(const VerifiedTokenCache&) = delete;

  // The entry of exactly this token text, if cached.
  std::optional<VerifiedToken> Find(std::string_view token) const;
  // Adds (or replaces) the entry of `token`, evicting the oldest entries when full.
  void Insert(std::string_view token, VerifiedToken entry);
  // Drops the entry of `token`, if any.
  void Erase(std::string_view token);
  void Clear();

  size_t size() const;
  size_t max_entries() const { return max_entries_; }
  size_t hits_for_test() const { return hits_.load(std::memory_order_relaxed); }
  // Find() calls that found the token, and those that did not (metrics).
  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  using Digest = std::array<unsigned char, 32>;
  struct DigestHash {
    size_t operator()(const Digest& d) const {
      size_t h;  // the digest is uniformly distributed: any 8 bytes are a good hash
      std::memcpy(&h, d.data(), sizeof(h));
      return h;
    }
  };
  struct Entry {
    VerifiedToken token;
    uint64_t seq = 0;  // matches the FIFO record that inserted it
  };
  struct FifoRecord {
    Digest digest;
    uint64_t seq = 0;
  };

  struct MdFree {
    void operator()(EVP_MD* md) const;
  };

  Digest DigestOf(std::string_view token) const;
  void EvictLocked() REQUIRES(mu_);

  const size_t max_entries_;
  // SHA-256, fetched from OpenSSL's provider once: EVP_sha256() makes EVP_Digest fetch the
  // algorithm again on every call (a lookup under a lock, about 10 % of a read's instructions).
  // Null only if the fetch failed; DigestOf then falls back to EVP_sha256().
  std::unique_ptr<EVP_MD, MdFree> sha256_;
  mutable std::atomic<size_t> hits_{0};
  mutable std::atomic<uint64_t> misses_{0};
  mutable SharedMutex mu_;
  std::unordered_map<Digest, Entry, DigestHash> map_ GUARDED_BY(mu_);
  std::deque<FifoRecord> fifo_ GUARDED_BY(mu_);  // oldest first
  uint64_t next_seq_ GUARDED_BY(mu_) = 1;
};

}  // namespace voxsecrets::auth

#endif  // VOXSECRETS_AUTH_TOKEN_CACHE_H_
