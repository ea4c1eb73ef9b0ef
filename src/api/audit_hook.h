// AuditHook: the seam where the audit log plugs into the dispatcher. Optional: a Dispatcher built
// without one audits nothing.
//
// Calls, per API call that reached a handler (authenticated and allowed):
//  - a mutating call (Access::kWrite) that succeeded: InTransaction() inside its write
//    transaction, after the handler, before commit, so the record commits with the change or not
//    at all. A non-OK Status rolls the whole call back and the caller gets that error (fail
//    closed).
//  - every other outcome (reads, and writes that failed and were rolled back): AfterCall() once
//    the transaction is over, with the final Status; the hook records it in its own
//    transaction if it wants to. It cannot change the answer.
// Calls refused before a handler ran (unknown method, bad credentials, forbidden role) reach
// neither method; that is the http/metrics layers' business.
//
// Thread-safety: implementations must accept concurrent calls from every I/O thread.
#ifndef VOXSECRETS_API_AUDIT_HOOK_H_
#define VOXSECRETS_API_AUDIT_HOOK_H_

#include "api/call_context.h"
#include "common/status.h"
#include "store/store.h"

namespace voxsecrets::api {

class AuditHook {
 public:
  virtual ~AuditHook() = default;
  virtual Status InTransaction(const CallContext& call, store::Tx& tx) = 0;
  virtual void AfterCall(const CallContext& call, const Status& outcome) = 0;
};

}  // namespace voxsecrets::api

#endif  // VOXSECRETS_API_AUDIT_HOOK_H_
