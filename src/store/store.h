// The storage contract: typed repositories over one transactional database.
//
// Every operation runs inside a transaction handed to the caller by Store::Read or Store::Write;
// a repository reference obtained from a Tx must not outlive the callback. Backends (sqlite/,
// postgres/) implement the whole contract and must pass tests/testing/store_conformance.h.
//
// Scoping rules the backends enforce (so a bug above cannot leak across accounts):
//  - applications are found only through their account (FindById(account_id, id));
//  - secrets are found only through their application.
// Not-found is a normal result (std::nullopt / false), not an error. Errors are kAlreadyExists
// for unique-constraint violations, kUnavailable when the database cannot be reached or is busy,
// kInternal otherwise. Messages never include values. Operations whose result cannot say "not
// found" (a Status alone) return kNotFound for a missing record. Every failure a backend makes
// itself carries StatusOrigin::kStore (store_error.h); one returned by the caller's callback comes
// back unchanged. After a repository call fails, the callback should return an error too: some
// backends (PostgreSQL) cannot go on with a transaction once a statement failed.
//
// Listings take `count` and `offset` (REQUIRES: both >= 0, else kInternal) and report in
// total_count every match ignoring them. Costs of the secret listing (SecretRepository::List):
// total_count of an unfiltered listing is a maintained counter (no count of rows); a page costs
// its rows plus `offset` index entries stepped over; a name filter of 3 or more characters is
// narrowed by a trigram index (cost: the candidates it yields), a shorter one scans the
// application's secrets.
//
// Thread-safety: a Store may be shared by all threads. A Tx and its repositories belong to the
// thread running the callback.
#ifndef VOXSECRETS_STORE_STORE_H_
#define VOXSECRETS_STORE_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/utf8.h"
#include "store/records.h"

namespace voxsecrets::store {

class AccountRepository {
 public:
  virtual ~AccountRepository() = default;
  // Inserts `account` (its id is ignored) and returns the new id. kAlreadyExists when the
  // name is taken.
  virtual Result<int64_t> Insert(const AccountRecord& account) = 0;
  virtual Result<std::optional<AccountRecord>> FindById(int64_t id) = 0;
  virtual Result<std::optional<AccountRecord>> FindByName(std::string_view name) = 0;
  // All accounts, by id ascending.
  virtual Result<std::vector<AccountRecord>> List() = 0;
  // kNotFound when no such account.
  virtual Status SetApiKeyHash(int64_t id, std::string_view api_key_hash) = 0;
};

class KeyRepository {
 public:
  virtual ~KeyRepository() = default;
  // kAlreadyExists when key_id is taken (by any account). role_ids and application_ids are kept
  // as sets: reads return them sorted and unique whatever order they were given in (here and in
  // SetRoles / SetApplications).
  virtual Status Insert(const KeyRecord& key) = 0;
  virtual Result<std::optional<KeyRecord>> FindById(std::string_view key_id) = 0;
  // Keys of one account ordered by `created`, then key_id; `key_id` filters to one key when set.
  virtual Result<Page<KeyRecord>> ListByAccount(int64_t account_id,
                                                std::optional<std::string_view> key_id,
                                                int64_t count, int64_t offset) = 0;
  // Sets the given fields (unset ones stay). Returns false when no such key exists in that
  // account; true when it exists, even if nothing was set.
  virtual Result<bool> UpdateInfo(int64_t account_id, std::string_view key_id,
                                  std::optional<std::string_view> name,
                                  std::optional<std::string_view> description) = 0;
  virtual Result<bool> SetRoles(int64_t account_id, std::string_view key_id,
                                const std::vector<int>& role_ids) = 0;
  // Limits the key to `application_ids` (kept as a set, like roles), or lifts the limit
  // (nullopt). Deleting an application removes it from every key's list. False when no such key
  // exists in that account. The ids are not checked here (the caller's rules do that); an id
  // that names no application fails (foreign key, kInternal).
  virtual Result<bool> SetApplications(
      int64_t account_id, std::string_view key_id,
      const std::optional<std::vector<int64_t>>& application_ids) = 0;
  virtual Result<bool> Delete(int64_t account_id, std::string_view key_id) = 0;
};

struct ApplicationFilter {
  std::optional<int64_t> id;
  // Only applications with these ids (a key limited to some applications); nullopt = all. An
  // empty list matches nothing.
  std::optional<std::vector<int64_t>> ids;
  std::string name_part;  // case-insensitive substring of the short name ('%', '_' literal);
                          // empty = all
  int64_t count = 20;
  int64_t offset = 0;
};

struct ApplicationUpdate {
  std::optional<std::string> name;
  std::optional<bool> secure_record_storage;
};

class ApplicationRepository {
 public:
  virtual ~ApplicationRepository() = default;
  // Returns the new id. kAlreadyExists when the account already has an application so named.
  virtual Result<int64_t> Insert(const ApplicationRecord& app) = 0;
  virtual Result<std::optional<ApplicationRecord>> FindById(int64_t account_id, int64_t id) = 0;
  virtual Result<std::optional<ApplicationRecord>> FindByName(int64_t account_id,
                                                              std::string_view name) = 0;
  // Ordered by id ascending.
  virtual Result<Page<ApplicationRecord>> List(int64_t account_id,
                                               const ApplicationFilter& filter) = 0;
  // Applies the set fields and `modified`. Returns false when not found (true when found, even
  // with no field set); kAlreadyExists on a name clash.
  virtual Result<bool> Update(int64_t account_id, int64_t id, const ApplicationUpdate& update,
                              int64_t now) = 0;
  // Deletes the application with its secrets, data keys and its place in keys' application
  // lists (KeyRepository::SetApplications). Returns false when not found.
  virtual Result<bool> Delete(int64_t account_id, int64_t id) = 0;
};

struct SecretFilter {
  std::string name_part;  // case-insensitive substring ('%', '_' literal); empty = all
  int64_t count = 20;
  int64_t offset = 0;
};

// Whether a name filter is narrowed by the backends' trigram indexes: valid UTF-8 of at least 3
// code points. A shorter filter holds no trigram, so an index of trigrams cannot find its
// matches; it is served by scanning the application's secrets instead (same answers).
inline bool UsesTrigramIndex(std::string_view name_part) {
  const std::optional<size_t> chars = Utf8CodePoints(name_part);
  return chars.has_value() && *chars >= 3;
}

struct SecretUpdate {
  std::optional<std::string> name;
  std::optional<std::string> description;
  // A new current value and its version number; version_created becomes `now`. REQUIRES: both
  // or neither are set.
  std::optional<SealedValue> value;
  std::optional<int64_t> version;
};

class SecretRepository {
 public:
  virtual ~SecretRepository() = default;
  // Inserts and returns the new id (ids are global and never reused). kAlreadyExists when the
  // application already has a secret of that name. The value is version 1, set `now`.
  virtual Result<int64_t> Insert(int64_t application_id, std::string_view name,
                                 std::string_view description, const SealedValue& value,
                                 int64_t now) = 0;
  virtual Result<std::optional<SecretRecord>> FindById(int64_t application_id, int64_t id) = 0;
  virtual Result<std::optional<SecretRecord>> FindByName(int64_t application_id,
                                                         std::string_view name) = 0;
  // Ordered by id ascending; no values.
  virtual Result<Page<SecretInfo>> List(int64_t application_id, const SecretFilter& filter) = 0;
  // Applies the set fields and sets `modified` to `now`. Returns false when not found;
  // kAlreadyExists on a name clash.
  virtual Result<bool> Update(int64_t application_id, int64_t id, const SecretUpdate& update,
                              int64_t now) = 0;
  // Deletes the listed secrets of this application with every older version of their values;
  // returns how many secrets went. Unknown ids and ids of other applications are skipped (not
  // counted, not touched). DeleteAll likewise.
  virtual Result<int64_t> Delete(int64_t application_id, const std::vector<int64_t>& ids) = 0;
  virtual Result<int64_t> DeleteAll(int64_t application_id) = 0;
  // Every secret of the application with its sealed value (re-encryption after rotation).
  virtual Result<std::vector<SecretRecord>> ListSealed(int64_t application_id) = 0;
  // Replaces only the sealed value (re-encryption); `modified` stays. False when not found.
  virtual Result<bool> ReplaceSealed(int64_t application_id, int64_t id,
                                     const SealedValue& value) = 0;
  // Upkeep of the name index (background maintenance, never on a request's path). SQLite's
  // trigram index grows by one segment per write transaction, FTS5 merges them only partly on its
  // own, and a name search visits every segment (docs/BENCHMARKS.md, "Name search"). When the
  // index has more than `max_segments` segments, this merges about `pages` pages of all of them
  // towards one and returns how many segments it has then (call again with max_segments 1, each
  // call in its own short write transaction, to finish); otherwise it does nothing and returns 0.
  // Answers of List are the same before, during and after. The default (PostgreSQL, whose GIN
  // index autovacuum looks after) does nothing and returns 0. REQUIRES: a write transaction;
  // max_segments >= 1; pages >= 1.
  virtual Result<int64_t> MergeNameIndex(int64_t max_segments, int64_t pages) {
    static_cast<void>(max_segments);
    static_cast<void>(pages);
    return int64_t{0};
  }
};

// The older versions of secrets' values (SecretVersionRecord). Like secrets, they are found only
// through their application: every call names it, and a secret of another application has no
// versions here. They go with their secret (DelSecret, DelApplication).
class SecretVersionRepository {
 public:
  virtual ~SecretVersionRepository() = default;
  // Keeps `record` as an older version of its secret. kNotFound when the secret is not one of the
  // application's; kAlreadyExists when the secret already has that version.
  virtual Status Insert(int64_t application_id, const SecretVersionRecord& record) = 0;
  virtual Result<std::optional<SecretVersionRecord>> Find(int64_t application_id, int64_t secret_id,
                                                          int64_t version) = 0;
  // The secret's older versions, newest first; no values.
  virtual Result<Page<SecretVersionInfo>> List(int64_t application_id, int64_t secret_id,
                                               int64_t count, int64_t offset) = 0;
  // Deletes the secret's older versions numbered up to `version`; returns how many went.
  virtual Result<int64_t> DeleteUpTo(int64_t application_id, int64_t secret_id,
                                     int64_t version) = 0;
  // Every older version of every secret of the application with its sealed value, by secret id
  // then version (re-encryption after rotation).
  virtual Result<std::vector<SecretVersionRecord>> ListSealed(int64_t application_id) = 0;
  // Replaces only the sealed value (re-encryption). False when not found.
  virtual Result<bool> ReplaceSealed(int64_t application_id, int64_t secret_id, int64_t version,
                                     const SealedValue& value) = 0;
};

class DataKeyRepository {
 public:
  virtual ~DataKeyRepository() = default;
  // kAlreadyExists when (application_id, version) exists.
  virtual Status Insert(const DataKeyRecord& key) = 0;
  // The highest version of the application's keys.
  virtual Result<std::optional<DataKeyRecord>> FindActive(int64_t application_id) = 0;
  virtual Result<std::optional<DataKeyRecord>> Find(int64_t application_id, uint32_t version) = 0;
  // Every data key of every application (master key rotation), by application_id, then version.
  virtual Result<std::vector<DataKeyRecord>> ListAll() = 0;
  // Replaces the wrapped key and its master key version. kNotFound when no such key.
  virtual Status Rewrap(int64_t application_id, uint32_t version, std::string_view wrapped_key,
                        uint32_t master_key_version) = 0;
  // Adds `n` to the encryption count and returns the new count. kNotFound when no such key.
  virtual Result<int64_t> AddEncryptions(int64_t application_id, uint32_t version, int64_t n) = 0;
  // Deleting nothing is not an error (here and in DeleteBelow).
  virtual Status DeleteForApplication(int64_t application_id) = 0;
  // Deletes versions below `version` (after re-encryption moved every value off them).
  virtual Status DeleteBelow(int64_t application_id, uint32_t version) = 0;
};

// Small named settings of the store itself (key check values, bootstrap markers). Keys and
// values are text (UTF-8 without NUL): encode binary values.
class MetaRepository {
 public:
  virtual ~MetaRepository() = default;
  virtual Result<std::optional<std::string>> Get(std::string_view key) = 0;
  virtual Status Put(std::string_view key, std::string_view value) = 0;
  // The identity change counter: moved by the database itself (triggers) in the transaction of
  // every insert, update or delete of accounts, keys and key roles, whoever makes it (this
  // process, another node, the admin CLI). Read in a transaction, it names the state of those
  // tables that transaction sees: two transactions that read the same value see the same rows.
  // Never decreases. (Tables added later that authentication reads must move it too.)
  virtual Result<int64_t> IamVersion() = 0;
};

// GetAuditLog's filters. A list that is nullopt does not filter; an empty list matches nothing.
struct AuditQuery {
  std::optional<int64_t> from_ms;  // time_ms >= from_ms
  std::optional<int64_t> to_ms;    // time_ms < to_ms
  std::optional<std::vector<int64_t>> ids;
  std::optional<std::vector<std::string>> ips;
  std::optional<std::vector<std::string>> methods;
  // Records of these accounts only; nullopt = every record, those without an account included.
  std::optional<std::vector<int64_t>> account_ids;
  // Records that touched at least one of these applications (the `application_ids` of their
  // touched_json); nullopt = no filter.
  std::optional<std::vector<int64_t>> application_ids;
  // With application_ids: only records that touched no application outside them either (what a
  // key limited to those applications may see).
  bool only_these_applications = false;
  bool descending = false;  // by id
  int64_t count = 100;
  int64_t offset = 0;
  bool with_total_count = true;  // false: total_count is -1 (the count query is skipped)
};

// The audit log (docs/AUDIT.md): records and the chains they belong to. The hash chain itself is
// computed by audit/; the store keeps what it is given, enforces uniqueness of ids and of
// (chain_id, seq), and serializes appends to one chain (LockChain).
class AuditRepository {
 public:
  virtual ~AuditRepository() = default;
  // Adds a chain under the next chain id (the highest so far + 1: chain ids have no gaps) and
  // returns that id; `chain.chain_id` is ignored.
  virtual Result<int64_t> InsertChain(const AuditChainRecord& chain) = 0;
  // The chain, locked until the write transaction ends (PostgreSQL: SELECT ... FOR UPDATE), so
  // that appends to one chain are serialized. nullopt when unknown.
  virtual Result<std::optional<AuditChainRecord>> LockChain(int64_t chain_id) = 0;
  // Every chain by chain_id ascending.
  virtual Result<std::vector<AuditChainRecord>> ListChains() = 0;
  // kNotFound when no such chain (both setters).
  virtual Status SetChainHead(int64_t chain_id, int64_t head_seq, std::string_view head_hash) = 0;
  virtual Status SetChainPruned(int64_t chain_id, int64_t pruned_seq, std::string_view pruned_hash,
                                int64_t pruned_at_ms) = 0;
  // An id above every record id ever stored (even pruned ones). Called after LockChain, so that
  // within one chain ids grow with seq.
  virtual Result<int64_t> NextId() = 0;
  // `n` such ids at once, increasing, for `n` records stored in this order before the transaction
  // asks again (REQUIRES: n >= 1; NextId may give the same id twice until a record takes it).
  virtual Result<std::vector<int64_t>> NextIds(int64_t n) = 0;
  // Stores `record` as given, except `prev_hash`, which is not stored: every read below fills
  // it in from the chain — the `hash` of the chain's record seq - 1, else the chain's
  // `pruned_hash` when seq - 1 is its `pruned_seq` (so the genesis hash for seq 1 of an unpruned
  // chain), else "" (the record before it is missing). kAlreadyExists when its id or its
  // (chain_id, seq) is taken.
  virtual Status Insert(const AuditRecord& record) = 0;
  // Stores `records` as given, in order; as Insert for each (a backend may do it in one
  // statement). The default inserts them one by one.
  virtual Status InsertMany(std::span<const AuditRecord> records) {
    for (const AuditRecord& record : records) VS_RETURN_IF_ERROR(Insert(record));
    return Status::Ok();
  }
  // The two halves of an append to a chain (AuditLog's batches), each of which a backend may do
  // in one statement (PostgreSQL: one round trip each instead of two):
  //  - LockChainTakingIds(chain_id, n): LockChain(chain_id), then, when the chain is there,
  //    NextIds(n) (REQUIRES: n >= 1). nullopt (and no ids taken) when the chain is unknown.
  //  - AppendToChain(chain_id, records, head_seq, head_hash): InsertMany(records) and
  //    SetChainHead(chain_id, head_seq, head_hash) together; kNotFound (and nothing stored) when
  //    the chain is unknown, else as InsertMany (all of `records` or none).
  // The defaults call those methods.
  struct LockedChain {
    AuditChainRecord chain;
    std::vector<int64_t> ids;  // n of them, increasing
  };
  virtual Result<std::optional<LockedChain>> LockChainTakingIds(int64_t chain_id, int64_t n) {
    VS_ASSIGN_OR_RETURN(std::optional<AuditChainRecord> chain, LockChain(chain_id));
    if (!chain.has_value()) return std::optional<LockedChain>();
    VS_ASSIGN_OR_RETURN(std::vector<int64_t> ids, NextIds(n));
    return std::optional<LockedChain>(LockedChain{std::move(*chain), std::move(ids)});
  }
  virtual Status AppendToChain(int64_t chain_id, std::span<const AuditRecord> records,
                               int64_t head_seq, std::string_view head_hash) {
    VS_RETURN_IF_ERROR(SetChainHead(chain_id, head_seq, head_hash));
    return InsertMany(records);
  }
  // Records with id > after_id, by id ascending, at most `limit` (REQUIRES: limit >= 0).
  virtual Result<std::vector<AuditRecord>> ListAfter(int64_t after_id, int64_t limit) = 0;
  // Records of one chain with seq > after_seq, by seq ascending, at most `limit`.
  virtual Result<std::vector<AuditRecord>> ListChainAfter(int64_t chain_id, int64_t after_seq,
                                                          int64_t limit) = 0;
  // Deletes the chain's records with seq <= up_to_seq; returns how many went.
  virtual Result<int64_t> DeleteChainThrough(int64_t chain_id, int64_t up_to_seq) = 0;
  // Filtered, ordered by id, paged (REQUIRES: count, offset >= 0, else kInternal).
  virtual Result<Page<AuditRecord>> Query(const AuditQuery& query) = 0;
};

// The highest id each id-numbered table ever handed out, deleted rows included (ids are never
// reused). 0 = none yet.
struct IdWatermarks {
  int64_t accounts = 0;
  int64_t applications = 0;
  int64_t secrets = 0;
  int64_t audit_records = 0;
  friend bool operator==(const IdWatermarks&, const IdWatermarks&) = default;
};

// Copying a whole database into another one, row for row (`voxsecrets migrate`): rows are written
// exactly as given — ids, timestamps, sealed values — so that sealed values (bound to their
// account, application and secret ids) open, and audit hashes (over record ids) verify, in the
// copy as in the original. Only for filling an empty database: the API never uses it. The rows
// the other repositories already store as given (keys, data keys, meta, audit chains and records)
// are copied through them.
class CopyRepository {
 public:
  virtual ~CopyRepository() = default;
  // True when the database holds no voxsecrets data at all (no row in any table; the schema may
  // be there).
  virtual Result<bool> IsEmpty() = 0;
  // Insert with the record's own id (and every other field). kAlreadyExists when the id or a
  // unique value is taken. REQUIRES: the referenced rows (parent account, account, application)
  // exist.
  virtual Status InsertAccount(const AccountRecord& account) = 0;
  virtual Status InsertApplication(const ApplicationRecord& app) = 0;
  virtual Status InsertSecret(const SecretRecord& secret) = 0;
  // Every meta entry, by key ascending.
  virtual Result<std::vector<std::pair<std::string, std::string>>> ListMeta() = 0;
  virtual Result<IdWatermarks> Watermarks() = 0;
  // Makes every id handed out from now on greater than `marks` (and than the ids present), as in
  // the database the marks were read from. Never lowers a watermark.
  virtual Status RaiseWatermarks(const IdWatermarks& marks) = 0;
};

// What a read transaction is about to look up (Tx::Prefetch): an application of an account and a
// secret in it, by id or by name.
struct ReadHint {
  int64_t account_id = 0;  // the account the application is looked up in; 0 = none (no hint)
  // The application: by id when set, else by its short name; neither = none (no hint).
  std::optional<int64_t> application_id;
  std::string application_name;
  // The secret in that application: by id when set, else by name; neither = none.
  std::optional<int64_t> secret_id;
  std::string secret_name;
  // The caller expects these rows (and its own caches) to answer the whole read, so a backend
  // may fetch them in one statement on its own (see Tx::Prefetch). A wrong guess costs a re-run.
  bool complete = false;
};

// One transaction. Repositories are valid only during the callback that received the Tx.
class Tx {
 public:
  virtual ~Tx() = default;
  virtual AccountRepository& accounts() = 0;
  virtual KeyRepository& keys() = 0;
  virtual ApplicationRepository& applications() = 0;
  virtual SecretRepository& secrets() = 0;
  virtual SecretVersionRepository& secret_versions() = 0;
  virtual DataKeyRepository& data_keys() = 0;
  virtual MetaRepository& meta() = 0;
  virtual AuditRepository& audit() = 0;
  virtual CopyRepository& copy() = 0;

  // Savepoints, so that one write transaction can carry several calls, each all or nothing
  // (group commit). REQUIRES: a write transaction, and no savepoint open for Savepoint().
  // Savepoint() marks the current state; ReleaseSavepoint() keeps everything done since and
  // ends it; RollbackToSavepoint() undoes everything done since (the transaction goes on) and
  // ends it. A non-OK Status from any of them means the transaction itself cannot go on (the
  // callback must return it): PostgreSQL refuses to roll back to a savepoint after a
  // serialization failure, which only a re-run of the whole transaction resolves.
  virtual Status Savepoint() = 0;
  virtual Status ReleaseSavepoint() = 0;
  virtual Status RollbackToSavepoint() = 0;

  // A hint given before a read transaction's first lookup: it is about to read the identity
  // change counter (MetaRepository::IamVersion), the application `hint` names and the secret in
  // it with the data key that sealed it. A backend may fetch them together (PostgreSQL: one
  // statement, so that a call's authentication and its method cost one round trip) and answer
  // the repository calls that ask for exactly those rows (same arguments) from what it fetched;
  // the rows come from the transaction's snapshot, so every answer is the same as without the
  // hint. Any other call, and every call of a write transaction, reads as usual. A non-OK Status
  // is the store's, as from a repository call. The default does nothing.
  // With `hint.complete`, a backend may also run a read that begins with Prefetch as that one
  // statement alone (no transaction block: PostgreSQL); should the callback then need anything
  // more, that call fails and Store::Read runs the callback again in a transaction (Store::Read).
  virtual Status Prefetch(const ReadHint& hint) {
    static_cast<void>(hint);
    return Status::Ok();
  }
  // Whether Prefetch does anything in this transaction, so that a caller may skip working out a
  // hint (it costs a lookup of the caller's token). Default false.
  virtual bool UsesReadHints() const { return false; }
  // A write callback's word that its next statement is its last and that it will return that
  // statement's outcome: a backend may send the commit with it (PostgreSQL: in the same round
  // trip). After that statement every further one fails unsent; the callback then cannot
  // change what was committed, so it must return the statement's outcome as is. A commit that
  // fails (a serialization failure included) fails that statement, and Store::Write goes on as
  // for a failed commit. REQUIRES: in a write transaction, and the statement must be one that
  // needs no further statement (AuditRepository::AppendToChain never does). Default: nothing.
  virtual void CommitWithNextStatement() {}
};

using TxFn = std::function<Status(Tx&)>;

class Store {
 public:
  virtual ~Store() = default;
  // Runs `fn` in a read-only transaction (a consistent snapshot). Writes through it fail.
  // `fn` runs once, with one exception: when its first call is Tx::Prefetch, a backend may run
  // it first on the prefetched rows alone and, if it needs anything more, run it again in a full
  // transaction and return only that second run's result (the first run's Status is ignored,
  // whatever it was). So a callback that calls Prefetch must start afresh each time and have no
  // effects outside `tx` that cannot be repeated.
  virtual Status Read(const TxFn& fn) = 0;
  // Runs `fn` in a read-write transaction. Commits when `fn` returns OK (the commit is durable
  // when Write returns OK); rolls everything back when `fn` returns an error, which Write then
  // returns. `fn` may run more than once if the backend retries a serialization failure, so it
  // must have no effects outside `tx` that cannot be repeated.
  virtual Status Write(const TxFn& fn) = 0;
  // Like Write, but the commit may be made durable against power loss a little later: it is in
  // the database's log when WriteDeferred returns (it survives a crash or kill -9 of this
  // process) and is flushed to stable storage with the next Write or the next checkpoint. For
  // records whose loss on a power cut is acceptable but whose absence after a process crash is
  // not (audit records of reads). The default is a full Write.
  virtual Status WriteDeferred(const TxFn& fn) { return Write(fn); }
  // The schema version the database is at (after migrations).
  virtual Result<int> SchemaVersion() = 0;
  // "sqlite" or "postgresql".
  virtual std::string_view BackendName() const = 0;
  // What the operator should know about this store, as sentences, found when it was opened
  // (e.g. a PostgreSQL database without pg_trgm, where name searches scan). Default: nothing.
  virtual std::vector<std::string> Warnings() const { return {}; }
};

using StorePtr = std::unique_ptr<Store>;

}  // namespace voxsecrets::store

#endif  // VOXSECRETS_STORE_STORE_H_
