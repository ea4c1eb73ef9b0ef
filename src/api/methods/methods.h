// Registration of the API's method handlers (docs/API.md lists every method, its parameters and
// its answers). Each family lives in its own file: secret_methods.cc, application_methods.cc,
// key_methods.cc, account_methods.cc,
// audit_methods.cc.
//
// Lifetimes: the services in `Services` must outlive the MethodTable the handlers are added to.
// Thread-safety: the handlers hold only references to thread-safe services.
#ifndef VOXSECRETS_API_METHODS_METHODS_H_
#define VOXSECRETS_API_METHODS_METHODS_H_

#include "api/method_table.h"
#include "common/random.h"
#include "crypto/value_sealer.h"
#include "secrets/application_service.h"
#include "secrets/secret_service.h"

namespace voxsecrets::api {

struct Services {
  const secrets::ApplicationService& applications;
  const secrets::SecretService& secrets;
  crypto::ValueSealer& sealer;  // ForgetApplication after DelApplication commits
  SecureRandom& random;         // key ids (CreateKey)
};

// AddSecret, GetSecretValue, GetSecrets, SetSecretInfo, DelSecret.
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
