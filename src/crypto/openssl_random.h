// OpenSslRandom: the production SecureRandom, backed by OpenSSL's CSPRNG (RAND_bytes).
//
// Thread-safety: Fill may be called concurrently from any thread (OpenSSL's DRBG is per thread).
// Fill aborts the process when OpenSSL reports a failure: predictable nonces or keys are never
// acceptable, and there is no sensible way to continue.
#ifndef VOXSECRETS_CRYPTO_OPENSSL_RANDOM_H_
#define VOXSECRETS_CRYPTO_OPENSSL_RANDOM_H_

#include <cstdint>
#include <span>

#include "common/random.h"

namespace voxsecrets::crypto {

class OpenSslRandom final : public SecureRandom {
 public:
  // SecureRandom
  void Fill(std::span<uint8_t> out) override;
};

}  // namespace voxsecrets::crypto

#endif  // VOXSECRETS_CRYPTO_OPENSSL_RANDOM_H_
