// Fuzz target for percent decoding and application/x-www-form-urlencoded decoding
// (src/http/form.cc, PercentDecode in request_decoder.h). Input: the first byte picks
// plus_is_space, the rest is the text. Besides "never crash", it checks:
//   * PercentDecode fails exactly when the text has a '%' not followed by two hex digits;
//   * what it decodes, percent-encoded again byte by byte, decodes to the same bytes;
//   * DecodeUrlEncoded succeeds on every text PercentDecode accepts, fails only on one it refuses;
//   * its parameters, encoded again, decode to the same parameters; none has an empty name or
//     value.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "api/api_types.h"
#include "common/encoding.h"
#include "http/body_decoders.h"
#include "http/request_decoder.h"

namespace {

using voxsecrets::HexEncode;
using voxsecrets::api::Params;
using voxsecrets::http::PercentDecode;
using voxsecrets::http::internal::DecodeUrlEncoded;

void Check(bool condition) {
  if (!condition) std::abort();
}

bool HasBadEscape(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') continue;
    if (i + 2 >= s.size()) return true;
    if (!std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      return true;
    }
    i += 2;
  }
  return false;
}

std::string PercentEncodeAll(std::string_view s) {
  std::string hex = HexEncode(s);
  std::string out;
  out.reserve(hex.size() / 2 * 3);
  for (size_t i = 0; i < hex.size(); i += 2) {
    out += '%';
    out += hex[i];
    out += hex[i + 1];
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool plus_is_space = (data[0] & 1) != 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);

  const std::optional<std::string> decoded = PercentDecode(text, plus_is_space);
  Check(decoded.has_value() == !HasBadEscape(text));
  if (decoded.has_value()) {
    Check(decoded->size() <= text.size());
    const std::optional<std::string> again = PercentDecode(PercentEncodeAll(*decoded), false);
    Check(again.has_value() && *again == *decoded);
  }

  Params params;
  const bool ok = DecodeUrlEncoded(text, &params);
  // Escapes cannot straddle '&' or '=' (neither is a hex digit): text without a bad escape
  // decodes; a failure means a bad escape somewhere (one in a skipped empty-named pair may pass).
  Check(ok || !decoded.has_value());
  if (!ok) return 0;
  std::string encoded;
  for (const auto& [name, value] : params.all()) {
    Check(!name.empty() && !value.empty());
    encoded += PercentEncodeAll(name) + "=" + PercentEncodeAll(value) + "&";
  }
  Params again;
  Check(DecodeUrlEncoded(encoded, &again));
  Check(again.all() == params.all());
  return 0;
}
