#include "audit/audit_hash.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <cstdint>
#include <string>

#include "common/encoding.h"

namespace voxsecrets::audit {
namespace {

void AppendField(std::string& out, std::string_view field) {
  const uint64_t size = field.size();
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((size >> shift) & 0xff));
  }
  out.append(field);
}

void AppendField(std::string& out, int64_t value) { AppendField(out, std::to_string(value)); }

}  // namespace

std::string CanonicalAuditBytes(const store::AuditRecord& record) {
  std::string out(kAuditHashVersion);
  out.push_back('\0');
  AppendField(out, record.id);
  AppendField(out, record.chain_id);
  AppendField(out, record.seq);
  AppendField(out, record.time_ms);
  AppendField(out, record.account_id.has_value() ? std::to_string(*record.account_id) : "");
  AppendField(out, record.key_id);
  AppendField(out, record.credential);
  AppendField(out, record.ip);
  AppendField(out, record.method);
  AppendField(out, record.args_json);
  AppendField(out, record.touched_json);
  AppendField(out, record.result_code);
  AppendField(out, record.prev_hash);
  return out;
}

std::string ComputeAuditHash(const store::AuditRecord& record) {
  const std::string bytes = CanonicalAuditBytes(record);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr) != 1) {
    // SHA-256 does not fail on valid input; an empty hash never matches a stored one.
    ERR_clear_error();
    return std::string();
  }
  return HexEncode(std::span<const uint8_t>(digest, len));
}

}  // namespace voxsecrets::audit
