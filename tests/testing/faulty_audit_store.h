// FaultyAuditStore: a Store decorator over a real store whose audit writes can be made to fail,
// for failure-injection tests (an audit store that cannot record). Not a mock: every call goes to
// the real store underneath; only while a fault is switched on do the audit repository's write
// methods (InsertChain, Insert, InsertMany, AppendToChain, SetChainHead, SetChainPruned,
// DeleteChainThrough) return
// kUnavailable instead. Reads and every other repository are untouched.
//
// Thread-safety: like the wrapped store; the switch is atomic.
// Ownership: a reference `inner` must outlive the decorator; a StorePtr is owned by it.
#ifndef VOXSECRETS_TESTS_TESTING_FAULTY_AUDIT_STORE_H_
#define VOXSECRETS_TESTS_TESTING_FAULTY_AUDIT_STORE_H_

#include <atomic>
#include <string>
#include <utility>

#include "store/store.h"

namespace voxsecrets::store {

class FaultyAuditStore final : public Store {
 public:
  explicit FaultyAuditStore(Store& inner) : inner_(inner) {}
  explicit FaultyAuditStore(StorePtr owned) : owned_(std::move(owned)), inner_(*owned_) {}

  void FailAuditWrites(bool fail) { fail_.store(fail); }
  // How many audit writes were refused so far.
  int64_t refused() const { return refused_.load(); }

  // Store
  Status Read(const TxFn& fn) override {
    return inner_.Read([&](Tx& tx) -> Status {
      FaultyTx faulty(tx, *this);
      return fn(faulty);
    });
  }
  Status Write(const TxFn& fn) override {
    return inner_.Write([&](Tx& tx) -> Status {
      FaultyTx faulty(tx, *this);
      return fn(faulty);
    });
  }
  Result<int> SchemaVersion() override { return inner_.SchemaVersion(); }
  std::string_view BackendName() const override { return inner_.BackendName(); }

 private:
  Status Refuse() {
    refused_.fetch_add(1);
    return Unavailable("injected fault: the audit store refuses writes");
  }
  bool failing() const { return fail_.load(); }

  class FaultyAudit final : public AuditRepository {
   public:
    FaultyAudit(AuditRepository& inner, FaultyAuditStore& owner) : inner_(inner), owner_(owner) {}
    // AuditRepository
    Result<int64_t> InsertChain(const AuditChainRecord& chain) override {
      if (owner_.failing()) return owner_.Refuse();
      return inner_.InsertChain(chain);
    }
    Result<std::optional<AuditChainRecord>> LockChain(int64_t chain_id) override {
      return inner_.LockChain(chain_id);
    }
    Result<std::vector<AuditChainRecord>> ListChains() override { return inner_.ListChains(); }
    Status SetChainHead(int64_t chain_id, int64_t head_seq, std::string_view head_hash) override {
      if (owner_.failing()) return owner_.Refuse();
      return inner_.SetChainHead(chain_id, head_seq, head_hash);
    }
    Status SetChainPruned(int64_t chain_id, int64_t pruned_seq, std::string_view pruned_hash,
                          int64_t pruned_at_ms) override {
      if (owner_.failing()) return owner_.Refuse();
      return inner_.SetChainPruned(chain_id, pruned_seq, pruned_hash, pruned_at_ms);
    }
    Result<int64_t> NextId() override { return inner_.NextId(); }
    Result<std::vector<int64_t>> NextIds(int64_t n) override { return inner_.NextIds(n); }
    Status Insert(const AuditRecord& record) override {
      if (owner_.failing()) return owner_.Refuse();
      return inner_.Insert(record);
    }
    Status InsertMany(std::span<const AuditRecord> records) override {
      if (owner_.failing()) return owner_.Refuse();
      return inner_.InsertMany(records);
    }
    Result<std::optional<LockedChain>> LockChainTakingIds(int64_t chain_id, int64_t n) override {
      return inner_.LockChainTakingIds(chain_id, n);
    }
    Status AppendToChain(int64_t chain_id, std::span<const AuditRecord> records, int64_t head_seq,
                         std::string_view head_hash) override {
      if (owner_.failing()) return owner_.Refuse();
      return inner_.AppendToChain(chain_id, records, head_seq, head_hash);
    }
    Result<std::vector<AuditRecord>> ListAfter(int64_t after_id, int64_t limit) override {
      return inner_.ListAfter(after_id, limit);
    }
    Result<std::vector<AuditRecord>> ListChainAfter(int64_t chain_id, int64_t after_seq,
                                                    int64_t limit) override {
      return inner_.ListChainAfter(chain_id, after_seq, limit);
    }
    Result<int64_t> DeleteChainThrough(int64_t chain_id, int64_t up_to_seq) override {
      if (owner_.failing()) return owner_.Refuse();
      return inner_.DeleteChainThrough(chain_id, up_to_seq);
    }
    Result<Page<AuditRecord>> Query(const AuditQuery& query) override {
      return inner_.Query(query);
    }

   private:
    AuditRepository& inner_;
    FaultyAuditStore& owner_;
  };

  class FaultyTx final : public Tx {
   public:
    FaultyTx(Tx& inner, FaultyAuditStore& owner) : inner_(inner), audit_(inner.audit(), owner) {}
    // Tx
    AccountRepository& accounts() override { return inner_.accounts(); }
    KeyRepository& keys() override { return inner_.keys(); }
    ApplicationRepository& applications() override { return inner_.applications(); }
    SecretRepository& secrets() override { return inner_.secrets(); }
    SecretVersionRepository& secret_versions() override { return inner_.secret_versions(); }
    DataKeyRepository& data_keys() override { return inner_.data_keys(); }
    MetaRepository& meta() override { return inner_.meta(); }
    AuditRepository& audit() override { return audit_; }
    CopyRepository& copy() override { return inner_.copy(); }
    Status Savepoint() override { return inner_.Savepoint(); }
    Status ReleaseSavepoint() override { return inner_.ReleaseSavepoint(); }
    Status RollbackToSavepoint() override { return inner_.RollbackToSavepoint(); }
    Status Prefetch(const ReadHint& hint) override { return inner_.Prefetch(hint); }
    bool UsesReadHints() const override { return inner_.UsesReadHints(); }
    void CommitWithNextStatement() override { inner_.CommitWithNextStatement(); }

   private:
    Tx& inner_;
    FaultyAudit audit_;
  };

  StorePtr owned_;  // set when the decorator owns the store; declared before inner_
  Store& inner_;
  std::atomic<bool> fail_{false};
  std::atomic<int64_t> refused_{0};
};

}  // namespace voxsecrets::store

#endif  // VOXSECRETS_TESTS_TESTING_FAULTY_AUDIT_STORE_H_
