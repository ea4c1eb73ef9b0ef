#include "common/secure_bytes.h"

#include <string.h>

namespace voxsecrets {

void SecureWipe(void* p, size_t n) {
  // glibc's explicit_bzero is never optimised away and is ~40x faster than a volatile loop.
  explicit_bzero(p, n);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i]);
  }
  return diff == 0;
}

}  // namespace voxsecrets
