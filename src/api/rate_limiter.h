// RateLimiter: request rates per client address or per key, as token buckets (docs/SECURITY.md
// "Rate limits"). Off unless configured (`serve --rate-limit-ip`, `--rate-limit-key`); a call
// over its rate is answered with error 340 (StatusCode::kRateLimited, docs/DECISIONS.md "Limits").
//
// Each key ("10.0.0.7", a key id) has a bucket of `burst` tokens, refilled at `per_second`; a call
// takes one token or is refused. Buckets are kept for at most `max_keys` keys: when a new key
// would exceed that, the least recently used bucket is dropped (a dropped bucket starts full
// again, so memory is bounded and the worst an attacker spraying addresses gains is a full bucket
// per address, which the connection limits bound anyway).
//
// Time comes from the injected Clock (milliseconds); a clock that steps back refills nothing.
// Thread-safety: Allow() may be called from any thread (one mutex).
#ifndef VOXSECRETS_API_RATE_LIMITER_H_
#define VOXSECRETS_API_RATE_LIMITER_H_

#include <cstddef>
#include <cstdint>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.h"
#include "common/mutex.h"

namespace voxsecrets::api {

struct RateLimit {
  double per_second = 0;  // 0 = no limit
  double burst = 0;       // bucket size; 0 = max(1, 2 × per_second)
  size_t max_keys = 65536;
};

class RateLimiter {
 public:
  RateLimiter(RateLimit limit, const Clock& clock);
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  bool enabled() const { return per_ms_ > 0; }
  // Takes a token from `key`'s bucket: false when it is empty. Always true when disabled.
  bool Allow(std::string_view key) EXCLUDES(mu_);
  size_t tracked() const EXCLUDES(mu_);

 private:
  struct Bucket {
    double tokens = 0;
    int64_t updated_ms = 0;
    std::list<std::string>::iterator in_lru;
  };

  const double per_ms_;
  const double burst_;
  const size_t max_keys_;
  const Clock& clock_;
  mutable Mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_ GUARDED_BY(mu_);
  std::list<std::string> lru_ GUARDED_BY(mu_);  // least recent first
};

}  // namespace voxsecrets::api

#endif  // VOXSECRETS_API_RATE_LIMITER_H_
