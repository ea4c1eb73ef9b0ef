#include "api/tx_key_directory.h"

#include <utility>

namespace voxsecrets::api {

// ---- IamCache ----------------------------------------------------------------------------------

bool IamCache::FindKey(int64_t version, std::string_view key_id,
                       std::optional<auth::KeyInfo>* out) const {
  {
    ReaderMutexLock lock(mu_);
    if (version == version_) {
      auto it = keys_.find(key_id);
      if (it != keys_.end()) {
        *out = it->second;
        hits_.fetch_add(1, std::memory_order_relaxed);
        return true;
      }
    }
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

bool IamCache::FindAccount(int64_t version, int64_t account_id, Account* out) const {
  {
    ReaderMutexLock lock(mu_);
    if (version == version_) {
      auto it = accounts_.find(account_id);
      if (it != accounts_.end()) {
        *out = it->second;
        hits_.fetch_add(1, std::memory_order_relaxed);
        return true;
      }
    }
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

bool IamCache::PrepareForLocked(int64_t version) {
  if (version < version_) return false;  // read in an older snapshot: already superseded
  if (version > version_ || keys_.size() + accounts_.size() >= max_entries_) {
    keys_.clear();
    accounts_.clear();
    version_ = version;
  }
  return true;
}

void IamCache::PutKey(int64_t version, std::string_view key_id,
                      const std::optional<auth::KeyInfo>& key) {
  WriterMutexLock lock(mu_);
  if (!PrepareForLocked(version)) return;
  keys_.insert_or_assign(std::string(key_id), key);
}

void IamCache::PutAccount(int64_t version, int64_t account_id, const Account& account) {
  WriterMutexLock lock(mu_);
  if (!PrepareForLocked(version)) return;
  accounts_.insert_or_assign(account_id, account);
}

// ---- TxKeyDirectory ----------------------------------------------------------------------------

Result<int64_t> TxKeyDirectory::Version() {
  if (!version_.has_value()) {
    VS_ASSIGN_OR_RETURN(int64_t version, tx_.meta().IamVersion());
    version_ = version;
  }
  return *version_;
}

Result<std::optional<auth::KeyInfo>> TxKeyDirectory::FindKey(std::string_view key_id) {
  std::optional<int64_t> version;
  if (cache_ != nullptr) {
    VS_ASSIGN_OR_RETURN(version, Version());
    std::optional<auth::KeyInfo> cached;
    if (cache_->FindKey(*version, key_id, &cached)) return cached;
  }
  VS_ASSIGN_OR_RETURN(std::optional<store::KeyRecord> record, tx_.keys().FindById(key_id));
  std::optional<auth::KeyInfo> key;
  if (record.has_value()) {
    key = auth::KeyInfo{std::move(record->key_id), record->account_id,
                        std::move(record->public_key_pem), std::move(record->role_ids),
                        AppScope{std::move(record->application_ids)}};
  }
  if (cache_ != nullptr && fill_) cache_->PutKey(*version, key_id, key);
  return key;
}

Result<IamCache::Account> TxKeyDirectory::Account(int64_t account_id) {
  std::optional<int64_t> version;
  IamCache::Account account;
  if (cache_ != nullptr) {
    VS_ASSIGN_OR_RETURN(version, Version());
    if (cache_->FindAccount(*version, account_id, &account)) return account;
  }
  VS_ASSIGN_OR_RETURN(std::optional<store::AccountRecord> record,
                      tx_.accounts().FindById(account_id));
  if (record.has_value()) {
    account.exists = true;
    account.parent_id = record->parent_id;
    account.api_key_hash = std::move(record->api_key_hash);
  }
  if (cache_ != nullptr && fill_) cache_->PutAccount(*version, account_id, account);
  return account;
}

Result<auth::AccountLink> TxKeyDirectory::FindAccount(int64_t account_id) {
  VS_ASSIGN_OR_RETURN(IamCache::Account account, Account(account_id));
  return auth::AccountLink{account.exists, account.parent_id};
}

Result<std::optional<std::string>> TxKeyDirectory::FindApiKeyHash(int64_t account_id) {
  VS_ASSIGN_OR_RETURN(IamCache::Account account, Account(account_id));
  if (!account.exists || account.api_key_hash.empty()) return std::optional<std::string>();
  return std::optional<std::string>(std::move(account.api_key_hash));
}

}  // namespace voxsecrets::api
