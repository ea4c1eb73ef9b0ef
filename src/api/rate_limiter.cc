#include "api/rate_limiter.h"

#include <algorithm>

namespace voxsecrets::api {

RateLimiter::RateLimiter(RateLimit limit, const Clock& clock)
    : per_ms_(limit.per_second > 0 ? limit.per_second / 1000.0 : 0),
      burst_(limit.burst > 0 ? limit.burst : std::max(1.0, 2 * limit.per_second)),
      max_keys_(std::max<size_t>(1, limit.max_keys)),
      clock_(clock) {}

bool RateLimiter::Allow(std::string_view key) {
  if (!enabled()) return true;
  const int64_t now = clock_.NowMillis();
  MutexLock lock(mu_);
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) {
      buckets_.erase(lru_.front());
      lru_.pop_front();
    }
    it = buckets_.emplace(std::string(key), Bucket{burst_, now, {}}).first;
    it->second.in_lru = lru_.insert(lru_.end(), it->first);
  } else {
    lru_.splice(lru_.end(), lru_, it->second.in_lru);
  }
  Bucket& bucket = it->second;
  if (now > bucket.updated_ms) {
    bucket.tokens =
        std::min(burst_, bucket.tokens + static_cast<double>(now - bucket.updated_ms) * per_ms_);
    bucket.updated_ms = now;
  }
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

size_t RateLimiter::tracked() const {
  MutexLock lock(mu_);
  return buckets_.size();
}

}  // namespace voxsecrets::api
