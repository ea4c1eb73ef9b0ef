// RS256 (RSASSA-PKCS1-v1_5 with SHA-256, RFC 7518 §3.3) on OpenSSL 3 EVP, and RSA key parsing.
//
// Verification is meant to run against an EVP_PKEY parsed once and cached (key_cache.h):
// parsing a PEM costs ~300 µs with OpenSSL 3.0, a verification ~21 µs.
//
// Only RSA keys (EVP type "RSA", not RSA-PSS) of 2048 to 8192 bits are accepted, so that an
// EC or other key can never stand in for an RS256 key (algorithm confusion), and a stored key
// cannot make every verification arbitrarily slow.
//
// Errors never carry key material. Every failure path clears OpenSSL's thread-local error queue so
// that stale errors do not leak into unrelated OpenSSL users (TLS) on the same thread.
//
// Thread-safety: all functions are safe to call concurrently, also with the same EVP_PKEY
// (OpenSSL 3 allows concurrent read-only use of a key).
#ifndef VOXSECRETS_AUTH_RS256_H_
#define VOXSECRETS_AUTH_RS256_H_

#include <openssl/types.h>

#include <memory>
#include <string>
#include <string_view>

#include "common/secure_bytes.h"
#include "common/status.h"

namespace voxsecrets::auth {

struct EvpPkeyDeleter {
  void operator()(EVP_PKEY* key) const;
};
// Owns one EVP_PKEY (freed with EVP_PKEY_free; OpenSSL wipes private components).
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;

inline constexpr int kMinRsaBits = 2048;
inline constexpr int kMaxRsaBits = 8192;

// Parses a SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----") holding an RSA key.
// kInvalidArgument when it is not such a PEM or the key is not RSA of an accepted size.
Result<EvpPkeyPtr> ParseRsaPublicKeyPem(std::string_view pem);

// Parses an RSA private key PEM: PKCS#8 ("BEGIN PRIVATE KEY", what credentials.json carries) or
// PKCS#1 ("BEGIN RSA PRIVATE KEY"). Encrypted PEMs are refused (no passphrase prompt).
// kInvalidArgument otherwise.
Result<EvpPkeyPtr> ParseRsaPrivateKeyPem(std::string_view pem);

// The SubjectPublicKeyInfo PEM of `key`'s public half. REQUIRES: key != nullptr.
Result<std::string> PublicKeyPem(EVP_PKEY* key);

// The PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----") of `key`, unencrypted, in wiping memory.
// REQUIRES: key != nullptr and holds a private key.
Result<SecureBytes> PrivateKeyPkcs8Pem(EVP_PKEY* key);

// True when `signature` is a valid RS256 signature of `data` under `key`.
// REQUIRES: key != nullptr.
bool VerifyRs256(EVP_PKEY* key, std::string_view data, std::string_view signature);

// The RS256 signature of `data` with the private `key`. REQUIRES: key != nullptr.
Result<std::string> SignRs256(EVP_PKEY* key, std::string_view data);

}  // namespace voxsecrets::auth

#endif  // VOXSECRETS_AUTH_RS256_H_
