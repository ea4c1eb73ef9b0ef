#include "api/audit_recorder.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>

#include "api/error_codes.h"
#include "audit/audit_masking.h"

namespace voxsecrets::api {

namespace {

audit::AuditCredential CredentialOf(const auth::Principal& principal) {
  return principal.kind == auth::CredentialKind::kLegacyApiKey
             ? audit::AuditCredential::kLegacyApiKey
             : audit::AuditCredential::kServiceKey;
}

bool AllDigits(std::string_view s) {
  if (s.empty() || s.size() > 20) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

audit::AuditEntry AuditRecorder::BuildEntry(const AuditCall& call, const Status& outcome) const {
  audit::AuditEntry entry;
  entry.time_ms = clock_.NowMillis();
  if (call.principal != nullptr) {
    entry.account_id = call.principal->account_id;
    entry.key_id = call.principal->key_id;
    entry.credential = CredentialOf(*call.principal);
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
  const AuditCall audited{call.method,     call.params, call.client_ip,
                          &call.principal, &call.audit, true};
  VS_ASSIGN_OR_RETURN(store::AuditRecord record,
                      log_.AppendInTransaction(tx, BuildEntry(audited, Status::Ok())));
  call.after_commit.push_back([this, committed = std::move(record)] { log_.Committed(committed); });
  return Status::Ok();
}

bool AuditRecorder::IsRefusal(const AuditCall& call, const Status& outcome) {
  return call.facts == nullptr &&
         (call.principal == nullptr || outcome.code() == StatusCode::kRateLimited);
}

audit::RefusedCall AuditRecorder::BuildRefusal(const AuditCall& call, const Status& outcome) const {
  audit::RefusedCall refused;
  refused.time_ms = clock_.NowMillis();
  if (call.principal != nullptr) {
    refused.account_id = call.principal->account_id;
    refused.key_id = call.principal->key_id;
    refused.credential = CredentialOf(*call.principal);
  }
  refused.ip = std::string(call.client_ip);
  if (call.method_known) refused.method = std::string(call.method);
  refused.result_code = ErrorCodeOf(outcome.code()).code;
  refused.params = call.params.size();
  for (const auto& [name, value] : call.params.all()) {
    refused.param_bytes += name.size() + value.size();
  }
  refused.digest = audit::RefusalDigest(call.method, call.params.all());
  if (const std::optional<std::string_view> claimed = call.params.Get("account_id");
      claimed.has_value() && AllDigits(*claimed)) {
    refused.claimed_account_id = std::string(*claimed);
  }
  return refused;
}

Status AuditRecorder::Record(const AuditCall& call, const Status& outcome) {
  if (IsRefusal(call, outcome)) {
    const audit::RefusedCall refused = BuildRefusal(call, outcome);
    if (refusals_ != nullptr) return refusals_->Record(refused);
    return log_.AppendDurable(audit::RefusalEntry(refused));
  }
  return log_.AppendDurable(BuildEntry(call, outcome));
}

void AuditRecorder::RecordAsync(const AuditCall& call, const Status& outcome, RecordDone done) {
  audit::AuditLog::Job job;
  if (IsRefusal(call, outcome)) {
    const audit::RefusedCall refused = BuildRefusal(call, outcome);
    if (refusals_ != nullptr) return refusals_->RecordAsync(refused, std::move(done));
    job.entry = audit::RefusalEntry(refused);
  } else {
    job.entry = BuildEntry(call, outcome);
  }
  job.done = [done = std::move(done)](const Status&, const Status& committed) { done(committed); };
  log_.Submit(std::move(job));
}

bool AuditRecorder::SubmitWrite(store::TxFn run, std::function<AuditCall()> describe,
                                WriteDone done) {
  if (!batch_writes_) return false;
  audit::AuditLog::Job job;
  job.run = std::move(run);
  // Whether the call, if refused, was counted into its burst: decided once, even when the batch
  // is re-run (PostgreSQL, after a serialization failure), so that it is counted once.
  auto counted = std::make_shared<std::optional<bool>>();
  job.record = [this, describe = std::move(describe),
                counted](const Status& outcome) -> std::optional<audit::AuditEntry> {
    const AuditCall call = describe();
    if (!IsRefusal(call, outcome)) return BuildEntry(call, outcome);
    // Refused before its handler (no valid credentials, or its rate): the compact record, or
    // none when the refusal is counted into its burst's aggregate.
    const audit::RefusedCall refused = BuildRefusal(call, outcome);
    if (!counted->has_value()) *counted = refusals_ != nullptr && refusals_->Count(refused);
    if (**counted) return std::nullopt;
    return audit::RefusalEntry(refused);
  };
  job.done = [done = std::move(done)](const Status& outcome, const Status& committed) {
    done(outcome, committed);
  };
  log_.Submit(std::move(job));
  return true;
}

}  // namespace voxsecrets::api
