// Base64 codecs for the JWT layer.
//
// Base64Url*: the URL-safe alphabet of RFC 4648 §5 without padding, as JWS compact serialization
// (RFC 7515 §2) uses it. Decoding is strict: only [A-Za-z0-9_-], no '=' padding, no whitespace,
// a length that is not 1 mod 4, and zero bits in the unused low bits of the last character
// (so every byte string has exactly one accepted encoding).
//
// Base64*: the standard alphabet with '=' padding (RFC 4648 §4), equally strict (no whitespace,
// padding required, canonical trailing bits). Not needed for PEM (OpenSSL parses PEM itself); kept
// for callers that exchange binary values as text.
//
// Thread-safety: pure functions.
#ifndef VOXSECRETS_AUTH_BASE64URL_H_
#define VOXSECRETS_AUTH_BASE64URL_H_

#include <optional>
#include <string>
#include <string_view>

namespace voxsecrets::auth {

std::string Base64UrlEncode(std::string_view bytes);
// nullopt when `text` is not a canonical unpadded base64url string. "" decodes to "".
std::optional<std::string> Base64UrlDecode(std::string_view text);

std::string Base64Encode(std::string_view bytes);
// nullopt when `text` is not a canonical padded base64 string. "" decodes to "".
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace voxsecrets::auth

#endif  // VOXSECRETS_AUTH_BASE64URL_H_
