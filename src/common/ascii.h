// ASCII case folding for protocol tokens (HTTP header and media type names, "bearer", "true",
// "all", the domain part of application names) and ASCII whitespace trimming: independent of the
// locale; bytes outside A-Z (UTF-8 included) compare as they are.
//
// Thread-safety: pure functions.
#ifndef VOXSECRETS_COMMON_ASCII_H_
#define VOXSECRETS_COMMON_ASCII_H_

#include <cstddef>
#include <string_view>

namespace voxsecrets {

constexpr char AsciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

constexpr bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

// Space, tab, CR or LF.
constexpr bool IsAsciiSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// `s` without leading and trailing IsAsciiSpace characters.
constexpr std::string_view TrimAsciiSpace(std::string_view s) {
  while (!s.empty() && IsAsciiSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsAsciiSpace(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace voxsecrets

#endif  // VOXSECRETS_COMMON_ASCII_H_
