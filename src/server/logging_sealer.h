// LoggingSealer: a ValueSealer decorator that writes one log line for each value that fails to
// open or seal because of a server-side fault: a corrupt, tampered-with or moved record
// (kDataLoss), a missing key (kInternal, kUnavailable) — not the store's own kUnavailable (a
// PostgreSQL conflict the store re-runs, an outage /healthz reports). The line names the account,
// application and secret ids, the status code and the reason (crypto/keyring.h's messages name ids,
// never values); it never holds the value, its ciphertext or key material. The API caller still
// gets only the generic error of the code (api/error_codes.h).
//
// Thread-safety: as thread-safe as the wrapped sealer and the logger (both are, in serve).
// Lifetimes: `inner` and `log` must outlive the decorator.
#ifndef VOXSECRETS_SERVER_LOGGING_SEALER_H_
#define VOXSECRETS_SERVER_LOGGING_SEALER_H_

#include <string_view>

#include "common/log.h"
#include "crypto/value_sealer.h"

namespace voxsecrets::server {

class LoggingSealer final : public crypto::ValueSealer {
 public:
  LoggingSealer(crypto::ValueSealer& inner, Logger& log) : inner_(inner), log_(log) {}

  // crypto::ValueSealer
  Result<SealedValue> Seal(store::Tx& tx, const crypto::ValueContext& ctx,
                           std::string_view plaintext) override;
  Result<SecureBytes> Open(store::Tx& tx, const crypto::ValueContext& ctx,
                           const SealedValue& sealed) override;
  void ForgetApplication(int64_t application_id) override;

 private:
  void LogFailure(std::string_view what, const crypto::ValueContext& ctx, const Status& status);

  crypto::ValueSealer& inner_;
  Logger& log_;
};

}  // namespace voxsecrets::server

#endif  // VOXSECRETS_SERVER_LOGGING_SEALER_H_
