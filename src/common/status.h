// Status and Result<T>: the one error type of voxsecrets.
//
// A Status is either OK or carries a code from a closed set, a human-readable message, when one
// request parameter is to blame that parameter's name (`field_name` in the API's error envelope),
// and where it was made (origin(): the store, crypto, or unspecified). Codes describe *what went
// wrong* in domain terms; api/error_codes.cc is the only place that turns them into Voximplant
// error numbers. Nobody decides anything by reading message(): a caller that must tell apart two
// failures with the same code branches on origin().
//
// Messages must never contain a secret value, a token, an api_key or key material.
//
// Thread-safety: Status and Result are values; const methods may be called concurrently.
#ifndef VOXSECRETS_COMMON_STATUS_H_
#define VOXSECRETS_COMMON_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace voxsecrets {

enum class StatusCode {
  kOk = 0,
  // Request shape.
  kMissingMethod,     // neither the path nor `cmd` names a method
  kUnknownMethod,     // the named method does not exist
  kMalformedRequest,  // the body could not be decoded (e.g. broken JSON)
  // Parameters.
  kMissingArgument,       // a required parameter is absent or empty
  kInvalidArgument,       // a parameter is ill-formed
  kTooLong,               // a parameter exceeds its length limit
  kOutOfRange,            // a number is outside its allowed range
  kConflictingArguments,  // two parameters that exclude each other disagree
  kBothRoleIdAndName,     // role_id and role_name given together
  kInvalidApplicationId,  // application_id malformed or unknown
  kApplicationNotFound,   // application_name unknown
  kInvalidApplicationName,
  kApplicationNameTaken,
  kInvalidKeyId,
  kInvalidRoleId,
  kInvalidRoleName,
  kInvalidAccountId,
  kInvalidRoleSet,  // a role the caller may not grant or take away (Admin and Owner)
  kTooManyKeys,     // the account has the maximum number of keys
  // Records.
  kNotFound,       // a record (secret, ...) does not exist
  kAlreadyExists,  // a unique value is taken
  // Callers.
  kUnauthenticated,   // credentials missing or wrong
  kPermissionDenied,  // authenticated, but no role allows this method
  kTokenMalformed,    // JWT cannot be decoded or lacks required claims
  kTokenTtlTooLong,   // exp - iat above the maximum
  kTokenFromFuture,   // iat ahead of the server clock
  kTokenExpired,      // exp passed
  kRateLimited,       // the caller exceeded a configured request rate; retry later
  // Server.
  kOverloaded,   // the server is saturated (a bounded queue is full); retry later
  kUnavailable,  // storage unreachable or busy; retrying may help
  kDataLoss,     // a stored record is corrupt or fails authentication
  kInternal,     // a bug or an unexpected library failure
};

// Returns a stable lower_snake_case name for logs and tests ("not_found").
std::string_view StatusCodeName(StatusCode code);

// Where a failure was made, for callers that must tell apart failures sharing a code: kUnavailable
// from the database (a conflict the store re-runs, an outage /healthz reports) is not kUnavailable
// from a master key that cannot be loaded. Set once, where the Status is made (every error a store
// backend makes carries kStore; the Keyring's own carry kCrypto); every layer above passes it on
// unchanged. It never reaches an API answer (api/error_codes.cc maps codes only).
enum class StatusOrigin {
  kUnspecified = 0,  // made elsewhere; the code alone says enough
  kStore,            // a storage backend: the database, its files, its connections
  kCrypto,           // encryption at rest: the keyring, its keys and sealed values
};

// "unspecified", "store", "crypto": for logs and tests.
std::string_view StatusOriginName(StatusOrigin origin);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message, std::string field_name = {})
      : code_(code), message_(std::move(message)), field_name_(std::move(field_name)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // Empty when no single parameter is to blame.
  const std::string& field_name() const { return field_name_; }
  // kUnspecified for OK and for failures made outside the store and crypto.
  StatusOrigin origin() const { return origin_; }

  // This Status marked as made by `origin` (an OK Status stays OK, with no origin).
  Status WithOrigin(StatusOrigin origin) && {
    if (!ok()) origin_ = origin;
    return std::move(*this);
  }
  Status WithOrigin(StatusOrigin origin) const& { return Status(*this).WithOrigin(origin); }

  // For logs and test failure output: "not_found: Secret 'x' not found. [secret_name]".
  std::string ToString() const;

  friend bool operator==(const Status&, const Status&) = default;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string field_name_;
  StatusOrigin origin_ = StatusOrigin::kUnspecified;
};

// Named factories keep call sites short and greppable.
inline Status MissingArgument(std::string_view param) {
  return Status(StatusCode::kMissingArgument, "Specify the '" + std::string(param) + "' parameter.",
                std::string(param));
}
inline Status InvalidArgument(std::string_view param, std::string message = {}) {
  if (message.empty()) message = "The '" + std::string(param) + "' parameter is invalid.";
  return Status(StatusCode::kInvalidArgument, std::move(message), std::string(param));
}
inline Status InternalError(std::string message) {
  return Status(StatusCode::kInternal, std::move(message));
}
inline Status Unavailable(std::string message) {
  return Status(StatusCode::kUnavailable, std::move(message));
}
inline Status NotFound(std::string message, std::string field = {}) {
  return Status(StatusCode::kNotFound, std::move(message), std::move(field));
}

// Result<T>: a T or a non-OK Status. Accessing value() of an error is a bug (asserts).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok() && "Result built from an OK Status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  // OK when a value is held.
  Status status() const { return ok() ? Status() : std::get<Status>(v_); }

  T& value() & {
    assert(ok());
    return std::get<T>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<T>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace voxsecrets

// Propagation helpers. VS_RETURN_IF_ERROR(expr) returns a non-OK Status from the enclosing
// function; VS_ASSIGN_OR_RETURN(lhs, expr) unwraps a Result or returns its Status.
#define VS_RETURN_IF_ERROR(expr)              \
  do {                                        \
    ::voxsecrets::Status vs_status_ = (expr); \
    if (!vs_status_.ok()) return vs_status_;  \
  } while (0)

#define VS_CONCAT_INNER_(a, b) a##b
#define VS_CONCAT_(a, b) VS_CONCAT_INNER_(a, b)
#define VS_ASSIGN_OR_RETURN(lhs, expr) \
  VS_ASSIGN_OR_RETURN_IMPL_(VS_CONCAT_(vs_result_, __LINE__), lhs, expr)
#define VS_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()

#endif  // VOXSECRETS_COMMON_STATUS_H_
