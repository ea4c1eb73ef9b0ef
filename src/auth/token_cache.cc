#include "auth/token_cache.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <cassert>
#include <utility>

namespace voxsecrets::auth {

void VerifiedTokenCache::MdFree::operator()(EVP_MD* md) const { EVP_MD_free(md); }

VerifiedTokenCache::VerifiedTokenCache(size_t max_entries)
    : max_entries_(max_entries), sha256_(EVP_MD_fetch(nullptr, "SHA256", nullptr)) {
  assert(max_entries >= 1);
  if (!sha256_) ERR_clear_error();
}

VerifiedTokenCache::Digest VerifiedTokenCache::DigestOf(std::string_view token) const {
  Digest digest{};
  unsigned int len = 0;
  const EVP_MD* md = sha256_ ? sha256_.get() : EVP_sha256();
  if (EVP_Digest(token.data(), token.size(), digest.data(), &len, md, nullptr) != 1 ||
      len != digest.size()) {
    // Never happens with OpenSSL's built-in SHA-256. An all-zero digest would make every token
    // share one slot; it is still safe (a hit is re-verified against the directory), only slow.
    ERR_clear_error();
    digest.fill(0);
  }
  return digest;
}

std::optional<VerifiedToken> VerifiedTokenCache::Find(std::string_view token) const {
  const Digest digest = DigestOf(token);
  ReaderMutexLock lock(mu_);
  auto it = map_.find(digest);
  if (it == map_.end()) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  }
  hits_.fetch_add(1, std::memory_order_relaxed);
  return it->second.token;
}

void VerifiedTokenCache::Insert(std::string_view token, VerifiedToken entry) {
  const Digest digest = DigestOf(token);
  WriterMutexLock lock(mu_);
  auto it = map_.find(digest);
  if (it == map_.end()) EvictLocked();
  const uint64_t seq = next_seq_++;
  map_[digest] = Entry{std::move(entry), seq};
  fifo_.push_back(FifoRecord{digest, seq});
}

void VerifiedTokenCache::EvictLocked() {
  while (!fifo_.empty() && map_.size() >= max_entries_) {
    const FifoRecord oldest = fifo_.front();
    fifo_.pop_front();
    auto it = map_.find(oldest.digest);
    if (it != map_.end() && it->second.seq == oldest.seq) map_.erase(it);
  }
  // Records of erased or replaced entries stay in the FIFO until they reach its front; keep the
  // FIFO within twice the map's bound by dropping them all at once (amortised O(1) per insert).
  if (fifo_.size() >= 2 * max_entries_) {
    std::deque<FifoRecord> live;
    for (const FifoRecord& record : fifo_) {
      auto it = map_.find(record.digest);
      if (it != map_.end() && it->second.seq == record.seq) live.push_back(record);
    }
    fifo_.swap(live);
  }
}

void VerifiedTokenCache::Erase(std::string_view token) {
  const Digest digest = DigestOf(token);
  WriterMutexLock lock(mu_);
  map_.erase(digest);
}

void VerifiedTokenCache::Clear() {
  WriterMutexLock lock(mu_);
  map_.clear();
  fifo_.clear();
}

size_t VerifiedTokenCache::size() const {
  ReaderMutexLock lock(mu_);
  return map_.size();
}

}  // namespace voxsecrets::auth
