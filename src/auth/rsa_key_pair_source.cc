#include "auth/rsa_key_pair_source.h"

#include <utility>

#include "auth/credentials.h"

namespace voxsecrets::auth {

Result<iam::KeyPairPem> RsaKeyPairSource::NewKeyPair() const {
  VS_ASSIGN_OR_RETURN(KeyPair pair, GenerateRsaKeyPair());
  return iam::KeyPairPem{std::move(pair.private_key_pem), std::move(pair.public_key_pem)};
}

}  // namespace voxsecrets::auth
