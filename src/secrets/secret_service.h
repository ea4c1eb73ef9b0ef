// SecretService: the business rules of secrets inside one application (docs/API.md, "Secrets").
//
// Pure rules: no HTTP, no JSON, no error numbers. Every operation runs inside the transaction the
// caller hands in and takes the application the call already resolved (ApplicationService::
// ResolveApplication), so the order of checks is: application, then the secret, then the rest.
// Nothing here commits or has effects outside `tx`, so a retried transaction is safe.
//
// Values: sealed by the ValueSealer with the identity (account, application, secret id) as the
// AEAD's associated data, so a value only opens in the row it was written to. Plaintext values
// live only in the caller's input and in SecureBytes results; they never appear in a Status.
//
// Thread-safety: const methods only; one instance may serve every thread.
// Lifetimes: `sealer` and `clock` must outlive the service.
#ifndef VOXSECRETS_SECRETS_SECRET_SERVICE_H_
#define VOXSECRETS_SECRETS_SECRET_SERVICE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/secure_bytes.h"
#include "common/status.h"
#include "crypto/value_sealer.h"
#include "store/records.h"
#include "store/store.h"

namespace voxsecrets::secrets {

// How a call names one secret: by id, by name, or both (they must name the same secret).
struct SecretRef {
  std::optional<int64_t> id;
  std::optional<std::string_view> name;
};

struct NewSecret {
  std::optional<std::string_view> name;
  std::optional<std::string_view> value;
  std::optional<std::string_view> description;
};

struct SecretChanges {
  std::optional<std::string_view> new_name;
  std::optional<std::string_view> value;
  std::optional<std::string_view> description;
};

struct SecretQuery {
  std::optional<std::string_view> name_part;  // case-insensitive substring of the name
  std::optional<int64_t> count;               // 1..1000, default 20
  std::optional<int64_t> offset;              // >= 0, default 0
};

// Which secrets DelSecret removes: `all`, ids and names (the union).
struct SecretSelection {
  bool all = false;
  std::vector<int64_t> ids;
  std::vector<std::string> names;
};

// A secret with its opened value.
struct SecretValue {
  store::SecretInfo info;
  SecureBytes value;
};

class SecretService {
 public:
  SecretService(crypto::ValueSealer& sealer, const Clock& clock);

  // Adds a secret and returns its id. Checks, in order: secret_name (missing kMissingArgument,
  // ill-formed kInvalidArgument, taken kAlreadyExists), secret_value (CheckSecretValue), then
  // description (NormalizeDescription).
  // REQUIRES: `tx` is a write transaction.
  Result<int64_t> Add(store::Tx& tx, const store::ApplicationRecord& app,
                      const NewSecret& secret) const;

  // The secret `ref` names in `app`:
  //  neither id nor name                -> kMissingArgument (secret_id)
  //  ill-formed name                    -> kInvalidArgument (secret_name)
  //  unknown id / name                  -> kNotFound, the message names the id or name
  //  both given, different secrets      -> kConflictingArguments
  Result<store::SecretRecord> ResolveSecret(store::Tx& tx, const store::ApplicationRecord& app,
                                            const SecretRef& ref) const;

  // The secret with its value. A value that fails to open is kDataLoss (no partial data).
  Result<SecretValue> GetValue(store::Tx& tx, const store::ApplicationRecord& app,
                               const SecretRef& ref) const;

  // Secrets of `app` by id ascending, without values.
  Result<store::Page<store::SecretInfo>> List(store::Tx& tx, const store::ApplicationRecord& app,
                                              const SecretQuery& query) const;

  // Edits `secret` (resolved by ResolveSecret in this transaction). Checks new_secret_name
  // (format, then uniqueness; renaming to its own name is no change), secret_value, description.
  // Fields equal to what is stored are no change; returns whether anything changed (only then
  // does `modified` move). REQUIRES: `tx` is a write transaction.
  Result<bool> SetInfo(store::Tx& tx, const store::ApplicationRecord& app,
                       const store::SecretRecord& secret, const SecretChanges& changes) const;

  // Deletes the selected secrets, all or nothing: nothing selected -> kMissingArgument
  // (secret_id); an ill-formed name -> kInvalidArgument (secret_name); any listed secret missing
  // -> kNotFound naming it, and nothing is deleted. `all` on an empty application is fine.
  // Returns the deleted ids, ascending. REQUIRES: `tx` is a write transaction.
  Result<std::vector<int64_t>> Delete(store::Tx& tx, const store::ApplicationRecord& app,
                                      const SecretSelection& selection) const;

 private:
  crypto::ValueSealer& sealer_;
  const Clock& clock_;
};

}  // namespace voxsecrets::secrets

#endif  // VOXSECRETS_SECRETS_SECRET_SERVICE_H_
