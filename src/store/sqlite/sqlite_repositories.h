// The SQLite implementations of the repositories of store/store.h.
//
// Each repository is a thin set of SQL statements run on the Connection of the current
// transaction (statements come from the connection's cache). They are created by SqliteTx for one
// transaction and hold a reference to its Connection, which must outlive them.
//
// Thread-safety: none; they belong to the thread running the transaction callback.
#ifndef VOXSECRETS_STORE_SQLITE_SQLITE_REPOSITORIES_H_
#define VOXSECRETS_STORE_SQLITE_SQLITE_REPOSITORIES_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite/sqlite_connection.h"
#include "store/store.h"

namespace voxsecrets::store::sqlite {

class SqliteAccountRepository final : public AccountRepository {
 public:
  explicit SqliteAccountRepository(Connection& conn) : conn_(conn) {}
  // AccountRepository
  Result<int64_t> Insert(const AccountRecord& account) override;
  Result<std::optional<AccountRecord>> FindById(int64_t id) override;
  Result<std::optional<AccountRecord>> FindByName(std::string_view name) override;
  Result<std::vector<AccountRecord>> List() override;
  Status SetApiKeyHash(int64_t id, std::string_view api_key_hash) override;

 private:
  Connection& conn_;
};

class SqliteKeyRepository final : public KeyRepository {
 public:
  explicit SqliteKeyRepository(Connection& conn) : conn_(conn) {}
  // KeyRepository
  Status Insert(const KeyRecord& key) override;
  Result<std::optional<KeyRecord>> FindById(std::string_view key_id) override;
  Result<Page<KeyRecord>> ListByAccount(int64_t account_id, std::optional<std::string_view> key_id,
                                        int64_t count, int64_t offset) override;
  Result<bool> UpdateInfo(int64_t account_id, std::string_view key_id,
                          std::optional<std::string_view> name,
                          std::optional<std::string_view> description) override;
  Result<bool> SetRoles(int64_t account_id, std::string_view key_id,
                        const std::vector<int>& role_ids) override;
  Result<bool> SetApplications(int64_t account_id, std::string_view key_id,
                               const std::optional<std::vector<int64_t>>& application_ids) override;
  Result<bool> Delete(int64_t account_id, std::string_view key_id) override;

 private:
  Status InsertRoles(std::string_view key_id, std::vector<int> role_ids);
  Status InsertApplications(std::string_view key_id, std::vector<int64_t> application_ids);
  Connection& conn_;
};

class SqliteApplicationRepository final : public ApplicationRepository {
 public:
  explicit SqliteApplicationRepository(Connection& conn) : conn_(conn) {}
  // ApplicationRepository
  Result<int64_t> Insert(const ApplicationRecord& app) override;
  Result<std::optional<ApplicationRecord>> FindById(int64_t account_id, int64_t id) override;
  Result<std::optional<ApplicationRecord>> FindByName(int64_t account_id,
                                                      std::string_view name) override;
  Result<Page<ApplicationRecord>> List(int64_t account_id,
                                       const ApplicationFilter& filter) override;
  Result<bool> Update(int64_t account_id, int64_t id, const ApplicationUpdate& update,
                      int64_t now) override;
  Result<bool> Delete(int64_t account_id, int64_t id) override;

 private:
  Connection& conn_;
};

class SqliteSecretRepository final : public SecretRepository {
 public:
  explicit SqliteSecretRepository(Connection& conn) : conn_(conn) {}
  // SecretRepository
  Result<int64_t> Insert(int64_t application_id, std::string_view name,
                         std::string_view description, const SealedValue& value,
                         int64_t now) override;
  Result<std::optional<SecretRecord>> FindById(int64_t application_id, int64_t id) override;
  Result<std::optional<SecretRecord>> FindByName(int64_t application_id,
                                                 std::string_view name) override;
  Result<Page<SecretInfo>> List(int64_t application_id, const SecretFilter& filter) override;
  Result<bool> Update(int64_t application_id, int64_t id, const SecretUpdate& update,
                      int64_t now) override;
  Result<int64_t> Delete(int64_t application_id, const std::vector<int64_t>& ids) override;
  Result<int64_t> DeleteAll(int64_t application_id) override;
  Result<std::vector<SecretRecord>> ListSealed(int64_t application_id) override;
  Result<bool> ReplaceSealed(int64_t application_id, int64_t id, const SealedValue& value) override;
  Result<int64_t> MergeNameIndex(int64_t max_segments, int64_t pages) override;

 private:
  Connection& conn_;
};

class SqliteSecretVersionRepository final : public SecretVersionRepository {
 public:
  explicit SqliteSecretVersionRepository(Connection& conn) : conn_(conn) {}
  // SecretVersionRepository
  Status Insert(int64_t application_id, const SecretVersionRecord& record) override;
  Result<std::optional<SecretVersionRecord>> Find(int64_t application_id, int64_t secret_id,
                                                  int64_t version) override;
  Result<Page<SecretVersionInfo>> List(int64_t application_id, int64_t secret_id, int64_t count,
                                       int64_t offset) override;
  Result<int64_t> DeleteUpTo(int64_t application_id, int64_t secret_id, int64_t version) override;
  Result<std::vector<SecretVersionRecord>> ListSealed(int64_t application_id) override;
  Result<bool> ReplaceSealed(int64_t application_id, int64_t secret_id, int64_t version,
                             const SealedValue& value) override;

 private:
  Connection& conn_;
};

class SqliteDataKeyRepository final : public DataKeyRepository {
 public:
  explicit SqliteDataKeyRepository(Connection& conn) : conn_(conn) {}
  // DataKeyRepository
  Status Insert(const DataKeyRecord& key) override;
  Result<std::optional<DataKeyRecord>> FindActive(int64_t application_id) override;
  Result<std::optional<DataKeyRecord>> Find(int64_t application_id, uint32_t version) override;
  Result<std::vector<DataKeyRecord>> ListAll() override;
  Status Rewrap(int64_t application_id, uint32_t version, std::string_view wrapped_key,
                uint32_t master_key_version) override;
  Result<int64_t> AddEncryptions(int64_t application_id, uint32_t version, int64_t n) override;
  Status DeleteForApplication(int64_t application_id) override;
  Status DeleteBelow(int64_t application_id, uint32_t version) override;

 private:
  Connection& conn_;
};

class SqliteMetaRepository final : public MetaRepository {
 public:
  explicit SqliteMetaRepository(Connection& conn) : conn_(conn) {}
  // MetaRepository
  Result<std::optional<std::string>> Get(std::string_view key) override;
  Status Put(std::string_view key, std::string_view value) override;
  Result<int64_t> IamVersion() override;

 private:
  Connection& conn_;
};

class SqliteAuditRepository final : public AuditRepository {
 public:
  explicit SqliteAuditRepository(Connection& conn) : conn_(conn) {}
  // AuditRepository
  Result<int64_t> InsertChain(const AuditChainRecord& chain) override;
  Result<std::optional<AuditChainRecord>> LockChain(int64_t chain_id) override;
  Result<std::vector<AuditChainRecord>> ListChains() override;
  Status SetChainHead(int64_t chain_id, int64_t head_seq, std::string_view head_hash) override;
  Status SetChainPruned(int64_t chain_id, int64_t pruned_seq, std::string_view pruned_hash,
                        int64_t pruned_at_ms) override;
  Result<int64_t> NextId() override;
  Result<std::vector<int64_t>> NextIds(int64_t n) override;
  Status Insert(const AuditRecord& record) override;
  // Multi-row INSERTs (sqlite_audit.cc).
  Status InsertMany(std::span<const AuditRecord> records) override;
  Result<std::vector<AuditRecord>> ListAfter(int64_t after_id, int64_t limit) override;
  Result<std::vector<AuditRecord>> ListChainAfter(int64_t chain_id, int64_t after_seq,
                                                  int64_t limit) override;
  Result<int64_t> DeleteChainThrough(int64_t chain_id, int64_t up_to_seq) override;
  Result<Page<AuditRecord>> Query(const AuditQuery& query) override;

 private:
  Connection& conn_;
};

class SqliteCopyRepository final : public CopyRepository {
 public:
  explicit SqliteCopyRepository(Connection& conn) : conn_(conn) {}
  // CopyRepository
  Result<bool> IsEmpty() override;
  Status InsertAccount(const AccountRecord& account) override;
  Status InsertApplication(const ApplicationRecord& app) override;
  Status InsertSecret(const SecretRecord& secret) override;
  Result<std::vector<std::pair<std::string, std::string>>> ListMeta() override;
  Result<IdWatermarks> Watermarks() override;
  Status RaiseWatermarks(const IdWatermarks& marks) override;

 private:
  Connection& conn_;
};

// Paging arguments are validated the same way by every List method.
Status CheckPaging(int64_t count, int64_t offset);

}  // namespace voxsecrets::store::sqlite

#endif  // VOXSECRETS_STORE_SQLITE_SQLITE_REPOSITORIES_H_
