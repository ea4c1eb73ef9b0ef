// Test-only helpers for the auth tests: build tokens with arbitrary headers and payloads, signed
// with RS256 (rs256.h), HMAC-SHA256 (attack cases) or a given signature. Header-only; linked only
// into auth_test.
#ifndef VOXSECRETS_AUTH_AUTH_TEST_UTIL_H_
#define VOXSECRETS_AUTH_AUTH_TEST_UTIL_H_

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "auth/credentials.h"
#include "auth/rs256.h"
#include "common/encoding.h"
#include "common/mutex.h"

namespace voxsecrets::auth::testing {

struct TestKey {
  EvpPkeyPtr private_key;
  std::string public_pem;
};

// RSA-2048 test key number `index` (0..7), generated on first use and kept for the rest of the
// process. Key generation costs ~150 ms and ctest runs every test in its own process, so tests ask
// only for the keys they use. Distinct indexes are distinct keys. Test-only process-wide cache.
inline const TestKey& SharedTestKey(size_t index) {
  static Mutex mu;
  static std::array<std::unique_ptr<TestKey>, 8> keys GUARDED_BY(mu);
  MutexLock lock(mu);
  std::unique_ptr<TestKey>& slot = keys.at(index);
  if (!slot) {
    Result<KeyPair> pair = GenerateRsaKeyPair();
    if (!pair.ok()) std::abort();
    Result<EvpPkeyPtr> parsed = ParseRsaPrivateKeyPem(pair->private_key_pem.view());
    if (!parsed.ok()) std::abort();
    slot = std::make_unique<TestKey>(TestKey{std::move(parsed).value(), pair->public_key_pem});
  }
  return *slot;
}

// "b64url(header).b64url(payload)".
inline std::string SigningInput(std::string_view header_json, std::string_view payload_json) {
  return Base64UrlEncode(header_json) + "." + Base64UrlEncode(payload_json);
}

// A token whose signature part is `signature` (raw bytes).
inline std::string TokenWithSignature(std::string_view header_json, std::string_view payload_json,
                                      std::string_view signature) {
  return SigningInput(header_json, payload_json) + "." + Base64UrlEncode(signature);
}

// A token RS256-signed with `private_key`, whatever the header says.
inline std::string Rs256Token(EVP_PKEY* private_key, std::string_view header_json,
                              std::string_view payload_json) {
  const std::string input = SigningInput(header_json, payload_json);
  Result<std::string> sig = SignRs256(private_key, input);
  return input + "." + Base64UrlEncode(sig.ok() ? *sig : std::string());
}

// A token HMAC-SHA256-signed with `secret` (the HS256-with-the-public-key attack).
inline std::string Hs256Token(std::string_view secret, std::string_view header_json,
                              std::string_view payload_json) {
  const std::string input = SigningInput(header_json, payload_json);
  unsigned char mac[EVP_MAX_MD_SIZE];
  size_t mac_len = 0;
  EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
            reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, sizeof(mac),
            &mac_len);
  return input + "." +
         Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(mac), mac_len));
}

// {"iss":iss,"iat":iat,"exp":exp} with numeric claims.
inline std::string Claims(int64_t iss, int64_t iat, int64_t exp) {
  return "{\"iss\":" + std::to_string(iss) + ",\"iat\":" + std::to_string(iat) +
         ",\"exp\":" + std::to_string(exp) + "}";
}

// {"alg":"RS256","typ":"JWT","kid":kid}.
inline std::string Rs256Header(std::string_view kid) {
  return "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"" + std::string(kid) + "\"}";
}

}  // namespace voxsecrets::auth::testing

#endif  // VOXSECRETS_AUTH_AUTH_TEST_UTIL_H_
