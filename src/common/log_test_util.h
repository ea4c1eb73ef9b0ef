// RecordingLogger: a Logger for tests. It keeps every line (level, message, fields rendered as
// text) and lets a test wait until a line appears, so that a test of a background thread asserts
// on what the thread did instead of sleeping. Test-only; not part of vs_common.
//
// Thread-safety: Log may be called from any thread while the test reads or waits.
#ifndef VOXSECRETS_COMMON_LOG_TEST_UTIL_H_
#define VOXSECRETS_COMMON_LOG_TEST_UTIL_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/log.h"
#include "common/mutex.h"

namespace voxsecrets {

// How long WaitFor waits for a line by default: a guard that turns a hang into a failure, not a
// performance bound (a healthy thread logs within milliseconds).
inline constexpr std::chrono::seconds kLogWaitGuard{30};

class RecordingLogger final : public Logger {
 public:
  struct Line {
    LogLevel level = LogLevel::kInfo;
    std::string message;
    std::map<std::string, std::string> fields;
  };

  void Log(LogLevel level, std::string_view message,
           std::initializer_list<LogField> fields) override {
    Line line{level, std::string(message), {}};
    for (const LogField& f : fields) {
      std::string value;
      if (const auto* s = std::get_if<std::string_view>(&f.value)) value = std::string(*s);
      if (const auto* i = std::get_if<int64_t>(&f.value)) value = std::to_string(*i);
      if (const auto* b = std::get_if<bool>(&f.value)) value = *b ? "true" : "false";
      line.fields[std::string(f.key)] = std::move(value);
    }
    {
      MutexLock lock(mu_);
      lines_.push_back(std::move(line));
    }
    cv_.SignalAll();
  }

  std::vector<Line> lines() const {
    MutexLock lock(mu_);
    return lines_;
  }

  // The number of lines whose message contains `text`.
  size_t Count(std::string_view text) const {
    MutexLock lock(mu_);
    return CountLocked(text);
  }

  // Waits until at least `n` lines whose message contains `text` were logged. False when that did
  // not happen within `guard`.
  bool WaitFor(std::string_view text, size_t n = 1,
               std::chrono::milliseconds guard = kLogWaitGuard) {
    MutexLock lock(mu_);
    const auto deadline = std::chrono::steady_clock::now() + guard;
    while (CountLocked(text) < n) {
      if (cv_.WaitUntil(mu_, deadline) == std::cv_status::timeout) return CountLocked(text) >= n;
    }
    return true;
  }

 private:
  size_t CountLocked(std::string_view text) const REQUIRES(mu_) {
    size_t n = 0;
    for (const Line& line : lines_) {
      if (line.message.find(text) != std::string::npos) ++n;
    }
    return n;
  }

  mutable Mutex mu_;
  CondVar cv_;  // signalled when a line is added
  std::vector<Line> lines_ GUARDED_BY(mu_);
};

}  // namespace voxsecrets

#endif  // VOXSECRETS_COMMON_LOG_TEST_UTIL_H_
