// Online key rotation: library functions behind `voxsecrets keys rotate-master` and
// `voxsecrets keys rotate-app`. Both work on a Store that a running server may be using at the
// same time: every step is its own short write transaction, and readers keep working throughout
// because nothing a stored value needs is removed before the value has moved off it.
// Both are resumable: after a crash or an error, running them again with the same arguments
// finishes the job.
//
// RotateMasterKey, and what it means for a running server:
//   1. checks old_key against the store (kUnauthenticated if it is not the current master key)
//      and records the check value of new_key as version new_version;
//   2. rewraps every data key from old_key to new_key, in batches;
//   3. makes new_version current (one transaction that first confirms no data key still needs
//      old_key), then sweeps once more for data keys a server created under the old key while
//      step 3 committed.
//   Afterwards nothing needs old_key. A server started before the rotation keeps serving the
//   applications whose data keys it has cached (Keyring caches by key id, which a rewrap keeps).
//   For the rest it loads new_key through its MasterKeyReloader (crypto/keyring.h; in `serve`,
//   server/master_key_watcher.h). A server without one, or whose key source cannot produce
//   new_key, cannot unwrap a data key it has not cached and refuses to create new data keys
//   (kUnavailable): restart it with the new master key soon after rotating.
//
// RotateApplicationKey: makes a new data key version active (from then on every Seal, also in a
// running server, uses it), re-encrypts every value of the application — each secret's current
// value and every older version kept of it — in batches, each batch one write transaction that
// re-reads each row, so a concurrent update is never lost, and then deletes the older data key
// versions in a transaction that first confirms no value still uses them.
//
// Thread-safety: may run concurrently with servers on the same store; run one rotation of a
// kind at a time. Ownership: all arguments are borrowed for the call.
#ifndef VOXSECRETS_CRYPTO_ROTATION_H_
#define VOXSECRETS_CRYPTO_ROTATION_H_

#include <cstdint>

#include "common/random.h"
#include "common/status.h"
#include "crypto/keyring.h"
#include "crypto/locked_key.h"
#include "store/store.h"

namespace voxsecrets::crypto {

struct MasterKeyRotation {
  int64_t rewrapped = 0;  // data keys rewrapped by this call
};

// REQUIRES: new_version > old_version. kUnauthenticated when old_key is not the store's current
// master key (or the store is already at new_version under a different key); kInvalidArgument
// when the versions are not increasing or new_version was recorded with another key.
// Running it again after it finished (store already at new_version with new_key) is a no-op.
Result<MasterKeyRotation> RotateMasterKey(store::Store& store, const LockedKey& old_key,
                                          uint32_t old_version, const LockedKey& new_key,
                                          uint32_t new_version, SecureRandom& random);

struct AppKeyRotation {
  uint32_t new_version = 0;  // the application's data key version now active
  int64_t reencrypted = 0;   // values moved to it (current values and older versions)
};

// kNotFound when the application does not exist in that account; kDataLoss (naming the secret,
// never its value) when a stored value cannot be opened: nothing is deleted then.
// REQUIRES: `keyring` holds the store's current master key.
Result<AppKeyRotation> RotateApplicationKey(store::Store& store, Keyring& keyring,
                                            int64_t account_id, int64_t application_id);

}  // namespace voxsecrets::crypto

#endif  // VOXSECRETS_CRYPTO_ROTATION_H_
