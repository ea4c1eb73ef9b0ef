// Field rules of the secrets and applications services: name and value formats. Pure functions
// of their inputs; safe from any thread. The rules every service shares (descriptions, paging,
// echoing names in messages) are common/field_rules.h's.
//
// Every failure is a Status whose field_name is the parameter as the caller named it (`param`),
// so that "new_secret_name" is blamed for a bad new name. Messages never echo a secret value.
#ifndef VOXSECRETS_SECRETS_VALIDATION_H_
#define VOXSECRETS_SECRETS_VALIDATION_H_

#include <cstddef>
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

// True when `name` matches [a-z][a-z0-9-]{1,max_tail}.
bool IsValidApplicationShortName(std::string_view name, size_t max_tail);

}  // namespace voxsecrets::secrets

#endif  // VOXSECRETS_SECRETS_VALIDATION_H_
