// Clock: the only source of "now" in voxsecrets. Injected everywhere so that JWT time rules,
// created/modified stamps and audit times are testable without sleeping.
//
// Thread-safety: implementations must be safe to call from any thread.
#ifndef VOXSECRETS_COMMON_CLOCK_H_
#define VOXSECRETS_COMMON_CLOCK_H_

#include <atomic>
#include <chrono>
#include <cstdint>

namespace voxsecrets {

class Clock {
 public:
  virtual ~Clock() = default;
  // Seconds since the Unix epoch, UTC.
  virtual int64_t NowSeconds() const = 0;
  // Milliseconds since the Unix epoch, UTC (audit records, metrics).
  virtual int64_t NowMillis() const { return NowSeconds() * 1000; }
};

class SystemClock final : public Clock {
 public:
  // Clock
  int64_t NowSeconds() const override {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  int64_t NowMillis() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

// A clock tests set by hand. Safe to share between threads.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t now_seconds = 1767225600 /* 2026-01-01 00:00:00 UTC */)
      : now_ms_(now_seconds * 1000) {}
  void SetSeconds(int64_t s) { now_ms_ = s * 1000; }
  void AdvanceSeconds(int64_t s) { now_ms_ += s * 1000; }
  void AdvanceMillis(int64_t ms) { now_ms_ += ms; }
  // Clock
  int64_t NowSeconds() const override { return now_ms_ / 1000; }
  int64_t NowMillis() const override { return now_ms_; }

 private:
  std::atomic<int64_t> now_ms_;
};

}  // namespace voxsecrets

#endif  // VOXSECRETS_COMMON_CLOCK_H_
