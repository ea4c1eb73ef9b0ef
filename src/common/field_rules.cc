#include "common/field_rules.h"

#include "common/utf8.h"

namespace voxsecrets {

Result<std::string> NormalizeDescription(std::string_view description, std::string_view param) {
  if (!Utf8CodePoints(description).has_value() ||
      description.find('\0') != std::string_view::npos) {
    return InvalidArgument(param, "The '" + std::string(param) +
                                      "' parameter is invalid: it must be UTF-8 text without "
                                      "NUL characters.");
  }
  return std::string(Utf8Prefix(description, kMaxDescriptionCodePoints));
}

Result<Paging> CheckPaging(std::optional<int64_t> count, std::optional<int64_t> offset) {
  Paging paging{count.value_or(kDefaultPageSize), offset.value_or(0)};
  if (paging.count < 1 || paging.count > kMaxPageSize) {
    return Status(
        StatusCode::kOutOfRange,
        "The 'count' parameter should be in range of 1.." + std::to_string(kMaxPageSize) + ".",
        "count");
  }
  if (paging.offset < 0) {
    return Status(StatusCode::kOutOfRange, "The 'offset' parameter should not be negative.",
                  "offset");
  }
  return paging;
}

std::string EchoForMessage(std::string_view text) {
  constexpr size_t kMaxEcho = 100;
  std::string out;
  size_t code_points = 0;
  size_t i = 0;
  for (; i < text.size() && code_points < kMaxEcho; ++code_points) {
    // Take the longest valid character starting at i (1..4 bytes), else one '?'.
    size_t len = 0;
    for (size_t n = 1; n <= 4 && i + n <= text.size(); ++n) {
      const std::optional<size_t> cps = Utf8CodePoints(text.substr(i, n));
      if (cps.has_value() && *cps == 1) {
        len = n;
        break;
      }
    }
    if (len == 0) {
      out += '?';
      ++i;
    } else {
      out.append(text.substr(i, len));
      i += len;
    }
  }
  if (i < text.size()) out += "...";
  return out;
}

}  // namespace voxsecrets
