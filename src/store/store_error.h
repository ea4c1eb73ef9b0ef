// StoreError: how a storage backend makes a failure of its own (not one passed on from a caller's
// callback). Every such failure carries StatusOrigin::kStore, so that a caller can tell the
// database's kUnavailable (a conflict the store gave up re-running, an outage) from anyone
// else's without reading the message (common/status.h).
//
// Thread-safety: a pure function.
#ifndef VOXSECRETS_STORE_STORE_ERROR_H_
#define VOXSECRETS_STORE_STORE_ERROR_H_

#include <string>
#include <utility>

#include "common/status.h"

namespace voxsecrets::store {

inline Status StoreError(StatusCode code, std::string message) {
  return Status(code, std::move(message)).WithOrigin(StatusOrigin::kStore);
}

}  // namespace voxsecrets::store

#endif  // VOXSECRETS_STORE_STORE_ERROR_H_
