#include "common/encoding.h"

#include <array>
#include <cassert>

namespace voxsecrets {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

constexpr std::string_view kStdAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrlAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Reverse table: value 0..63, or -1 for a character outside the alphabet.
constexpr std::array<int8_t, 256> MakeReverse(std::string_view alphabet) {
  std::array<int8_t, 256> table{};
  for (auto& v : table) v = -1;
  for (size_t i = 0; i < alphabet.size(); ++i) {
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<int8_t>(i);
  }
  return table;
}

constexpr std::array<int8_t, 256> kStdReverse = MakeReverse(kStdAlphabet);
constexpr std::array<int8_t, 256> kUrlReverse = MakeReverse(kUrlAlphabet);

std::string_view AlphabetOf(Base64 variant) {
  return variant == Base64::kUrl ? kUrlAlphabet : kStdAlphabet;
}

std::span<const uint8_t> BytesOf(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// The number of bytes `digits` unpadded base64 digits carry; nullopt for a length of 1 mod 4.
std::optional<size_t> UnpaddedDecodedSize(size_t digits) {
  if (digits % 4 == 1) return std::nullopt;
  return digits / 4 * 3 + (digits % 4 == 0 ? 0 : digits % 4 - 1);
}

// The trailing '=' of padded text (at most two; a third is rejected by the alphabet check).
size_t PaddingOf(std::string_view text) {
  size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  return pad;
}

}  // namespace

// ---- hex --------------------------------------------------------------------------------------

void HexEncodeTo(std::span<const uint8_t> bytes, std::span<char> out) {
  assert(out.size() == HexSize(bytes.size()));
  for (size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kHexDigits[bytes[i] >> 4];
    out[2 * i + 1] = kHexDigits[bytes[i] & 0x0f];
  }
}

void HexEncodeTo(std::span<const uint8_t> bytes, std::span<uint8_t> out) {
  HexEncodeTo(bytes, std::span<char>(reinterpret_cast<char*>(out.data()), out.size()));
}

std::string HexEncode(std::span<const uint8_t> bytes) {
  std::string out(HexSize(bytes.size()), '\0');
  HexEncodeTo(bytes, std::span<char>(out));
  return out;
}

std::string HexEncode(std::string_view bytes) { return HexEncode(BytesOf(bytes)); }

int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool HexDecodeTo(std::string_view text, std::span<uint8_t> out) {
  if (text.size() != HexSize(out.size())) return false;
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = HexDigitValue(text[2 * i]);
    const int lo = HexDigitValue(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<uint8_t>((hi << 4) | lo);
  }
  return true;
}

// ---- base64 -----------------------------------------------------------------------------------

size_t Base64Size(size_t bytes, Base64 variant) {
  if (variant == Base64::kPadded) return (bytes + 2) / 3 * 4;
  return bytes / 3 * 4 + (bytes % 3 == 0 ? 0 : bytes % 3 + 1);
}

void Base64EncodeTo(std::span<const uint8_t> in, Base64 variant, std::span<char> out) {
  assert(out.size() == Base64Size(in.size(), variant));
  const std::string_view alphabet = AlphabetOf(variant);
  size_t o = 0;
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const uint32_t n = (uint32_t{in[i]} << 16) | (uint32_t{in[i + 1]} << 8) | in[i + 2];
    out[o++] = alphabet[(n >> 18) & 63];
    out[o++] = alphabet[(n >> 12) & 63];
    out[o++] = alphabet[(n >> 6) & 63];
    out[o++] = alphabet[n & 63];
  }
  const size_t rest = in.size() - i;
  if (rest == 0) return;
  uint32_t n = uint32_t{in[i]} << 16;
  if (rest == 2) n |= uint32_t{in[i + 1]} << 8;
  out[o++] = alphabet[(n >> 18) & 63];
  out[o++] = alphabet[(n >> 12) & 63];
  if (rest == 2) out[o++] = alphabet[(n >> 6) & 63];
  if (variant == Base64::kPadded) {
    out[o++] = '=';
    if (rest == 1) out[o++] = '=';
  }
}

std::string Base64Encode(std::span<const uint8_t> bytes, Base64 variant) {
  std::string out(Base64Size(bytes.size(), variant), '\0');
  Base64EncodeTo(bytes, variant, std::span<char>(out));
  return out;
}

std::string Base64Encode(std::string_view bytes, Base64 variant) {
  return Base64Encode(BytesOf(bytes), variant);
}

std::optional<size_t> Base64DecodedSize(std::string_view text, Base64 variant) {
  if (variant != Base64::kPadded) return UnpaddedDecodedSize(text.size());
  if (text.size() % 4 != 0) return std::nullopt;
  return UnpaddedDecodedSize(text.size() - PaddingOf(text));
}

bool Base64DecodeTo(std::string_view text, Base64 variant, std::span<uint8_t> out) {
  const std::optional<size_t> size = Base64DecodedSize(text, variant);
  if (!size || *size != out.size()) return false;
  if (variant == Base64::kPadded) text.remove_suffix(PaddingOf(text));
  const std::array<int8_t, 256>& reverse = variant == Base64::kUrl ? kUrlReverse : kStdReverse;
  uint32_t acc = 0;
  int bits = 0;
  size_t n = 0;
  for (char c : text) {
    const int8_t v = reverse[static_cast<unsigned char>(c)];
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = static_cast<uint8_t>((acc >> bits) & 0xff);
    }
  }
  // Leftover bits (2 or 4) must be zero: a canonical encoding.
  const bool canonical = bits == 0 || (acc & ((1u << bits) - 1)) == 0;
  acc = 0;
  return canonical;
}

std::optional<std::string> Base64Decode(std::string_view text, Base64 variant) {
  const std::optional<size_t> size = Base64DecodedSize(text, variant);
  if (!size) return std::nullopt;
  std::string out(*size, '\0');
  if (!Base64DecodeTo(text, variant,
                      std::span<uint8_t>(reinterpret_cast<uint8_t*>(out.data()), out.size()))) {
    return std::nullopt;
  }
  return out;
}

// ---- JSON -------------------------------------------------------------------------------------

void AppendJsonString(std::string& out, std::string_view s, JsonEscapes escapes) {
  const bool nlohmann = escapes == JsonEscapes::kNlohmann;
  out.push_back('"');
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '\b':
        out += nlohmann ? "\\b" : "\\u0008";
        break;
      case '\f':
        out += nlohmann ? "\\f" : "\\u000c";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (u < 0x20) {
          out += "\\u00";
          out.push_back(kHexDigits[u >> 4]);
          out.push_back(kHexDigits[u & 0x0f]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

}  // namespace voxsecrets
