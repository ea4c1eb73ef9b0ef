// SealedValue: a secret value as storage sees it: ciphertext and the version of the data key that
// sealed it. Only crypto/ makes one from plaintext and only crypto/ opens one; store/ moves the
// bytes without understanding them. There is deliberately no constructor from plaintext.
//
// The byte layout of `blob` is described in docs/RECORD_FORMAT.md.
#ifndef VOXSECRETS_COMMON_SEALED_VALUE_H_
#define VOXSECRETS_COMMON_SEALED_VALUE_H_

#include <cstdint>
#include <string>

namespace voxsecrets {

struct SealedValue {
  std::string blob;          // versioned record: header, nonce, ciphertext, tag (binary)
  uint32_t key_version = 0;  // which data key of the application sealed it

  friend bool operator==(const SealedValue&, const SealedValue&) = default;
};

}  // namespace voxsecrets

#endif  // VOXSECRETS_COMMON_SEALED_VALUE_H_
