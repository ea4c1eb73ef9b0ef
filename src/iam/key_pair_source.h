// KeyPairSource: where the key pair of a new service-account key comes from. A seam: iam knows
// the rules of keys, not how RSA keys are made; auth implements it (auth/rsa_key_pair_source.h,
// RSA-2048 from OpenSSL's CSPRNG) and the composition root hands it in, the way a SecureRandom is.
//
// Thread-safety: implementations must be safe to call from any thread.
#ifndef VOXSECRETS_IAM_KEY_PAIR_SOURCE_H_
#define VOXSECRETS_IAM_KEY_PAIR_SOURCE_H_

#include <string>

#include "common/secure_bytes.h"
#include "common/status.h"

namespace voxsecrets::iam {

struct KeyPairPem {
  SecureBytes private_key_pem;  // PKCS#8 PEM: handed out once, never stored
  std::string public_key_pem;   // SubjectPublicKeyInfo PEM: stored with the key
};

class KeyPairSource {
 public:
  virtual ~KeyPairSource() = default;
  // A fresh key pair. A non-OK Result (kInternal) when none can be made.
  virtual Result<KeyPairPem> NewKeyPair() const = 0;
};

}  // namespace voxsecrets::iam

#endif  // VOXSECRETS_IAM_KEY_PAIR_SOURCE_H_
