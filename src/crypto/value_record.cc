#include "crypto/value_record.h"

#include <string>

namespace voxsecrets::crypto {
namespace {

Status Corrupt(std::string what) { return Status(StatusCode::kDataLoss, std::move(what)); }

}  // namespace

std::string ValueAad(uint8_t format, const ValueContext& ctx, uint32_t dek_version) {
  std::string aad =
      format == kValueRecordFormatV1 ? "voxsecrets value v1|" : "voxsecrets value v2|";
  aad += std::to_string(ctx.account_id);
  aad += '|';
  aad += std::to_string(ctx.application_id);
  aad += '|';
  aad += std::to_string(ctx.secret_id);
  aad += '|';
  if (format != kValueRecordFormatV1) {
    aad += std::to_string(ctx.version);
    aad += '|';
  }
  aad += std::to_string(dek_version);
  return aad;
}

Result<uint32_t> ValueRecordKeyVersion(const SealedValue& sealed) {
  const std::string& b = sealed.blob;
  if (b.size() < kValueRecordOverhead) return Corrupt("sealed value is truncated");
  const uint8_t format = static_cast<uint8_t>(b[0]);
  if (format != kValueRecordFormat && format != kValueRecordFormatV1) {
    return Corrupt("sealed value has an unknown record format");
  }
  const uint32_t version =
      (uint32_t{static_cast<uint8_t>(b[1])} << 24) | (uint32_t{static_cast<uint8_t>(b[2])} << 16) |
      (uint32_t{static_cast<uint8_t>(b[3])} << 8) | uint32_t{static_cast<uint8_t>(b[4])};
  if (version == 0 || version != sealed.key_version) {
    return Corrupt("sealed value names a different data key version than its row");
  }
  return version;
}

Result<SealedValue> SealValueRecord(const Aes256Gcm& aead, std::span<const uint8_t> dek,
                                    uint32_t dek_version, SecureRandom& random,
                                    const ValueContext& ctx, std::string_view plaintext) {
  SealedValue out;
  out.key_version = dek_version;
  out.blob.reserve(kValueRecordOverhead + plaintext.size());
  out.blob.push_back(static_cast<char>(kValueRecordFormat));
  out.blob.push_back(static_cast<char>((dek_version >> 24) & 0xff));
  out.blob.push_back(static_cast<char>((dek_version >> 16) & 0xff));
  out.blob.push_back(static_cast<char>((dek_version >> 8) & 0xff));
  out.blob.push_back(static_cast<char>(dek_version & 0xff));
  VS_RETURN_IF_ERROR(
      aead.Seal(dek, random, ValueAad(kValueRecordFormat, ctx, dek_version), plaintext, &out.blob));
  return out;
}

Result<SecureBytes> OpenValueRecord(const Aes256Gcm& aead, std::span<const uint8_t> dek,
                                    const ValueContext& ctx, const SealedValue& sealed) {
  VS_ASSIGN_OR_RETURN(uint32_t version, ValueRecordKeyVersion(sealed));
  const uint8_t format = static_cast<uint8_t>(sealed.blob[0]);
  // A record of the format before secret versions is version 1 of its secret and nothing else.
  if (format == kValueRecordFormatV1 && ctx.version != 1) {
    return Corrupt("sealed value of the first record format is stored as a later version");
  }
  std::string_view body(sealed.blob);
  body.remove_prefix(kValueHeaderSize);
  return aead.Open(dek, ValueAad(format, ctx, version), body);
}

}  // namespace voxsecrets::crypto
