// Service-account credentials: RSA key pairs, credentials.json, and signing RS256 tokens.
//
// credentials.json (docs/VOXIMPLANT_API_NOTES.md "credentials.json") is a flat JSON object
//   {"account_email": "...", "account_id": 1234567, "key_id": "...",
//    "private_key": "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n"}
// with a PKCS#8 PEM RSA-2048 private key (the Java client accepts only PKCS#8). The server keeps
// only the public key.
//
// Private key material lives in SecureBytes. Residue we do not control: OpenSSL frees private key
// components with wiping; nlohmann's parser copies strings into buffers that are freed without
// wiping (parsing credentials happens in short-lived CLI processes, never on the server's request
// path).
//
// Thread-safety: pure functions (key generation uses OpenSSL's own thread-safe CSPRNG).
#ifndef VOXSECRETS_AUTH_CREDENTIALS_H_
#define VOXSECRETS_AUTH_CREDENTIALS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "common/secure_bytes.h"
#include "common/status.h"

namespace voxsecrets::auth {

inline constexpr int kGeneratedRsaBits = 2048;

struct KeyPair {
  SecureBytes private_key_pem;  // PKCS#8: "-----BEGIN PRIVATE KEY-----"
  std::string public_key_pem;   // SubjectPublicKeyInfo: "-----BEGIN PUBLIC KEY-----"
};

// A fresh RSA-2048 key pair from OpenSSL's CSPRNG. kInternal when OpenSSL fails.
Result<KeyPair> GenerateRsaKeyPair();

// The SubjectPublicKeyInfo PEM of a private key PEM (PKCS#8 or PKCS#1), e.g. to check that a
// credentials file matches a stored key. kInvalidArgument when the PEM is not an RSA private key.
Result<std::string> PublicKeyPemFromPrivate(std::string_view private_key_pem);

struct Credentials {
  std::string account_email;  // may be empty
  int64_t account_id = 0;     // >= 1
  std::string key_id;         // non-empty
  SecureBytes private_key_pem;
};

// The credentials.json text: the four members in the order above, the private key's newlines
// escaped as "\n", no trailing newline. In SecureBytes because it contains the private key.
// kInvalidArgument when account_email or key_id is not valid UTF-8.
Result<SecureBytes> BuildCredentialsJson(const Credentials& credentials);

// Parses what Voximplant's console, CreateKey (also as an array of one object, as the SDKs type
// it) and BuildCredentialsJson produce. Accepts `account_id` as a JSON integer or a string of
// digits; `account_email` may be missing; unknown members are ignored. `private_key` must contain
// a PEM private key armour. Everything else → kInvalidArgument with field_name set to the member
// at fault ("credentials" when the text is not a JSON object). The private key is not parsed here.
Result<Credentials> ParseCredentialsJson(std::string_view json_text);

// An RS256 JWT: header {"alg":"RS256","typ":"JWT","kid":key_id}, payload {"iss","iat","exp"}
// (numbers). Parses the private key on every call (~1 ms; fine for the CLI and tests, not for a
// hot path). kInvalidArgument for an unusable key, or a key_id that is empty or not valid UTF-8;
// kInternal for OpenSSL failures.
// No check of the time rules: tests also mint expired or too-long tokens with it.
Result<std::string> SignJwt(std::string_view private_key_pem, std::string_view key_id, int64_t iss,
                            int64_t iat, int64_t exp);

}  // namespace voxsecrets::auth

#endif  // VOXSECRETS_AUTH_CREDENTIALS_H_
