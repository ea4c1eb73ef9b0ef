// LoggingSealer: a ValueSealer decorator that writes one log line for each value that fails to
// open or seal because of a server-side fault: a corrupt, tampered-with or moved record
// (kDataLoss), a missing key (kInternal, kUnavailable) — but not the store's own kUnavailable
// (StatusOrigin::kStore: a PostgreSQL conflict the store re-runs, an outage /healthz reports),
// which is no fault of the value or its keys. It decides by code and origin, never by message.
// The line names the account, application and secret ids, the status code, its origin and the
// reason (crypto/keyring.h's messages name ids, never values); it never holds the value, its
// ciphertext or key material. The API caller still gets only the generic error of the code
// (api/error_codes.h).
//
// Thread-safety: as thread-safe as the wrapped sealer and the logger (both are, in serve).
// Lifetimes: `inner` and `log` must outlive the decorator.
#ifndef VOXSECRETS_CRYPTO_LOGGING_SEALER_H_
#define VOXSECRETS_CRYPTO_LOGGING_SEALER_H_

#include <cstdint>
#include <string_view>

#include "common/log.h"
#include "common/sealed_value.h"
#include "common/secure_bytes.h"
#include "common/status.h"
#include "crypto/value_sealer.h"
#include "store/store.h"

namespace voxsecrets::crypto {

class LoggingSealer final : public ValueSealer {
 public:
  LoggingSealer(ValueSealer& inner, Logger& log) : inner_(inner), log_(log) {}

  // ValueSealer
  Result<SealedValue> Seal(store::Tx& tx, const ValueContext& ctx,
                           std::string_view plaintext) override;
  Result<SecureBytes> Open(store::Tx& tx, const ValueContext& ctx,
                           const SealedValue& sealed) override;
  void ForgetApplication(int64_t application_id) override;

 private:
  void LogFailure(std::string_view what, const ValueContext& ctx, const Status& status);

  ValueSealer& inner_;
  Logger& log_;
};

}  // namespace voxsecrets::crypto

#endif  // VOXSECRETS_CRYPTO_LOGGING_SEALER_H_
