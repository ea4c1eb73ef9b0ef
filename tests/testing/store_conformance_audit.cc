// StoreConformanceTest: the audit repository (chains, records, queries, pruning support).
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tests/testing/store_conformance.h"
#include "tests/testing/store_conformance_internal.h"

namespace voxsecrets::store {
namespace {

const std::string kZeroHash(64, '0');

AuditChainRecord NewChain(std::string label = "node-a") {
  AuditChainRecord chain;
  chain.created_ms = 1767225600000;
  chain.label = std::move(label);
  chain.head_hash = kZeroHash;
  chain.pruned_hash = kZeroHash;
  return chain;
}

// A distinct, well-formed (64 hex digits) hash per (chain, seq).
std::string HashOf(int64_t chain_id, int64_t seq) {
  char tail[17];
  const int64_t n = chain_id * 1000000 + seq;
  std::snprintf(tail, sizeof(tail), "%016llx", static_cast<unsigned long long>(n));
  return std::string(48, 'b') + tail;
}

AuditRecord NewRecord(int64_t id, int64_t chain_id, int64_t seq) {
  AuditRecord record;
  record.id = id;
  record.chain_id = chain_id;
  record.seq = seq;
  record.time_ms = 1767225600000 + seq * 1000;
  record.account_id = 7;
  record.key_id = "0f8e6a2c-1111-4222-8333-444455556666";
  record.credential = "service_key";
  record.ip = "192.0.2.10";
  record.method = "GetSecretValue";
  record.args_json = R"({"application_id":"3","secret_name":"Db"})";
  record.touched_json = R"({"application_ids":[3],"secret_ids":[9]})";
  record.result_code = 0;
  record.prev_hash = std::string(64, 'a');  // not stored: a read derives it from the chain
  record.hash = HashOf(chain_id, seq);
  return record;
}

class AuditFixture {
 public:
  explicit AuditFixture(Store& store) : store_(store) {}

  int64_t AddChain(std::string label = "node-a") {
    int64_t id = 0;
    Status status = store_.Write([&](Tx& tx) -> Status {
      VS_ASSIGN_OR_RETURN(id, tx.audit().InsertChain(NewChain(label)));
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return id;
  }

  // Appends `n` records to `chain_id` with fresh ids; returns their ids.
  std::vector<int64_t> Append(int64_t chain_id, int n,
                              const std::function<void(AuditRecord&)>& edit = nullptr) {
    std::vector<int64_t> ids;
    Status status = store_.Write([&](Tx& tx) -> Status {
      ids.clear();
      VS_ASSIGN_OR_RETURN(std::optional<AuditChainRecord> chain, tx.audit().LockChain(chain_id));
      if (!chain.has_value()) return NotFound("no chain");
      int64_t seq = chain->head_seq;
      for (int i = 0; i < n; ++i) {
        VS_ASSIGN_OR_RETURN(int64_t id, tx.audit().NextId());
        AuditRecord record = NewRecord(id, chain_id, ++seq);
        if (edit) edit(record);
        VS_RETURN_IF_ERROR(tx.audit().Insert(record));
        ids.push_back(id);
      }
      return tx.audit().SetChainHead(chain_id, seq, std::string(64, 'c'));
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return ids;
  }

  std::vector<AuditRecord> All() {
    std::vector<AuditRecord> records;
    Status status = store_.Read([&](Tx& tx) -> Status {
      VS_ASSIGN_OR_RETURN(records, tx.audit().ListAfter(0, 1000000));
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return records;
  }

  Page<AuditRecord> Query(const AuditQuery& query) {
    Page<AuditRecord> page;
    Status status = store_.Read([&](Tx& tx) -> Status {
      VS_ASSIGN_OR_RETURN(page, tx.audit().Query(query));
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return page;
  }

 private:
  Store& store_;
};

std::vector<int64_t> Ids(const Page<AuditRecord>& page) {
  std::vector<int64_t> ids;
  for (const AuditRecord& record : page.items) ids.push_back(record.id);
  return ids;
}

TEST_P(StoreConformanceTest, AuditChainsGetGapFreeIdsAndKeepTheirFields) {
  AuditFixture audit(store());
  EXPECT_EQ(audit.AddChain("node-a"), 1);
  EXPECT_EQ(audit.AddChain("node-b"), 2);
  EXPECT_EQ(audit.AddChain("node-c"), 3);
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    VS_RETURN_IF_ERROR(tx.audit().SetChainHead(2, 5, std::string(64, 'e')));
    VS_RETURN_IF_ERROR(tx.audit().SetChainPruned(2, 3, std::string(64, 'f'), 1767225700000));
    VS_EXPECT_CODE(tx.audit().SetChainHead(99, 1, kZeroHash), StatusCode::kNotFound);
    VS_EXPECT_CODE(tx.audit().SetChainPruned(99, 1, kZeroHash, 1), StatusCode::kNotFound);
    return Status::Ok();
  }));
  VS_ASSERT_OK(store().Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::vector<AuditChainRecord> chains, tx.audit().ListChains());
    EXPECT_EQ(chains.size(), 3u);
    if (chains.size() != 3u) return Status::Ok();
    EXPECT_EQ(chains[0].chain_id, 1);
    EXPECT_EQ(chains[0].label, "node-a");
    EXPECT_EQ(chains[0].created_ms, 1767225600000);
    EXPECT_EQ(chains[0].head_seq, 0);
    EXPECT_EQ(chains[0].head_hash, kZeroHash);
    EXPECT_EQ(chains[1].head_seq, 5);
    EXPECT_EQ(chains[1].head_hash, std::string(64, 'e'));
    EXPECT_EQ(chains[1].pruned_seq, 3);
    EXPECT_EQ(chains[1].pruned_hash, std::string(64, 'f'));
    EXPECT_EQ(chains[1].pruned_at_ms, 1767225700000);
    EXPECT_EQ(chains[2].label, "node-c");
    return Status::Ok();
  }));
}

TEST_P(StoreConformanceTest, AuditLockChainReturnsTheChainInAWriteTransaction) {
  AuditFixture audit(store());
  const int64_t chain = audit.AddChain();
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::optional<AuditChainRecord> locked, tx.audit().LockChain(chain));
    EXPECT_TRUE(locked.has_value());
    if (locked.has_value()) {
      EXPECT_EQ(locked->label, "node-a");
    }
    VS_ASSIGN_OR_RETURN(std::optional<AuditChainRecord> missing, tx.audit().LockChain(chain + 1));
    EXPECT_FALSE(missing.has_value());
    return Status::Ok();
  }));
}

TEST_P(StoreConformanceTest, AuditRecordsRoundTripEveryField) {
  AuditFixture audit(store());
  const int64_t chain = audit.AddChain();
  AuditRecord anonymous;
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(int64_t id, tx.audit().NextId());
    anonymous = NewRecord(id, chain, 1);
    anonymous.account_id = std::nullopt;
    anonymous.key_id = "";
    anonymous.credential = "none";
    anonymous.ip = "2001:db8::1";
    anonymous.method = "Ünknown\xe2\x82\xac";
    anonymous.args_json = R"({"note":"quote \" and \\ back"})";
    anonymous.result_code = 100;
    VS_RETURN_IF_ERROR(tx.audit().Insert(anonymous));
    return tx.audit().SetChainHead(chain, 1, anonymous.hash);
  }));
  const std::vector<int64_t> ids = audit.Append(chain, 1);
  const std::vector<AuditRecord> all = audit.All();
  ASSERT_EQ(all.size(), 2u);
  const AuditRecord& first = all[0];
  EXPECT_EQ(first.id, anonymous.id);
  EXPECT_EQ(first.chain_id, chain);
  EXPECT_EQ(first.seq, 1);
  EXPECT_EQ(first.time_ms, anonymous.time_ms);
  EXPECT_FALSE(first.account_id.has_value());
  EXPECT_EQ(first.key_id, "");
  EXPECT_EQ(first.credential, "none");
  EXPECT_EQ(first.ip, "2001:db8::1");
  EXPECT_EQ(first.method, anonymous.method);
  EXPECT_EQ(first.args_json, anonymous.args_json);
  EXPECT_EQ(first.touched_json, anonymous.touched_json);
  EXPECT_EQ(first.result_code, 100);
  EXPECT_EQ(first.prev_hash, kZeroHash);  // derived: the chain's checkpoint (genesis) hash
  EXPECT_EQ(first.hash, anonymous.hash);
  EXPECT_EQ(all[1].prev_hash, anonymous.hash);
  const AuditRecord expected = NewRecord(ids[0], chain, 2);
  EXPECT_EQ(all[1].id, ids[0]);
  EXPECT_EQ(all[1].account_id, std::optional<int64_t>(7));
  EXPECT_EQ(all[1].key_id, expected.key_id);
  EXPECT_EQ(all[1].credential, "service_key");
  EXPECT_EQ(all[1].seq, 2);
}

TEST_P(StoreConformanceTest, AuditIdsGrowAndAreNeverReused) {
  AuditFixture audit(store());
  const int64_t chain = audit.AddChain();
  std::vector<int64_t> first = audit.Append(chain, 3);
  ASSERT_EQ(first.size(), 3u);
  EXPECT_LT(first[0], first[1]);
  EXPECT_LT(first[1], first[2]);
  // Prune every record: the next id still goes above the highest one ever used.
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(int64_t deleted, tx.audit().DeleteChainThrough(chain, 3));
    EXPECT_EQ(deleted, 3);
    return Status::Ok();
  }));
  EXPECT_TRUE(audit.All().empty());
  std::vector<int64_t> second = audit.Append(chain, 1);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_GT(second[0], first[2]);
}

TEST_P(StoreConformanceTest, AuditInsertRejectsADuplicateIdOrChainSeq) {
  AuditFixture audit(store());
  const int64_t chain = audit.AddChain();
  const std::vector<int64_t> ids = audit.Append(chain, 2);
  ASSERT_EQ(ids.size(), 2u);
  Status same_id = store().Write(
      [&](Tx& tx) -> Status { return tx.audit().Insert(NewRecord(ids[0], chain, 10)); });
  EXPECT_EQ(same_id.code(), StatusCode::kAlreadyExists) << same_id.ToString();
  Status same_seq = store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(int64_t id, tx.audit().NextId());
    return tx.audit().Insert(NewRecord(id, chain, 2));
  });
  EXPECT_EQ(same_seq.code(), StatusCode::kAlreadyExists) << same_seq.ToString();
  // The same seq in another chain is fine.
  const int64_t other = audit.AddChain("node-b");
  EXPECT_EQ(audit.Append(other, 2).size(), 2u);
  EXPECT_EQ(audit.All().size(), 4u);
}

// A batch's records in one call (AuditLog's group commit): ids from NextIds, stored in order,
// round-tripped exactly; one clash stores none of them.
TEST_P(StoreConformanceTest, AuditInsertManyStoresABatchWhole) {
  AuditFixture audit(store());
  const int64_t chain = audit.AddChain();
  std::vector<AuditRecord> stored;
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::vector<int64_t> ids, tx.audit().NextIds(3));
    EXPECT_EQ(ids.size(), 3u);
    for (size_t i = 0; i < ids.size(); ++i) {
      AuditRecord record = NewRecord(ids[i], chain, static_cast<int64_t>(i) + 1);
      if (i == 1) record.account_id.reset();  // NULL among values
      record.args_json = "{\"n\":\"quote \\\" and \\\\ and , { }\"}";
      stored.push_back(record);
    }
    EXPECT_LT(ids[0], ids[1]);
    EXPECT_LT(ids[1], ids[2]);
    return tx.audit().InsertMany(stored);
  }));
  std::vector<AuditRecord> all = audit.All();
  ASSERT_EQ(all.size(), 3u);
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].id, stored[i].id);
    EXPECT_EQ(all[i].seq, stored[i].seq);
    EXPECT_EQ(all[i].account_id, stored[i].account_id);
    EXPECT_EQ(all[i].args_json, stored[i].args_json);
    EXPECT_EQ(all[i].hash, stored[i].hash);
  }
  // A batch holding a taken (chain, seq) is refused whole.
  Status clash = store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::vector<int64_t> ids, tx.audit().NextIds(2));
    return tx.audit().InsertMany(
        std::vector<AuditRecord>{NewRecord(ids[0], chain, 4), NewRecord(ids[1], chain, 3)});
  });
  EXPECT_EQ(clash.code(), StatusCode::kAlreadyExists) << clash.ToString();
  EXPECT_EQ(audit.All().size(), 3u);
  // Ids handed out by NextIds stay above every id stored.
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(int64_t next, tx.audit().NextId());
    EXPECT_GT(next, stored.back().id);
    return Status::Ok();
  }));
}

// The two halves of AuditLog's append (one statement each on PostgreSQL): the chain locked with
// its ids, then the records and the new head together; an unknown chain takes no ids and stores
// nothing; a clash stores none of the records and leaves the head where it was; an id above the
// sequence keeps later ids above it.
TEST_P(StoreConformanceTest, AuditAppendToChainStoresTheRecordsAndMovesTheHeadTogether) {
  AuditFixture audit(store());
  const int64_t chain = audit.AddChain();
  const int64_t other = audit.AddChain("node-b");
  std::vector<AuditRecord> stored;
  for (const int64_t n : {int64_t{3}, int64_t{1}}) {  // a batch, then a batch of one
    VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
      VS_ASSIGN_OR_RETURN(std::optional<AuditRepository::LockedChain> locked,
                          tx.audit().LockChainTakingIds(chain, n));
      if (!locked.has_value()) return NotFound("no chain");
      EXPECT_EQ(locked->chain.chain_id, chain);
      EXPECT_EQ(locked->chain.label, "node-a");
      EXPECT_EQ(locked->chain.head_seq, static_cast<int64_t>(stored.size()));
      EXPECT_EQ(locked->chain.head_hash,
                stored.empty() ? kZeroHash : HashOf(chain, locked->chain.head_seq));
      EXPECT_EQ(locked->ids.size(), static_cast<size_t>(n));
      std::vector<AuditRecord> batch;
      for (size_t i = 0; i < locked->ids.size(); ++i) {
        if (i > 0) {
          EXPECT_LT(locked->ids[i - 1], locked->ids[i]);
        }
        if (!stored.empty()) {
          EXPECT_GT(locked->ids[i], stored.back().id);
        }
        batch.push_back(NewRecord(locked->ids[i], chain, locked->chain.head_seq + 1 + i));
      }
      if (n == 3) batch[1].account_id.reset();
      if (n == 1) tx.CommitWithNextStatement();  // as the audit committer's batches do
      VS_RETURN_IF_ERROR(
          tx.audit().AppendToChain(chain, batch, batch.back().seq, batch.back().hash));
      stored.insert(stored.end(), batch.begin(), batch.end());
      return Status::Ok();
    }));
  }
  auto head_of = [&](int64_t chain_id) {
    AuditChainRecord found;
    EXPECT_TRUE(store()
                    .Read([&](Tx& tx) -> Status {
                      VS_ASSIGN_OR_RETURN(std::vector<AuditChainRecord> chains,
                                          tx.audit().ListChains());
                      for (const AuditChainRecord& c : chains) {
                        if (c.chain_id == chain_id) found = c;
                      }
                      return Status::Ok();
                    })
                    .ok());
    return found;
  };
  EXPECT_EQ(head_of(chain).head_seq, 4);
  EXPECT_EQ(head_of(chain).head_hash, HashOf(chain, 4));
  EXPECT_EQ(head_of(other).head_seq, 0);
  std::vector<AuditRecord> all = audit.All();
  ASSERT_EQ(all.size(), stored.size());
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].id, stored[i].id);
    EXPECT_EQ(all[i].seq, static_cast<int64_t>(i) + 1);
    EXPECT_EQ(all[i].account_id, stored[i].account_id);
    EXPECT_EQ(all[i].hash, stored[i].hash);
  }
  // An unknown chain: no ids, nothing stored, the head of no chain moved.
  Status unknown = store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::optional<AuditRepository::LockedChain> locked,
                        tx.audit().LockChainTakingIds(other + 1, 2));
    EXPECT_FALSE(locked.has_value());
    std::vector<AuditRecord> batch{NewRecord(stored.back().id + 1, other + 1, 1)};
    return tx.audit().AppendToChain(other + 1, batch, 1, batch.back().hash);
  });
  EXPECT_EQ(unknown.code(), StatusCode::kNotFound) << unknown.ToString();
  // A taken (chain, seq) among the records: none stored, the head stays.
  Status clash = store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::optional<AuditRepository::LockedChain> locked,
                        tx.audit().LockChainTakingIds(chain, 2));
    if (!locked.has_value()) return NotFound("no chain");
    std::vector<AuditRecord> batch{NewRecord(locked->ids[0], chain, 5),
                                   NewRecord(locked->ids[1], chain, 4)};
    return tx.audit().AppendToChain(chain, batch, 5, batch.front().hash);
  });
  EXPECT_EQ(clash.code(), StatusCode::kAlreadyExists) << clash.ToString();
  EXPECT_EQ(audit.All().size(), stored.size());
  EXPECT_EQ(head_of(chain).head_seq, 4);
  // A record numbered above the ids handed out (a copied one): later ids go above it.
  const int64_t high = stored.back().id + 1000;
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    std::vector<AuditRecord> batch{NewRecord(high, other, 1)};
    tx.CommitWithNextStatement();  // the sequence's catch-up needs no further statement
    return tx.audit().AppendToChain(other, batch, 1, batch.back().hash);
  }));
  EXPECT_EQ(head_of(other).head_seq, 1);
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::optional<AuditRepository::LockedChain> locked,
                        tx.audit().LockChainTakingIds(other, 1));
    if (!locked.has_value()) return NotFound("no chain");
    EXPECT_GT(locked->ids.front(), high);
    return Status::Ok();
  }));
}

// A batch larger than any one statement of a backend (SQLite inserts in chunks of up to 32 rows):
// every record keeps its own fields, in order, and a clash in its last record stores none.
TEST_P(StoreConformanceTest, AuditInsertManyStoresALargeBatchRecordByRecord) {
  AuditFixture audit(store());
  const int64_t chain = audit.AddChain();
  constexpr int64_t kRecords = 63;  // 32 + 16 + 8 + 4 + 2 + 1
  std::vector<AuditRecord> stored;
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::vector<int64_t> ids, tx.audit().NextIds(kRecords));
    for (int64_t i = 0; i < kRecords; ++i) {
      AuditRecord record = NewRecord(ids[static_cast<size_t>(i)], chain, i + 1);
      const std::string n = std::to_string(i);
      record.time_ms += i;
      if (i % 3 == 0) {
        record.account_id.reset();
      } else {
        record.account_id = 100 + i;
      }
      record.key_id = "key-" + n;
      record.credential = i % 2 == 0 ? "service_key" : "none";
      record.ip = "192.0.2." + n;
      record.method = "Method" + n;
      record.args_json = "{\"n\":\"" + n + "\"}";
      record.touched_json = "{\"secret_ids\":[" + n + "]}";
      record.result_code = i;
      stored.push_back(record);
    }
    return tx.audit().InsertMany(stored);
  }));
  std::vector<AuditRecord> all = audit.All();
  ASSERT_EQ(all.size(), stored.size());
  for (size_t i = 0; i < all.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(all[i].id, stored[i].id);
    EXPECT_EQ(all[i].chain_id, chain);
    EXPECT_EQ(all[i].seq, stored[i].seq);
    EXPECT_EQ(all[i].time_ms, stored[i].time_ms);
    EXPECT_EQ(all[i].account_id, stored[i].account_id);
    EXPECT_EQ(all[i].key_id, stored[i].key_id);
    EXPECT_EQ(all[i].credential, stored[i].credential);
    EXPECT_EQ(all[i].ip, stored[i].ip);
    EXPECT_EQ(all[i].method, stored[i].method);
    EXPECT_EQ(all[i].args_json, stored[i].args_json);
    EXPECT_EQ(all[i].touched_json, stored[i].touched_json);
    EXPECT_EQ(all[i].result_code, stored[i].result_code);
    EXPECT_EQ(all[i].hash, stored[i].hash);
  }
  Status clash = store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::vector<int64_t> ids, tx.audit().NextIds(kRecords));
    std::vector<AuditRecord> records;
    for (int64_t i = 0; i < kRecords; ++i) {
      records.push_back(NewRecord(ids[static_cast<size_t>(i)], chain, kRecords + 1 + i));
    }
    records.back().seq = 1;  // taken
    return tx.audit().InsertMany(records);
  });
  EXPECT_EQ(clash.code(), StatusCode::kAlreadyExists) << clash.ToString();
  EXPECT_EQ(audit.All().size(), stored.size());
}

// Hashes are stored as bytes: one that is not 64 lowercase hex digits is refused, not changed.
TEST_P(StoreConformanceTest, AuditInsertRefusesAMalformedHash) {
  AuditFixture audit(store());
  const int64_t chain = audit.AddChain();
  for (const std::string& bad : {std::string(), std::string(63, 'a'), std::string(66, 'a'),
                                 std::string(64, 'g'), std::string(64, 'A')}) {
    Status one = store().Write([&](Tx& tx) -> Status {
      VS_ASSIGN_OR_RETURN(int64_t id, tx.audit().NextId());
      AuditRecord record = NewRecord(id, chain, 1);
      record.hash = bad;
      return tx.audit().Insert(record);
    });
    EXPECT_EQ(one.code(), StatusCode::kInvalidArgument) << bad << ": " << one.ToString();
    Status many = store().Write([&](Tx& tx) -> Status {
      VS_ASSIGN_OR_RETURN(std::vector<int64_t> ids, tx.audit().NextIds(2));
      std::vector<AuditRecord> records{NewRecord(ids[0], chain, 1), NewRecord(ids[1], chain, 2)};
      records[1].hash = bad;
      return tx.audit().InsertMany(records);
    });
    EXPECT_EQ(many.code(), StatusCode::kInvalidArgument) << bad << ": " << many.ToString();
  }
  EXPECT_TRUE(audit.All().empty());
}

TEST_P(StoreConformanceTest, AuditWritesRollBackWithTheirTransaction) {
  AuditFixture audit(store());
  const int64_t chain = audit.AddChain();
  Status status = store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(int64_t id, tx.audit().NextId());
    VS_RETURN_IF_ERROR(tx.audit().Insert(NewRecord(id, chain, 1)));
    VS_RETURN_IF_ERROR(tx.audit().SetChainHead(chain, 1, std::string(64, 'd')));
    VS_RETURN_IF_ERROR(tx.audit().InsertChain(NewChain("rolled-back")).status());
    return Unavailable("the mutation failed");
  });
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(audit.All().empty());
  VS_ASSERT_OK(store().Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::vector<AuditChainRecord> chains, tx.audit().ListChains());
    EXPECT_EQ(chains.size(), 1u);
    if (!chains.empty()) {
      EXPECT_EQ(chains[0].head_seq, 0);
    }
    return Status::Ok();
  }));
  // A rolled-back chain id is given again: chain ids stay gap-free.
  EXPECT_EQ(audit.AddChain("next"), chain + 1);
}

TEST_P(StoreConformanceTest, AuditWritesThroughReadFail) {
  AuditFixture audit(store());
  const int64_t chain = audit.AddChain();
  Status insert_status;
  Status status = store().Read([&](Tx& tx) -> Status {
    insert_status = tx.audit().Insert(NewRecord(1000, chain, 1));
    return insert_status;
  });
  EXPECT_FALSE(insert_status.ok());
  EXPECT_FALSE(status.ok());
  EXPECT_TRUE(audit.All().empty());
}

TEST_P(StoreConformanceTest, AuditListsByIdAndByChainWithLimits) {
  AuditFixture audit(store());
  const int64_t a = audit.AddChain("a");
  const int64_t b = audit.AddChain("b");
  std::vector<int64_t> a1 = audit.Append(a, 2);
  std::vector<int64_t> b1 = audit.Append(b, 2);
  std::vector<int64_t> a2 = audit.Append(a, 2);
  VS_ASSERT_OK(store().Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::vector<AuditRecord> after, tx.audit().ListAfter(a1[1], 3));
    EXPECT_EQ(after.size(), 3u);
    if (after.size() == 3u) {
      EXPECT_EQ(after[0].id, b1[0]);
      EXPECT_EQ(after[1].id, b1[1]);
      EXPECT_EQ(after[2].id, a2[0]);
    }
    VS_ASSIGN_OR_RETURN(std::vector<AuditRecord> chain_a, tx.audit().ListChainAfter(a, 1, 10));
    EXPECT_EQ(chain_a.size(), 3u);
    if (chain_a.size() == 3u) {
      EXPECT_EQ(chain_a[0].seq, 2);
      EXPECT_EQ(chain_a[0].id, a1[1]);
      EXPECT_EQ(chain_a[1].seq, 3);
      EXPECT_EQ(chain_a[2].seq, 4);
      EXPECT_EQ(chain_a[2].id, a2[1]);
    }
    VS_ASSIGN_OR_RETURN(std::vector<AuditRecord> limited, tx.audit().ListChainAfter(a, 0, 2));
    EXPECT_EQ(limited.size(), 2u);
    VS_ASSIGN_OR_RETURN(std::vector<AuditRecord> none, tx.audit().ListChainAfter(b, 2, 10));
    EXPECT_TRUE(none.empty());
    VS_EXPECT_CODE(tx.audit().ListAfter(0, -1).status(), StatusCode::kInternal);
    return Status::Ok();
  }));
}

TEST_P(StoreConformanceTest, AuditDeleteChainThroughRemovesOnlyThatPrefix) {
  AuditFixture audit(store());
  const int64_t a = audit.AddChain("a");
  const int64_t b = audit.AddChain("b");
  audit.Append(a, 4);
  audit.Append(b, 4);
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(int64_t deleted, tx.audit().DeleteChainThrough(a, 2));
    EXPECT_EQ(deleted, 2);
    VS_ASSIGN_OR_RETURN(deleted, tx.audit().DeleteChainThrough(a, 2));
    EXPECT_EQ(deleted, 0);
    return Status::Ok();
  }));
  std::vector<AuditRecord> all = audit.All();
  ASSERT_EQ(all.size(), 6u);
  int chain_a = 0;
  for (const AuditRecord& record : all) {
    if (record.chain_id == a) {
      ++chain_a;
      EXPECT_GT(record.seq, 2);
    }
  }
  EXPECT_EQ(chain_a, 2);
}

// prev_hash is not stored: every read gives the hash of the record before in the chain, the
// chain's checkpoint hash after pruning, and "" when the record before is missing.
TEST_P(StoreConformanceTest, AuditPrevHashIsDerivedFromTheChain) {
  AuditFixture audit(store());
  const int64_t a = audit.AddChain("a");
  const int64_t b = audit.AddChain("b");
  audit.Append(a, 2);
  audit.Append(b, 2);
  audit.Append(a, 2);
  auto check = [&](const std::vector<AuditRecord>& records, const std::string& first_prev) {
    for (const AuditRecord& record : records) {
      const std::string expected =
          record.seq == records.front().seq ? first_prev : HashOf(record.chain_id, record.seq - 1);
      EXPECT_EQ(record.prev_hash, expected) << record.chain_id << "/" << record.seq;
    }
  };
  VS_ASSERT_OK(store().Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::vector<AuditRecord> chain_a, tx.audit().ListChainAfter(a, 0, 10));
    EXPECT_EQ(chain_a.size(), 4u);
    check(chain_a, kZeroHash);
    VS_ASSIGN_OR_RETURN(std::vector<AuditRecord> tail, tx.audit().ListChainAfter(a, 2, 10));
    check(tail, HashOf(a, 2));
    VS_ASSIGN_OR_RETURN(std::vector<AuditRecord> chain_b, tx.audit().ListChainAfter(b, 0, 10));
    check(chain_b, kZeroHash);
    return Status::Ok();
  }));
  for (const AuditRecord& record : audit.All()) {
    EXPECT_EQ(record.prev_hash,
              record.seq == 1 ? kZeroHash : HashOf(record.chain_id, record.seq - 1));
  }
  AuditQuery query;
  query.descending = true;
  for (const AuditRecord& record : audit.Query(query).items) {
    EXPECT_EQ(record.prev_hash,
              record.seq == 1 ? kZeroHash : HashOf(record.chain_id, record.seq - 1));
  }
  // Pruned through seq 2: the first remaining record links to the checkpoint.
  const std::string checkpoint(64, 'f');
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    VS_RETURN_IF_ERROR(tx.audit().DeleteChainThrough(a, 2).status());
    return tx.audit().SetChainPruned(a, 2, checkpoint, 1767225700000);
  }));
  VS_ASSERT_OK(store().Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::vector<AuditRecord> chain_a, tx.audit().ListChainAfter(a, 0, 10));
    EXPECT_EQ(chain_a.size(), 2u);
    check(chain_a, checkpoint);
    return Status::Ok();
  }));
  // A record whose predecessor is missing (seq 4 of b, no seq 3) links to nothing.
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(int64_t id, tx.audit().NextId());
    return tx.audit().Insert(NewRecord(id, b, 4));
  }));
  VS_ASSERT_OK(store().Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::vector<AuditRecord> after, tx.audit().ListChainAfter(b, 3, 10));
    EXPECT_EQ(after.size(), 1u);
    if (!after.empty()) {
      EXPECT_EQ(after[0].prev_hash, "");
    }
    return Status::Ok();
  }));
}

TEST_P(StoreConformanceTest, AuditQueryFiltersOrdersAndPages) {
  AuditFixture audit(store());
  const int64_t chain = audit.AddChain();
  // Five records: times 1000 ms apart, alternating accounts, two IPs, three methods, one anonymous.
  int n = 0;
  std::vector<int64_t> ids = audit.Append(chain, 5, [&](AuditRecord& record) {
    record.time_ms = 1767225600000 + n * 1000;
    record.account_id = (n % 2 == 0) ? std::optional<int64_t>(1) : std::optional<int64_t>(2);
    if (n == 4) record.account_id = std::nullopt;
    record.ip = (n < 3) ? "10.0.0.1" : "10.0.0.2";
    record.method = (n == 0) ? "AddSecret" : (n == 1 ? "GetSecretValue" : "GetSecrets");
    ++n;
  });
  ASSERT_EQ(ids.size(), 5u);

  AuditQuery all;
  Page<AuditRecord> page = audit.Query(all);
  EXPECT_EQ(Ids(page), ids);
  EXPECT_EQ(page.total_count, 5);

  AuditQuery desc;
  desc.descending = true;
  desc.count = 2;
  desc.offset = 1;
  page = audit.Query(desc);
  EXPECT_EQ(Ids(page), (std::vector<int64_t>{ids[3], ids[2]}));
  EXPECT_EQ(page.total_count, 5);

  AuditQuery range;  // from inclusive, to exclusive
  range.from_ms = 1767225601000;
  range.to_ms = 1767225603000;
  EXPECT_EQ(Ids(audit.Query(range)), (std::vector<int64_t>{ids[1], ids[2]}));

  AuditQuery by_id;
  by_id.ids = std::vector<int64_t>{ids[4], ids[0], 999999};
  EXPECT_EQ(Ids(audit.Query(by_id)), (std::vector<int64_t>{ids[0], ids[4]}));

  AuditQuery by_ip;
  by_ip.ips = std::vector<std::string>{"10.0.0.2"};
  EXPECT_EQ(Ids(audit.Query(by_ip)), (std::vector<int64_t>{ids[3], ids[4]}));

  AuditQuery by_method;
  by_method.methods = std::vector<std::string>{"AddSecret", "GetSecretValue"};
  EXPECT_EQ(Ids(audit.Query(by_method)), (std::vector<int64_t>{ids[0], ids[1]}));

  AuditQuery by_account;
  by_account.account_ids = std::vector<int64_t>{2};
  EXPECT_EQ(Ids(audit.Query(by_account)), (std::vector<int64_t>{ids[1], ids[3]}));

  AuditQuery no_account;
  no_account.account_ids = std::vector<int64_t>{};
  page = audit.Query(no_account);
  EXPECT_TRUE(page.items.empty());
  EXPECT_EQ(page.total_count, 0);

  AuditQuery combined;
  combined.account_ids = std::vector<int64_t>{1, 2};
  combined.ips = std::vector<std::string>{"10.0.0.1"};
  combined.methods = std::vector<std::string>{"GetSecrets"};
  EXPECT_EQ(Ids(audit.Query(combined)), (std::vector<int64_t>{ids[2]}));

  AuditQuery without_total;
  without_total.with_total_count = false;
  without_total.count = 1;
  page = audit.Query(without_total);
  EXPECT_EQ(Ids(page), (std::vector<int64_t>{ids[0]}));
  EXPECT_EQ(page.total_count, -1);

  AuditQuery quoted;  // filter strings are data, never SQL or JSON syntax
  quoted.ips = std::vector<std::string>{"10.0.0.1\"]) OR 1=1 --"};
  EXPECT_TRUE(audit.Query(quoted).items.empty());

  AuditQuery negative;
  negative.count = -1;
  VS_EXPECT_CODE(store().Read([&](Tx& tx) { return tx.audit().Query(negative).status(); }),
                 StatusCode::kInternal);
}

// The application filter reads the `application_ids` of each record's touched JSON: "touched one
// of these" for anyone, "touched these and no other" for a key limited to them.
TEST_P(StoreConformanceTest, AuditQueryFiltersByTheApplicationsARecordTouched) {
  AuditFixture audit(store());
  const int64_t chain = audit.AddChain();
  const std::vector<std::string> touched = {
      R"({"application_ids":[3],"secret_ids":[30]})",
      R"({"application_ids":[4]})",
      R"({"application_ids":[3,4]})",
      R"({"secret_ids":[3]})",  // a secret id 3 is not an application 3
      R"({})",
      R"({"application_ids":[33]})",
  };
  size_t n = 0;
  std::vector<int64_t> ids =
      audit.Append(chain, static_cast<int>(touched.size()),
                   [&](AuditRecord& record) { record.touched_json = touched[n++]; });
  ASSERT_EQ(ids.size(), touched.size());

  AuditQuery any_of;
  any_of.application_ids = std::vector<int64_t>{3};
  Page<AuditRecord> page = audit.Query(any_of);
  EXPECT_EQ(Ids(page), (std::vector<int64_t>{ids[0], ids[2]}));
  EXPECT_EQ(page.total_count, 2);

  AuditQuery only;
  only.application_ids = std::vector<int64_t>{3};
  only.only_these_applications = true;
  page = audit.Query(only);
  EXPECT_EQ(Ids(page), (std::vector<int64_t>{ids[0]}));
  EXPECT_EQ(page.total_count, 1);

  only.application_ids = std::vector<int64_t>{4, 3};
  EXPECT_EQ(Ids(audit.Query(only)), (std::vector<int64_t>{ids[0], ids[1], ids[2]}));
  only.descending = true;
  only.count = 1;
  EXPECT_EQ(Ids(audit.Query(only)), (std::vector<int64_t>{ids[2]}));

  AuditQuery none;
  none.application_ids = std::vector<int64_t>{};
  EXPECT_TRUE(audit.Query(none).items.empty());
  none.only_these_applications = true;
  EXPECT_TRUE(audit.Query(none).items.empty());
}

}  // namespace
}  // namespace voxsecrets::store
