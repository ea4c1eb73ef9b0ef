#include "crypto/openssl_random.h"

#include <openssl/rand.h>

#include <climits>
#include <cstdio>
#include <cstdlib>

namespace voxsecrets::crypto {

void OpenSslRandom::Fill(std::span<uint8_t> out) {
  // RAND_bytes takes an int length; split very large requests.
  while (!out.empty()) {
    const size_t n = out.size() < static_cast<size_t>(INT_MAX) ? out.size() : INT_MAX;
    if (RAND_bytes(out.data(), static_cast<int>(n)) != 1) {
      std::fputs("voxsecrets: fatal: the random generator (RAND_bytes) failed\n", stderr);
      std::abort();
    }
    out = out.subspan(n);
  }
}

}  // namespace voxsecrets::crypto
