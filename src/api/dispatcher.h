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
//   4. key and role: a key limited to applications that were all deleted -> 104 (its own
//      message); the method's MethodSpec::roles must allow the principal's roles -> else 104; a
//      key limited to some applications calling a method whose MethodSpec::reach is kAccount ->
//      104 (iam::CheckReach);
//   5. the handler. Steps 3-5 run inside ONE store transaction, Store::Write (Access::kWrite) or
//      Store::Read (Access::kRead): the key and account lookups of authentication
//      (api/tx_key_directory.h, with its version-checked cache) and the method see one snapshot.
//      The response body is encoded inside the transaction, so a write commits only when its
//      answer could be produced. After a commit, CallContext::after_commit runs.
//      A method with a MethodSpec::prepare step (slow work such as CreateKey's key pair) is first
//      authenticated and checked (steps 3-4) in a read transaction of its own; then `prepare`
//      runs outside any transaction and the handler it returns runs as above (steps 3-4 again,
//      inside the write: a key deleted meanwhile is still refused).
//   6. audit (when an AuditHook is given; audit_hook.h): every call leaves exactly one record. A
//      successful write's record is written inside its transaction; everything else (refusals at
//      steps 1-4, reads, failed writes) through AuditHook::RecordAsync after the outcome is known.
//      A successful read whose record cannot be written is answered with the audit error instead
//      of its body (fail closed: no value without a record).
// Where the work runs (HandleAsync): reads run on the calling thread; their answer waits for the
// record's group commit without holding the thread. Writes, when the hook offers group commit
// (AuditHook::SubmitWrite), run in the hook's batch transaction on its committer thread, and are
// answered once the batch is durable; otherwise on the calling thread. Handle() is HandleAsync
// waited for.
// Server faults (kInternal, kDataLoss, kUnavailable, or an exception caught here) are answered
// with the generic error of their code; their messages never reach the caller.
// Every answer is a JSON object: the handler's body, or error_codes.h's envelope. An answer for
// StatusCode::kOverloaded (a bounded queue, such as the audit writer's, is full) is marked
// ApiResponse::overloaded, which the transport answers with HTTP 429.
//
// Thread-safety: Handle and HandleAsync may be called concurrently; the Dispatcher's only shared
// state is its identity cache (thread-safe).
// Lifetimes: `store`, `authenticator`, `clock` and `audit` (nullable) must outlive it, and every
// call must be answered before it is destroyed.
#ifndef VOXSECRETS_API_DISPATCHER_H_
#define VOXSECRETS_API_DISPATCHER_H_

#include <cstddef>
#include <memory>

#include "api/api_types.h"
#include "api/audit_hook.h"
#include "api/method_table.h"
#include "api/rate_limiter.h"
#include "api/tx_key_directory.h"
#include "auth/authenticator.h"
#include "auth/key_directory.h"
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

struct DispatcherOptions {
  // Bound of the identity cache (api/tx_key_directory.h); 0 turns it off (every call reads the
  // key and account rows).
  size_t iam_cache_entries = IamCache::kDefaultMaxEntries;
  CallLimits limits;
};

class Dispatcher final : public ApiHandler {
 public:
  Dispatcher(store::Store& store, const auth::Authenticator& authenticator, const Clock& clock,
             MethodTable methods, AuditHook* audit = nullptr, DispatcherOptions options = {});
  ~Dispatcher() override;
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // ApiHandler
  ApiResponse Handle(const ApiRequest& request) override;
  void HandleAsync(ApiRequest request, Completion done) override;

  const MethodTable& methods() const { return methods_; }
  // nullptr when off. For tests and metrics.
  const IamCache* iam_cache() const { return iam_cache_.get(); }

 private:
  struct Call;

  Result<auth::Principal> Authenticate(const ApiRequest& request,
                                       auth::KeyDirectory& directory) const;
  // Steps 1-2, the address's rate, and the dispatch to a read or write.
  void Start(const std::shared_ptr<Call>& call);
  // Steps 3-4 inside `tx`: authentication, the key's rate, role and reach. Sets call.principal.
  Status Admit(Call& call, store::Tx& tx, bool write) const;
  // What a handler (or prepare step) of `call` sees. REQUIRES: call.principal is set.
  CallContext ContextFor(const Call& call) const;
  // Steps 3-5 inside `tx`; the audit record of a write too when `audit_in_tx`.
  Status Execute(Call& call, store::Tx& tx, bool write, bool audit_in_tx) const;
  void StartRead(const std::shared_ptr<Call>& call);
  void StartWrite(const std::shared_ptr<Call>& call);
  // MethodSpec::prepare: admits the call in a read transaction, then runs the spec's prepare
  // step (outside any transaction) into call.handler. False when the call was answered.
  bool Prepare(const std::shared_ptr<Call>& call);
  // Records `outcome` (asynchronously), then answers: the body when the call succeeded and its
  // record committed, else the error.
  void RecordAndFinish(const std::shared_ptr<Call>& call, const Status& outcome);
  static void Finish(Call& call, const Status& status);

  store::Store& store_;
  const auth::Authenticator& authenticator_;
  const Clock& clock_;
  const MethodTable methods_;
  AuditHook* const audit_;
  const std::unique_ptr<IamCache> iam_cache_;  // nullptr: off
  const CallLimits limits_;
};

}  // namespace voxsecrets::api

#endif  // VOXSECRETS_API_DISPATCHER_H_
