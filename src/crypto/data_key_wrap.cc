#include "crypto/data_key_wrap.h"

#include <string>

#include "common/encoding.h"

namespace voxsecrets::crypto {
namespace {

std::string KeyName(int64_t application_id, uint32_t version) {
  return "data key version " + std::to_string(version) + " of application " +
         std::to_string(application_id);
}

}  // namespace

std::string WrappedKeyAad(int64_t application_id, uint32_t version, uint32_t master_key_version,
                          std::string_view key_id) {
  return "voxsecrets dek v1|app=" + std::to_string(application_id) +
         "|ver=" + std::to_string(version) + "|kek=" + std::to_string(master_key_version) +
         "|id=" + HexEncode(key_id);
}

Result<std::string_view> WrappedKeyId(std::string_view wrapped) {
  if (wrapped.size() != kWrappedKeySize || static_cast<uint8_t>(wrapped[0]) != kWrappedKeyFormat) {
    return Status(StatusCode::kDataLoss, "wrapped data key is malformed");
  }
  return wrapped.substr(1, kDataKeyIdSize);
}

Result<std::string> WrapDataKey(const Aes256Gcm& aead, const LockedKey& kek, uint32_t kek_version,
                                SecureRandom& random, int64_t application_id, uint32_t version,
                                std::string_view key_id, const LockedKey& dek) {
  if (key_id.size() != kDataKeyIdSize) return InternalError("data key id must be 16 bytes");
  if (!kek.valid() || !dek.valid()) return InternalError("wrapping with an empty key");
  std::string out;
  out.reserve(kWrappedKeySize);
  out.push_back(static_cast<char>(kWrappedKeyFormat));
  out.append(key_id);
  const auto dek_bytes = dek.bytes();
  VS_RETURN_IF_ERROR(aead.Seal(
      kek.bytes(), random, WrappedKeyAad(application_id, version, kek_version, key_id),
      std::string_view(reinterpret_cast<const char*>(dek_bytes.data()), dek_bytes.size()), &out));
  return out;
}

Result<LockedKey> UnwrapDataKey(const Aes256Gcm& aead, const LockedKey& kek, uint32_t kek_version,
                                const store::DataKeyRecord& record) {
  if (record.master_key_version != kek_version) {
    return InternalError(
        KeyName(record.application_id, record.version) + " is wrapped by master key version " +
        std::to_string(record.master_key_version) + ", but this process holds master key version " +
        std::to_string(kek_version) + "; restart it with the current master key");
  }
  auto id = WrappedKeyId(record.wrapped_key);
  if (!id.ok()) {
    return Status(StatusCode::kDataLoss,
                  KeyName(record.application_id, record.version) + " is malformed");
  }
  if (!kek.valid()) return InternalError("unwrapping with an empty key");
  VS_ASSIGN_OR_RETURN(LockedKey dek, LockedKey::Allocate());
  std::string_view body(record.wrapped_key);
  body.remove_prefix(1 + kDataKeyIdSize);
  Status s = aead.OpenInto(
      kek.bytes(),
      WrappedKeyAad(record.application_id, record.version, record.master_key_version, *id), body,
      dek.mutable_bytes());
  if (!s.ok()) {
    if (s.code() != StatusCode::kDataLoss) return s;
    return Status(StatusCode::kDataLoss, KeyName(record.application_id, record.version) +
                                             " failed authentication under the master key");
  }
  return dek;
}

}  // namespace voxsecrets::crypto
