#include "auth/rs256.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <limits>

namespace voxsecrets::auth {
namespace {

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

// A read-only memory BIO over `text` (no copy). nullptr when it is too large for a BIO.
BioPtr ReadBio(std::string_view text) {
  if (text.size() > static_cast<size_t>(std::numeric_limits<int>::max())) return nullptr;
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

Status Invalid(std::string message) {
  ERR_clear_error();
  return Status(StatusCode::kInvalidArgument, std::move(message));
}

Status Internal(std::string message) {
  ERR_clear_error();
  return InternalError(std::move(message));
}

// Refuses the PEM passphrase prompt: an encrypted key is simply not parseable here.
int NoPassphrase(char*, int, int, void*) { return -1; }

Status CheckRsa(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "RSA") != 1) return Invalid("The key is not an RSA key.");
  const int bits = EVP_PKEY_get_bits(key);
  if (bits < kMinRsaBits || bits > kMaxRsaBits) {
    return Invalid("The RSA key size is not supported (2048 to 8192 bits).");
  }
  return Status::Ok();
}

}  // namespace

void EvpPkeyDeleter::operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }

Result<EvpPkeyPtr> ParseRsaPublicKeyPem(std::string_view pem) {
  BioPtr bio = ReadBio(pem);
  if (!bio) return Invalid("The public key is not a valid PEM.");
  EvpPkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassphrase, nullptr));
  if (!key) return Invalid("The public key is not a valid SubjectPublicKeyInfo PEM.");
  VS_RETURN_IF_ERROR(CheckRsa(key.get()));
  return key;
}

Result<EvpPkeyPtr> ParseRsaPrivateKeyPem(std::string_view pem) {
  BioPtr bio = ReadBio(pem);
  if (!bio) return Invalid("The private key is not a valid PEM.");
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  if (!key) return Invalid("The private key is not a valid unencrypted PEM.");
  VS_RETURN_IF_ERROR(CheckRsa(key.get()));
  return key;
}

Result<std::string> PublicKeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1) {
    return Internal("Cannot encode the public key.");
  }
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  if (n <= 0 || data == nullptr) return Internal("Cannot encode the public key.");
  return std::string(data, static_cast<size_t>(n));
}

Result<SecureBytes> PrivateKeyPkcs8Pem(EVP_PKEY* key) {
  // BIO_s_secmem wipes its buffer when freed.
  BioPtr bio(BIO_new(BIO_s_secmem()));
  // In OpenSSL 3, PEM_write_bio_PrivateKey writes PKCS#8 PrivateKeyInfo ("BEGIN PRIVATE KEY").
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return Internal("Cannot encode the private key.");
  }
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  if (n <= 0 || data == nullptr) return Internal("Cannot encode the private key.");
  return SecureBytes(reinterpret_cast<const uint8_t*>(data), static_cast<size_t>(n));
}

bool VerifyRs256(EVP_PKEY* key, std::string_view data, std::string_view signature) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  const bool ok =
      ctx &&
      EVP_DigestVerifyInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, key, nullptr) == 1 &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                       data.size()) == 1;
  if (!ok) ERR_clear_error();
  return ok;
}

Result<std::string> SignRs256(EVP_PKEY* key, std::string_view data) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx ||
      EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, key, nullptr) != 1) {
    return Internal("Cannot sign with the private key.");
  }
  const auto* in = reinterpret_cast<const unsigned char*>(data.data());
  size_t len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &len, in, data.size()) != 1) {
    return Internal("Cannot sign with the private key.");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in,
                     data.size()) != 1) {
    return Internal("Cannot sign with the private key.");
  }
  sig.resize(len);
  return sig;
}

}  // namespace voxsecrets::auth
