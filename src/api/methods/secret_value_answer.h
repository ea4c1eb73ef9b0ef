// The answer of GetSecretValue, written straight into its body: the bytes EncodeBody would make of
// the JSON tree {"result":[{created, description?, modified, secret_id, secret_name, secret_value,
// version}]} (members sorted by name, as nlohmann::json orders them), without building the tree.
// GetSecretValue is the hottest read: the tree cost about twenty allocations per call and a second
// copy of the plaintext, which had to be wiped separately.
//
// Thread-safety: pure functions.
#ifndef VOXSECRETS_API_METHODS_SECRET_VALUE_ANSWER_H_
#define VOXSECRETS_API_METHODS_SECRET_VALUE_ANSWER_H_

#include <string>
#include <string_view>

#include "common/status.h"
#include "secrets/secret_service.h"

namespace voxsecrets::api {

// Appends `s` as a JSON string literal exactly as nlohmann::json's dump (ensure_ascii=false)
// writes it: '"' '\' \b \f \n \r \t escaped by name, other control characters as \u00XX
// (lower-case hex), every other byte as it is. False when `s` is not valid UTF-8 (`out` may then
// hold part of it: the caller wipes it).
bool AppendDumpedJsonString(std::string& out, std::string_view s);

// The whole body of GetSecretValue's answer for `secret`. kInternal when a string is not valid
// UTF-8 (validated input never produces one; the message does not quote it). The body is reserved
// up front, so it is never reallocated while the plaintext is written into it; the caller owns it
// and must wipe it when done, as any body holding a secret value.
Result<std::string> SecretValueAnswer(const secrets::SecretValue& secret);

}  // namespace voxsecrets::api

#endif  // VOXSECRETS_API_METHODS_SECRET_VALUE_ANSWER_H_
