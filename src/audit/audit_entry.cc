#include "audit/audit_entry.h"

#include <array>
#include <charconv>
#include <optional>
#include <string>
#include <utility>

#include "audit/audit_masking.h"
#include "common/utf8.h"

namespace voxsecrets::audit {
namespace {

constexpr size_t kMaxMethodCodePoints = 64;
constexpr size_t kMaxIpCodePoints = 64;
// Decimal digits of an int64 at most, sign included.
constexpr size_t kMaxIntChars = 20;

void AppendIntList(std::string& out, std::string_view key, const std::vector<int64_t>& ids) {
  if (ids.empty()) return;
  if (out.size() > 1) out += ',';
  out += '"';
  out += key;
  out += "\":[";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ',';
    std::array<char, kMaxIntChars> digits{};
    const std::to_chars_result end =
        std::to_chars(digits.data(), digits.data() + digits.size(), ids[i]);
    out.append(digits.data(), end.ptr);
  }
  out += ']';
}

// SafeText(text, max_code_points), moving `text` when it is kept as it is.
std::string TakeSafeText(std::string&& text, size_t max_code_points) {
  const std::optional<size_t> code_points = Utf8CodePoints(text);
  if (code_points.has_value() && *code_points <= max_code_points) return std::move(text);
  return SafeText(text, max_code_points);
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
  std::string out;
  // Room for the usual case of a few ids.
  constexpr size_t kTypicalTouchedBytes = 96;
  out.reserve(kTypicalTouchedBytes);
  out += '{';
  AppendIntList(out, "application_ids", application_ids);
  AppendIntList(out, "secret_ids", secret_ids);
  AppendIntList(out, "secret_versions", secret_versions);
  out += '}';
  return out;
}

store::AuditRecord ToRecord(const AuditEntry& entry) { return ToRecord(AuditEntry(entry)); }

store::AuditRecord ToRecord(AuditEntry&& entry) {
  store::AuditRecord record;
  record.time_ms = entry.time_ms;
  record.account_id = entry.account_id;
  record.key_id = TakeSafeText(std::move(entry.key_id), kMaxMethodCodePoints);
  record.credential = std::string(AuditCredentialName(entry.credential));
  record.ip = TakeSafeText(std::move(entry.ip), kMaxIpCodePoints);
  record.method = TakeSafeText(std::move(entry.method), kMaxMethodCodePoints);
  record.args_json = entry.args_json.empty() ? "{}" : std::move(entry.args_json);
  record.touched_json = TouchedJson(entry.application_ids, entry.secret_ids, entry.secret_versions);
  record.result_code = entry.result_code;
  return record;
}

}  // namespace voxsecrets::audit
