#include "auth/credentials.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "auth/rs256.h"
#include "common/encoding.h"
#include "common/utf8.h"

namespace voxsecrets::auth {
namespace {

using nlohmann::json;

Status InvalidMember(std::string_view member) {
  return InvalidArgument(
      member, "The credentials member '" + std::string(member) + "' is missing or invalid.");
}

Result<int64_t> AccountIdMember(const json& object) {
  auto it = object.find("account_id");
  if (it == object.end()) return InvalidMember("account_id");
  int64_t v = 0;
  if (it->is_number_unsigned()) {
    if (it->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return InvalidMember("account_id");
    }
    v = static_cast<int64_t>(it->get<uint64_t>());
  } else if (it->is_string()) {
    const std::string& s = it->get_ref<const std::string&>();
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || s[0] == '-' || ec != std::errc() || end != s.data() + s.size()) {
      return InvalidMember("account_id");
    }
  } else {
    return InvalidMember("account_id");
  }
  if (v < 1) return InvalidMember("account_id");
  return v;
}

}  // namespace

Result<KeyPair> GenerateRsaKeyPair() {
  EvpPkeyPtr key(
      EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(kGeneratedRsaBits)));
  if (!key) {
    ERR_clear_error();
    return InternalError("Cannot generate an RSA key pair.");
  }
  KeyPair pair;
  VS_ASSIGN_OR_RETURN(pair.private_key_pem, PrivateKeyPkcs8Pem(key.get()));
  VS_ASSIGN_OR_RETURN(pair.public_key_pem, PublicKeyPem(key.get()));
  return pair;
}

Result<std::string> PublicKeyPemFromPrivate(std::string_view private_key_pem) {
  VS_ASSIGN_OR_RETURN(EvpPkeyPtr key, ParseRsaPrivateKeyPem(private_key_pem));
  return PublicKeyPem(key.get());
}

Result<SecureBytes> BuildCredentialsJson(const Credentials& credentials) {
  if (!Utf8CodePoints(credentials.account_email)) return InvalidMember("account_email");
  if (!Utf8CodePoints(credentials.key_id)) return InvalidMember("key_id");
  const std::string_view pem = credentials.private_key_pem.view();
  if (!Utf8CodePoints(pem)) return InvalidMember("private_key");
  // Reserved in full so that `text` (which holds the private key) never reallocates: one buffer
  // to wipe.
  std::string text;
  text.reserve(128 + JsonStringMaxSize(credentials.account_email) +
               JsonStringMaxSize(credentials.key_id) + JsonStringMaxSize(pem));
  text.append("{\"account_email\":");
  AppendJsonString(text, credentials.account_email);
  text.append(",\"account_id\":");
  text.append(std::to_string(credentials.account_id));
  text.append(",\"key_id\":");
  AppendJsonString(text, credentials.key_id);
  text.append(",\"private_key\":");
  AppendJsonString(text, pem);
  text.push_back('}');
  SecureBytes out = SecureBytes::FromView(text);
  SecureWipe(text.data(), text.size());
  return out;
}

Result<Credentials> ParseCredentialsJson(std::string_view json_text) {
  json doc = json::parse(json_text, /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (doc.is_array() && doc.size() == 1) doc = std::move(doc[0]);
  if (!doc.is_object()) {
    return InvalidArgument("credentials", "The credentials are not a JSON object.");
  }
  Credentials c;
  // Wipe the parsed copy of the private key however this function returns.
  struct WipeOnExit {
    json& doc;
    ~WipeOnExit() {
      auto it = doc.find("private_key");
      if (it != doc.end() && it->is_string()) {
        std::string& s = it->get_ref<std::string&>();
        SecureWipe(s.data(), s.size());
      }
    }
  } wipe{doc};

  if (auto it = doc.find("account_email"); it != doc.end()) {
    if (!it->is_string()) return InvalidMember("account_email");
    c.account_email = it->get<std::string>();
  }
  VS_ASSIGN_OR_RETURN(c.account_id, AccountIdMember(doc));
  auto key_id = doc.find("key_id");
  if (key_id == doc.end() || !key_id->is_string() ||
      key_id->get_ref<const std::string&>().empty()) {
    return InvalidMember("key_id");
  }
  c.key_id = key_id->get<std::string>();
  auto pk = doc.find("private_key");
  if (pk == doc.end() || !pk->is_string()) return InvalidMember("private_key");
  const std::string& pem = pk->get_ref<const std::string&>();
  if (pem.find("-----BEGIN ") == std::string::npos ||
      pem.find("PRIVATE KEY-----") == std::string::npos) {
    return InvalidMember("private_key");
  }
  c.private_key_pem = SecureBytes::FromView(pem);
  return c;
}

Result<std::string> SignJwt(std::string_view private_key_pem, std::string_view key_id, int64_t iss,
                            int64_t iat, int64_t exp) {
  if (key_id.empty() || !Utf8CodePoints(key_id)) return InvalidArgument("key_id");
  VS_ASSIGN_OR_RETURN(EvpPkeyPtr key, ParseRsaPrivateKeyPem(private_key_pem));
  std::string header;
  header.reserve(48 + JsonStringMaxSize(key_id));
  header.append(R"({"alg":"RS256","typ":"JWT","kid":)");
  AppendJsonString(header, key_id);
  header.push_back('}');
  const std::string payload = "{\"iss\":" + std::to_string(iss) +
                              ",\"iat\":" + std::to_string(iat) +
                              ",\"exp\":" + std::to_string(exp) + "}";
  std::string token = Base64UrlEncode(header) + "." + Base64UrlEncode(payload);
  VS_ASSIGN_OR_RETURN(std::string signature, SignRs256(key.get(), token));
  token.push_back('.');
  token.append(Base64UrlEncode(signature));
  return token;
}

}  // namespace voxsecrets::auth
