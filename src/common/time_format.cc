#include "common/time_format.h"

#include <charconv>
#include <cstdio>

namespace voxsecrets {
namespace {

// Howard Hinnant's days_from_civil / civil_from_days (public domain algorithms).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

bool ParseField(std::string_view s, size_t pos, size_t len, int* out) {
  const char* b = s.data() + pos;
  for (size_t i = 0; i < len; ++i) {
    if (b[i] < '0' || b[i] > '9') return false;
  }
  auto r = std::from_chars(b, b + len, *out);
  return r.ec == std::errc() && r.ptr == b + len;
}

}  // namespace

std::string FormatApiTime(int64_t t) {
  int64_t days = t / 86400;
  int64_t rem = t % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  const int hour = static_cast<int>(rem / 3600);
  const int minute = static_cast<int>(rem % 3600 / 60);
  const int second = static_cast<int>(rem % 60);
  if (y < 0 || y > 9999) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02u %02d:%02d:%02d", static_cast<long long>(y), m,
                  d, hour, minute, second);
    return buf;
  }
  // Every answer and audit record formats times: digits by hand, not snprintf's format parser.
  std::string out = "0000-00-00 00:00:00";
  const auto two = [&out](size_t at, unsigned v) {
    out[at] = static_cast<char>('0' + v / 10);
    out[at + 1] = static_cast<char>('0' + v % 10);
  };
  const auto year = static_cast<unsigned>(y);
  two(0, year / 100);
  two(2, year % 100);
  two(5, m);
  two(8, d);
  two(11, static_cast<unsigned>(hour));
  two(14, static_cast<unsigned>(minute));
  two(17, static_cast<unsigned>(second));
  return out;
}

std::optional<int64_t> ParseApiTime(std::string_view s) {
  if (s.size() != 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' ||
      s[16] != ':') {
    return std::nullopt;
  }
  int y, mo, d, h, mi, se;
  if (!ParseField(s, 0, 4, &y) || !ParseField(s, 5, 2, &mo) || !ParseField(s, 8, 2, &d) ||
      !ParseField(s, 11, 2, &h) || !ParseField(s, 14, 2, &mi) || !ParseField(s, 17, 2, &se)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 59) return std::nullopt;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  const int dim = kDays[mo - 1] + (mo == 2 && leap ? 1 : 0);
  if (d > dim) return std::nullopt;
  return DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 +
         mi * 60 + se;
}

}  // namespace voxsecrets
