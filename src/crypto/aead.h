// Aes256Gcm: AES-256-GCM authenticated encryption over OpenSSL 3 EVP, the one cipher of
// voxsecrets (values under data keys, data keys under the master key).
//
// Output of Seal: 12-byte random nonce || ciphertext (same length as the plaintext) || 16-byte tag.
// Open takes exactly that and fails with kDataLoss when the input is too short or does not
// authenticate under (key, aad); no partial plaintext is ever returned.
//
// Thread-safety: an Aes256Gcm is immutable after Create; Seal/Open may run concurrently.
// Ownership: keys and the SecureRandom are borrowed for the duration of a call only.
#ifndef VOXSECRETS_CRYPTO_AEAD_H_
#define VOXSECRETS_CRYPTO_AEAD_H_

#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/random.h"
#include "common/secure_bytes.h"
#include "common/status.h"

namespace voxsecrets::crypto {

class Aes256Gcm {
 public:
  static constexpr size_t kKeySize = 32;
  static constexpr size_t kNonceSize = 12;
  static constexpr size_t kTagSize = 16;
  static constexpr size_t kOverhead = kNonceSize + kTagSize;

  // Fetches the cipher implementation once. kInternal when OpenSSL has no AES-256-GCM.
  static Result<std::unique_ptr<Aes256Gcm>> Create();
  ~Aes256Gcm();
  Aes256Gcm(const Aes256Gcm&) = delete;
  Aes256Gcm& operator=(const Aes256Gcm&) = delete;

  // Appends nonce || ciphertext || tag (plaintext.size() + kOverhead bytes) to `*out`. The nonce
  // comes from `random`. REQUIRES: key.size() == kKeySize.
  Status Seal(std::span<const uint8_t> key, SecureRandom& random, std::string_view aad,
              std::string_view plaintext, std::string* out) const;

  // Decrypts `sealed` (nonce || ciphertext || tag) into `out`, which must be exactly
  // sealed.size() - kOverhead bytes. On failure `out` is wiped. REQUIRES: key.size() == kKeySize.
  Status OpenInto(std::span<const uint8_t> key, std::string_view aad, std::string_view sealed,
                  std::span<uint8_t> out) const;
  // Same, into a new wiping buffer.
  Result<SecureBytes> Open(std::span<const uint8_t> key, std::string_view aad,
                           std::string_view sealed) const;

 private:
  explicit Aes256Gcm(EVP_CIPHER* cipher) : cipher_(cipher) {}
  EVP_CIPHER* cipher_;  // owned; fetched once
};

using Aes256GcmPtr = std::unique_ptr<Aes256Gcm>;

}  // namespace voxsecrets::crypto

#endif  // VOXSECRETS_CRYPTO_AEAD_H_
