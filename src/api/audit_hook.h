// AuditHook: the seam where the audit log plugs into the dispatcher (docs/AUDIT.md). Optional: a
// Dispatcher built without one audits nothing. With one, EVERY call leaves exactly one record,
// written through exactly one of the two methods:
//
//  - InTransaction(call, tx): a mutating call (Access::kWrite) whose handler succeeded, inside its
//    write transaction, after the handler, before commit: the record commits with the change or
//    not at all. A non-OK Status rolls the whole call back and the caller gets that error (fail
//    closed). The hook may push work onto call.after_commit (e.g. export of the record).
//  - Record(call, outcome) / RecordAsync: every other call, once its outcome is known: calls
//    refused before a handler ran (missing or unknown method, malformed body, failed
//    authentication, a rate limit, forbidden role: `principal` and/or `facts` are then null),
//    reads, and writes that failed and were rolled back. Returns OK only once the record is
//    durable. For a call that succeeded (a read: GetSecretValue returns a value) a non-OK Status
//    turns the answer into that error and the response body is wiped: no value leaves without its
//    record. For a call that failed anyway the caller keeps its original error.
//  - SubmitWrite: a write call and its record in one group-committed batch (instead of
//    InTransaction), when the hook supports it.
//
// Thread-safety: implementations must accept concurrent calls from every I/O thread.
#ifndef VOXSECRETS_API_AUDIT_HOOK_H_
#define VOXSECRETS_API_AUDIT_HOOK_H_

#include <functional>
#include <string_view>

#include "api/api_types.h"
#include "api/call_context.h"
#include "auth/principal.h"
#include "common/status.h"
#include "store/store.h"

namespace voxsecrets::api {

// What any call, even a refused one, can tell the audit log. The pointers and views are valid
// for the duration of AuditHook::Record only.
struct AuditCall {
  std::string_view method;  // as requested; may be empty or unknown
  const Params& params;     // raw: the hook masks credentials
  std::string_view client_ip;
  const auth::Principal* principal = nullptr;  // null when not (successfully) authenticated
  const AuditFacts* facts = nullptr;           // null when no handler ran
  bool method_known = false;                   // `method` names a method of the table
};

class AuditHook {
 public:
  using RecordDone = std::function<void(const Status& recorded)>;
  using WriteDone = std::function<void(const Status& outcome, const Status& committed)>;

  virtual ~AuditHook() = default;
  virtual Status InTransaction(CallContext& call, store::Tx& tx) = 0;
  virtual Status Record(const AuditCall& call, const Status& outcome) = 0;

  // Record, answered through `done` (exactly once; possibly on another thread, possibly before
  // RecordAsync returns) with what Record would return. The hook copies what it needs of `call`
  // before it returns. The default records synchronously.
  // NOLINTNEXTLINE(performance-unnecessary-value-param): overrides keep `done` past the call.
  virtual void RecordAsync(const AuditCall& call, const Status& outcome, RecordDone done) {
    done(Record(call, outcome));
  }

  // Group commit of a write call (audit::AuditLog::Submit), when the hook offers it (else false,
  // and the caller runs the write itself with InTransaction). `run` is the whole call inside a
  // savepoint of a batch transaction (authentication included; it may run more than once);
  // `describe` tells, after `run`, what the call's record holds (its views must stay valid until
  // `done`); the record is written in the same transaction with run's outcome. `done(outcome,
  // committed)`: run's outcome, and OK once the batch is durable (else why nothing of it was
  // stored). Called exactly once, on another thread; it must not block.
  // NOLINTBEGIN(performance-unnecessary-value-param): overrides keep all three past the call.
  virtual bool SubmitWrite(store::TxFn /*run*/, std::function<AuditCall()> /*describe*/,
                           WriteDone /*done*/) {
    return false;
  }
  // NOLINTEND(performance-unnecessary-value-param)
};

}  // namespace voxsecrets::api

#endif  // VOXSECRETS_API_AUDIT_HOOK_H_
