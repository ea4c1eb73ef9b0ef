// ApplicationService: the business rules of applications, the scope every secret lives in
// (docs/API.md, "Applications"). Resolves the application a call names, and adds, lists, edits
// and deletes applications.
//
// Pure rules: no HTTP, no JSON, no error numbers. Every operation runs inside the transaction the
// caller hands in (the API layer owns transaction boundaries); nothing here commits, and nothing
// has effects outside `tx`, so a retried transaction is safe.
//
// Application names: stored short ("myapp"); shown full ("myapp.<account_name>.<domain>").
// Wherever a caller names an existing application, both forms are accepted. An application of
// another account is answered exactly like one that does not exist, and so is an application of
// the account outside the caller's AppScope (a key limited to some applications, docs/AUTH.md):
// the calls that take a scope find, list and delete only applications inside it.
//
// Thread-safety: const methods only; one instance may serve every thread.
// Lifetimes: `clock` must outlive the service.
#ifndef VOXSECRETS_SECRETS_APPLICATION_SERVICE_H_
#define VOXSECRETS_SECRETS_APPLICATION_SERVICE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/app_scope.h"
#include "common/clock.h"
#include "common/status.h"
#include "secrets/options.h"
#include "store/records.h"
#include "store/store.h"

namespace voxsecrets::secrets {

// How a call names one application: by id, by name (short or full), or both (they must agree).
// The parameter names are carried for messages and field_name (SetApplicationInfo calls the
// name `required_application_name`).
struct AppRef {
  std::optional<int64_t> id;
  std::optional<std::string> name;
  std::string_view id_param = "application_id";
  std::string_view name_param = "application_name";
};

struct NewApplication {
  std::optional<std::string_view> name;  // short or full; required
  bool secure_record_storage = false;
};

struct ApplicationQuery {
  std::optional<int64_t> id;                  // exact id filter
  std::optional<std::string_view> name_part;  // case-insensitive part of the name
  std::optional<int64_t> count;               // 1..1000, default 20
  std::optional<int64_t> offset;              // >= 0, default 0
};

struct ApplicationChanges {
  std::optional<std::string_view> name;  // new short (or full) name
  std::optional<bool> secure_record_storage;
};

// Which applications DelApplication removes: `all`, ids and names (the union).
struct ApplicationSelection {
  bool all = false;
  std::vector<int64_t> ids;
  std::vector<std::string> names;
};

class ApplicationService {
 public:
  explicit ApplicationService(const Clock& clock, SecretsOptions options = {});

  // The application `ref` names, in `account_id`. Checks in this order:
  //  neither id nor name              -> kMissingArgument (ref.id_param)
  //  id unknown / of another account  -> kInvalidApplicationId (ref.id_param)
  //  name unknown                     -> kApplicationNotFound (ref.name_param)
  //  both given, different apps       -> kConflictingArguments (message lists both parameters)
  // An application outside `scope` is unknown.
  Result<store::ApplicationRecord> ResolveApplication(store::Tx& tx, int64_t account_id,
                                                      const AppRef& ref,
                                                      const AppScope& scope) const;

  // ".<account_name>.<domain>": what follows the short name in the account's full names.
  Result<std::string> FullNameSuffix(store::Tx& tx, int64_t account_id) const;
  // "<short>.<account_name>.<domain>".
  Result<std::string> FullName(store::Tx& tx, int64_t account_id,
                               std::string_view short_name) const;

  // The short name a new application called `name` (short, or full of this account) gets.
  // Missing -> kMissingArgument; not [a-z][a-z0-9-]{1,64} -> kInvalidApplicationName; taken ->
  // kApplicationNameTaken (all blaming application_name).
  Result<std::string> CheckNewName(store::Tx& tx, int64_t account_id,
                                   std::optional<std::string_view> name) const;

  // Creates an application after CheckNewName(app.name).
  Result<store::ApplicationRecord> Add(store::Tx& tx, int64_t account_id,
                                       const NewApplication& app) const;

  // Applications of the account inside `scope` by id ascending, with the paging rules of
  // CheckPaging. The name part matches the short name case-insensitively; a full name of this
  // account is first reduced to its short part.
  Result<store::Page<store::ApplicationRecord>> List(store::Tx& tx, int64_t account_id,
                                                     const ApplicationQuery& query,
                                                     const AppScope& scope) const;

  // The new short name `name` asks `app` to take: std::nullopt when it is its current name (no
  // change). Not [a-z][a-z0-9-]{1,79} -> kInvalidApplicationName; taken by another application ->
  // kApplicationNameTaken (blaming application_name). A limited `scope` may not rename
  // (kPermissionDenied): a name taken by an application outside it would show that one exists.
  Result<std::optional<std::string>> CheckRename(store::Tx& tx, const store::ApplicationRecord& app,
                                                 std::string_view name,
                                                 const AppScope& scope) const;

  // Edits `app` (resolved by ResolveApplication) and returns it as stored afterwards. The new
  // name goes through CheckRename. Fields equal to the stored ones are no change; `modified`
  // moves only on a real change.
  Result<store::ApplicationRecord> Update(store::Tx& tx, const store::ApplicationRecord& app,
                                          const ApplicationChanges& changes,
                                          const AppScope& scope) const;

  // The applications `selection` names (the union; ascending, unique), all or nothing: an unknown
  // id -> kInvalidApplicationId, an unknown name -> kApplicationNotFound (the message names it,
  // field_name is `id_param` / `name_param`); `all` = every application inside `scope`. Nothing
  // selected -> kMissingArgument (`id_param`). Applications outside `scope` are unknown.
  Result<std::vector<int64_t>> Select(store::Tx& tx, int64_t account_id,
                                      const ApplicationSelection& selection, const AppScope& scope,
                                      std::string_view id_param = "application_id",
                                      std::string_view name_param = "application_name") const;

  // Deletes the applications Select() names (with `scope`) with their secrets, data keys and
  // their places in keys' scopes, all or nothing: on any error of Select nothing is deleted.
  // Returns the deleted ids (ascending, unique); the caller must tell the ValueSealer to forget
  // them after commit.
  Result<std::vector<int64_t>> Delete(store::Tx& tx, int64_t account_id,
                                      const ApplicationSelection& selection,
                                      const AppScope& scope) const;

 private:
  // The short name `name` stands for: itself, or the first label of this account's full name.
  // std::nullopt when `name` is a full name that does not belong to this account.
  std::optional<std::string> ShortName(std::string_view name, std::string_view account_name) const;
  Result<std::string> AccountName(store::Tx& tx, int64_t account_id) const;
  Result<store::ApplicationRecord> FindByName(store::Tx& tx, int64_t account_id,
                                              std::string_view account_name, std::string_view name,
                                              std::string_view param, const AppScope& scope) const;

  const Clock& clock_;
  SecretsOptions options_;
};

}  // namespace voxsecrets::secrets

#endif  // VOXSECRETS_SECRETS_APPLICATION_SERVICE_H_
