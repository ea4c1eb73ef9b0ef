// Logger: structured log lines (one JSON object per line) for operators and log shippers.
//
// Callers pass fields explicitly; nothing is formatted from request data implicitly. Never pass a
// secret value, token, api_key or key material as a field: there is no field type for them.
//
// Thread-safety: Log may be called from any thread; lines are written whole.
#ifndef VOXSECRETS_COMMON_LOG_H_
#define VOXSECRETS_COMMON_LOG_H_

#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

#include "common/clock.h"
#include "common/mutex.h"

namespace voxsecrets {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

struct LogField {
  std::string_view key;
  std::variant<std::string_view, int64_t, bool> value;
};

class Logger {
 public:
  virtual ~Logger() = default;
  virtual void Log(LogLevel level, std::string_view message,
                   std::initializer_list<LogField> fields = {}) = 0;

  void Info(std::string_view m, std::initializer_list<LogField> f = {}) {
    Log(LogLevel::kInfo, m, f);
  }
  void Warn(std::string_view m, std::initializer_list<LogField> f = {}) {
    Log(LogLevel::kWarn, m, f);
  }
  void Error(std::string_view m, std::initializer_list<LogField> f = {}) {
    Log(LogLevel::kError, m, f);
  }
};

// Writes JSON lines {"ts":"...","level":"info","msg":"...",<fields>} to a stdio stream.
// The stream must outlive the logger.
class JsonLineLogger final : public Logger {
 public:
  JsonLineLogger(std::FILE* out, const Clock& clock, LogLevel min_level = LogLevel::kInfo)
      : out_(out), clock_(clock), min_level_(min_level) {}
  // Logger
  void Log(LogLevel level, std::string_view message,
           std::initializer_list<LogField> fields) override;

 private:
  Mutex mu_;  // one line at a time on out_
  std::FILE* const out_ PT_GUARDED_BY(mu_);
  const Clock& clock_;
  const LogLevel min_level_;
};

}  // namespace voxsecrets

#endif  // VOXSECRETS_COMMON_LOG_H_
