#include "crypto/self_signed_cert.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <functional>
#include <memory>

namespace voxsecrets::crypto {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;

Status OpensslFailure(const char* step) {
  return InternalError(std::string("generating the self-signed certificate failed at ") + step);
}

Status AddExtension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) return OpensslFailure(OBJ_nid2sn(nid));
  return Status::Ok();
}

// Creates (or truncates) `path` with `mode` and lets `write` fill it through a BIO.
Status WriteFile(const std::string& path, mode_t mode, const char* what,
                 const std::function<bool(BIO*)>& write) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) {
    return Status(StatusCode::kPermissionDenied, std::string("cannot create the ") + what +
                                                     " file " + path + ": " + std::strerror(errno));
  }
  // An existing file keeps its old mode through O_TRUNC; set it explicitly.
  if (fchmod(fd, mode) != 0) {
    const int err = errno;
    close(fd);
    return Status(StatusCode::kPermissionDenied,
                  std::string("cannot set the mode of ") + path + ": " + std::strerror(err));
  }
  BIO* bio = BIO_new_fd(fd, BIO_NOCLOSE);
  bool ok = bio != nullptr && write(bio) && BIO_flush(bio) == 1;
  BIO_free(bio);
  ok = fsync(fd) == 0 && ok;
  ok = close(fd) == 0 && ok;
  if (!ok) {
    return Status(StatusCode::kUnavailable,
                  std::string("cannot write the ") + what + " file " + path);
  }
  return Status::Ok();
}

}  // namespace

Status WriteSelfSignedCert(const std::string& cert_path, const std::string& key_path,
                           const Clock& clock, SecureRandom& random) {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return OpensslFailure("key generation");
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) {
    return OpensslFailure("X509_new");
  }

  // A positive 128-bit serial number.
  std::array<uint8_t, 16> serial_bytes{};
  random.Fill(serial_bytes);
  serial_bytes[0] = static_cast<uint8_t>((serial_bytes[0] & 0x7f) | 0x01);
  BnPtr serial(BN_bin2bn(serial_bytes.data(), static_cast<int>(serial_bytes.size()), nullptr));
  if (!serial || BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr) {
    return OpensslFailure("serial number");
  }

  const time_t now = static_cast<time_t>(clock.NowSeconds());
  if (ASN1_TIME_set(X509_getm_notBefore(cert.get()), now - 3600) == nullptr ||
      ASN1_TIME_adj(X509_getm_notAfter(cert.get()), now, kSelfSignedCertDays, 0) == nullptr) {
    return OpensslFailure("validity");
  }

  X509_NAME* name = X509_get_subject_name(cert.get());
  const auto* cn = reinterpret_cast<const unsigned char*>("localhost");
  const auto* org = reinterpret_cast<const unsigned char*>("voxsecrets development");
  if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, org, -1, -1, 0) != 1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, cn, -1, -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), name) != 1 || X509_set_pubkey(cert.get(), key.get()) != 1) {
    return OpensslFailure("names");
  }

  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  // A leaf: it may not sign other certificates, so a leaked dev key cannot mint a certificate
  // for another name that a client trusting this one would accept.
  VS_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE"));
  VS_RETURN_IF_ERROR(
      AddExtension(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature,keyEncipherment"));
  VS_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_ext_key_usage, "serverAuth"));
  VS_RETURN_IF_ERROR(
      AddExtension(cert.get(), &ctx, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1"));
  VS_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash"));
  VS_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always"));

  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return OpensslFailure("signing");

  VS_RETURN_IF_ERROR(WriteFile(key_path, 0600, "private key", [&](BIO* bio) {
    return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
  }));
  return WriteFile(cert_path, 0644, "certificate",
                   [&](BIO* bio) { return PEM_write_bio_X509(bio, cert.get()) == 1; });
}

}  // namespace voxsecrets::crypto
