#include "secrets/validation.h"

#include "common/utf8.h"
#include "secrets/limits.h"

namespace voxsecrets::secrets {
namespace {

bool IsAsciiLetter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }

}  // namespace

bool IsValidSecretName(std::string_view name) {
  if (name.empty() || name.size() > kMaxSecretNameLength) return false;
  if (!IsAsciiLetter(name[0])) return false;
  for (char c : name.substr(1)) {
    if (!IsAsciiLetter(c) && !IsDigit(c) && c != '_') return false;
  }
  return true;
}

Status CheckSecretName(std::string_view name, std::string_view param) {
  if (name.empty()) return MissingArgument(param);
  if (!IsValidSecretName(name)) {
    return InvalidArgument(param, "The '" + std::string(param) +
                                      "' parameter is invalid: use 1 to 64 characters "
                                      "[A-Za-z0-9_], starting with a Latin letter.");
  }
  return Status::Ok();
}

Status CheckSecretValue(std::string_view value, std::string_view param) {
  if (value.empty()) return MissingArgument(param);
  const std::optional<size_t> code_points = Utf8CodePoints(value);
  if (!code_points.has_value() || value.find('\0') != std::string_view::npos) {
    return InvalidArgument(param, "The '" + std::string(param) +
                                      "' parameter is invalid: it must be UTF-8 text without "
                                      "NUL characters.");
  }
  if (*code_points > kMaxSecretValueCodePoints) {
    return Status(StatusCode::kTooLong,
                  "The '" + std::string(param) + "' parameter length should not exceed " +
                      std::to_string(kMaxSecretValueCodePoints) + " symbols.",
                  std::string(param));
  }
  return Status::Ok();
}

bool IsValidApplicationShortName(std::string_view name, size_t max_tail) {
  if (name.size() < 2 || name.size() > max_tail + 1) return false;
  if (!IsLower(name[0])) return false;
  for (char c : name.substr(1)) {
    if (!IsLower(c) && !IsDigit(c) && c != '-') return false;
  }
  return true;
}

}  // namespace voxsecrets::secrets
