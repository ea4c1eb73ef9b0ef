// Field rules shared by the secrets and applications services: name formats, value and
// description rules, paging. Pure functions of their inputs; safe from any thread.
//
// Every failure is a Status whose field_name is the parameter as the caller named it (`param`),
// so that "new_secret_name" is blamed for a bad new name. Messages never echo a secret value.
#ifndef VOXSECRETS_SECRETS_VALIDATION_H_
#define VOXSECRETS_SECRETS_VALIDATION_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace voxsecrets::secrets {

// True when `name` matches ^[A-Za-z][A-Za-z0-9_]{0,63}$.
bool IsValidSecretName(std::string_view name);
// OK, or kInvalidArgument blaming `param`.
Status CheckSecretName(std::string_view name, std::string_view param);

// The rules of a secret value: valid UTF-8 without NUL (else kInvalidArgument), at most 8192 code
// points (else kTooLong). An empty value is kMissingArgument (empty means "not given").
Status CheckSecretValue(std::string_view value, std::string_view param = "secret_value");

// The stored form of a description: its first 200 code points, never cut inside a character.
// kInvalidArgument when it is not valid UTF-8 or contains NUL.
Result<std::string> NormalizeDescription(std::string_view description,
                                         std::string_view param = "description");

// True when `name` matches [a-z][a-z0-9-]{1,max_tail}.
bool IsValidApplicationShortName(std::string_view name, size_t max_tail);

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

}  // namespace voxsecrets::secrets

#endif  // VOXSECRETS_SECRETS_VALIDATION_H_
