// Percent-decoding, application/x-www-form-urlencoded, header parameters and Content-Type
// classification.
#include <boost/url/encoding_opts.hpp>
#include <boost/url/pct_string_view.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/ascii.h"
#include "http/body_decoders.h"
#include "http/request_decoder.h"

// Header whitespace is IsAsciiSpace (common/ascii.h): CR and LF count too, so that a folded header
// value (obsolete, but cheap to accept) can be handed over as one span.
namespace voxsecrets::http {

std::optional<std::string> PercentDecode(std::string_view s, bool plus_is_space) {
  // Boost.URL checks every escape ('%' and two hex digits, either case) and decodes them; every
  // other byte is kept as it is, as are the raw spaces, UTF-8 and '#' that clients put in bodies.
  // (Its query grammar, parse_query, would refuse those: the pairs are split in DecodeUrlEncoded.)
  const auto encoded = boost::urls::make_pct_string_view(s);
  if (!encoded) return std::nullopt;
  boost::urls::encoding_opts options;
  options.space_as_plus = plus_is_space;
  return encoded->decode(options);
}

std::optional<std::string> HeaderParam(std::string_view header_value, std::string_view name) {
  const std::string_view v = header_value;
  // Skip the leading media type / disposition type.
  size_t i = v.find(';');
  while (i < v.size()) {
    ++i;  // past ';'
    size_t name_end = i;
    while (name_end < v.size() && v[name_end] != '=' && v[name_end] != ';') ++name_end;
    const std::string_view param_name = TrimAsciiSpace(v.substr(i, name_end - i));
    i = name_end;
    if (i == v.size() || v[i] == ';') continue;  // a parameter without a value
    ++i;                                         // past '='
    while (i < v.size() && IsAsciiSpace(v[i])) ++i;
    std::string value;
    if (i < v.size() && v[i] == '"') {
      // quoted-string with quoted-pairs; an unterminated one runs to the end.
      ++i;
      while (i < v.size() && v[i] != '"') {
        if (v[i] == '\\' && i + 1 < v.size()) ++i;
        value.push_back(v[i]);
        ++i;
      }
      if (i < v.size()) ++i;  // past the closing quote
      i = v.find(';', i);     // junk after the quoted string is ignored
      if (i == std::string_view::npos) i = v.size();
    } else {
      size_t end = v.find(';', i);
      if (end == std::string_view::npos) end = v.size();
      value = std::string(TrimAsciiSpace(v.substr(i, end - i)));
      i = end;
    }
    if (EqualsIgnoreAsciiCase(param_name, name)) return value;
  }
  return std::nullopt;
}

namespace internal {

BodyKind BodyKindOf(std::string_view content_type) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  media = TrimAsciiSpace(media);
  if (media.empty()) return BodyKind::kSniff;
  if (EqualsIgnoreAsciiCase(media, "application/x-www-form-urlencoded")) {
    return BodyKind::kUrlEncoded;
  }
  if (EqualsIgnoreAsciiCase(media, "multipart/form-data")) return BodyKind::kMultipart;
  if (EqualsIgnoreAsciiCase(media, "application/json")) return BodyKind::kJson;
  if (EqualsIgnoreAsciiCase(media, "text/plain")) return BodyKind::kSniff;
  constexpr std::string_view kApplication = "application/";
  constexpr std::string_view kJsonSuffix = "+json";
  if (media.size() > kApplication.size() + kJsonSuffix.size() &&
      EqualsIgnoreAsciiCase(media.substr(0, kApplication.size()), kApplication) &&
      EqualsIgnoreAsciiCase(media.substr(media.size() - kJsonSuffix.size()), kJsonSuffix)) {
    return BodyKind::kJson;
  }
  return BodyKind::kIgnored;
}

bool DecodeUrlEncoded(std::string_view s, api::Params* out) {
  size_t i = 0;
  while (i < s.size()) {
    size_t end = s.find('&', i);
    if (end == std::string_view::npos) end = s.size();
    const std::string_view pair = s.substr(i, end - i);
    i = end + 1;
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    const std::string_view raw_name = pair.substr(0, eq);
    const std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    std::optional<std::string> name = PercentDecode(raw_name, /*plus_is_space=*/true);
    std::optional<std::string> value = PercentDecode(raw_value, /*plus_is_space=*/true);
    if (!name || !value) return false;
    if (name->empty()) continue;
    out->Set(std::move(*name), std::move(*value));
  }
  return true;
}

}  // namespace internal
}  // namespace voxsecrets::http
