// RsaKeyPairSource: the key pairs of new service-account keys (iam::KeyPairSource): RSA-2048 from
// OpenSSL's CSPRNG (GenerateRsaKeyPair, credentials.h), tens of milliseconds each.
//
// Thread-safety: stateless; safe from any thread.
#ifndef VOXSECRETS_AUTH_RSA_KEY_PAIR_SOURCE_H_
#define VOXSECRETS_AUTH_RSA_KEY_PAIR_SOURCE_H_

#include "iam/key_pair_source.h"

namespace voxsecrets::auth {

class RsaKeyPairSource final : public iam::KeyPairSource {
 public:
  Result<iam::KeyPairPem> NewKeyPair() const override;
};

}  // namespace voxsecrets::auth

#endif  // VOXSECRETS_AUTH_RSA_KEY_PAIR_SOURCE_H_
