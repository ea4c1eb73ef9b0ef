#include "api/dispatcher.h"

#include <exception>
#include <string>
#include <string_view>
#include <utility>

#include "api/error_codes.h"
#include "api/json_body.h"
#include "api/params.h"
#include "common/secure_bytes.h"

namespace voxsecrets::api {
namespace {

Status Unauthenticated() { return Status(StatusCode::kUnauthenticated, "Authorization failed."); }

// The name a caller sent, fit to be shown back in a message: at most kMaxEchoedMethodName
// characters (then "..."), and only the characters method names are made of ([A-Za-z0-9_]);
// anything else (quotes, control characters, bytes of other scripts) becomes '?'. The name is
// untrusted input: this keeps the message short, printable and unable to fake another one.
constexpr size_t kMaxEchoedMethodName = 64;

std::string MethodNameForMessage(std::string_view name) {
  std::string out;
  for (char c : name.substr(0, kMaxEchoedMethodName)) {
    const bool plain =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    out += plain ? c : '?';
  }
  if (name.size() > kMaxEchoedMethodName) out += "...";
  return out;
}

Status RateLimited() {
  return Status(StatusCode::kRateLimited, "The request rate limit is exceeded.");
}

Status UnknownMethod(std::string_view name) {
  return Status(StatusCode::kUnknownMethod,
                "Unknown command '" + MethodNameForMessage(name) + "'.");
}

}  // namespace

Dispatcher::Dispatcher(store::Store& store, const auth::Authenticator& authenticator,
                       const Clock& clock, MethodTable methods, AuditHook* audit,
                       CallLimits limits)
    : store_(store),
      authenticator_(authenticator),
      clock_(clock),
      methods_(std::move(methods)),
      audit_(audit),
      limits_(limits) {}

ApiResponse Dispatcher::Handle(const ApiRequest& request) {
  Result<std::string> body = InternalError("not processed");
  try {
    body = Process(request);
  } catch (const std::exception&) {
    body = InternalError("exception at the API boundary");
  } catch (...) {
    body = InternalError("unknown exception at the API boundary");
  }
  if (!body.ok()) {
    ApiResponse response{EncodeError(body.status()), ErrorCodeOf(body.status().code()).code};
    response.overloaded = body.status().code() == StatusCode::kOverloaded;
    return response;
  }
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
  // A call refused before a handler ran is recorded here (its answer is the refusal whatever the
  // audit log says); a call that reached a handler is recorded by Run.
  const MethodSpec* spec = nullptr;
  const auto refuse = [&](Status refusal, const auth::Principal* principal) -> Status {
    if (audit_ != nullptr) {
      const AuditCall call{request.method, request.params, request.client_ip, principal, nullptr,
                           spec != nullptr};
      (void)audit_->Record(call, refusal);
    }
    return refusal;
  };
  if (limits_.per_address != nullptr && !limits_.per_address->Allow(request.client_ip)) {
    spec = methods_.Find(request.method);
    return refuse(RateLimited(), nullptr);
  }
  if (request.method.empty()) {
    return refuse(Status(StatusCode::kMissingMethod, "Missing 'cmd'."), nullptr);
  }
  spec = methods_.Find(request.method);
  if (spec == nullptr) {
    return refuse(UnknownMethod(request.method), nullptr);
  }
  if (!request.decode_status.ok()) return refuse(request.decode_status, nullptr);
  Result<auth::Principal> authenticated = Authenticate(request);
  if (!authenticated.ok()) return refuse(authenticated.status(), nullptr);
  const auth::Principal& principal = *authenticated;
  if (limits_.per_key != nullptr &&
      !limits_.per_key->Allow(principal.kind == auth::CredentialKind::kLegacyApiKey
                                  ? "account:" + std::to_string(principal.account_id)
                                  : "key:" + principal.key_id)) {
    return refuse(RateLimited(), &principal);
  }
  if (!spec->roles.Allows(principal.role_ids)) {
    return refuse(Status(StatusCode::kPermissionDenied, "Forbidden command."), &principal);
  }
  CallContext call{
      request.method, principal, request.params, clock_, request.client_ip, &methods_, {}, {}};
  if (!spec->prepare) return Run(*spec, spec->handler, call);
  // Slow work before the transaction (MethodSpec::prepare); its failure is recorded like a
  // handler's.
  Result<MethodHandler> prepared = spec->prepare(call);
  if (!prepared.ok()) {
    if (audit_ != nullptr) {
      const AuditCall audited{call.method, call.params, call.client_ip, &call.principal,
                              &call.audit, true};
      (void)audit_->Record(audited, prepared.status());
    }
    return prepared.status();
  }
  return Run(*spec, *prepared, call);
}

Result<std::string> Dispatcher::Run(const MethodSpec& spec, const MethodHandler& handler,
                                    CallContext& call) const {
  const bool write = spec.access == Access::kWrite;
  std::string body;
  const store::TxFn fn = [&](store::Tx& tx) -> Status {
    call.ResetForAttempt();
    body.clear();
    try {
      Result<nlohmann::json> response = handler(call, tx);
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
  Status status = write ? store_.Write(fn) : store_.Read(fn);
  if (status.ok()) {
    for (const auto& after : call.after_commit) after();
  }
  // Everything but a committed write is recorded now (the write's record committed with it).
  // A read's answer leaves only once its record is durable.
  if (audit_ != nullptr && !(status.ok() && write)) {
    const AuditCall audited{call.method, call.params, call.client_ip, &call.principal, &call.audit,
                            true};
    Status recorded = audit_->Record(audited, status);
    if (status.ok() && !recorded.ok()) status = recorded;
  }
  if (!status.ok()) {
    SecureWipe(body.data(), body.size());
    return status;
  }
  return body;
}

}  // namespace voxsecrets::api
