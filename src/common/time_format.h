// The API's date format: "YYYY-MM-DD HH:MM:SS", always UTC.
#ifndef VOXSECRETS_COMMON_TIME_FORMAT_H_
#define VOXSECRETS_COMMON_TIME_FORMAT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace voxsecrets {

// Formats seconds since the Unix epoch (UTC) as "YYYY-MM-DD HH:MM:SS".
std::string FormatApiTime(int64_t unix_seconds);

// Parses "YYYY-MM-DD HH:MM:SS" (UTC) into seconds since the epoch; std::nullopt when malformed or
// not a real calendar time.
std::optional<int64_t> ParseApiTime(std::string_view text);

}  // namespace voxsecrets

#endif  // VOXSECRETS_COMMON_TIME_FORMAT_H_
