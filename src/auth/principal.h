// Principal: who is calling, after authentication.
#ifndef VOXSECRETS_AUTH_PRINCIPAL_H_
#define VOXSECRETS_AUTH_PRINCIPAL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "common/app_scope.h"

namespace voxsecrets::auth {

enum class CredentialKind {
  kServiceKey,    // bearer JWT signed by a service-account key
  kLegacyApiKey,  // account_id + api_key parameters
};

struct Principal {
  int64_t account_id = 0;      // the account the call acts as (a child when `iss` named one)
  int64_t key_account_id = 0;  // the account that owns the key (the parent for child access)
  CredentialKind kind = CredentialKind::kServiceKey;
  std::string key_id;         // empty for legacy credentials
  std::vector<int> role_ids;  // the key's roles; legacy credentials get every role
  // The applications the key is limited to, read with the key on every request like its roles;
  // every application for legacy credentials and keys without a limit.
  AppScope application_scope;
};

}  // namespace voxsecrets::auth

#endif  // VOXSECRETS_AUTH_PRINCIPAL_H_
