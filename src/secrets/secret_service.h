// SecretService: the business rules of secrets inside one application (docs/API.md, "Secrets").
//
// Pure rules: no HTTP, no JSON, no error numbers. Every operation runs inside the transaction the
// caller hands in and takes the application the call already resolved (ApplicationService::
// ResolveApplication), so the order of checks is: application, then the secret, then the rest.
// Nothing here commits or has effects outside `tx`, so a retried transaction is safe.
//
// Values: sealed by the ValueSealer with the identity (account, application, secret id, version)
// as the AEAD's associated data, so a value only opens as the version of the secret it was
// written for. Plaintext values live only in the caller's input and in SecureBytes results; they
// never appear in a Status.
//
// Versions (docs/API.md "Secret versions"): AddSecret makes version 1; every SetInfo that
// changes the value, and every Restore, makes the next one; renames and descriptions do not. The
// last SecretsOptions::secret_versions versions are kept (the current one included): making a
// version deletes the older ones beyond that, with their ciphertext, in the same transaction.
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
#include "secrets/options.h"
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

// A secret with an opened value.
struct SecretValue {
  store::SecretInfo info;
  SecureBytes value;
  int64_t version = 0;  // the version of `value` (info.version when it is the current one)
};

// What SetInfo did.
struct SetInfoOutcome {
  bool changed = false;  // anything changed (only then did `modified` move)
  int64_t version = 0;   // the version of the current value afterwards
};

// One version of a secret's value, without the value.
struct SecretVersion {
  int64_t version = 0;
  int64_t created = 0;  // when that value was set
  bool current = false;
};

struct VersionQuery {
  std::optional<int64_t> count;   // 1..1000, default 20
  std::optional<int64_t> offset;  // >= 0, default 0
};

class SecretService {
 public:
  SecretService(crypto::ValueSealer& sealer, const Clock& clock,
                const SecretsOptions& options = {});

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

  // The secret with its current value, or with the value of `version` when given (an unknown
  // version -> kNotFound blaming `version`, the message naming the versions kept). A value that
  // fails to open is kDataLoss (no partial data).
  Result<SecretValue> GetValue(store::Tx& tx, const store::ApplicationRecord& app,
                               const SecretRef& ref,
                               std::optional<int64_t> version = std::nullopt) const;
  // The same for a secret already resolved in this transaction (so that the caller can check its
  // parameters in the API's order: the secret before `version`).
  Result<SecretValue> GetValue(store::Tx& tx, const store::ApplicationRecord& app,
                               store::SecretRecord secret, std::optional<int64_t> version) const;

  // The versions of `secret` (resolved in this transaction) kept, newest first, the current one
  // first of all; total_count counts them all. Paging as List.
  Result<store::Page<SecretVersion>> ListVersions(store::Tx& tx,
                                                  const store::ApplicationRecord& app,
                                                  const store::SecretRecord& secret,
                                                  const VersionQuery& query) const;

  // Makes the value of `version` of `secret` current as a new version and returns the current
  // version afterwards. Unknown version -> kNotFound blaming `version`; the current version, or a
  // value equal to the current one, is no change (the current version is returned). A value that
  // fails to open is kDataLoss. REQUIRES: `tx` is a write transaction.
  Result<int64_t> Restore(store::Tx& tx, const store::ApplicationRecord& app,
                          const store::SecretRecord& secret, int64_t version) const;

  // Secrets of `app` by id ascending, without values.
  Result<store::Page<store::SecretInfo>> List(store::Tx& tx, const store::ApplicationRecord& app,
                                              const SecretQuery& query) const;

  // Edits `secret` (resolved by ResolveSecret in this transaction). Checks new_secret_name
  // (format, then uniqueness; renaming to its own name is no change), secret_value, description.
  // Fields equal to what is stored are no change; only a changed value makes a new version.
  // REQUIRES: `tx` is a write transaction.
  Result<SetInfoOutcome> SetInfo(store::Tx& tx, const store::ApplicationRecord& app,
                                 const store::SecretRecord& secret,
                                 const SecretChanges& changes) const;

  // Deletes the selected secrets with every version of their values, all or nothing: nothing
  // selected -> kMissingArgument
  // (secret_id); an ill-formed name -> kInvalidArgument (secret_name); any listed secret missing
  // -> kNotFound naming it, and nothing is deleted. `all` on an empty application is fine.
  // Returns the deleted ids, ascending. REQUIRES: `tx` is a write transaction.
  Result<std::vector<int64_t>> Delete(store::Tx& tx, const store::ApplicationRecord& app,
                                      const SecretSelection& selection) const;

 private:
  // Seals `value` as the next version of `secret`, keeps its current value as an older version
  // (unless retention drops it at once), applies `update` with the new value, and deletes the
  // versions beyond retention. Returns the new version.
  Result<int64_t> NewVersion(store::Tx& tx, const store::ApplicationRecord& app,
                             const store::SecretRecord& secret, std::string_view value,
                             store::SecretUpdate update) const;
  // The value of `version` of `secret` (the current one or a kept older one).
  Result<SecureBytes> OpenVersion(store::Tx& tx, const store::ApplicationRecord& app,
                                  const store::SecretRecord& secret, int64_t version) const;

  crypto::ValueSealer& sealer_;
  const Clock& clock_;
  const int64_t versions_kept_;
};

}  // namespace voxsecrets::secrets

#endif  // VOXSECRETS_SECRETS_SECRET_SERVICE_H_
