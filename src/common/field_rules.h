// Field rules every service shares (secrets, applications, keys): descriptions, listing windows
// and echoing a name the caller sent in an error message. Pure functions of their inputs; safe
// from any thread.
//
// Failures are Statuses whose field_name is the parameter as the caller named it (`param`).
#ifndef VOXSECRETS_COMMON_FIELD_RULES_H_
#define VOXSECRETS_COMMON_FIELD_RULES_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace voxsecrets {

// description: silently cut to this many code points.
inline constexpr size_t kMaxDescriptionCodePoints = 200;
// Paging of listings: count 1..1000, default 20; offset >= 0, default 0.
inline constexpr int64_t kDefaultPageSize = 20;
inline constexpr int64_t kMaxPageSize = 1000;

// The stored form of a description: its first 200 code points, never cut inside a character.
// kInvalidArgument when it is not valid UTF-8 or contains NUL.
Result<std::string> NormalizeDescription(std::string_view description,
                                         std::string_view param = "description");

// Listing window after defaults: count 1..1000 (default 20), offset >= 0 (default 0); kOutOfRange
// blaming `count` / `offset` otherwise.
struct Paging {
  int64_t count = 0;
  int64_t offset = 0;
};
Result<Paging> CheckPaging(std::optional<int64_t> count, std::optional<int64_t> offset);

// `text` made safe and short for an error message: at most 100 code points, invalid UTF-8
// sequences replaced by '?'. Only for identifiers the caller sent (names), never for values.
std::string EchoForMessage(std::string_view text);

}  // namespace voxsecrets

#endif  // VOXSECRETS_COMMON_FIELD_RULES_H_
