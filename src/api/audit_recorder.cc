#include "api/audit_recorder.h"

#include <algorithm>
#include <utility>

#include "api/error_codes.h"
#include "audit/audit_masking.h"

namespace voxsecrets::api {

audit::AuditEntry AuditRecorder::BuildEntry(const AuditCall& call, const Status& outcome) const {
  audit::AuditEntry entry;
  entry.time_ms = clock_.NowMillis();
  if (call.principal != nullptr) {
    entry.account_id = call.principal->account_id;
    entry.key_id = call.principal->key_id;
    entry.credential = call.principal->kind == auth::CredentialKind::kLegacyApiKey
                           ? audit::AuditCredential::kLegacyApiKey
                           : audit::AuditCredential::kServiceKey;
  }
  entry.ip = std::string(call.client_ip);
  entry.method = std::string(call.method);
  entry.args_json = audit::MaskArgs(call.params.all());
  if (call.facts != nullptr) {
    if (call.facts->application_id.has_value()) {
      entry.application_ids.push_back(*call.facts->application_id);
    }
    for (int64_t id : call.facts->application_ids) {
      if (std::find(entry.application_ids.begin(), entry.application_ids.end(), id) ==
          entry.application_ids.end()) {
        entry.application_ids.push_back(id);
      }
    }
    entry.secret_ids = call.facts->secret_ids;
    if (call.facts->secret_version.has_value()) {
      entry.secret_versions.push_back(*call.facts->secret_version);
    }
  }
  entry.result_code = outcome.ok() ? 0 : ErrorCodeOf(outcome.code()).code;
  return entry;
}

Status AuditRecorder::InTransaction(CallContext& call, store::Tx& tx) {
  const AuditCall audited{call.method, call.params, call.client_ip, &call.principal, &call.audit};
  VS_ASSIGN_OR_RETURN(store::AuditRecord record,
                      log_.AppendInTransaction(tx, BuildEntry(audited, Status::Ok())));
  call.after_commit.push_back([this, committed = std::move(record)] { log_.Committed(committed); });
  return Status::Ok();
}

Status AuditRecorder::Record(const AuditCall& call, const Status& outcome) {
  return log_.AppendDurable(BuildEntry(call, outcome));
}

void AuditRecorder::RecordAsync(const AuditCall& call, const Status& outcome, RecordDone done) {
  audit::AuditLog::Job job;
  job.record = [entry = BuildEntry(call, outcome)](const Status&) { return entry; };
  job.done = [done = std::move(done)](const Status&, const Status& committed) { done(committed); };
  log_.Submit(std::move(job));
}

bool AuditRecorder::SubmitWrite(store::TxFn run, std::function<AuditCall()> describe,
                                WriteDone done) {
  if (!batch_writes_) return false;
  audit::AuditLog::Job job;
  job.run = std::move(run);
  job.record = [this, describe = std::move(describe)](const Status& outcome) {
    return BuildEntry(describe(), outcome);
  };
  job.done = [done = std::move(done)](const Status& outcome, const Status& committed) {
    done(outcome, committed);
  };
  log_.Submit(std::move(job));
  return true;
}

}  // namespace voxsecrets::api
