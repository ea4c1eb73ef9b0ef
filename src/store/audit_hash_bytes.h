// How the backends store an audit record's hash (schema version 6): its 32 bytes, not the 64
// lowercase hex digits AuditRecord carries (records.h). Reads turn the bytes back into hex in SQL.
//
// Thread-safety: pure functions.
#ifndef VOXSECRETS_STORE_AUDIT_HASH_BYTES_H_
#define VOXSECRETS_STORE_AUDIT_HASH_BYTES_H_

#include <array>
#include <cstdint>
#include <string_view>

#include "common/encoding.h"
#include "common/status.h"
#include "store/store_error.h"

namespace voxsecrets::store {

using AuditHashBytes = std::array<uint8_t, 32>;

// The bytes of `hex`: kInvalidArgument unless it is 64 lowercase hex digits (an upper-case digit
// would read back in lower case, so it is refused rather than changed).
inline Result<AuditHashBytes> DecodeAuditHash(std::string_view hex) {
  AuditHashBytes bytes{};
  bool lower = true;
  for (char c : hex) lower = lower && !(c >= 'A' && c <= 'F');
  if (!lower || !HexDecodeTo(hex, bytes)) {
    return StoreError(StatusCode::kInvalidArgument,
                      "audit record hash is not 64 lowercase hex digits");
  }
  return bytes;
}

}  // namespace voxsecrets::store

#endif  // VOXSECRETS_STORE_AUDIT_HASH_BYTES_H_
