#include "api/error_codes.h"

#include <nlohmann/json.hpp>

namespace voxsecrets::api {

ErrorCodeInfo ErrorCodeOf(StatusCode code) {
  // Message texts follow the doc comments of the Node client's APIErrorCode (src/Enums.ts), with a
  // closing period as the real server writes them.
  switch (code) {
    case StatusCode::kOk:
      return {0, std::nullopt};
    case StatusCode::kMissingMethod:
      return {102, "Missing 'cmd' parameter."};
    case StatusCode::kUnknownMethod:
      return {103, std::nullopt};  // the dispatcher's message names the method
    case StatusCode::kMalformedRequest:
      return {101, std::nullopt};
    case StatusCode::kMissingArgument:
      return {485, std::nullopt};
    case StatusCode::kInvalidArgument:
      return {496, std::nullopt};
    case StatusCode::kTooLong:
      return {477, std::nullopt};
    case StatusCode::kOutOfRange:
      return {497, std::nullopt};
    case StatusCode::kConflictingArguments:
      return {458, std::nullopt};
    case StatusCode::kBothRoleIdAndName:
      return {449, std::nullopt};
    case StatusCode::kInvalidApplicationId:
      return {116, std::nullopt};
    case StatusCode::kApplicationNotFound:
      return {558, std::nullopt};
    case StatusCode::kInvalidApplicationName:
      return {107, std::nullopt};
    case StatusCode::kApplicationNameTaken:
      return {129, std::nullopt};
    case StatusCode::kInvalidKeyId:
      return {433, std::nullopt};
    case StatusCode::kInvalidRoleId:
      return {440, std::nullopt};
    case StatusCode::kInvalidRoleName:
      return {441, std::nullopt};
    case StatusCode::kInvalidAccountId:
      return {115, std::nullopt};
    case StatusCode::kInvalidRoleSet:
      return {435, std::nullopt};
    case StatusCode::kTooManyKeys:
      return {437, std::nullopt};
    case StatusCode::kNotFound:
      return {341, std::nullopt};
    case StatusCode::kAlreadyExists:
      return {493, std::nullopt};
    case StatusCode::kUnauthenticated:
      return {100, "Authorization failed."};
    case StatusCode::kPermissionDenied:
      // A key limited to applications gets the reason after the fixed words (iam/scope.h).
      return {104, "Forbidden command.", "Forbidden command: "};
    case StatusCode::kTokenMalformed:
      return {447, "Invalid token format."};
    case StatusCode::kTokenTtlTooLong:
      return {454, "The token TTL exceeds the maximum limit."};
    case StatusCode::kTokenFromFuture:
      return {455, "Token issued in the future."};
    case StatusCode::kTokenExpired:
      return {456, "The token has expired."};
    case StatusCode::kRateLimited:
      return {340, "Rate limit exceed."};
    case StatusCode::kOverloaded:
      return {340, "Too many requests: the server is busy. Retry later."};
    case StatusCode::kInternal:
      return {1, "Fatal error."};
    case StatusCode::kDataLoss:
      return {2, "Internal error."};
    case StatusCode::kUnavailable:
      return {4, "DB error."};
  }
  // A value outside the enum: treat it as our fault.
  return {1, "Fatal error."};
}

bool IsServerFault(StatusCode code) {
  return code == StatusCode::kInternal || code == StatusCode::kDataLoss ||
         code == StatusCode::kUnavailable;
}

std::string EncodeError(const Status& status) {
  ErrorCodeInfo info = ErrorCodeOf(status.code());
  if (info.code == 0) info = ErrorCodeOf(StatusCode::kInternal);  // an OK status is a bug here
  nlohmann::json error = nlohmann::json::object();
  error["code"] = info.code;
  if (info.fixed_prefix.has_value() && status.message().starts_with(*info.fixed_prefix)) {
    error["msg"] = status.message();
  } else if (info.fixed_message.has_value()) {
    error["msg"] = std::string(*info.fixed_message);
  } else if (status.message().empty()) {
    error["msg"] = "Invalid arguments.";
  } else {
    error["msg"] = status.message();
  }
  if (!info.fixed_message.has_value() && !status.field_name().empty()) {
    error["field_name"] = status.field_name();
  }
  nlohmann::json envelope = nlohmann::json::object();
  envelope["error"] = std::move(error);
  return envelope.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace voxsecrets::api
