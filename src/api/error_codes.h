// The ONE table from StatusCode to Voximplant API error codes, and the error envelope
// `{"error":{"code":N,"msg":"...","field_name":"..."}}` (docs/API.md, "Errors").
//
// Codes whose meaning is fixed (authorization, method, token and server faults) always carry the
// same message and no field_name, whatever the Status says: internal messages may mention
// internals, and one text for every authorization failure gives a caller no oracle. 104 may add
// its reason after its fixed words (a key limited to applications: iam/scope.h). Parameter
// faults keep the Status message (written to be shown: it names the parameter and the rule, never
// a value) and the field_name.
//
// Thread-safety: pure functions over constant data.
#ifndef VOXSECRETS_API_ERROR_CODES_H_
#define VOXSECRETS_API_ERROR_CODES_H_

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace voxsecrets::api {

struct ErrorCodeInfo {
  int code = 0;  // the Voximplant API error code
  // The message every error of this code carries; std::nullopt = the Status message is shown.
  std::optional<std::string_view> fixed_message;
  // With a fixed message: a Status message that starts with this text is shown instead (it adds
  // a reason to the fixed words, e.g. "Forbidden command: ..."); no field_name either way.
  std::optional<std::string_view> fixed_prefix = std::nullopt;
};

// The Voximplant code of a non-OK StatusCode. kOk has no code (returns {0, nullopt}).
ErrorCodeInfo ErrorCodeOf(StatusCode code);

// True for the codes that mean "our fault" (kInternal, kDataLoss, kUnavailable); they have fixed
// messages, so their Status message is never shown.
bool IsServerFault(StatusCode code);

// The error envelope of a non-OK `status`, as compact JSON. The message and field_name are
// encoded so that any bytes are safe (invalid UTF-8 is replaced). REQUIRES: !status.ok().
std::string EncodeError(const Status& status);

}  // namespace voxsecrets::api

#endif  // VOXSECRETS_API_ERROR_CODES_H_
