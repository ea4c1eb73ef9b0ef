#include "crypto/aead.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <climits>

namespace voxsecrets::crypto {
namespace {

struct CtxDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter>;

Status CheckKey(std::span<const uint8_t> key) {
  if (key.size() != Aes256Gcm::kKeySize) return InternalError("AES-256-GCM needs a 32-byte key");
  return Status::Ok();
}

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

Result<std::unique_ptr<Aes256Gcm>> Aes256Gcm::Create() {
  EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  if (cipher == nullptr) return InternalError("OpenSSL provides no AES-256-GCM");
  return std::unique_ptr<Aes256Gcm>(new Aes256Gcm(cipher));
}

Aes256Gcm::~Aes256Gcm() { EVP_CIPHER_free(cipher_); }

Status Aes256Gcm::Seal(std::span<const uint8_t> key, SecureRandom& random, std::string_view aad,
                       std::string_view plaintext, std::string* out) const {
  VS_RETURN_IF_ERROR(CheckKey(key));
  if (plaintext.size() > static_cast<size_t>(INT_MAX) - 32 || aad.size() > INT_MAX) {
    return InternalError("value too large to seal");
  }
  const size_t start = out->size();
  out->resize(start + kNonceSize + plaintext.size() + kTagSize);
  auto* nonce = reinterpret_cast<unsigned char*>(out->data() + start);
  random.Fill(std::span<uint8_t>(nonce, kNonceSize));
  unsigned char* ct = nonce + kNonceSize;

  CtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  int final_len = 0;
  if (ctx == nullptr || EVP_EncryptInit_ex2(ctx.get(), cipher_, key.data(), nonce, nullptr) != 1 ||
      (!aad.empty() && EVP_EncryptUpdate(ctx.get(), nullptr, &len, Bytes(aad),
                                         static_cast<int>(aad.size())) != 1) ||
      (!plaintext.empty() && EVP_EncryptUpdate(ctx.get(), ct, &len, Bytes(plaintext),
                                               static_cast<int>(plaintext.size())) != 1) ||
      EVP_EncryptFinal_ex(ctx.get(), ct + plaintext.size(), &final_len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagSize),
                          ct + plaintext.size()) != 1) {
    out->resize(start);
    return InternalError("AES-256-GCM encryption failed");
  }
  return Status::Ok();
}

Status Aes256Gcm::OpenInto(std::span<const uint8_t> key, std::string_view aad,
                           std::string_view sealed, std::span<uint8_t> out) const {
  VS_RETURN_IF_ERROR(CheckKey(key));
  if (sealed.size() < kOverhead) {
    return Status(StatusCode::kDataLoss, "sealed data is truncated");
  }
  const size_t ct_len = sealed.size() - kOverhead;
  if (out.size() != ct_len) return InternalError("AES-256-GCM output buffer has the wrong size");
  if (ct_len > static_cast<size_t>(INT_MAX) || aad.size() > INT_MAX) {
    return Status(StatusCode::kDataLoss, "sealed data is too large");
  }
  const unsigned char* nonce = Bytes(sealed);
  const unsigned char* ct = nonce + kNonceSize;
  std::array<unsigned char, kTagSize> tag{};
  std::copy(ct + ct_len, ct + ct_len + kTagSize, tag.begin());

  CtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (ctx == nullptr || EVP_DecryptInit_ex2(ctx.get(), cipher_, key.data(), nonce, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagSize),
                          tag.data()) != 1) {
    return InternalError("AES-256-GCM decryption could not start");
  }
  bool ok = (aad.empty() || EVP_DecryptUpdate(ctx.get(), nullptr, &len, Bytes(aad),
                                              static_cast<int>(aad.size())) == 1) &&
            (ct_len == 0 ||
             EVP_DecryptUpdate(ctx.get(), out.data(), &len, ct, static_cast<int>(ct_len)) == 1);
  // The tag is checked here; a mismatch must leave no plaintext behind.
  ok = ok && EVP_DecryptFinal_ex(ctx.get(), out.data() + ct_len, &len) == 1;
  if (!ok) {
    if (!out.empty()) SecureWipe(out.data(), out.size());
    return Status(StatusCode::kDataLoss, "sealed data failed authentication");
  }
  return Status::Ok();
}

Result<SecureBytes> Aes256Gcm::Open(std::span<const uint8_t> key, std::string_view aad,
                                    std::string_view sealed) const {
  if (sealed.size() < kOverhead) {
    return Status(StatusCode::kDataLoss, "sealed data is truncated");
  }
  SecureBytes out(sealed.size() - kOverhead);
  VS_RETURN_IF_ERROR(OpenInto(key, aad, sealed, out.span()));
  return out;
}

}  // namespace voxsecrets::crypto
