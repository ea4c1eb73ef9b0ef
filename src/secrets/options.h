// Configuration of the secrets rules.
#ifndef VOXSECRETS_SECRETS_OPTIONS_H_
#define VOXSECRETS_SECRETS_OPTIONS_H_

#include <cstdint>
#include <string>

#include "secrets/limits.h"

namespace voxsecrets::secrets {

struct SecretsOptions {
  // The domain of full application names: "<short>.<account_name>.<application_domain>".
  // Configurable so that tools which build full names the Voximplant way keep working.
  std::string application_domain = "voximplant.com";
  // How many versions of each secret's value are kept, the current one included (`serve
  // --secret-versions`); a new version deletes the ones beyond, with their ciphertext.
  // Clamped to 1..kMaxSecretVersions.
  int64_t secret_versions = kDefaultSecretVersions;
};

}  // namespace voxsecrets::secrets

#endif  // VOXSECRETS_SECRETS_OPTIONS_H_
