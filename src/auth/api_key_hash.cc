#include "auth/api_key_hash.h"

#include <openssl/err.h>
#include <openssl/evp.h>

namespace voxsecrets::auth {

Result<std::string> HashApiKey(std::string_view api_key) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(api_key.data(), api_key.size(), digest, &len, EVP_sha256(), nullptr) != 1) {
    ERR_clear_error();
    return InternalError("Cannot hash the api_key.");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * len);
  for (unsigned int i = 0; i < len; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 15]);
  }
  return hex;
}

}  // namespace voxsecrets::auth
