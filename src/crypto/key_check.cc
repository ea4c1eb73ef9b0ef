#include "crypto/key_check.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <charconv>

#include "common/encoding.h"
#include "common/secure_bytes.h"

namespace voxsecrets::crypto {
namespace {

constexpr std::string_view kCheckMessage = "voxsecrets key check v1";
// How many older versions a mismatching key is compared with to name it.
constexpr uint32_t kOldVersionsToName = 64;

}  // namespace

std::string MetaKeyCheckName(uint32_t version) {
  return "master_key.check." + std::to_string(version);
}

std::string KeyCheckValue(const LockedKey& key) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_len = 0;
  if (!key.valid() || HMAC(EVP_sha256(), key.bytes().data(), static_cast<int>(key.bytes().size()),
                           reinterpret_cast<const unsigned char*>(kCheckMessage.data()),
                           kCheckMessage.size(), mac.data(), &mac_len) == nullptr) {
    return std::string();  // never equal to a stored check value
  }
  return HexEncode(std::span<const uint8_t>(mac.data(), mac_len));
}

Result<std::optional<uint32_t>> CurrentMasterKeyVersion(store::Tx& tx) {
  VS_ASSIGN_OR_RETURN(std::optional<std::string> text, tx.meta().Get(kMetaMasterKeyVersion));
  if (!text) return std::optional<uint32_t>();
  uint32_t v = 0;
  const char* end = text->data() + text->size();
  auto [p, ec] = std::from_chars(text->data(), end, v);
  if (ec != std::errc() || p != end || v == 0) {
    return Status(StatusCode::kDataLoss, "the stored master key version is malformed");
  }
  return std::optional<uint32_t>(v);
}

Result<uint32_t> VerifyMasterKey(store::Store& store, const LockedKey& key) {
  const std::string check = KeyCheckValue(key);
  if (check.empty()) return InternalError("cannot compute the master key check value");
  uint32_t result = 0;
  const auto check_or_record = [&](store::Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::optional<uint32_t> current, CurrentMasterKeyVersion(tx));
    if (!current) {
      VS_ASSIGN_OR_RETURN(auto data_keys, tx.data_keys().ListAll());
      if (!data_keys.empty()) {
        return Status(StatusCode::kDataLoss,
                      "data keys exist but no master key check value is stored; refusing to "
                      "guess whether the master key is right");
      }
      VS_RETURN_IF_ERROR(tx.meta().Put(MetaKeyCheckName(1), check));
      VS_RETURN_IF_ERROR(tx.meta().Put(kMetaMasterKeyVersion, "1"));
      result = 1;
      return Status::Ok();
    }
    VS_ASSIGN_OR_RETURN(std::optional<std::string> stored,
                        tx.meta().Get(MetaKeyCheckName(*current)));
    if (!stored) {
      return Status(StatusCode::kDataLoss, "no key check value is stored for master key version " +
                                               std::to_string(*current));
    }
    if (ConstantTimeEquals(*stored, check)) {
      result = *current;
      return Status::Ok();
    }
    // Name a known key, to spare the operator a guessing game.
    VS_ASSIGN_OR_RETURN(std::optional<std::string> pending,
                        tx.meta().Get(MetaKeyCheckName(*current + 1)));
    if (pending && ConstantTimeEquals(*pending, check)) {
      return Status(StatusCode::kUnauthenticated,
                    "the master key does not match this data yet: it is master key version " +
                        std::to_string(*current + 1) +
                        " of a rotation that has not finished; finish it (keys rotate-master) "
                        "or start with version " +
                        std::to_string(*current));
    }
    for (uint32_t v = *current - 1; v >= 1 && *current - v <= kOldVersionsToName; --v) {
      VS_ASSIGN_OR_RETURN(std::optional<std::string> old, tx.meta().Get(MetaKeyCheckName(v)));
      if (old && ConstantTimeEquals(*old, check)) {
        return Status(StatusCode::kUnauthenticated,
                      "the master key does not match this data: it is master key version " +
                          std::to_string(v) + ", which was rotated out; the data needs version " +
                          std::to_string(*current));
      }
    }
    return Status(StatusCode::kUnauthenticated,
                  "the master key does not match this data (key check value differs)");
  };
  VS_RETURN_IF_ERROR(store.Write(check_or_record));
  return result;
}

}  // namespace voxsecrets::crypto
