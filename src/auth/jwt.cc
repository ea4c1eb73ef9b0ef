#include "auth/jwt.h"

#include <charconv>
#include <limits>
#include <nlohmann/json.hpp>

#include "common/encoding.h"

namespace voxsecrets::auth {
namespace {

using nlohmann::json;

Status Malformed() { return Status(StatusCode::kTokenMalformed, "Invalid token format."); }

// Decodes one base64url part into a JSON object; nullopt when that fails.
std::optional<json> DecodeObject(std::string_view part) {
  std::optional<std::string> text = Base64UrlDecode(part);
  if (!text) return std::nullopt;
  json value = json::parse(*text, /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (!value.is_object()) return std::nullopt;
  return value;
}

// An integer JSON number (never a float, even an integral one) in [min, max].
std::optional<int64_t> IntegerMember(const json& object, const char* name, int64_t min,
                                     int64_t max) {
  auto it = object.find(name);
  if (it == object.end()) return std::nullopt;
  int64_t v = 0;
  if (it->is_number_unsigned()) {
    const uint64_t u = it->get<uint64_t>();
    if (u > static_cast<uint64_t>(max)) return std::nullopt;
    v = static_cast<int64_t>(u);
  } else if (it->is_number_integer()) {
    v = it->get<int64_t>();
  } else {
    return std::nullopt;
  }
  if (v < min || v > max) return std::nullopt;
  return v;
}

// `iss`: an integer number or a string of ASCII digits (the Java client sends a string), >= 1.
std::optional<int64_t> IssuerMember(const json& payload) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  auto it = payload.find("iss");
  if (it == payload.end()) return std::nullopt;
  if (!it->is_string()) return IntegerMember(payload, "iss", 1, kMax);
  const std::string& s = it->get_ref<const std::string&>();
  if (s.empty()) return std::nullopt;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < 1) return std::nullopt;
  return v;
}

// A member that must be a string when present. Returns false when it is present but not a string.
bool OptionalString(const json& object, const char* name, std::optional<std::string>& out) {
  auto it = object.find(name);
  if (it == object.end()) return true;
  if (!it->is_string()) return false;
  out = it->get<std::string>();
  return true;
}

}  // namespace

Result<ParsedJwt> ParseJwt(std::string_view token) {
  if (token.size() > kMaxJwtLength) return Malformed();
  const size_t dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return Malformed();
  const size_t dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return Malformed();
  }

  std::optional<json> header = DecodeObject(token.substr(0, dot1));
  if (!header) return Malformed();
  std::optional<json> payload = DecodeObject(token.substr(dot1 + 1, dot2 - dot1 - 1));
  if (!payload) return Malformed();
  std::optional<std::string> signature = Base64UrlDecode(token.substr(dot2 + 1));
  if (!signature) return Malformed();  // empty is decodable ("alg":"none" tokens) → 100 later

  ParsedJwt jwt;
  std::optional<std::string> alg;
  std::optional<std::string> kid;
  if (!OptionalString(*header, "alg", alg) || !alg) return Malformed();
  if (!OptionalString(*header, "kid", kid) || !kid || kid->empty()) return Malformed();
  if (!OptionalString(*header, "typ", jwt.typ)) return Malformed();
  jwt.alg = std::move(*alg);
  jwt.kid = std::move(*kid);
  jwt.has_crit = header->contains("crit");

  std::optional<int64_t> iss = IssuerMember(*payload);
  std::optional<int64_t> iat = IntegerMember(*payload, "iat", 0, kMaxNumericDate);
  std::optional<int64_t> exp = IntegerMember(*payload, "exp", 0, kMaxNumericDate);
  if (!iss || !iat || !exp) return Malformed();
  jwt.iss = *iss;
  jwt.iat = *iat;
  jwt.exp = *exp;

  jwt.signing_input = std::string(token.substr(0, dot2));
  jwt.signature = std::move(*signature);
  return jwt;
}

std::optional<std::string_view> ExtractBearerToken(std::string_view header_value) {
  auto is_space = [](char c) { return c == ' ' || c == '\t'; };
  while (!header_value.empty() && is_space(header_value.front())) header_value.remove_prefix(1);
  while (!header_value.empty() && is_space(header_value.back())) header_value.remove_suffix(1);
  constexpr std::string_view kScheme = "bearer";
  if (header_value.size() <= kScheme.size()) return std::nullopt;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    char c = header_value[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kScheme[i]) return std::nullopt;
  }
  std::string_view rest = header_value.substr(kScheme.size());
  if (!is_space(rest.front())) return std::nullopt;
  while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
  if (rest.empty()) return std::nullopt;
  return rest;
}

}  // namespace voxsecrets::auth
