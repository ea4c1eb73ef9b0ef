#include "crypto/self_signed_cert.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <memory>
#include <string>

#include "crypto/crypto_test_util.h"
#include "crypto/openssl_random.h"

namespace voxsecrets::crypto {
namespace {

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct StoreFree {
  void operator()(X509_STORE* s) const { X509_STORE_free(s); }
};
struct StoreCtxFree {
  void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};

std::unique_ptr<X509, X509Free> ReadCert(const std::string& path) {
  std::unique_ptr<FILE, FileCloser> f(std::fopen(path.c_str(), "r"));
  if (!f) return nullptr;
  return std::unique_ptr<X509, X509Free>(PEM_read_X509(f.get(), nullptr, nullptr, nullptr));
}

std::unique_ptr<EVP_PKEY, PkeyFree> ReadKey(const std::string& path) {
  std::unique_ptr<FILE, FileCloser> f(std::fopen(path.c_str(), "r"));
  if (!f) return nullptr;
  return std::unique_ptr<EVP_PKEY, PkeyFree>(
      PEM_read_PrivateKey(f.get(), nullptr, nullptr, nullptr));
}

class SelfSignedCertTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Status s = WriteSelfSignedCert(cert_path_, key_path_, clock_, random_);
    ASSERT_TRUE(s.ok()) << s.ToString();
    cert_ = ReadCert(cert_path_);
    key_ = ReadKey(key_path_);
    ASSERT_NE(cert_, nullptr);
    ASSERT_NE(key_, nullptr);
  }

  testing::TempDir dir_;
  const std::string cert_path_ = dir_.File("cert.pem");
  const std::string key_path_ = dir_.File("key.pem");
  FakeClock clock_{1767225600};
  OpenSslRandom random_;
  std::unique_ptr<X509, X509Free> cert_;
  std::unique_ptr<EVP_PKEY, PkeyFree> key_;
};

TEST_F(SelfSignedCertTest, KeyMatchesAndFilesHaveTheRightModes) {
  EXPECT_EQ(X509_check_private_key(cert_.get(), key_.get()), 1);
  struct stat st {};
  ASSERT_EQ(stat(key_path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  ASSERT_EQ(stat(cert_path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
  EXPECT_EQ(EVP_PKEY_get_base_id(key_.get()), EVP_PKEY_EC);
}

TEST_F(SelfSignedCertTest, NamesLocalhostAndLoopbackAddresses) {
  EXPECT_EQ(X509_check_host(cert_.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(cert_.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert_.get(), "::1", 0), 1);
  EXPECT_NE(X509_check_host(cert_.get(), "example.com", 0, 0, nullptr), 1);
  EXPECT_NE(X509_check_ip_asc(cert_.get(), "10.0.0.1", 0), 1);
}

TEST_F(SelfSignedCertTest, ValidityFollowsTheClock) {
  const time_t now = 1767225600;
  time_t before_start = now - 7200;
  time_t just_started = now;
  time_t near_end = now + 824 * 86400;
  time_t after_end = now + 826 * 86400;
  EXPECT_GT(X509_cmp_time(X509_get0_notBefore(cert_.get()), &before_start), 0);
  EXPECT_LT(X509_cmp_time(X509_get0_notBefore(cert_.get()), &just_started), 0);
  EXPECT_GT(X509_cmp_time(X509_get0_notAfter(cert_.get()), &near_end), 0);
  EXPECT_LT(X509_cmp_time(X509_get0_notAfter(cert_.get()), &after_end), 0);
}

TEST_F(SelfSignedCertTest, VerifiesAsItsOwnTrustAnchorForTlsServers) {
  std::unique_ptr<X509_STORE, StoreFree> store(X509_STORE_new());
  ASSERT_EQ(X509_STORE_add_cert(store.get(), cert_.get()), 1);
  std::unique_ptr<X509_STORE_CTX, StoreCtxFree> ctx(X509_STORE_CTX_new());
  ASSERT_EQ(X509_STORE_CTX_init(ctx.get(), store.get(), cert_.get(), nullptr), 1);
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, 1767225600 + 86400);
  X509_VERIFY_PARAM_set1_host(param, "localhost", 0);
  EXPECT_EQ(X509_verify_cert(ctx.get()), 1)
      << X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
  EXPECT_EQ(X509_get_extended_key_usage(cert_.get()) & XKU_SSL_SERVER, XKU_SSL_SERVER);
}

TEST_F(SelfSignedCertTest, IsALeafThatCannotSignCertificates) {
  EXPECT_EQ(X509_check_ca(cert_.get()), 0);
  EXPECT_NE(X509_get_extension_flags(cert_.get()) & EXFLAG_BCONS, 0u);  // CA:FALSE is stated
  EXPECT_EQ(X509_get_extension_flags(cert_.get()) & EXFLAG_CA, 0u);
  const uint32_t usage = X509_get_key_usage(cert_.get());
  EXPECT_EQ(usage & KU_KEY_CERT_SIGN, 0u);
  EXPECT_EQ(usage & KU_CRL_SIGN, 0u);
  EXPECT_EQ(usage, static_cast<uint32_t>(KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT));
  // Both critical, as a CA would check them.
  for (int nid : {NID_basic_constraints, NID_key_usage}) {
    const int at = X509_get_ext_by_NID(cert_.get(), nid, -1);
    ASSERT_GE(at, 0) << nid;
    EXPECT_EQ(X509_EXTENSION_get_critical(X509_get_ext(cert_.get(), at)), 1) << nid;
  }
}

TEST_F(SelfSignedCertTest, EachCallMakesANewKeyAndSerial) {
  const std::string cert2 = dir_.File("cert2.pem");
  const std::string key2 = dir_.File("key2.pem");
  ASSERT_TRUE(WriteSelfSignedCert(cert2, key2, clock_, random_).ok());
  auto other = ReadCert(cert2);
  auto other_key = ReadKey(key2);
  ASSERT_NE(other, nullptr);
  ASSERT_NE(other_key, nullptr);
  EXPECT_NE(
      ASN1_INTEGER_cmp(X509_get0_serialNumber(cert_.get()), X509_get0_serialNumber(other.get())),
      0);
  EXPECT_NE(X509_check_private_key(cert_.get(), other_key.get()), 1);
}

TEST(SelfSignedCertErrorTest, UnwritableDirectory) {
  FakeClock clock;
  OpenSslRandom random;
  Status s =
      WriteSelfSignedCert("/nonexistent-dir/cert.pem", "/nonexistent-dir/key.pem", clock, random);
  EXPECT_FALSE(s.ok());
}

}  // namespace
}  // namespace voxsecrets::crypto
