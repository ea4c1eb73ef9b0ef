// Masking of request parameters for the audit log: the ONE place that decides which parameter
// values never reach an audit record, an export line or a log.
//
// A value is replaced by "***" when
//  - its parameter name (compared lower-cased) is one of kMaskedParamNames, or ends with one of
//    kMaskedParamSuffixes ("secret_value", "api_key", "password", "*_token", "*_key", ...); or
//  - the value itself looks like a credential whatever its name: a JWT ("eyJ" + two dots) or PEM
//    key material ("-----BEGIN").
// Everything else is kept, cut to kMaxArgValueCodePoints code points; a value or name that is not
// valid UTF-8 is replaced by a note of its byte length; at most kMaxArgs parameters are kept, and
// the whole JSON object is at most kMaxArgsJsonBytes (the parameters that do not fit are counted
// in a "..." member instead), so that no call makes a large record.
// The Authorization header never reaches the parameters (http/ takes the bearer token apart).
//
// Thread-safety: pure functions over constant data.
#ifndef VOXSECRETS_AUDIT_AUDIT_MASKING_H_
#define VOXSECRETS_AUDIT_AUDIT_MASKING_H_

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace voxsecrets::audit {

inline constexpr std::string_view kMaskedParamNames[] = {
    "secret_value",  "api_key",     "password",     "token",       "access_token",
    "refresh_token", "id_token",    "jwt",          "private_key", "client_secret",
    "authorization", "credentials", "key_material", "master_key",  "new_account_password",
};
inline constexpr std::string_view kMaskedParamSuffixes[] = {
    "_value", "password", "_token", "_secret", "_key", "_credentials",
};
inline constexpr std::string_view kMask = "***";
inline constexpr size_t kMaxArgValueCodePoints = 256;
inline constexpr size_t kMaxArgNameBytes = 64;
inline constexpr size_t kMaxArgs = 64;
inline constexpr size_t kMaxArgsJsonBytes = 4096;

// True when the value of parameter `name` is never recorded.
bool IsMaskedParam(std::string_view name);
// True when `value` looks like a credential (JWT, PEM) whatever its parameter.
bool LooksLikeCredential(std::string_view value);

// The parameters as a JSON object (names sorted, as in the map), masked and bounded as above:
// never longer than kMaxArgsJsonBytes.
std::string MaskArgs(const std::map<std::string, std::string, std::less<>>& params);

// `text` when it is valid UTF-8 no longer than `max_code_points`; its prefix when longer; a
// placeholder naming its byte length when it is not valid UTF-8.
std::string SafeText(std::string_view text, size_t max_code_points);

}  // namespace voxsecrets::audit

#endif  // VOXSECRETS_AUDIT_AUDIT_MASKING_H_
