#include "common/log.h"

#include "common/encoding.h"
#include "common/time_format.h"

namespace voxsecrets {

void JsonLineLogger::Log(LogLevel level, std::string_view message,
                         std::initializer_list<LogField> fields) {
  if (level < min_level_) return;
  static constexpr std::string_view kNames[] = {"debug", "info", "warn", "error"};
  const int64_t ms = clock_.NowMillis();
  std::string line = "{\"ts\":";
  std::string ts = FormatApiTime(ms / 1000);
  char frac[8];
  std::snprintf(frac, sizeof(frac), ".%03d", static_cast<int>(ms % 1000));
  ts += frac;
  AppendJsonString(line, ts);
  line += ",\"level\":";
  AppendJsonString(line, kNames[static_cast<int>(level)]);
  line += ",\"msg\":";
  AppendJsonString(line, message);
  for (const LogField& f : fields) {
    line.push_back(',');
    AppendJsonString(line, f.key);
    line.push_back(':');
    if (const auto* s = std::get_if<std::string_view>(&f.value)) {
      AppendJsonString(line, *s);
    } else if (const auto* i = std::get_if<int64_t>(&f.value)) {
      line += std::to_string(*i);
    } else {
      line += std::get<bool>(f.value) ? "true" : "false";
    }
  }
  line += "}\n";
  MutexLock lock(mu_);
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

}  // namespace voxsecrets
