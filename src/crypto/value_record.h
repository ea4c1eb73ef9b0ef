// The sealed-value record (docs/RECORD_FORMAT.md, "Value record v2"): the bytes a SealedValue's
// blob holds, and the associated data that binds them to their account, application, secret,
// version of the secret's value and data key version.
//
//   offset 0      1 byte   format version = 2 (1: the format before secret versions, see below)
//   offset 1      4 bytes  data key version, big-endian
//   offset 5     12 bytes  AES-256-GCM nonce (random, fresh for every seal)
//   offset 17     n bytes  ciphertext (n = plaintext length)
//   offset 17+n  16 bytes  GCM tag
//   AAD v2 = "voxsecrets value
//   v2|<account_id>|<application_id>|<secret_id>|<version>|<dek_version>" AAD v1 = "voxsecrets
//   value v1|<account_id>|<application_id>|<secret_id>|<dek_version>"
//            (decimal integers, no padding)
//
// Seal always writes format 2. Open reads both: a format 1 record (stored before secret versions
// existed) is version 1 of its secret and opens only for ValueContext::version == 1.
//
// These are pure functions over an Aes256Gcm and a data key; key lookup lives in Keyring.
// Thread-safety: reentrant. Failures to open are kDataLoss and never expose partial plaintext.
#ifndef VOXSECRETS_CRYPTO_VALUE_RECORD_H_
#define VOXSECRETS_CRYPTO_VALUE_RECORD_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/random.h"
#include "common/sealed_value.h"
#include "common/secure_bytes.h"
#include "common/status.h"
#include "crypto/aead.h"
#include "crypto/value_sealer.h"

namespace voxsecrets::crypto {

inline constexpr uint8_t kValueRecordFormatV1 = 1;  // read only
inline constexpr uint8_t kValueRecordFormat = 2;    // written
inline constexpr size_t kValueHeaderSize = 5;
inline constexpr size_t kValueRecordOverhead = kValueHeaderSize + Aes256Gcm::kOverhead;

// The associated data of a value record of `format` (kValueRecordFormat or kValueRecordFormatV1,
// which has no version in it; see above).
std::string ValueAad(uint8_t format, const ValueContext& ctx, uint32_t dek_version);

// The data key version named in a record's header. kDataLoss when the record is shorter than
// its fixed overhead, has an unknown format version, or disagrees with sealed.key_version.
Result<uint32_t> ValueRecordKeyVersion(const SealedValue& sealed);

// Seals `plaintext` under `dek` (data key version `dek_version`) for `ctx`.
Result<SealedValue> SealValueRecord(const Aes256Gcm& aead, std::span<const uint8_t> dek,
                                    uint32_t dek_version, SecureRandom& random,
                                    const ValueContext& ctx, std::string_view plaintext);

// Opens a record sealed by SealValueRecord (or a format 1 record, as version 1 only).
// REQUIRES: `dek` is the data key of the version ValueRecordKeyVersion(sealed) returned.
Result<SecureBytes> OpenValueRecord(const Aes256Gcm& aead, std::span<const uint8_t> dek,
                                    const ValueContext& ctx, const SealedValue& sealed);

}  // namespace voxsecrets::crypto

#endif  // VOXSECRETS_CRYPTO_VALUE_RECORD_H_
