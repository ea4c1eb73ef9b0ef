#include "crypto/rotation.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/secure_bytes.h"
#include "crypto/aead.h"
#include "crypto/data_key_wrap.h"
#include "crypto/key_check.h"

namespace voxsecrets::crypto {
namespace {

// Rows touched by one write transaction: short enough not to stall a server's writes.
constexpr size_t kBatchSize = 64;
// Sweeps over the store before giving up on a target that concurrent writers keep moving.
constexpr int kMaxPasses = 16;

Status StillMoving(std::string_view what) {
  return Unavailable(std::string(what) +
                     " kept changing under concurrent writes; run the rotation again");
}

// Data keys not yet wrapped by `new_version`.
Result<std::vector<std::pair<int64_t, uint32_t>>> KeysToRewrap(store::Store& store,
                                                               uint32_t new_version) {
  std::vector<std::pair<int64_t, uint32_t>> out;
  const auto list_keys = [&](store::Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(auto all, tx.data_keys().ListAll());
    for (const auto& k : all) {
      if (k.master_key_version != new_version) out.emplace_back(k.application_id, k.version);
    }
    return Status::Ok();
  };
  VS_RETURN_IF_ERROR(store.Read(list_keys));
  return out;
}

// Rewraps the listed keys in batches. Returns how many were rewrapped.
Result<int64_t> RewrapKeys(store::Store& store, const Aes256Gcm& aead, const LockedKey& old_key,
                           uint32_t old_version, const LockedKey& new_key, uint32_t new_version,
                           SecureRandom& random,
                           const std::vector<std::pair<int64_t, uint32_t>>& ids) {
  int64_t rewrapped = 0;
  for (size_t start = 0; start < ids.size(); start += kBatchSize) {
    const size_t end = std::min(ids.size(), start + kBatchSize);
    int64_t batch_count = 0;
    const auto rewrap_batch = [&](store::Tx& tx) -> Status {
      batch_count = 0;  // the backend may retry the whole callback
      for (size_t i = start; i < end; ++i) {
        VS_ASSIGN_OR_RETURN(std::optional<store::DataKeyRecord> record,
                            tx.data_keys().Find(ids[i].first, ids[i].second));
        if (!record || record->master_key_version == new_version) continue;
        VS_ASSIGN_OR_RETURN(LockedKey dek, UnwrapDataKey(aead, old_key, old_version, *record));
        VS_ASSIGN_OR_RETURN(std::string_view key_id, WrappedKeyId(record->wrapped_key));
        VS_ASSIGN_OR_RETURN(std::string wrapped,
                            WrapDataKey(aead, new_key, new_version, random, record->application_id,
                                        record->version, key_id, dek));
        VS_RETURN_IF_ERROR(
            tx.data_keys().Rewrap(record->application_id, record->version, wrapped, new_version));
        ++batch_count;
      }
      return Status::Ok();
    };
    VS_RETURN_IF_ERROR(store.Write(rewrap_batch));
    rewrapped += batch_count;
  }
  return rewrapped;
}

}  // namespace

Result<MasterKeyRotation> RotateMasterKey(store::Store& store, const LockedKey& old_key,
                                          uint32_t old_version, const LockedKey& new_key,
                                          uint32_t new_version, SecureRandom& random) {
  if (old_version == 0 || new_version <= old_version) {
    return Status(StatusCode::kInvalidArgument,
                  "the new master key version must be greater than the old one");
  }
  if (!old_key.valid() || !new_key.valid()) return InternalError("rotating with an empty key");
  if (old_key.SameKeyAs(new_key)) {
    return Status(StatusCode::kInvalidArgument, "the new master key equals the old one");
  }
  const std::string old_check = KeyCheckValue(old_key);
  const std::string new_check = KeyCheckValue(new_key);
  bool finished = false;
  const auto check_and_begin = [&](store::Tx& tx) -> Status {
    finished = false;
    VS_ASSIGN_OR_RETURN(std::optional<uint32_t> current, CurrentMasterKeyVersion(tx));
    if (!current) {
      return Status(StatusCode::kUnauthenticated,
                    "the store has no master key yet; start the server once first");
    }
    VS_ASSIGN_OR_RETURN(std::optional<std::string> stored_new,
                        tx.meta().Get(MetaKeyCheckName(new_version)));
    if (*current == new_version) {
      if (stored_new && ConstantTimeEquals(*stored_new, new_check)) {
        finished = true;  // done before; a final sweep below is harmless
        return Status::Ok();
      }
      return Status(StatusCode::kUnauthenticated, "the store is already at master key version " +
                                                      std::to_string(new_version) +
                                                      " with a different key");
    }
    if (*current != old_version) {
      return Status(StatusCode::kUnauthenticated, "the store is at master key version " +
                                                      std::to_string(*current) + ", not " +
                                                      std::to_string(old_version));
    }
    VS_ASSIGN_OR_RETURN(std::optional<std::string> stored_old,
                        tx.meta().Get(MetaKeyCheckName(old_version)));
    if (!stored_old || !ConstantTimeEquals(*stored_old, old_check)) {
      return Status(StatusCode::kUnauthenticated,
                    "the old master key does not match this data (key check value differs)");
    }
    if (stored_new && !ConstantTimeEquals(*stored_new, new_check)) {
      return Status(StatusCode::kInvalidArgument,
                    "master key version " + std::to_string(new_version) +
                        " was already begun with a different key; use another version number");
    }
    if (!stored_new) {
      VS_RETURN_IF_ERROR(tx.meta().Put(MetaKeyCheckName(new_version), new_check));
    }
    return Status::Ok();
  };
  VS_RETURN_IF_ERROR(store.Write(check_and_begin));

  VS_ASSIGN_OR_RETURN(Aes256GcmPtr aead, Aes256Gcm::Create());
  MasterKeyRotation result;
  // Rewrap until a pass finds nothing, then flip the current version in a transaction that
  // confirms that no data key still needs the old key.
  for (int pass = 0; !finished; ++pass) {
    if (pass == kMaxPasses) return StillMoving("the set of data keys");
    VS_ASSIGN_OR_RETURN(auto ids, KeysToRewrap(store, new_version));
    VS_ASSIGN_OR_RETURN(int64_t n, RewrapKeys(store, *aead, old_key, old_version, new_key,
                                              new_version, random, ids));
    result.rewrapped += n;
    const auto flip_if_done = [&](store::Tx& tx) -> Status {
      finished = false;
      VS_ASSIGN_OR_RETURN(auto all, tx.data_keys().ListAll());
      for (const auto& k : all) {
        if (k.master_key_version != new_version) return Status::Ok();  // another pass
      }
      VS_RETURN_IF_ERROR(tx.meta().Put(kMetaMasterKeyVersion, std::to_string(new_version)));
      finished = true;
      return Status::Ok();
    };
    VS_RETURN_IF_ERROR(store.Write(flip_if_done));
  }
  // A server that read the old version just before the flip may still commit a data key
  // wrapped by the old key; catch those (servers refuse to do so once they see the flip).
  for (int pass = 0;; ++pass) {
    if (pass == kMaxPasses) return StillMoving("the set of data keys");
    VS_ASSIGN_OR_RETURN(auto ids, KeysToRewrap(store, new_version));
    if (ids.empty()) break;
    VS_ASSIGN_OR_RETURN(int64_t n, RewrapKeys(store, *aead, old_key, old_version, new_key,
                                              new_version, random, ids));
    result.rewrapped += n;
  }
  return result;
}

Result<AppKeyRotation> RotateApplicationKey(store::Store& store, Keyring& keyring,
                                            int64_t account_id, int64_t application_id) {
  AppKeyRotation result;
  const auto add_version = [&](store::Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(auto app, tx.applications().FindById(account_id, application_id));
    if (!app) {
      return NotFound("application " + std::to_string(application_id) + " not found");
    }
    VS_ASSIGN_OR_RETURN(result.new_version, keyring.AddDataKeyVersion(tx, application_id));
    return Status::Ok();
  };
  VS_RETURN_IF_ERROR(store.Write(add_version));
  const uint32_t new_version = result.new_version;

  bool done = false;
  for (int pass = 0; !done; ++pass) {
    if (pass == kMaxPasses) return StillMoving("the application's secrets");
    // Current values by secret id, and older versions of values by (secret id, version).
    std::vector<int64_t> ids;
    std::vector<std::pair<int64_t, int64_t>> older;
    const auto list_old_values = [&](store::Tx& tx) -> Status {
      ids.clear();
      older.clear();
      VS_ASSIGN_OR_RETURN(auto secrets, tx.secrets().ListSealed(application_id));
      for (const auto& s : secrets) {
        if (s.value.key_version < new_version) ids.push_back(s.info.id);
      }
      VS_ASSIGN_OR_RETURN(auto versions, tx.secret_versions().ListSealed(application_id));
      for (const auto& v : versions) {
        if (v.value.key_version < new_version) older.emplace_back(v.info.secret_id, v.info.version);
      }
      return Status::Ok();
    };
    VS_RETURN_IF_ERROR(store.Read(list_old_values));
    for (size_t start = 0; start < ids.size(); start += kBatchSize) {
      const size_t end = std::min(ids.size(), start + kBatchSize);
      int64_t batch_count = 0;
      const auto reencrypt_batch = [&](store::Tx& tx) -> Status {
        batch_count = 0;
        for (size_t i = start; i < end; ++i) {
          // Re-read inside this transaction: the row may have changed since it was listed.
          VS_ASSIGN_OR_RETURN(auto secret, tx.secrets().FindById(application_id, ids[i]));
          if (!secret || secret->value.key_version >= new_version) continue;
          const ValueContext ctx{account_id, application_id, ids[i], secret->info.version};
          VS_ASSIGN_OR_RETURN(SecureBytes plain, keyring.Open(tx, ctx, secret->value));
          VS_ASSIGN_OR_RETURN(SealedValue sealed, keyring.Seal(tx, ctx, plain.view()));
          VS_ASSIGN_OR_RETURN(bool replaced,
                              tx.secrets().ReplaceSealed(application_id, ids[i], sealed));
          if (replaced) ++batch_count;
        }
        return Status::Ok();
      };
      VS_RETURN_IF_ERROR(store.Write(reencrypt_batch));
      result.reencrypted += batch_count;
    }
    for (size_t start = 0; start < older.size(); start += kBatchSize) {
      const size_t end = std::min(older.size(), start + kBatchSize);
      int64_t batch_count = 0;
      const auto reencrypt_batch = [&](store::Tx& tx) -> Status {
        batch_count = 0;
        for (size_t i = start; i < end; ++i) {
          const auto [secret_id, version] = older[i];
          VS_ASSIGN_OR_RETURN(auto kept,
                              tx.secret_versions().Find(application_id, secret_id, version));
          if (!kept || kept->value.key_version >= new_version) continue;  // gone or moved on
          const ValueContext ctx{account_id, application_id, secret_id, version};
          VS_ASSIGN_OR_RETURN(SecureBytes plain, keyring.Open(tx, ctx, kept->value));
          VS_ASSIGN_OR_RETURN(SealedValue sealed, keyring.Seal(tx, ctx, plain.view()));
          VS_ASSIGN_OR_RETURN(bool replaced, tx.secret_versions().ReplaceSealed(
                                                 application_id, secret_id, version, sealed));
          if (replaced) ++batch_count;
        }
        return Status::Ok();
      };
      VS_RETURN_IF_ERROR(store.Write(reencrypt_batch));
      result.reencrypted += batch_count;
    }
    // Delete the old versions only if no value (current or older) still uses them, in one
    // transaction.
    const auto delete_if_done = [&](store::Tx& tx) -> Status {
      done = false;
      VS_ASSIGN_OR_RETURN(auto secrets, tx.secrets().ListSealed(application_id));
      for (const auto& s : secrets) {
        if (s.value.key_version < new_version) return Status::Ok();  // another pass
      }
      VS_ASSIGN_OR_RETURN(auto versions, tx.secret_versions().ListSealed(application_id));
      for (const auto& v : versions) {
        if (v.value.key_version < new_version) return Status::Ok();  // another pass
      }
      VS_RETURN_IF_ERROR(tx.data_keys().DeleteBelow(application_id, new_version));
      done = true;
      return Status::Ok();
    };
    VS_RETURN_IF_ERROR(store.Write(delete_if_done));
  }
  keyring.ForgetVersionsBelow(application_id, new_version);
  return result;
}

}  // namespace voxsecrets::crypto
