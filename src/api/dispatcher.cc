#include "api/dispatcher.h"

#include <atomic>
#include <exception>
#include <functional>
#include <future>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/error_codes.h"
#include "api/json_body.h"
#include "api/params.h"
#include "api/read_hint.h"
#include "common/secure_bytes.h"
#include "iam/scope.h"

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

// One call in flight: what its answer and its audit record are made of. Shared by the steps of
// HandleAsync, which may finish on another thread.
struct Dispatcher::Call {
  ApiRequest request;
  Completion done;
  std::atomic<bool> answered{false};
  const MethodSpec* spec = nullptr;
  // The handler: spec->handler, or the one MethodSpec::prepare made for this call.
  MethodHandler handler;
  std::optional<auth::Principal> principal;  // once authenticated
  // The key's rate is charged once per call, not per transaction attempt.
  bool rate_checked = false;
  bool rate_refused = false;
  bool handler_ran = false;
  AuditFacts facts;
  std::vector<std::function<void()>> after_commit;
  std::string body;  // may hold a secret value until answered or wiped

  AuditCall Describe() const {
    return AuditCall{request.method,
                     request.params,
                     request.client_ip,
                     principal.has_value() ? &*principal : nullptr,
                     handler_ran ? &facts : nullptr,
                     spec != nullptr};
  }
};

Dispatcher::Dispatcher(store::Store& store, const auth::Authenticator& authenticator,
                       const Clock& clock, MethodTable methods, AuditHook* audit,
                       DispatcherOptions options)
    : store_(store),
      authenticator_(authenticator),
      clock_(clock),
      methods_(std::move(methods)),
      audit_(audit),
      iam_cache_(options.iam_cache_entries > 0
                     ? std::make_unique<IamCache>(options.iam_cache_entries)
                     : nullptr),
      limits_(options.limits) {}

Dispatcher::~Dispatcher() = default;

ApiResponse Dispatcher::Handle(const ApiRequest& request) {
  std::promise<ApiResponse> answer;
  std::future<ApiResponse> answered = answer.get_future();
  HandleAsync(request, [&answer](ApiResponse response) { answer.set_value(std::move(response)); });
  return answered.get();
}

void Dispatcher::HandleAsync(ApiRequest request, Completion done) {
  auto call = std::make_shared<Call>();
  call->request = std::move(request);
  call->done = std::move(done);
  try {
    Start(call);
  } catch (const std::exception&) {
    Finish(*call, InternalError("exception at the API boundary"));
  } catch (...) {
    Finish(*call, InternalError("unknown exception at the API boundary"));
  }
}

void Dispatcher::Finish(Call& call, const Status& status) {
  if (call.answered.exchange(true)) return;
  Completion done = std::move(call.done);
  if (status.ok()) {
    done(ApiResponse{std::move(call.body)});
    return;
  }
  SecureWipe(call.body.data(), call.body.size());
  call.body.clear();
  ApiResponse response{EncodeError(status), ErrorCodeOf(status.code()).code};
  response.overloaded = status.code() == StatusCode::kOverloaded;
  done(std::move(response));
}

Result<auth::Principal> Dispatcher::Authenticate(const ApiRequest& request,
                                                 auth::KeyDirectory& directory) const {
  if (!request.bearer_token.empty()) {
    return authenticator_.AuthenticateBearer(request.bearer_token, directory);
  }
  const std::optional<std::string_view> account_id = request.params.Get("account_id");
  const std::optional<std::string_view> api_key = request.params.Get("api_key");
  if (!account_id.has_value() || !api_key.has_value()) return Unauthenticated();
  const std::optional<int64_t> id = ParseInt64(*account_id);
  if (!id.has_value() || *id <= 0) return Unauthenticated();
  return authenticator_.AuthenticateLegacy(*id, *api_key, directory);
}

void Dispatcher::Start(const std::shared_ptr<Call>& call) {
  const ApiRequest& request = call->request;
  // A call refused here has no principal and no facts; its answer is the refusal whatever the
  // audit log says.
  if (limits_.per_address != nullptr && !limits_.per_address->Allow(request.client_ip)) {
    call->spec = methods_.Find(request.method);  // named in the record only when known
    return RecordAndFinish(call, RateLimited());
  }
  if (request.method.empty()) {
    return RecordAndFinish(call, Status(StatusCode::kMissingMethod, "Missing 'cmd'."));
  }
  call->spec = methods_.Find(request.method);
  if (call->spec == nullptr) return RecordAndFinish(call, UnknownMethod(request.method));
  if (!request.decode_status.ok()) return RecordAndFinish(call, request.decode_status);
  call->handler = call->spec->handler;
  if (call->spec->prepare && !Prepare(call)) return;
  if (call->spec->access == Access::kWrite) {
    StartWrite(call);
  } else {
    StartRead(call);
  }
}

CallContext Dispatcher::ContextFor(const Call& call) const {
  return CallContext{call.request.method,
                     *call.principal,
                     call.request.params,
                     clock_,
                     call.request.client_ip,
                     &methods_,
                     {},
                     {},
                     {}};
}

Status Dispatcher::Admit(Call& call, store::Tx& tx, bool write) const {
  call.principal.reset();
  TxKeyDirectory directory(tx, iam_cache_.get(), /*fill=*/!write);
  Result<auth::Principal> authenticated = Authenticate(call.request, directory);
  if (!authenticated.ok()) return authenticated.status();
  call.principal = std::move(authenticated).value();
  const auth::Principal& principal = *call.principal;
  if (!call.rate_checked && limits_.per_key != nullptr) {
    call.rate_refused =
        !limits_.per_key->Allow(principal.kind == auth::CredentialKind::kLegacyApiKey
                                    ? "account:" + std::to_string(principal.account_id)
                                    : "key:" + principal.key_id);
  }
  call.rate_checked = true;
  if (call.rate_refused) return RateLimited();
  // A key left without applications is refused before anything else (its own message).
  if (principal.application_scope.limited() && principal.application_scope.ids->empty()) {
    return iam::CheckReach(principal.application_scope, call.spec->reach);
  }
  if (!call.spec->roles.Allows(principal.role_ids)) {
    return Status(StatusCode::kPermissionDenied, "Forbidden command.");
  }
  return iam::CheckReach(principal.application_scope, call.spec->reach);
}

Status Dispatcher::Execute(Call& call, store::Tx& tx, bool write, bool audit_in_tx) const {
  // The store may run this more than once (serialization retries, a re-run batch, a read whose
  // lone prefetch was not enough: store::Store::Read): start afresh. The rate limit is charged
  // once per call (Admit), the audit record is written once, after the store returned.
  call.handler_ran = false;
  call.facts = AuditFacts();
  call.after_commit.clear();
  SecureWipe(call.body.data(), call.body.size());
  call.body.clear();
  try {
    if (!write && tx.UsesReadHints()) {
      store::ReadHint hint = ReadHintFor(call.spec->prefetch, call.request, authenticator_);
      // Without the identity cache every call looks its caller's key up: never complete.
      if (iam_cache_ == nullptr) hint.complete = false;
      VS_RETURN_IF_ERROR(tx.Prefetch(hint));
    }
    VS_RETURN_IF_ERROR(Admit(call, tx, write));
    CallContext context = ContextFor(call);
    call.handler_ran = true;
    Status status = [&]() -> Status {
      Result<nlohmann::json> response = call.handler(context, tx);
      if (!context.encoded_body.empty()) {
        // The handler wrote its answer's bytes itself (call_context.h); wiped below on failure.
        call.body = std::move(context.encoded_body);
        context.encoded_body.clear();
        if (!response.ok()) return response.status();
      } else {
        if (!response.ok()) return response.status();
        Result<std::string> encoded = EncodeBody(*response);
        WipeJsonStrings(*response);
        if (!encoded.ok()) return encoded.status();
        call.body = std::move(encoded).value();
      }
      if (write && audit_in_tx && audit_ != nullptr) {
        VS_RETURN_IF_ERROR(audit_->InTransaction(context, tx));
      }
      return Status::Ok();
    }();
    call.facts = std::move(context.audit);
    call.after_commit = std::move(context.after_commit);
    if (!status.ok()) {
      SecureWipe(call.body.data(), call.body.size());
      call.body.clear();
    }
    return status;
  } catch (const std::exception&) {
    // Never let an exception cross the store: it must see a failure and roll back.
    SecureWipe(call.body.data(), call.body.size());
    call.body.clear();
    return InternalError("exception in a method handler");
  }
}

bool Dispatcher::Prepare(const std::shared_ptr<Call>& call) {
  // Who is calling, and the slow work, in a read transaction of their own: nobody makes the
  // server do that work without being allowed to call the method, and no writer waits for it.
  // The write transaction checks the caller again.
  Status prepared = store_.Read([&](store::Tx& tx) -> Status {
    try {
      call->handler_ran = false;
      call->facts = AuditFacts();
      VS_RETURN_IF_ERROR(Admit(*call, tx, /*write=*/false));
      CallContext context = ContextFor(*call);
      call->handler_ran = true;
      Result<MethodHandler> handler = call->spec->prepare(context, tx);
      call->facts = std::move(context.audit);
      if (!handler.ok()) return handler.status();
      call->handler = std::move(handler).value();
      return Status::Ok();
    } catch (const std::exception&) {
      return InternalError("exception while preparing a call");
    }
  });
  if (prepared.ok()) return true;
  RecordAndFinish(call, prepared);  // a refusal, or the prepare step's failure as a handler's
  return false;
}

void Dispatcher::StartRead(const std::shared_ptr<Call>& call) {
  const Status status = store_.Read(
      [&](store::Tx& tx) -> Status { return Execute(*call, tx, /*write=*/false, false); });
  RecordAndFinish(call, status);
}

void Dispatcher::StartWrite(const std::shared_ptr<Call>& call) {
  if (audit_ != nullptr && audit_->SubmitWrite(
                               [this, call](store::Tx& tx) -> Status {
                                 return Execute(*call, tx, /*write=*/true, /*audit_in_tx=*/false);
                               },
                               [call] { return call->Describe(); },
                               [call](const Status& outcome, const Status& committed) {
                                 if (!outcome.ok())
                                   return Finish(*call, outcome);  // rolled back; caller keeps it
                                 if (!committed.ok())
                                   return Finish(*call, committed);  // nothing of it was stored
                                 for (const auto& after : call->after_commit) after();
                                 Finish(*call, Status::Ok());
                               })) {
    return;
  }
  const Status status = store_.Write([&](store::Tx& tx) -> Status {
    return Execute(*call, tx, /*write=*/true, /*audit_in_tx=*/true);
  });
  if (status.ok()) {
    for (const auto& after : call->after_commit) after();
    return Finish(*call, Status::Ok());  // its record committed with it
  }
  RecordAndFinish(call, status);  // rolled back: the record in a transaction of its own
}

void Dispatcher::RecordAndFinish(const std::shared_ptr<Call>& call, const Status& outcome) {
  if (audit_ == nullptr) return Finish(*call, outcome);
  // A read's answer leaves only once its record is durable.
  audit_->RecordAsync(call->Describe(), outcome, [call, outcome](const Status& recorded) {
    Finish(*call, outcome.ok() && !recorded.ok() ? recorded : outcome);
  });
}

}  // namespace voxsecrets::api
