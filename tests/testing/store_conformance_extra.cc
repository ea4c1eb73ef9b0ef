// StoreConformanceTest: write-transaction semantics that services rely on and that every backend
// must give the same way, whatever its isolation mechanism (SQLite: one writer at a time;
// PostgreSQL: SERIALIZABLE with retries): check-then-act inside one Write is atomic under
// concurrency, counters never lose an increment, a Read inside a Write sees only committed data,
// and a Write inside a Write is refused.
#include <atomic>
#include <barrier>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/testing/store_conformance.h"
#include "tests/testing/store_conformance_internal.h"

namespace voxsecrets::store {
namespace {

TEST_P(StoreConformanceTest, ConcurrentCounterIncrementsAreNotLost) {
  int64_t app = AddApp(AddAccount("a"), "app");
  VS_ASSERT_OK(store().Write([&](Tx& tx) {
    return tx.data_keys().Insert(DataKeyRecord{app, 1, "wk", 1, 0, kNow});
  }));
  constexpr int kThreads = 4;
  constexpr int kAdds = 20;
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kAdds; ++i) {
        Status status = store().Write([&](Tx& tx) -> Status {
          // Read, then write: the read must still hold when the write commits.
          VS_ASSIGN_OR_RETURN(std::optional<DataKeyRecord> key, tx.data_keys().FindActive(app));
          if (!key) return NotFound("no data key");
          return tx.data_keys().AddEncryptions(app, key->version, 1).status();
        });
        if (!status.ok()) errors.fetch_add(1);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  VS_EXPECT_OK(store().Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::optional<DataKeyRecord> key, tx.data_keys().Find(app, 1));
    EXPECT_TRUE(key.has_value() && key->encryptions == kThreads * kAdds);
    return Status::Ok();
  }));
}

TEST_P(StoreConformanceTest, CheckThenDeleteInOneWriteHappensOnce) {
  // DelSecret's pattern: find every listed secret, then delete them. Two callers racing on the
  // same secret: exactly one finds and deletes it, the other does not find it.
  int64_t app = AddApp(AddAccount("a"), "app");
  constexpr int kRounds = 10;
  std::vector<int64_t> ids;
  for (int round = 0; round < kRounds; ++round) {
    ids.push_back(AddSecret(app, "S" + std::to_string(round)));
  }
  std::barrier start(2);
  std::atomic<int> deleted{0};
  std::atomic<int> missing{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < kRounds; ++round) {
        start.arrive_and_wait();
        bool found = false;
        Status status = store().Write([&](Tx& tx) -> Status {
          found = false;
          const int64_t id = ids[static_cast<size_t>(round)];
          VS_ASSIGN_OR_RETURN(std::optional<SecretRecord> secret, tx.secrets().FindById(app, id));
          if (!secret) return Status::Ok();
          VS_ASSIGN_OR_RETURN(int64_t n, tx.secrets().Delete(app, {id}));
          if (n != 1) return InternalError("found, then not deleted");
          found = true;
          return Status::Ok();
        });
        if (!status.ok()) {
          errors.fetch_add(1);
        } else if (found) {
          deleted.fetch_add(1);
        } else {
          missing.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(deleted.load(), kRounds);
  EXPECT_EQ(missing.load(), kRounds);
  EXPECT_EQ(CountSecrets(app), 0);
}

TEST_P(StoreConformanceTest, ReadInsideAWriteSeesOnlyCommittedData) {
  int64_t app = AddApp(AddAccount("a"), "app");
  AddSecret(app, "Committed");
  int64_t seen_inside = -1;
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    VS_RETURN_IF_ERROR(tx.secrets().Insert(app, "Pending", "", SealedValue{"x", 1}, kNow).status());
    seen_inside = CountSecrets(app);  // a separate Read transaction
    return Status::Ok();
  }));
  EXPECT_EQ(seen_inside, 1);
  EXPECT_EQ(CountSecrets(app), 2);
}

TEST_P(StoreConformanceTest, WriteInsideAWriteIsRefused) {
  Status inner;
  VS_EXPECT_OK(store().Write([&](Tx& tx) -> Status {
    inner = store().Write([](Tx& nested) { return nested.meta().Put("inner", "x"); });
    return tx.meta().Put("outer", "y");
  }));
  EXPECT_EQ(inner.code(), StatusCode::kInternal) << inner.ToString();
  VS_EXPECT_OK(store().Read([](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::optional<std::string> value, tx.meta().Get("outer"));
    EXPECT_EQ(value, std::optional<std::string>("y"));
    VS_ASSIGN_OR_RETURN(value, tx.meta().Get("inner"));
    EXPECT_FALSE(value.has_value());
    return Status::Ok();
  }));
}

}  // namespace
}  // namespace voxsecrets::store
