// AuditRecorder: the AuditHook (audit_hook.h) that writes every API call to an audit::AuditLog
// (docs/AUDIT.md).
//
// The record of a call: the time it was recorded (the Clock, ms), the account it acted as and the
// key (none when authentication failed), the client IP, the method as requested, the parameters
// masked by audit::MaskArgs (secret_value, api_key and every credential-like value become
// "***"), the application and secret ids its handler touched, and the Voximplant error code it
// was answered with (0 on success; api/error_codes.h). Never a value, a token or an api_key: the
// bearer token is not a parameter, and nothing of a response is recorded.
//
//  - InTransaction: AuditLog::AppendInTransaction in the mutation's transaction; the export of
//    the record is queued on call.after_commit.
//  - Record: AuditLog::AppendDurable (group commit), OK once durable; RecordAsync: the same
//    through AuditLog::Submit, without waiting.
//  - Record / RecordAsync of a call refused before a handler without valid credentials (no
//    `principal`), or for its rate (340): a compact record instead (audit/refusal_log.h: no
//    parameter values, a small fixed size), through the RefusalLog when one is given (bursts
//    aggregated), else written at once.
//  - SubmitWrite: the write call and its record as one job of AuditLog::Submit, when
//    `batch_writes` (concurrent writes then share one durable commit: `serve` sets it on every
//    store); otherwise false and the dispatcher writes with InTransaction.
//
// Thread-safety: as AuditLog (fully concurrent).
// Lifetimes: `log`, `clock` and `refusals` (optional) must outlive the recorder.
#ifndef VOXSECRETS_API_AUDIT_RECORDER_H_
#define VOXSECRETS_API_AUDIT_RECORDER_H_

#include "api/audit_hook.h"
#include "audit/audit_entry.h"
#include "audit/audit_log.h"
#include "audit/refusal_log.h"
#include "common/clock.h"

namespace voxsecrets::api {

class AuditRecorder final : public AuditHook {
 public:
  AuditRecorder(audit::AuditLog& log, const Clock& clock, bool batch_writes = false,
                audit::RefusalLog* refusals = nullptr)
      : log_(log), clock_(clock), batch_writes_(batch_writes), refusals_(refusals) {}

  // AuditHook
  Status InTransaction(CallContext& call, store::Tx& tx) override;
  Status Record(const AuditCall& call, const Status& outcome) override;
  void RecordAsync(const AuditCall& call, const Status& outcome, RecordDone done) override;
  bool SubmitWrite(store::TxFn run, std::function<AuditCall()> describe, WriteDone done) override;

  // The entry of a call with this outcome (exposed for tests).
  audit::AuditEntry BuildEntry(const AuditCall& call, const Status& outcome) const;
  // True when `call` gets a compact refusal record; then its facts.
  static bool IsRefusal(const AuditCall& call, const Status& outcome);
  audit::RefusedCall BuildRefusal(const AuditCall& call, const Status& outcome) const;

 private:
  audit::AuditLog& log_;
  const Clock& clock_;
  const bool batch_writes_;
  audit::RefusalLog* const refusals_;
};

}  // namespace voxsecrets::api

#endif  // VOXSECRETS_API_AUDIT_RECORDER_H_
