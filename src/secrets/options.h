// Configuration of the secrets rules.
#ifndef VOXSECRETS_SECRETS_OPTIONS_H_
#define VOXSECRETS_SECRETS_OPTIONS_H_

#include <string>

namespace voxsecrets::secrets {

struct SecretsOptions {
  // The domain of full application names: "<short>.<account_name>.<application_domain>".
  // Configurable so that tools which build full names the Voximplant way keep working.
  std::string application_domain = "voximplant.com";
};

}  // namespace voxsecrets::secrets

#endif  // VOXSECRETS_SECRETS_OPTIONS_H_
