// Wrapping of per-application data keys (DEKs) by the master key (KEK); the wrapped_key bytes of
// a store::DataKeyRecord (docs/RECORD_FORMAT.md, "Wrapped data key v1"):
//
//   offset 0    1 byte   format version = 1
//   offset 1   16 bytes  key id: random, chosen when the data key is made, kept by rewraps
//   offset 17  12 bytes  AES-256-GCM nonce (fresh for every wrap)
//   offset 29  32 bytes  encrypted data key
//   offset 61  16 bytes  GCM tag                                  (77 bytes in all)
//   AAD = "voxsecrets dek v1|app=<application_id>|ver=<version>|kek=<master_key_version>|id=<hex>"
//         (decimal integers; <hex> = the key id as 32 lower-case hex digits)
//
// The key id lets a cache tell the data key of a committed row from one created by a transaction
// that was rolled back, without unwrapping.
//
// Thread-safety: reentrant. Ownership: all arguments are borrowed for the call.
#ifndef VOXSECRETS_CRYPTO_DATA_KEY_WRAP_H_
#define VOXSECRETS_CRYPTO_DATA_KEY_WRAP_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/random.h"
#include "common/status.h"
#include "crypto/aead.h"
#include "crypto/locked_key.h"
#include "store/records.h"

namespace voxsecrets::crypto {

inline constexpr uint8_t kWrappedKeyFormat = 1;
inline constexpr size_t kDataKeyIdSize = 16;
inline constexpr size_t kWrappedKeySize =
    1 + kDataKeyIdSize + Aes256Gcm::kOverhead + LockedKey::kSize;

// The associated data of a wrapped data key (see above).
std::string WrappedKeyAad(int64_t application_id, uint32_t version, uint32_t master_key_version,
                          std::string_view key_id);

// The 16-byte key id of a wrapped key. kDataLoss when `wrapped` is not a v1 wrapped key.
Result<std::string_view> WrappedKeyId(std::string_view wrapped);

// Wraps `dek` for (application_id, version) under `kek` (master key version `kek_version`).
// `key_id` must be kDataKeyIdSize bytes.
Result<std::string> WrapDataKey(const Aes256Gcm& aead, const LockedKey& kek, uint32_t kek_version,
                                SecureRandom& random, int64_t application_id, uint32_t version,
                                std::string_view key_id, const LockedKey& dek);

// Unwraps a stored data key. kInternal (with a message telling to restart with the current
// master key) when the record was wrapped by another master key version; kDataLoss when the
// record is malformed or fails authentication (a wrong key of the same version included).
Result<LockedKey> UnwrapDataKey(const Aes256Gcm& aead, const LockedKey& kek, uint32_t kek_version,
                                const store::DataKeyRecord& record);

}  // namespace voxsecrets::crypto

#endif  // VOXSECRETS_CRYPTO_DATA_KEY_WRAP_H_
