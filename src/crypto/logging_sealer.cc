#include "crypto/logging_sealer.h"

namespace voxsecrets::crypto {
namespace {

bool IsFault(StatusCode code) {
  return code == StatusCode::kDataLoss || code == StatusCode::kInternal ||
         code == StatusCode::kUnavailable;
}

// The store itself was unavailable or busy (a PostgreSQL serialization conflict that Write
// re-runs, an outage that the /healthz probe logs): not a fault of this value or of its keys.
bool StoreUnavailable(const Status& status) {
  return status.code() == StatusCode::kUnavailable && status.origin() == StatusOrigin::kStore;
}

}  // namespace

void LoggingSealer::LogFailure(std::string_view what, const ValueContext& ctx,
                               const Status& status) {
  if (!IsFault(status.code()) || StoreUnavailable(status)) return;
  log_.Error(what, {{"account_id", ctx.account_id},
                    {"application_id", ctx.application_id},
                    {"secret_id", ctx.secret_id},
                    {"code", StatusCodeName(status.code())},
                    {"origin", StatusOriginName(status.origin())},
                    {"reason", status.message()}});
}

Result<SealedValue> LoggingSealer::Seal(store::Tx& tx, const ValueContext& ctx,
                                        std::string_view plaintext) {
  auto sealed = inner_.Seal(tx, ctx, plaintext);
  if (!sealed.ok()) LogFailure("cannot seal a secret value", ctx, sealed.status());
  return sealed;
}

Result<SecureBytes> LoggingSealer::Open(store::Tx& tx, const ValueContext& ctx,
                                        const SealedValue& sealed) {
  auto plain = inner_.Open(tx, ctx, sealed);
  if (!plain.ok()) LogFailure("stored secret value cannot be opened", ctx, plain.status());
  return plain;
}

void LoggingSealer::ForgetApplication(int64_t application_id) {
  inner_.ForgetApplication(application_id);
}

}  // namespace voxsecrets::crypto
