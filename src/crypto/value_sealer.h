// ValueSealer: the seam between the secrets rules and encryption. Seals a plaintext secret value
// into a SealedValue bound to its account, application and secret, and opens one again.
//
// Implementations keep the application's data keys in the store passed in (creating the first
// one on demand inside the caller's write transaction), so sealing and the row that holds the
// result commit together.
//
// Thread-safety: Seal/Open may be called concurrently from any thread.
#ifndef VOXSECRETS_CRYPTO_VALUE_SEALER_H_
#define VOXSECRETS_CRYPTO_VALUE_SEALER_H_

#include <cstdint>
#include <string_view>

#include "common/sealed_value.h"
#include "common/secure_bytes.h"
#include "common/status.h"
#include "store/store.h"

namespace voxsecrets::crypto {

// What a sealed value is bound to (the AEAD's associated data). A ciphertext moved to another
// secret, application or account, or to another version of its own secret, fails to open.
struct ValueContext {
  int64_t account_id = 0;
  int64_t application_id = 0;
  int64_t secret_id = 0;
  int64_t version = 1;  // which version of the secret's value (1, 2, ...: docs/API.md)
};

class ValueSealer {
 public:
  virtual ~ValueSealer() = default;
  // REQUIRES: `tx` is a write transaction (a data key may be created or its use counted).
  virtual Result<SealedValue> Seal(store::Tx& tx, const ValueContext& ctx,
                                   std::string_view plaintext) = 0;
  // kDataLoss when the record is corrupt, tampered with or bound to another context.
  virtual Result<SecureBytes> Open(store::Tx& tx, const ValueContext& ctx,
                                   const SealedValue& sealed) = 0;
  // Drops cached key material of a deleted application. Call after the deleting transaction
  // committed.
  virtual void ForgetApplication(int64_t application_id) = 0;
};

}  // namespace voxsecrets::crypto

#endif  // VOXSECRETS_CRYPTO_VALUE_SEALER_H_
