// Registration of the API's methods (docs/API.md lists every method, its parameters and its
// answers; docs/ADDING_A_METHOD.md says how to add one). Each family lives in its own file:
// secret_methods.cc, application_methods.cc, key_methods.cc, account_methods.cc,
// audit_methods.cc. A family's Register* function adds one MethodSpec per method: name, access,
// allowed roles and handler, side by side.
//
// Handlers only read parameters (api/params.h), call the services below (secrets/, iam/) and
// shape the answer; the rules are the services'.
//
// Lifetimes: the services in `Services` must outlive the MethodTable the handlers are added to.
// Thread-safety: the handlers hold only references to thread-safe services.
#ifndef VOXSECRETS_API_METHODS_METHODS_H_
#define VOXSECRETS_API_METHODS_METHODS_H_

#include <nlohmann/json.hpp>

#include "api/method_table.h"
#include "crypto/value_sealer.h"
#include "iam/keys.h"
#include "secrets/application_service.h"
#include "secrets/secret_service.h"

namespace voxsecrets::api {

struct Services {
  const secrets::ApplicationService& applications;
  const secrets::SecretService& secrets;
  const iam::KeyService& keys;
  crypto::ValueSealer& sealer;  // ForgetApplication after DelApplication commits
};

// The shape of every handler function; Bind makes a MethodHandler of one.
using MethodFn = Result<nlohmann::json> (*)(const Services& services, CallContext& call,
                                            store::Tx& tx);
// `services` is copied into the handler (it holds references only).
inline MethodHandler Bind(const Services& services, MethodFn fn) {
  return [services, fn](CallContext& call, store::Tx& tx) { return fn(services, call, tx); };
}

// AddSecret, GetSecretValue, GetSecrets, SetSecretInfo, DelSecret, GetSecretVersions,
// RestoreSecretVersion.
void RegisterSecretMethods(MethodTable& table, const Services& services);
// AddApplication, GetApplications, SetApplicationInfo, DelApplication.
void RegisterApplicationMethods(MethodTable& table, const Services& services);
// CreateKey, GetKeys, UpdateKey, DeleteKey, SetKeyRoles, GetKeyRoles, RemoveKeyRoles, GetRoles.
void RegisterKeyMethods(MethodTable& table, const Services& services);
// GetAccountInfo.
void RegisterAccountMethods(MethodTable& table, const Services& services);
// GetAuditLog (audit_methods.cc).
void RegisterAuditMethods(MethodTable& table, const Services& services);

// Every family.
MethodTable BuildMethodTable(const Services& services);

}  // namespace voxsecrets::api

#endif  // VOXSECRETS_API_METHODS_METHODS_H_
