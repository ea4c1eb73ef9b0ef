// Decoding of a compact JWS ("header.payload.signature", RFC 7515 §7.1) carrying the claims a
// Voximplant Management API token has (docs/VOXIMPLANT_API_NOTES.md "Bearer tokens",
// docs/DECISIONS.md "Tokens").
//
// ParseJwt only decodes: it checks no signature, no algorithm and no time. Every failure is
// StatusCode::kTokenMalformed (API error 447), with a fixed message that never echoes the token.
// A token is malformed when:
//   - it is longer than kMaxJwtLength, or does not have exactly three '.'-separated parts;
//   - a part is not canonical unpadded base64url (common/encoding.h) (an empty signature part is
//     decodable: an `"alg":"none"` token is refused by the caller with 100, not as malformed);
//   - the header or the payload is not a JSON object (or not valid UTF-8 JSON);
//   - the header lacks a string `alg` or a non-empty string `kid`, or has a non-string `typ`;
//   - `iss` is missing, or is neither an integer JSON number nor a string of ASCII digits, or is
//     not in 1..2^63-1 (account ids are positive);
//   - `iat` or `exp` is missing, or is not an integer JSON number in 0..2^53-1 (RFC 7519
//     NumericDate restricted to integers, as every official client sends; the bound keeps all
//     time arithmetic far from overflow; a number written with a fraction or exponent, even an
//     integral one such as 1.0, is refused).
// A duplicated member name resolves to its last occurrence (allowed by RFC 7515 §4). Members other
// than the ones above are ignored, with one exception noted in ParsedJwt::has_crit. Header
// parameters that point to keys (`jku`, `jwk`, `x5u`, `x5c`) are never used: the key always comes
// from our own directory by `kid`.
//
// Thread-safety: pure functions.
#ifndef VOXSECRETS_AUTH_JWT_H_
#define VOXSECRETS_AUTH_JWT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace voxsecrets::auth {

// Longer tokens are malformed. A token of the official clients is ~600 characters.
inline constexpr size_t kMaxJwtLength = 8192;
// Largest accepted iat/exp: 2^53 - 1 (the largest integer every JSON implementation keeps exactly).
inline constexpr int64_t kMaxNumericDate = (int64_t{1} << 53) - 1;

struct ParsedJwt {
  std::string alg;                 // as sent; the caller decides (only "RS256" is accepted)
  std::string kid;                 // non-empty
  std::optional<std::string> typ;  // absent in the Java client's tokens
  // True when the header has a `crit` member. We understand no JWS extension, so RFC 7515 §4.1.11
  // requires such a token to be refused; the caller refuses it like a wrong `alg`.
  bool has_crit = false;
  int64_t iss = 0;            // account id, >= 1
  int64_t iat = 0;            // seconds since the epoch, 0..kMaxNumericDate
  int64_t exp = 0;            // seconds since the epoch, 0..kMaxNumericDate
  std::string signing_input;  // the exact "header.payload" bytes the signature covers
  std::string signature;      // decoded signature bytes; may be empty
};

// Decodes `token` (without any "Bearer " prefix). See the file comment for what is malformed.
Result<ParsedJwt> ParseJwt(std::string_view token);

// The token in an HTTP Authorization header value: "Bearer" (any case), one or more spaces or
// tabs, then the token, surrounding whitespace trimmed. nullopt when the scheme is not Bearer or
// the token is empty. The view points into `header_value`.
std::optional<std::string_view> ExtractBearerToken(std::string_view header_value);

}  // namespace voxsecrets::auth

#endif  // VOXSECRETS_AUTH_JWT_H_
