#include "server/store_key_directory.h"

namespace voxsecrets::server {

Result<std::optional<auth::KeyInfo>> StoreKeyDirectory::FindKey(std::string_view key_id) {
  std::optional<auth::KeyInfo> out;
  VS_RETURN_IF_ERROR(store_.Read([&](store::Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(auto key, tx.keys().FindById(key_id));
    if (key) {
      out = auth::KeyInfo{key->key_id, key->account_id, std::move(key->public_key_pem),
                          std::move(key->role_ids)};
    }
    return Status::Ok();
  }));
  return out;
}

Result<auth::AccountLink> StoreKeyDirectory::FindAccount(int64_t account_id) {
  auth::AccountLink link;
  VS_RETURN_IF_ERROR(store_.Read([&](store::Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(auto account, tx.accounts().FindById(account_id));
    if (account) {
      link.exists = true;
      link.parent_id = account->parent_id;
    }
    return Status::Ok();
  }));
  return link;
}

Result<std::optional<std::string>> StoreKeyDirectory::FindApiKeyHash(int64_t account_id) {
  std::optional<std::string> out;
  VS_RETURN_IF_ERROR(store_.Read([&](store::Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(auto account, tx.accounts().FindById(account_id));
    if (account && !account->api_key_hash.empty()) out = std::move(account->api_key_hash);
    return Status::Ok();
  }));
  return out;
}

}  // namespace voxsecrets::server
