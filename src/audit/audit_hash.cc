#include "audit/audit_hash.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/encoding.h"

namespace voxsecrets::audit {
namespace {

constexpr size_t kLengthBytes = 8;
// Decimal digits of an int64 at most, sign included.
constexpr size_t kMaxIntChars = 20;

void AppendField(std::string& out, std::string_view field) {
  const uint64_t size = field.size();
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((size >> shift) & 0xff));
  }
  out.append(field);
}

// As AppendField of its decimal text, without a temporary string.
void AppendField(std::string& out, int64_t value) {
  std::array<char, kMaxIntChars> digits{};
  const std::to_chars_result end =
      std::to_chars(digits.data(), digits.data() + digits.size(), value);
  AppendField(out, std::string_view(digits.data(), static_cast<size_t>(end.ptr - digits.data())));
}

// Appends the canonical bytes of `record` to `out`.
void AppendCanonicalAuditBytes(std::string& out, const store::AuditRecord& record) {
  constexpr size_t kFields = 13;
  constexpr size_t kIntFields = 6;
  out.reserve(out.size() + kAuditHashVersion.size() + 1 + kFields * kLengthBytes +
              kIntFields * kMaxIntChars + record.key_id.size() + record.credential.size() +
              record.ip.size() + record.method.size() + record.args_json.size() +
              record.touched_json.size() + record.prev_hash.size());
  out.append(kAuditHashVersion);
  out.push_back('\0');
  AppendField(out, record.id);
  AppendField(out, record.chain_id);
  AppendField(out, record.seq);
  AppendField(out, record.time_ms);
  if (record.account_id.has_value()) {
    AppendField(out, *record.account_id);
  } else {
    AppendField(out, std::string_view());
  }
  AppendField(out, record.key_id);
  AppendField(out, record.credential);
  AppendField(out, record.ip);
  AppendField(out, record.method);
  AppendField(out, record.args_json);
  AppendField(out, record.touched_json);
  AppendField(out, record.result_code);
  AppendField(out, record.prev_hash);
}

// Lowercase hex SHA-256 of `bytes` in one call.
std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr) != 1) {
    // SHA-256 does not fail on valid input; an empty hash never matches a stored one.
    ERR_clear_error();
    return std::string();
  }
  return HexEncode(std::span<const uint8_t>(digest, len));
}

}  // namespace

std::string CanonicalAuditBytes(const store::AuditRecord& record) {
  std::string out;
  AppendCanonicalAuditBytes(out, record);
  return out;
}

std::string ComputeAuditHash(const store::AuditRecord& record) {
  return Sha256Hex(CanonicalAuditBytes(record));
}

AuditHasher::AuditHasher()
    : ctx_(EVP_MD_CTX_new()), md_(EVP_MD_fetch(nullptr, "SHA2-256", nullptr)) {
  if (ctx_ == nullptr || md_ == nullptr) ERR_clear_error();
}

AuditHasher::~AuditHasher() {
  EVP_MD_free(md_);
  EVP_MD_CTX_free(ctx_);
}

std::string AuditHasher::Hash(const store::AuditRecord& record) {
  bytes_.clear();
  AppendCanonicalAuditBytes(bytes_, record);
  if (ctx_ == nullptr || md_ == nullptr) return Sha256Hex(bytes_);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestInit_ex2(ctx_, md_, nullptr) != 1 ||
      EVP_DigestUpdate(ctx_, bytes_.data(), bytes_.size()) != 1 ||
      EVP_DigestFinal_ex(ctx_, digest, &len) != 1) {
    ERR_clear_error();
    return std::string();
  }
  return HexEncode(std::span<const uint8_t>(digest, len));
}

}  // namespace voxsecrets::audit
