// Turning a handler's JSON into the response body, and wiping JSON trees that held secret values.
//
// Thread-safety: pure functions (each works on the tree it is given).
#ifndef VOXSECRETS_API_JSON_BODY_H_
#define VOXSECRETS_API_JSON_BODY_H_

#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"

namespace voxsecrets::api {

// Compact JSON, UTF-8 kept byte for byte (no \u escapes for non-ASCII). A string that is not
// valid UTF-8 is kInternal (validated input never produces one); the message does not quote it.
// The body buffer is reserved up front so that it is not reallocated (and no partial copy of a
// value is left in freed memory) while it is written.
Result<std::string> EncodeBody(const nlohmann::json& body);

// Overwrites every string in `json` (values and object keys are left: keys are ours) with zeros
// before the tree is freed. Best effort: copies made by the library while building the tree are
// out of reach.
void WipeJsonStrings(nlohmann::json& json);

}  // namespace voxsecrets::api

#endif  // VOXSECRETS_API_JSON_BODY_H_
