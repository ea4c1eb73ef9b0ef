#include "audit/audit_entry.h"

#include <string>

#include "audit/audit_masking.h"

namespace voxsecrets::audit {
namespace {

constexpr size_t kMaxMethodCodePoints = 64;
constexpr size_t kMaxIpCodePoints = 64;

void AppendIntList(std::string& out, std::string_view key, const std::vector<int64_t>& ids) {
  if (ids.empty()) return;
  if (out.size() > 1) out += ',';
  out += '"';
  out += key;
  out += "\":[";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(ids[i]);
  }
  out += ']';
}

}  // namespace

std::string_view AuditCredentialName(AuditCredential credential) {
  switch (credential) {
    case AuditCredential::kServiceKey:
      return "service_key";
    case AuditCredential::kLegacyApiKey:
      return "legacy_api_key";
    case AuditCredential::kNone:
      break;
  }
  return "none";
}

std::string TouchedJson(const std::vector<int64_t>& application_ids,
                        const std::vector<int64_t>& secret_ids,
                        const std::vector<int64_t>& secret_versions) {
  std::string out = "{";
  AppendIntList(out, "application_ids", application_ids);
  AppendIntList(out, "secret_ids", secret_ids);
  AppendIntList(out, "secret_versions", secret_versions);
  out += '}';
  return out;
}

store::AuditRecord ToRecord(const AuditEntry& entry) {
  store::AuditRecord record;
  record.time_ms = entry.time_ms;
  record.account_id = entry.account_id;
  record.key_id = SafeText(entry.key_id, kMaxMethodCodePoints);
  record.credential = std::string(AuditCredentialName(entry.credential));
  record.ip = SafeText(entry.ip, kMaxIpCodePoints);
  record.method = SafeText(entry.method, kMaxMethodCodePoints);
  record.args_json = entry.args_json.empty() ? "{}" : entry.args_json;
  record.touched_json = TouchedJson(entry.application_ids, entry.secret_ids, entry.secret_versions);
  record.result_code = entry.result_code;
  return record;
}

}  // namespace voxsecrets::audit
