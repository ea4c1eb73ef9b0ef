// UTF-8 helpers for the API's length rules, which count Unicode code points, not bytes.
#ifndef VOXSECRETS_COMMON_UTF8_H_
#define VOXSECRETS_COMMON_UTF8_H_

#include <cstddef>
#include <optional>
#include <string_view>

namespace voxsecrets {

// Number of code points in `s` when it is valid UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF); std::nullopt otherwise.
std::optional<size_t> Utf8CodePoints(std::string_view s);

// The longest prefix of `s` holding at most `max_code_points` code points. REQUIRES: `s` is
// valid UTF-8. Never cuts inside a character.
std::string_view Utf8Prefix(std::string_view s, size_t max_code_points);

}  // namespace voxsecrets

#endif  // VOXSECRETS_COMMON_UTF8_H_
