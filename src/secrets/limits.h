// The numeric limits of the API's business rules (docs/API.md, "Rules"). One place, so that the
// rules, their messages and the tests agree.
#ifndef VOXSECRETS_SECRETS_LIMITS_H_
#define VOXSECRETS_SECRETS_LIMITS_H_

#include <cstddef>
#include <cstdint>

namespace voxsecrets::secrets {

// secret_name: ^[A-Za-z][A-Za-z0-9_]{0,63}$
inline constexpr size_t kMaxSecretNameLength = 64;
// secret_value: 1..8192 Unicode code points.
inline constexpr size_t kMaxSecretValueCodePoints = 8192;
// Short application names: [a-z][a-z0-9-]{1,N}. AddApplication documents N = 64, the new name of
// SetApplicationInfo N = 79 (Node client doc comments; see docs/API.md).
inline constexpr size_t kMaxNewApplicationNameTail = 64;
inline constexpr size_t kMaxRenamedApplicationNameTail = 79;
// Versions of a secret's value kept, the current one included (docs/API.md "Secret versions").
inline constexpr int64_t kDefaultSecretVersions = 10;
inline constexpr int64_t kMaxSecretVersions = 1000;

}  // namespace voxsecrets::secrets

#endif  // VOXSECRETS_SECRETS_LIMITS_H_
