#include "common/status.h"

namespace voxsecrets {

std::string_view StatusCodeName(StatusCode code) {
  // One line per code: it reads as the table it is.
  // clang-format off
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kMissingMethod: return "missing_method";
    case StatusCode::kUnknownMethod: return "unknown_method";
    case StatusCode::kMalformedRequest: return "malformed_request";
    case StatusCode::kMissingArgument: return "missing_argument";
    case StatusCode::kInvalidArgument: return "invalid_argument";
    case StatusCode::kTooLong: return "too_long";
    case StatusCode::kOutOfRange: return "out_of_range";
    case StatusCode::kConflictingArguments: return "conflicting_arguments";
    case StatusCode::kBothRoleIdAndName: return "both_role_id_and_name";
    case StatusCode::kInvalidApplicationId: return "invalid_application_id";
    case StatusCode::kApplicationNotFound: return "application_not_found";
    case StatusCode::kInvalidApplicationName: return "invalid_application_name";
    case StatusCode::kApplicationNameTaken: return "application_name_taken";
    case StatusCode::kInvalidKeyId: return "invalid_key_id";
    case StatusCode::kInvalidRoleId: return "invalid_role_id";
    case StatusCode::kInvalidRoleName: return "invalid_role_name";
    case StatusCode::kInvalidAccountId: return "invalid_account_id";
    case StatusCode::kInvalidRoleSet: return "invalid_role_set";
    case StatusCode::kTooManyKeys: return "too_many_keys";
    case StatusCode::kNotFound: return "not_found";
    case StatusCode::kAlreadyExists: return "already_exists";
    case StatusCode::kUnauthenticated: return "unauthenticated";
    case StatusCode::kPermissionDenied: return "permission_denied";
    case StatusCode::kTokenMalformed: return "token_malformed";
    case StatusCode::kTokenTtlTooLong: return "token_ttl_too_long";
    case StatusCode::kTokenFromFuture: return "token_from_future";
    case StatusCode::kTokenExpired: return "token_expired";
    case StatusCode::kRateLimited: return "rate_limited";
    case StatusCode::kOverloaded: return "overloaded";
    case StatusCode::kUnavailable: return "unavailable";
    case StatusCode::kDataLoss: return "data_loss";
    case StatusCode::kInternal: return "internal";
  }
  // clang-format on
  return "unknown";
}

std::string_view StatusOriginName(StatusOrigin origin) {
  switch (origin) {
    case StatusOrigin::kUnspecified:
      return "unspecified";
    case StatusOrigin::kStore:
      return "store";
    case StatusOrigin::kCrypto:
      return "crypto";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string s(StatusCodeName(code_));
  s += ": ";
  s += message_;
  if (!field_name_.empty()) {
    s += " [";
    s += field_name_;
    s += "]";
  }
  return s;
}

}  // namespace voxsecrets
