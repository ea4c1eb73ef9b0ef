// StoreKeyDirectory: auth::KeyDirectory answered from the store. Each call is one short read
// transaction, so a deleted key or a changed role is seen by the very next request (revocation
// is immediate; the parsed public keys themselves are cached by auth::KeyCache).
//
// Thread-safety: safe to share; the store must outlive it.
#ifndef VOXSECRETS_SERVER_STORE_KEY_DIRECTORY_H_
#define VOXSECRETS_SERVER_STORE_KEY_DIRECTORY_H_

#include "auth/key_directory.h"
#include "store/store.h"

namespace voxsecrets::server {

class StoreKeyDirectory final : public auth::KeyDirectory {
 public:
  explicit StoreKeyDirectory(store::Store& store) : store_(store) {}

  // auth::KeyDirectory
  Result<std::optional<auth::KeyInfo>> FindKey(std::string_view key_id) override;
  Result<auth::AccountLink> FindAccount(int64_t account_id) override;
  Result<std::optional<std::string>> FindApiKeyHash(int64_t account_id) override;

 private:
  store::Store& store_;
};

}  // namespace voxsecrets::server

#endif  // VOXSECRETS_SERVER_STORE_KEY_DIRECTORY_H_
