// SecureRandom: the only source of randomness (nonces, key ids, keys). Injected so that tests can
// use a deterministic source where determinism matters; production uses OpenSSL's CSPRNG
// (crypto/openssl_random.h).
//
// Thread-safety: implementations must be safe to call from any thread.
#ifndef VOXSECRETS_COMMON_RANDOM_H_
#define VOXSECRETS_COMMON_RANDOM_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace voxsecrets {

class SecureRandom {
 public:
  virtual ~SecureRandom() = default;
  // Fills `out` with random bytes. Aborts the process if the generator fails: continuing
  // with predictable nonces or keys is never acceptable.
  virtual void Fill(std::span<uint8_t> out) = 0;

  // A random RFC 4122 version-4 UUID string, lower case ("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx").
  std::string Uuid();
};

}  // namespace voxsecrets

#endif  // VOXSECRETS_COMMON_RANDOM_H_
