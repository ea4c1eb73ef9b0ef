#include "auth/api_key_hash.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include "common/encoding.h"

namespace voxsecrets::auth {

Result<std::string> HashApiKey(std::string_view api_key) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(api_key.data(), api_key.size(), digest, &len, EVP_sha256(), nullptr) != 1) {
    ERR_clear_error();
    return InternalError("Cannot hash the api_key.");
  }
  return HexEncode(std::span<const uint8_t>(digest, len));
}

}  // namespace voxsecrets::auth
