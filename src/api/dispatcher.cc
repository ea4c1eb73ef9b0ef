#include "api/dispatcher.h"

#include <exception>
#include <utility>

#include "api/error_codes.h"
#include "api/json_body.h"
#include "api/params.h"
#include "auth/roles.h"
#include "common/secure_bytes.h"

namespace voxsecrets::api {
namespace {

Status Unauthenticated() { return Status(StatusCode::kUnauthenticated, "Authorization failed."); }

}  // namespace

Dispatcher::Dispatcher(store::Store& store, const auth::Authenticator& authenticator,
                       const Clock& clock, MethodTable methods, AuditHook* audit)
    : store_(store),
      authenticator_(authenticator),
      clock_(clock),
      methods_(std::move(methods)),
      audit_(audit) {}

ApiResponse Dispatcher::Handle(const ApiRequest& request) {
  Result<std::string> body = InternalError("not processed");
  try {
    body = Process(request);
  } catch (const std::exception&) {
    body = InternalError("exception at the API boundary");
  } catch (...) {
    body = InternalError("unknown exception at the API boundary");
  }
  if (!body.ok()) return ApiResponse{EncodeError(body.status())};
  return ApiResponse{std::move(body).value()};
}

Result<auth::Principal> Dispatcher::Authenticate(const ApiRequest& request) const {
  if (!request.bearer_token.empty()) return authenticator_.AuthenticateBearer(request.bearer_token);
  const std::optional<std::string_view> account_id = request.params.Get("account_id");
  const std::optional<std::string_view> api_key = request.params.Get("api_key");
  if (!account_id.has_value() || !api_key.has_value()) return Unauthenticated();
  const std::optional<int64_t> id = ParseInt64(*account_id);
  if (!id.has_value() || *id <= 0) return Unauthenticated();
  return authenticator_.AuthenticateLegacy(*id, *api_key);
}

Result<std::string> Dispatcher::Process(const ApiRequest& request) const {
  if (request.method.empty()) return Status(StatusCode::kMissingMethod, "Missing 'cmd'.");
  const MethodSpec* spec = methods_.Find(request.method);
  if (spec == nullptr) return Status(StatusCode::kUnknownMethod, "Unknown command.");
  if (!request.decode_status.ok()) return request.decode_status;
  VS_ASSIGN_OR_RETURN(const auth::Principal principal, Authenticate(request));
  if (!auth::MethodAllowed(request.method, principal.role_ids)) {
    return Status(StatusCode::kPermissionDenied, "Forbidden command.");
  }
  CallContext call{request.method, principal, request.params, clock_, request.client_ip, {}, {}};
  return Run(*spec, call);
}

Result<std::string> Dispatcher::Run(const MethodSpec& spec, CallContext& call) const {
  const bool write = spec.access == Access::kWrite;
  std::string body;
  const store::TxFn fn = [&](store::Tx& tx) -> Status {
    call.ResetForAttempt();
    body.clear();
    try {
      Result<nlohmann::json> response = spec.handler(call, tx);
      if (!response.ok()) return response.status();
      Result<std::string> encoded = EncodeBody(*response);
      WipeJsonStrings(*response);
      if (!encoded.ok()) return encoded.status();
      body = std::move(encoded).value();
      if (write && audit_ != nullptr) {
        Status audited = audit_->InTransaction(call, tx);
        if (!audited.ok()) {
          SecureWipe(body.data(), body.size());
          body.clear();
          return audited;
        }
      }
      return Status::Ok();
    } catch (const std::exception&) {
      // Never let an exception cross the store: it must see a failure and roll back.
      return InternalError("exception in a method handler");
    }
  };
  const Status status = write ? store_.Write(fn) : store_.Read(fn);
  if (status.ok()) {
    for (const auto& after : call.after_commit) after();
  }
  if (audit_ != nullptr && !(status.ok() && write)) audit_->AfterCall(call, status);
  if (!status.ok()) {
    SecureWipe(body.data(), body.size());
    return status;
  }
  return body;
}

}  // namespace voxsecrets::api
