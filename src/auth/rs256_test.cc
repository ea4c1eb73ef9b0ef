#include "auth/rs256.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <string>

#include "auth/auth_test_util.h"

namespace voxsecrets::auth {
namespace {

EvpPkeyPtr Generate(const char* type, size_t rsa_bits = 2048) {
  if (std::string_view(type) == "RSA") {
    return EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", rsa_bits));
  }
  return EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
}

std::string Pkcs1PrivatePem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey_traditional(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(n));
  BIO_free(bio);
  return pem;
}

std::string EncryptedPkcs8Pem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  char pass[] = "passphrase";
  PEM_write_bio_PKCS8PrivateKey(bio, key, EVP_aes_256_cbc(), pass, 10, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(n));
  BIO_free(bio);
  return pem;
}

class Rs256Test : public ::testing::Test {
 protected:
  EVP_PKEY* key_ = testing::SharedTestKey(0).private_key.get();
};

TEST_F(Rs256Test, SignThenVerify) {
  Result<std::string> sig = SignRs256(key_, "header.payload");
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(sig->size(), 256u);
  EXPECT_TRUE(VerifyRs256(key_, "header.payload", *sig));
}

TEST_F(Rs256Test, VerifyWithParsedPublicKey) {
  Result<std::string> pem = PublicKeyPem(key_);
  ASSERT_TRUE(pem.ok());
  EXPECT_EQ(pem->rfind("-----BEGIN PUBLIC KEY-----\n", 0), 0u);
  Result<EvpPkeyPtr> pub = ParseRsaPublicKeyPem(*pem);
  ASSERT_TRUE(pub.ok()) << pub.status().ToString();
  Result<std::string> sig = SignRs256(key_, "data");
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(VerifyRs256(pub->get(), "data", *sig));
}

TEST_F(Rs256Test, RejectsTamperingAndOtherKeys) {
  Result<std::string> sig = SignRs256(key_, "data");
  ASSERT_TRUE(sig.ok());
  EXPECT_FALSE(VerifyRs256(key_, "datA", *sig));
  EXPECT_FALSE(VerifyRs256(key_, "data ", *sig));
  std::string flipped = *sig;
  flipped[100] = static_cast<char>(flipped[100] ^ 1);
  EXPECT_FALSE(VerifyRs256(key_, "data", flipped));
  EXPECT_FALSE(VerifyRs256(key_, "data", sig->substr(1)));
  EXPECT_FALSE(VerifyRs256(key_, "data", *sig + "x"));
  EXPECT_FALSE(VerifyRs256(key_, "data", ""));
  EXPECT_FALSE(VerifyRs256(testing::SharedTestKey(1).private_key.get(), "data", *sig));
}

TEST_F(Rs256Test, PrivateKeyPemRoundTripsAsPkcs8AndPkcs1) {
  Result<SecureBytes> pkcs8 = PrivateKeyPkcs8Pem(key_);
  ASSERT_TRUE(pkcs8.ok());
  EXPECT_EQ(pkcs8->view().rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u);
  Result<EvpPkeyPtr> a = ParseRsaPrivateKeyPem(pkcs8->view());
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(EVP_PKEY_eq(a->get(), key_), 1);

  const std::string pkcs1 = Pkcs1PrivatePem(key_);
  ASSERT_EQ(pkcs1.rfind("-----BEGIN RSA PRIVATE KEY-----", 0), 0u);
  Result<EvpPkeyPtr> b = ParseRsaPrivateKeyPem(pkcs1);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(EVP_PKEY_eq(b->get(), key_), 1);
}

TEST_F(Rs256Test, AcceptsCrLfLineEndings) {
  Result<std::string> pem = PublicKeyPem(key_);
  ASSERT_TRUE(pem.ok());
  std::string crlf;
  for (char c : *pem) {
    if (c == '\n') crlf.push_back('\r');
    crlf.push_back(c);
  }
  EXPECT_TRUE(ParseRsaPublicKeyPem(crlf).ok());
}

TEST_F(Rs256Test, RefusesEncryptedPrivateKeys) {
  const std::string encrypted = EncryptedPkcs8Pem(key_);
  ASSERT_EQ(encrypted.rfind("-----BEGIN ENCRYPTED PRIVATE KEY-----", 0), 0u);
  Result<EvpPkeyPtr> k = ParseRsaPrivateKeyPem(encrypted);
  EXPECT_EQ(k.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(Rs256Test, RefusesGarbageAndPrivateKeyAsPublic) {
  EXPECT_EQ(ParseRsaPublicKeyPem("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseRsaPublicKeyPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  Result<SecureBytes> priv = PrivateKeyPkcs8Pem(key_);
  ASSERT_TRUE(priv.ok());
  EXPECT_FALSE(ParseRsaPublicKeyPem(priv->view()).ok());
  EXPECT_FALSE(ParseRsaPrivateKeyPem("not a pem").ok());
}

TEST(Rs256KeyTypeTest, RefusesNonRsaAndSmallKeys) {
  EvpPkeyPtr ec = Generate("EC");
  ASSERT_TRUE(ec);
  Result<std::string> ec_pem = PublicKeyPem(ec.get());
  ASSERT_TRUE(ec_pem.ok());
  EXPECT_EQ(ParseRsaPublicKeyPem(*ec_pem).status().code(), StatusCode::kInvalidArgument);

  // RSA-PSS is a different key type, even at 2048 bits.
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA-PSS", nullptr);
  ASSERT_NE(ctx, nullptr);
  EVP_PKEY* raw_pss = nullptr;
  ASSERT_EQ(EVP_PKEY_keygen_init(ctx), 1);
  ASSERT_EQ(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 2048), 1);
  ASSERT_EQ(EVP_PKEY_generate(ctx, &raw_pss), 1);
  EVP_PKEY_CTX_free(ctx);
  EvpPkeyPtr pss(raw_pss);
  ASSERT_EQ(EVP_PKEY_get_bits(pss.get()), 2048);
  Result<std::string> pss_pem = PublicKeyPem(pss.get());
  ASSERT_TRUE(pss_pem.ok());
  EXPECT_EQ(ParseRsaPublicKeyPem(*pss_pem).status().code(), StatusCode::kInvalidArgument);

  EvpPkeyPtr small = Generate("RSA", 1024);
  ASSERT_TRUE(small);
  Result<std::string> small_pem = PublicKeyPem(small.get());
  ASSERT_TRUE(small_pem.ok());
  EXPECT_EQ(ParseRsaPublicKeyPem(*small_pem).status().code(), StatusCode::kInvalidArgument);
  Result<SecureBytes> small_priv = PrivateKeyPkcs8Pem(small.get());
  ASSERT_TRUE(small_priv.ok());
  EXPECT_EQ(ParseRsaPrivateKeyPem(small_priv->view()).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace voxsecrets::auth
