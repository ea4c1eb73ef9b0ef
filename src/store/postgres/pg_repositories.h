// The PostgreSQL implementations of the repositories of store/store.h.
//
// Each repository is a thin set of SQL statements run on the Connection of the current
// transaction (prepared once per connection). They are created by PgTx for one transaction and
// hold a reference to its Connection, which must outlive them. The SQL mirrors the SQLite backend
// statement for statement; where PostgreSQL differs it says so next to the statement.
//
// Thread-safety: none; they belong to the thread running the transaction callback.
#ifndef VOXSECRETS_STORE_POSTGRES_PG_REPOSITORIES_H_
#define VOXSECRETS_STORE_POSTGRES_PG_REPOSITORIES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/postgres/pg_connection.h"
#include "store/store.h"

namespace voxsecrets::store::pg {

class PgAccountRepository final : public AccountRepository {
 public:
  explicit PgAccountRepository(Connection& conn) : conn_(conn) {}
  // AccountRepository
  Result<int64_t> Insert(const AccountRecord& account) override;
  Result<std::optional<AccountRecord>> FindById(int64_t id) override;
  Result<std::optional<AccountRecord>> FindByName(std::string_view name) override;
  Result<std::vector<AccountRecord>> List() override;
  Status SetApiKeyHash(int64_t id, std::string_view api_key_hash) override;

 private:
  Connection& conn_;
};

class PgKeyRepository final : public KeyRepository {
 public:
  explicit PgKeyRepository(Connection& conn) : conn_(conn) {}
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
  Status InsertRoles(std::string_view key_id, const std::vector<int>& role_ids);
  Status InsertApplications(std::string_view key_id, const std::vector<int64_t>& application_ids);
  Connection& conn_;
};

// Rows a read transaction fetched along with others, so that it needs no statement for them. A
// lookup is answered from here only when its arguments are exactly those of the fetch; it then
// takes the row (a second identical lookup reads the database). Only in read transactions: a
// write may change a row after reading it.
//  - data_key: the data key that sealed a secret comes with the secret (GetSecretValue: one round
//    trip less);
//  - iam_version, application, secret (and data_key): Tx::Prefetch's statement (PrefetchReadHint).
// One prefetched lookup: a row found by (scope, id) or (scope, name) — an application in its
// account, a secret in its application — or found missing.
template <typename Record>
struct AheadRow {
  int64_t scope_id = 0;       // the account (application) or application (secret)
  std::optional<int64_t> id;  // looked up by id when set, else by name
  std::string name;
  std::optional<Record> found;  // nullopt: no such row

  // The row when `ahead` holds exactly this lookup, taken out of it (nullopt inside: found
  // missing); an empty optional when it holds another lookup or none.
  static std::optional<std::optional<Record>> Take(std::optional<AheadRow>* ahead, int64_t scope_id,
                                                   std::optional<int64_t> id,
                                                   std::string_view name) {
    if (ahead == nullptr || !ahead->has_value()) return std::nullopt;
    const AheadRow& fetched = **ahead;
    if (fetched.scope_id != scope_id || fetched.id != id || (!id && fetched.name != name)) {
      return std::nullopt;
    }
    std::optional<Record> found = std::move((*ahead)->found);
    ahead->reset();
    return found;
  }
};
struct ReadAhead {
  std::optional<int64_t> iam_version;
  std::optional<AheadRow<ApplicationRecord>> application;
  std::optional<AheadRow<SecretRecord>> secret;
  std::optional<DataKeyRecord> data_key;  // fetched with the last secret read
};

// Tx::Prefetch on PostgreSQL: one statement (prepared) reads the identity change counter, the
// application `hint` names and the secret in it with its data key, into `ahead`. Does nothing for
// a hint without an account or application, and leaves out a name PostgreSQL could not take as
// text (invalid UTF-8, a NUL byte): the lookup of such a name is left to the repository call.
// `alone`: the statement runs on its own, outside a transaction block (Connection::QueryAlone).
Status PrefetchReadHint(Connection& conn, const ReadHint& hint, ReadAhead& ahead, bool alone);

// The record whose columns start at column `first` of `row` (statements that join tables).
ApplicationRecord ReadApplicationColumns(const Rows& rows, int row, int first);
SecretRecord ReadSecretColumns(const Rows& rows, int row, int first);
DataKeyRecord ReadDataKeyColumns(const Rows& rows, int row, int first);

class PgApplicationRepository final : public ApplicationRepository {
 public:
  // `ahead`: the transaction's read-ahead, or nullptr (a write transaction).
  PgApplicationRepository(Connection& conn, ReadAhead* ahead) : conn_(conn), ahead_(ahead) {}
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
  std::optional<AheadRow<ApplicationRecord>>* Ahead() {
    return ahead_ != nullptr ? &ahead_->application : nullptr;
  }
  Connection& conn_;
  ReadAhead* const ahead_;
};

class PgSecretRepository final : public SecretRepository {
 public:
  // `ahead`: the transaction's read-ahead, or nullptr (a write transaction).
  PgSecretRepository(Connection& conn, ReadAhead* ahead) : conn_(conn), ahead_(ahead) {}
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

 private:
  // FindById / FindByName: one row and, with a read-ahead, its data key.
  Result<std::optional<SecretRecord>> FindOne(std::string_view plain, std::string_view with_key,
                                              const Params& params);
  std::optional<AheadRow<SecretRecord>>* Ahead() {
    return ahead_ != nullptr ? &ahead_->secret : nullptr;
  }
  Connection& conn_;
  ReadAhead* const ahead_;
};

class PgSecretVersionRepository final : public SecretVersionRepository {
 public:
  explicit PgSecretVersionRepository(Connection& conn) : conn_(conn) {}
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

class PgDataKeyRepository final : public DataKeyRepository {
 public:
  PgDataKeyRepository(Connection& conn, ReadAhead* ahead) : conn_(conn), ahead_(ahead) {}
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
  ReadAhead* const ahead_;
};

class PgMetaRepository final : public MetaRepository {
 public:
  // `ahead`: the transaction's read-ahead, or nullptr (a write transaction).
  PgMetaRepository(Connection& conn, ReadAhead* ahead) : conn_(conn), ahead_(ahead) {}
  // MetaRepository
  Result<std::optional<std::string>> Get(std::string_view key) override;
  Status Put(std::string_view key, std::string_view value) override;
  Result<int64_t> IamVersion() override;

 private:
  Connection& conn_;
  ReadAhead* const ahead_;
};

class PgAuditRepository final : public AuditRepository {
 public:
  explicit PgAuditRepository(Connection& conn) : conn_(conn) {}
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
  Status InsertMany(std::span<const AuditRecord> records) override;
  Result<std::optional<LockedChain>> LockChainTakingIds(int64_t chain_id, int64_t n) override;
  Status AppendToChain(int64_t chain_id, std::span<const AuditRecord> records, int64_t head_seq,
                       std::string_view head_hash) override;
  Result<std::vector<AuditRecord>> ListAfter(int64_t after_id, int64_t limit) override;
  Result<std::vector<AuditRecord>> ListChainAfter(int64_t chain_id, int64_t after_seq,
                                                  int64_t limit) override;
  Result<int64_t> DeleteChainThrough(int64_t chain_id, int64_t up_to_seq) override;
  Result<Page<AuditRecord>> Query(const AuditQuery& query) override;

 private:
  // The catch-up of the id sequence when a stored id is above it (see pg_audit.cc).
  Status AdvanceSequencePast(int64_t id);

  Connection& conn_;
};

class PgCopyRepository final : public CopyRepository {
 public:
  explicit PgCopyRepository(Connection& conn) : conn_(conn) {}
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

}  // namespace voxsecrets::store::pg

#endif  // VOXSECRETS_STORE_POSTGRES_PG_REPOSITORIES_H_
