// Keys limited to applications (docs/AUTH.md "Keys limited to applications"): what a key whose
// scope (common/app_scope.h) names some applications of its account may call.
//
// Each method declares its Reach where it is registered (api::MethodSpec::reach), next to its
// roles; the dispatcher applies CheckReach on every request with the scope read from the store
// for that request (like the key's roles), so a change applies to the very next request on every
// node. Inside a method, the services answer an application outside the scope exactly like one
// that does not exist (secrets::ApplicationService).
//
// Thread-safety: pure functions over values.
#ifndef VOXSECRETS_IAM_SCOPE_H_
#define VOXSECRETS_IAM_SCOPE_H_

#include <string_view>

#include "common/app_scope.h"
#include "common/status.h"

namespace voxsecrets::iam {

// How a method treats a key limited to some applications.
enum class Reach {
  // Works in the applications the call names or lists (the secrets methods, GetApplications,
  // SetApplicationInfo, DelApplication, GetAuditLog): a limited key reaches only its own; any
  // other application is answered exactly like one that does not exist.
  kApplications,
  // Works on the account as a whole (AddApplication, key management): a limited key gets 104.
  kAccount,
  // Reads nothing of any application (GetRoles, GetAccountInfo): open to every key.
  kNothing,
};

// How docs/API.md's method table shows a Reach: "its applications", "no", "yes".
std::string_view ReachForDocs(Reach reach);

// OK when a caller holding `scope` may call a method of `reach`. kPermissionDenied ("Forbidden
// command: ..." saying why) when the scope is limited and empty (every application the key was
// limited to was deleted: the key is refused for every method until UpdateKey gives it
// applications again), or limited and `reach` is kAccount.
Status CheckReach(const AppScope& scope, Reach reach);

}  // namespace voxsecrets::iam

#endif  // VOXSECRETS_IAM_SCOPE_H_
