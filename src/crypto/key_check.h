// Key check values: how a start finds out that the master key it was given is the one that
// wrapped this store's data keys, before it touches any data.
//
// The check value of a key is hex(HMAC-SHA256(key, "voxsecrets key check v1")). The store's
// MetaRepository holds:
//   "master_key.current_version"  decimal version of the master key that wraps every data key
//   "master_key.check.<version>"  the check value of that version's key (older ones are kept so
//                                  that an old key is recognised and named as such)
//
// Thread-safety: stateless functions; the store serialises the transactions.
#ifndef VOXSECRETS_CRYPTO_KEY_CHECK_H_
#define VOXSECRETS_CRYPTO_KEY_CHECK_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "crypto/locked_key.h"
#include "store/store.h"

namespace voxsecrets::crypto {

inline constexpr std::string_view kMetaMasterKeyVersion = "master_key.current_version";
// "master_key.check.<version>"
std::string MetaKeyCheckName(uint32_t version);

// hex(HMAC-SHA256(key, "voxsecrets key check v1")): 64 lower-case hex digits. It reveals
// nothing useful about the key and is safe to store and print.
std::string KeyCheckValue(const LockedKey& key);

// The current master key version recorded in the store; std::nullopt before the first start.
// kDataLoss when the stored value is malformed.
Result<std::optional<uint32_t>> CurrentMasterKeyVersion(store::Tx& tx);

// Checks `key` against the store and returns the current master key version, which the Keyring
// is then built with. On a store's first start (no check value and no data keys) it records
// `key` as version 1. Refuses with kUnauthenticated when the key does not match: "the master
// key does not match this data (key check value differs)", or a message naming the version when
// the key is one that was rotated out or the new key of an unfinished rotation. Refuses with
// kDataLoss when data keys exist but no check value does. Never falls back to anything. Runs one
// write transaction.
Result<uint32_t> VerifyMasterKey(store::Store& store, const LockedKey& key);

}  // namespace voxsecrets::crypto

#endif  // VOXSECRETS_CRYPTO_KEY_CHECK_H_
