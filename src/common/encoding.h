// Text encodings of bytes — hex, base64, base64url — and JSON string literals: the one copy of
// each in voxsecrets.
//
//  - Hex: lower-case digits on output; either case accepted on input.
//  - Base64 (RFC 4648 §4: '+' '/', '=' padding required), its unpadded form, and base64url (§5:
//    '-' '_', no padding, as JWS compact serialization uses it, RFC 7515 §2). Decoding is strict:
//    only the variant's alphabet, padding exactly as the variant says, no whitespace, a length
//    that is not 1 mod 4, and zero bits in the unused low bits of the last digit — so every byte
//    string has exactly one accepted text.
//  - JSON string literals (RFC 8259 §7): '"', '\' and control characters are escaped, every other
//    byte is copied as it is (valid JSON when the input is valid UTF-8).
//
// The *To functions write into memory the caller provides and sizes exactly (HexSize,
// Base64Size, Base64DecodedSize), so that key material and secrets can be encoded straight into
// a SecureBytes or a LockedKey without passing through a std::string. On failure a decoder may
// have written part of `out`: callers holding secrets wipe it (SecureBytes and LockedKey do).
//
// Thread-safety: pure functions.
#ifndef VOXSECRETS_COMMON_ENCODING_H_
#define VOXSECRETS_COMMON_ENCODING_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace voxsecrets {

// ---- hex --------------------------------------------------------------------------------------

constexpr size_t HexSize(size_t bytes) { return 2 * bytes; }

// REQUIRES: out.size() == HexSize(bytes.size()).
void HexEncodeTo(std::span<const uint8_t> bytes, std::span<char> out);
void HexEncodeTo(std::span<const uint8_t> bytes, std::span<uint8_t> out);
std::string HexEncode(std::span<const uint8_t> bytes);
std::string HexEncode(std::string_view bytes);

// The value (0..15) of a hex digit in either case, or -1 for any other character.
int HexDigitValue(char c);

// Decodes exactly out.size() bytes. False unless text.size() == HexSize(out.size()) and every
// character is a hex digit.
bool HexDecodeTo(std::string_view text, std::span<uint8_t> out);

// ---- base64 -----------------------------------------------------------------------------------

enum class Base64 {
  kPadded,    // RFC 4648 §4, with '=' padding (required when decoding)
  kUnpadded,  // the §4 alphabet without padding
  kUrl,       // RFC 4648 §5 (base64url) without padding, as in JWS
};

// The length of the text for `bytes` bytes.
size_t Base64Size(size_t bytes, Base64 variant);

// REQUIRES: out.size() == Base64Size(bytes.size(), variant).
void Base64EncodeTo(std::span<const uint8_t> bytes, Base64 variant, std::span<char> out);
std::string Base64Encode(std::span<const uint8_t> bytes, Base64 variant);
std::string Base64Encode(std::string_view bytes, Base64 variant = Base64::kPadded);

// How many bytes `text` decodes to, from its length and padding alone; nullopt when no text of
// that shape is valid in `variant`. The characters themselves are checked by Base64DecodeTo.
std::optional<size_t> Base64DecodedSize(std::string_view text, Base64 variant);

// REQUIRES: out.size() == *Base64DecodedSize(text, variant). False when `text` is not the
// canonical encoding of any byte string in `variant`.
bool Base64DecodeTo(std::string_view text, Base64 variant, std::span<uint8_t> out);

// nullopt when `text` is not canonical in `variant`. "" decodes to "".
std::optional<std::string> Base64Decode(std::string_view text, Base64 variant = Base64::kPadded);

inline std::string Base64UrlEncode(std::string_view bytes) {
  return Base64Encode(bytes, Base64::kUrl);
}
inline std::optional<std::string> Base64UrlDecode(std::string_view text) {
  return Base64Decode(text, Base64::kUrl);
}

// ---- JSON -------------------------------------------------------------------------------------

// The most bytes AppendJsonString adds for `s`: every byte as \u00XX, plus the quotes. A caller
// building text that holds secrets reserves this much first, so that `out` never reallocates
// (and only one buffer needs wiping).
constexpr size_t JsonStringMaxSize(std::string_view s) { return 6 * s.size() + 2; }

// Which control characters AppendJsonString escapes by name rather than as \u00XX.
enum class JsonEscapes {
  kNewlinesAndTab,  // \n \r \t
  kNlohmann,        // also \b \f: exactly nlohmann::json's dump (ensure_ascii=false)
};

// Appends `s` as a JSON string literal, quotes included: '"' and '\' escaped, \n \r \t (and with
// kNlohmann \b \f) by name, other control characters as \u00XX (lower-case hex), every other byte
// unchanged.
void AppendJsonString(std::string& out, std::string_view s,
                      JsonEscapes escapes = JsonEscapes::kNewlinesAndTab);

}  // namespace voxsecrets

#endif  // VOXSECRETS_COMMON_ENCODING_H_
