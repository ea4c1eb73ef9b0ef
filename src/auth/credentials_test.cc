#include "auth/credentials.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <nlohmann/json.hpp>
#include <string>

#include "auth/jwt.h"
#include "auth/rs256.h"
#include "common/encoding.h"

namespace voxsecrets::auth {
namespace {

class CredentialsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Result<KeyPair> pair = GenerateRsaKeyPair();
    ASSERT_TRUE(pair.ok());
    pair_ = new KeyPair(std::move(*pair));
  }
  static void TearDownTestSuite() {
    delete pair_;
    pair_ = nullptr;
  }
  static inline KeyPair* pair_ = nullptr;
};

TEST_F(CredentialsTest, GeneratedKeyPairIsPkcs8AndSpkiRsa2048) {
  const std::string_view priv = pair_->private_key_pem.view();
  EXPECT_EQ(priv.rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u);
  EXPECT_NE(priv.find("-----END PRIVATE KEY-----"), std::string_view::npos);
  EXPECT_EQ(pair_->public_key_pem.rfind("-----BEGIN PUBLIC KEY-----\n", 0), 0u);
  Result<EvpPkeyPtr> pub = ParseRsaPublicKeyPem(pair_->public_key_pem);
  ASSERT_TRUE(pub.ok());
  EXPECT_EQ(EVP_PKEY_get_bits(pub->get()), 2048);
  Result<std::string> derived = PublicKeyPemFromPrivate(priv);
  ASSERT_TRUE(derived.ok());
  EXPECT_EQ(*derived, pair_->public_key_pem);
}

TEST_F(CredentialsTest, TwoGeneratedPairsDiffer) {
  Result<KeyPair> other = GenerateRsaKeyPair();
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->public_key_pem, pair_->public_key_pem);
  EXPECT_FALSE(other->private_key_pem == pair_->private_key_pem);
}

TEST_F(CredentialsTest, BuildThenParseRoundTrips) {
  Credentials c;
  c.account_email = "dev\"@example.com";
  c.account_id = 1234567;
  c.key_id = "ab81c76e-573e-4046-9af9-105269dfafca";
  c.private_key_pem = pair_->private_key_pem.Clone();
  Result<SecureBytes> text = BuildCredentialsJson(c);
  ASSERT_TRUE(text.ok());
  // Flat object with exactly the four members, the key's newlines escaped.
  nlohmann::json j = nlohmann::json::parse(text->view());
  EXPECT_EQ(j.size(), 4u);
  EXPECT_TRUE(j["account_id"].is_number_integer());
  EXPECT_EQ(text->view().find('\n'), std::string_view::npos);
  EXPECT_EQ(text->view().rfind("{\"account_email\":", 0), 0u);

  Result<Credentials> back = ParseCredentialsJson(text->view());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->account_email, c.account_email);
  EXPECT_EQ(back->account_id, c.account_id);
  EXPECT_EQ(back->key_id, c.key_id);
  EXPECT_TRUE(back->private_key_pem == c.private_key_pem);
}

TEST_F(CredentialsTest, ParsesConsoleFileAndVariants) {
  nlohmann::json j = {{"account_email", "dev@example.com"},
                      {"account_id", 1234567},
                      {"key_id", "ab81c76e-573e-4046-9af9-105269dfafca"},
                      {"private_key", std::string(pair_->private_key_pem.view())}};
  const std::string console = j.dump(2);  // pretty-printed, as a download may be
  Result<Credentials> c = ParseCredentialsJson(console);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->account_id, 1234567);

  // account_id as a string, extra members, missing email.
  nlohmann::json v = j;
  v["account_id"] = "1234567";
  v["extra"] = {1, 2};
  v.erase("account_email");
  c = ParseCredentialsJson(v.dump());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->account_id, 1234567);
  EXPECT_EQ(c->account_email, "");

  // CreateKey's result as the SDKs type it: an array of one object.
  c = ParseCredentialsJson(nlohmann::json::array({j}).dump());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->key_id, "ab81c76e-573e-4046-9af9-105269dfafca");
}

TEST_F(CredentialsTest, ParseFaultsNameTheMember) {
  nlohmann::json base = {{"account_email", "dev@example.com"},
                         {"account_id", 1234567},
                         {"key_id", "k"},
                         {"private_key", std::string(pair_->private_key_pem.view())}};
  auto field_of = [](const std::string& text) {
    Status s = ParseCredentialsJson(text).status();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    // No key material in the message.
    EXPECT_EQ(s.ToString().find("PRIVATE KEY"), std::string::npos);
    return s.field_name();
  };
  EXPECT_EQ(field_of("not json"), "credentials");
  EXPECT_EQ(field_of("[]"), "credentials");
  EXPECT_EQ(field_of("[{},{}]"), "credentials");
  for (const nlohmann::json& bad_id :
       {nlohmann::json(0), nlohmann::json(-1), nlohmann::json(1.5), nlohmann::json("abc"),
        nlohmann::json("-5"), nlohmann::json(""), nlohmann::json(nullptr),
        nlohmann::json("9223372036854775808")}) {
    nlohmann::json j = base;
    j["account_id"] = bad_id;
    EXPECT_EQ(field_of(j.dump()), "account_id") << bad_id.dump();
  }
  nlohmann::json j = base;
  j.erase("account_id");
  EXPECT_EQ(field_of(j.dump()), "account_id");
  j = base;
  j["key_id"] = "";
  EXPECT_EQ(field_of(j.dump()), "key_id");
  j.erase("key_id");
  EXPECT_EQ(field_of(j.dump()), "key_id");
  j = base;
  j["private_key"] = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC";
  EXPECT_EQ(field_of(j.dump()), "private_key");
  j.erase("private_key");
  EXPECT_EQ(field_of(j.dump()), "private_key");
  j = base;
  j["account_email"] = 5;
  EXPECT_EQ(field_of(j.dump()), "account_email");
}

TEST_F(CredentialsTest, SignJwtProducesAVerifiableRs256Token) {
  Result<std::string> token =
      SignJwt(pair_->private_key_pem.view(), "key-1", 1234567, 1767225600, 1767225660);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  const std::string header_b64 = token->substr(0, token->find('.'));
  EXPECT_EQ(Base64UrlDecode(header_b64), R"({"alg":"RS256","typ":"JWT","kid":"key-1"})");

  Result<ParsedJwt> jwt = ParseJwt(*token);
  ASSERT_TRUE(jwt.ok());
  EXPECT_EQ(jwt->alg, "RS256");
  EXPECT_EQ(jwt->kid, "key-1");
  EXPECT_EQ(jwt->iss, 1234567);
  EXPECT_EQ(jwt->iat, 1767225600);
  EXPECT_EQ(jwt->exp, 1767225660);
  Result<EvpPkeyPtr> pub = ParseRsaPublicKeyPem(pair_->public_key_pem);
  ASSERT_TRUE(pub.ok());
  EXPECT_TRUE(VerifyRs256(pub->get(), jwt->signing_input, jwt->signature));
}

TEST_F(CredentialsTest, SignJwtEscapesTheKeyId) {
  Result<std::string> token = SignJwt(pair_->private_key_pem.view(), "a\"b\\c", 1, 2, 3);
  ASSERT_TRUE(token.ok());
  Result<ParsedJwt> jwt = ParseJwt(*token);
  ASSERT_TRUE(jwt.ok());
  EXPECT_EQ(jwt->kid, "a\"b\\c");
}

TEST_F(CredentialsTest, SignJwtRefusesBadInput) {
  EXPECT_EQ(SignJwt(pair_->private_key_pem.view(), "", 1, 2, 3).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(SignJwt(pair_->private_key_pem.view(), "\xff", 1, 2, 3).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(SignJwt("not a key", "k", 1, 2, 3).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SignJwt(pair_->public_key_pem, "k", 1, 2, 3).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace voxsecrets::auth
