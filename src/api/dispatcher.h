// Dispatcher: the API's entry point (ApiHandler). For every request, in this order
// (docs/DECISIONS.md "Order of checks"; the first failure is the answer):
//   0. the client address's request rate, when limited (CallLimits::per_address) -> 340;
//   1. method: none named -> 102; not in the MethodTable -> 103 (the message names the method as
//      sent, cut to 64 characters, anything but [A-Za-z0-9_] shown as '?');
//   2. the request's decode_status (a malformed body) -> its error (101);
//   3. credentials: a bearer token -> Authenticator::AuthenticateBearer (account_id / api_key
//      parameters are then ignored: the Java client sends account_id with every call); else
//      legacy `account_id` + `api_key` -> AuthenticateLegacy; else 100; then the key's request
//      rate, when limited (CallLimits::per_key: by key id; legacy credentials by account) -> 340;
//   4. role: the method's MethodSpec::roles must allow the principal's roles -> else 104;
//   5. MethodSpec::prepare, when the method has one (outside any transaction), then the handler,
//      inside Store::Write (Access::kWrite) or Store::Read (Access::kRead). The
//      response body is encoded inside the transaction, so a write commits only when its answer
//      could be produced. After a commit, CallContext::after_commit runs.
//   6. audit (when an AuditHook is given; audit_hook.h): every call leaves exactly one record. A
//      successful write's record is written inside its transaction; everything else (refusals at
//      steps 1-4, reads, failed writes) through AuditHook::Record after the outcome is known. A
//      successful read whose record cannot be written is answered with the audit error instead
//      of its body (fail closed: no value without a record).
// Server faults (kInternal, kDataLoss, kUnavailable, or an exception caught here) are answered
// with the generic error of their code; their messages never reach the caller.
// Every answer is a JSON object: the handler's body, or error_codes.h's envelope. An answer for
// StatusCode::kOverloaded (a bounded queue, such as the audit writer's, is full) is marked
// ApiResponse::overloaded, which the transport answers with HTTP 429.
//
// Thread-safety: Handle may be called concurrently; the Dispatcher holds no mutable state.
// Lifetimes: `store`, `authenticator`, `clock` and `audit` (nullable) must outlive it.
#ifndef VOXSECRETS_API_DISPATCHER_H_
#define VOXSECRETS_API_DISPATCHER_H_

#include "api/api_types.h"
#include "api/audit_hook.h"
#include "api/method_table.h"
#include "api/rate_limiter.h"
#include "auth/authenticator.h"
#include "auth/principal.h"
#include "common/clock.h"
#include "common/status.h"
#include "store/store.h"

namespace voxsecrets::api {

// Request-rate limits (optional; not owned, must outlive the Dispatcher).
struct CallLimits {
  RateLimiter* per_address = nullptr;  // keyed by ApiRequest::client_ip
  RateLimiter* per_key = nullptr;      // keyed by the authenticated key (legacy: its account)
};

class Dispatcher final : public ApiHandler {
 public:
  Dispatcher(store::Store& store, const auth::Authenticator& authenticator, const Clock& clock,
             MethodTable methods, AuditHook* audit = nullptr, CallLimits limits = {});
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // ApiHandler
  ApiResponse Handle(const ApiRequest& request) override;

  const MethodTable& methods() const { return methods_; }

 private:
  Result<auth::Principal> Authenticate(const ApiRequest& request) const;
  // Steps 1-5; the body on success.
  Result<std::string> Process(const ApiRequest& request) const;
  // Runs `handler` (the spec's, or the one its prepare step made) in the spec's transaction.
  Result<std::string> Run(const MethodSpec& spec, const MethodHandler& handler,
                          CallContext& call) const;

  store::Store& store_;
  const auth::Authenticator& authenticator_;
  const Clock& clock_;
  const MethodTable methods_;
  AuditHook* const audit_;
  const CallLimits limits_;
};

}  // namespace voxsecrets::api

#endif  // VOXSECRETS_API_DISPATCHER_H_
