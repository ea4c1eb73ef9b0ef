#include "audit/audit_log.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "audit/audit_exporter.h"
#include "audit/audit_hash.h"
#include "audit/audit_test_util.h"
#include "audit/audit_verify.h"
#include "common/mutex.h"
#include "metrics/prometheus_metrics.h"
#include "tests/testing/faulty_audit_store.h"

namespace voxsecrets::audit {
namespace {

// Collects exported records (thread-safe).
class CollectingExporter final : public AuditExporter {
 public:
  Status Export(std::span<const store::AuditRecord> records) override {
    MutexLock lock(mu_);
    if (fail_) return Unavailable("export refused");
    for (const auto& record : records) exported_.push_back(record);
    return Status::Ok();
  }
  std::vector<store::AuditRecord> exported() {
    MutexLock lock(mu_);
    return exported_;
  }
  void set_fail(bool fail) {
    MutexLock lock(mu_);
    fail_ = fail;
  }

 private:
  Mutex mu_;
  bool fail_ GUARDED_BY(mu_) = false;
  std::vector<store::AuditRecord> exported_ GUARDED_BY(mu_);
};

class AuditLogTest : public ::testing::TestWithParam<bool> {
 protected:
  AuditLogOptions Options() {
    AuditLogOptions options;
    options.label = "test:1";
    options.created_ms = 1767225600000;
    options.group_commit = GetParam();
    options.exporter = &exporter_;
    return options;
  }
  std::unique_ptr<AuditLog> OpenLog(store::Store& db) {
    Result<std::unique_ptr<AuditLog>> log = AuditLog::Open(db, Options());
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? std::move(log).value() : nullptr;
  }

  AuditTestStore store_;
  CollectingExporter exporter_;
};

INSTANTIATE_TEST_SUITE_P(GroupCommit, AuditLogTest, ::testing::Values(true, false),
                         [](const ::testing::TestParamInfo<bool>& param_info) {
                           return param_info.param ? "Grouped" : "Direct";
                         });

TEST_P(AuditLogTest, EachOpenRegistersTheNextChain) {
  auto first = OpenLog(*store_.db);
  auto second = OpenLog(*store_.db);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(first->chain_id(), 1);
  EXPECT_EQ(second->chain_id(), 2);
  ASSERT_TRUE(store_.db
                  ->Read([&](store::Tx& tx) -> Status {
                    VS_ASSIGN_OR_RETURN(auto chains, tx.audit().ListChains());
                    EXPECT_EQ(chains.size(), 2u);
                    if (chains.size() == 2u) {
                      EXPECT_EQ(chains[0].label, "test:1");
                      EXPECT_EQ(chains[0].created_ms, 1767225600000);
                      EXPECT_EQ(chains[0].head_seq, 0);
                      EXPECT_EQ(chains[0].head_hash, kGenesisHash);
                    }
                    return Status::Ok();
                  })
                  .ok());
  ExpectChainVerifies(*store_.db);
}

TEST_P(AuditLogTest, DurableAppendsFormALinkedChain) {
  auto log = OpenLog(*store_.db);
  ASSERT_NE(log, nullptr);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(log->AppendDurable(TestEntry(i)).ok());
  const std::vector<store::AuditRecord> records = AllRecords(*store_.db);
  ASSERT_EQ(records.size(), 5u);
  std::string prev(kGenesisHash);
  for (int i = 0; i < 5; ++i) {
    const store::AuditRecord& record = records[i];
    EXPECT_EQ(record.chain_id, log->chain_id());
    EXPECT_EQ(record.seq, i + 1);
    EXPECT_EQ(record.prev_hash, prev);
    EXPECT_EQ(record.hash, ComputeAuditHash(record));
    EXPECT_EQ(record.method, "GetSecretValue");
    EXPECT_EQ(record.touched_json,
              "{\"application_ids\":[1],\"secret_ids\":[" + std::to_string(i) + "]}");
    prev = record.hash;
  }
  EXPECT_EQ(exporter_.exported().size(), 5u);
  EXPECT_EQ(log->stats().records, 5);
  ExpectChainVerifies(*store_.db);
}

TEST_P(AuditLogTest, InTransactionAppendCommitsAndRollsBackWithTheCaller) {
  auto log = OpenLog(*store_.db);
  ASSERT_NE(log, nullptr);
  // Rolled back: neither the record nor the head move.
  Status failed = store_.db->Write([&](store::Tx& tx) -> Status {
    VS_RETURN_IF_ERROR(log->AppendInTransaction(tx, TestEntry(1, "AddSecret")).status());
    return NotFound("the mutation failed after the record was appended");
  });
  EXPECT_EQ(failed.code(), StatusCode::kNotFound);
  EXPECT_TRUE(AllRecords(*store_.db).empty());
  // Committed.
  store::AuditRecord appended;
  ASSERT_TRUE(store_.db
                  ->Write([&](store::Tx& tx) -> Status {
                    VS_ASSIGN_OR_RETURN(appended,
                                        log->AppendInTransaction(tx, TestEntry(2, "AddSecret")));
                    return Status::Ok();
                  })
                  .ok());
  log->Committed(appended);
  ASSERT_TRUE(log->AppendDurable(TestEntry(3)).ok());
  const std::vector<store::AuditRecord> records = AllRecords(*store_.db);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].seq, 1);
  EXPECT_EQ(records[0].method, "AddSecret");
  EXPECT_EQ(records[0].hash, appended.hash);
  EXPECT_EQ(records[1].seq, 2);
  EXPECT_EQ(exporter_.exported().size(), 2u);
  ExpectChainVerifies(*store_.db);
}

TEST_P(AuditLogTest, ConcurrentWritersOfTwoNodesKeepEveryChainValid) {
  auto node_a = OpenLog(*store_.db);
  auto node_b = OpenLog(*store_.db);
  ASSERT_NE(node_a, nullptr);
  ASSERT_NE(node_b, nullptr);
  constexpr int kThreads = 6;
  constexpr int kPerThread = 40;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      AuditLog& log = (t % 2 == 0) ? *node_a : *node_b;
      for (int i = 0; i < kPerThread; ++i) {
        const AuditEntry entry = TestEntry(t * 1000 + i);
        Status status;
        if (t % 3 == 0) {  // mutations: in the caller's transaction
          store::AuditRecord record;
          status = store_.db->Write([&](store::Tx& tx) -> Status {
            VS_ASSIGN_OR_RETURN(record, log.AppendInTransaction(tx, entry));
            return Status::Ok();
          });
          if (status.ok()) log.Committed(record);
        } else {
          status = log.AppendDurable(entry);
        }
        if (!status.ok()) failures.fetch_add(1);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  const std::vector<store::AuditRecord> records = AllRecords(*store_.db);
  EXPECT_EQ(records.size(), static_cast<size_t>(kThreads * kPerThread));
  std::set<int64_t> touched;
  for (const auto& record : records) touched.insert(record.id);
  EXPECT_EQ(touched.size(), records.size());
  EXPECT_EQ(exporter_.exported().size(), records.size());
  EXPECT_EQ(node_a->stats().records + node_b->stats().records,
            static_cast<int64_t>(records.size()));
  ExpectChainVerifies(*store_.db);
}

TEST_P(AuditLogTest, AStoreThatRefusesAuditWritesFailsTheAppendAndWritesNothing) {
  store::FaultyAuditStore faulty(*store_.db);
  Result<std::unique_ptr<AuditLog>> opened = AuditLog::Open(faulty, Options());
  ASSERT_TRUE(opened.ok());
  AuditLog& log = **opened;
  ASSERT_TRUE(log.AppendDurable(TestEntry(1)).ok());
  faulty.FailAuditWrites(true);
  Status durable = log.AppendDurable(TestEntry(2));
  EXPECT_EQ(durable.code(), StatusCode::kUnavailable);
  Status in_tx = faulty.Write(
      [&](store::Tx& tx) -> Status { return log.AppendInTransaction(tx, TestEntry(3)).status(); });
  EXPECT_EQ(in_tx.code(), StatusCode::kUnavailable);
  EXPECT_GE(faulty.refused(), 2);
  EXPECT_EQ(log.stats().failures, 2);
  faulty.FailAuditWrites(false);
  ASSERT_TRUE(log.AppendDurable(TestEntry(4)).ok());
  const std::vector<store::AuditRecord> records = AllRecords(*store_.db);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].seq, 2);
  EXPECT_EQ(exporter_.exported().size(), 2u);
  ExpectChainVerifies(*store_.db);
  // Opening a writer on a store that refuses fails too.
  faulty.FailAuditWrites(true);
  EXPECT_FALSE(AuditLog::Open(faulty, Options()).ok());
}

TEST_P(AuditLogTest, AFailedExportDoesNotFailTheAppend) {
  auto log = OpenLog(*store_.db);
  ASSERT_NE(log, nullptr);
  exporter_.set_fail(true);
  EXPECT_TRUE(log->AppendDurable(TestEntry(1)).ok());
  EXPECT_EQ(log->stats().export_failures, 1);
  EXPECT_EQ(AllRecords(*store_.db).size(), 1u);
}

TEST(AuditLogGroupCommitTest, ConcurrentDurableAppendsAllCommitInBatches) {
  AuditTestStore store;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  metrics::PrometheusMetrics metrics;
  Histogram& batch_sizes = metrics.AddHistogram("batch", "B.", {}, {1, 10, 100}).Get();
  {
    AuditLogOptions options;
    options.batch_sizes = &batch_sizes;
    auto log = AuditLog::Open(*store.db, options);
    ASSERT_TRUE(log.ok());
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 10; ++i) {
          if ((*log)->AppendDurable(TestEntry(t * 100 + i)).ok()) ok.fetch_add(1);
        }
      });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_LE((*log)->stats().batches, 40);
    EXPECT_EQ((*log)->stats().queued, 0);
    // One observation per batch, of its size: the sizes add up to the records.
    EXPECT_EQ(batch_sizes.count(), static_cast<uint64_t>((*log)->stats().batches));
    EXPECT_EQ(batch_sizes.sum(), 40);
  }
  EXPECT_EQ(ok.load(), 40);
  EXPECT_EQ(AllRecords(*store.db).size(), 40u);
}

// Holds the committer inside its first export until released, and says when it got there: the
// committer has then taken its batch and takes nothing more meanwhile.
class GateExporter final : public AuditExporter {
 public:
  Status Export(std::span<const store::AuditRecord> /*records*/) override {
    if (!first_.exchange(false)) return Status::Ok();
    entered_.set_value();
    release_.wait();
    return Status::Ok();
  }
  void WaitEntered() { entered_future_.wait(); }
  void Release() { open_.set_value(); }

 private:
  std::atomic<bool> first_{true};
  std::promise<void> entered_;
  std::future<void> entered_future_ = entered_.get_future();
  std::promise<void> open_;
  std::shared_future<void> release_ = open_.get_future().share();
};

TEST(AuditLogGroupCommitTest, AFullQueueRefusesAtOnceInsteadOfGrowing) {
  AuditTestStore store;
  GateExporter gate;
  AuditLogOptions options;
  options.max_queue = 2;
  options.exporter = &gate;
  auto log = AuditLog::Open(*store.db, options);
  ASSERT_TRUE(log.ok());
  std::atomic<int> ok{0};
  std::vector<std::thread> appenders;
  appenders.emplace_back([&] { ok += (*log)->AppendDurable(TestEntry(1)).ok() ? 1 : 0; });
  gate.WaitEntered();  // the committer holds entry 1 and is stuck exporting it
  EXPECT_EQ((*log)->stats().queued, 0);
  for (int n : {2, 3}) {
    appenders.emplace_back([&, n] { ok += (*log)->AppendDurable(TestEntry(n)).ok() ? 1 : 0; });
  }
  // Hang guard only: both are queued once their threads have run.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while ((*log)->stats().queued < 2 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_EQ((*log)->stats().queued, 2);
  const Status refused = (*log)->AppendDurable(TestEntry(4));
  EXPECT_EQ(refused.code(), StatusCode::kOverloaded);
  EXPECT_EQ((*log)->stats().overloaded, 1);
  gate.Release();
  for (auto& t : appenders) t.join();
  EXPECT_EQ(ok.load(), 3);
  EXPECT_EQ(AllRecords(*store.db).size(), 3u);
  ExpectChainVerifies(*store.db);
}

// Under load the committer lets a batch gather for batch_window; a batch that reaches max_batch
// commits at once instead of waiting the window out (here an hour: only the wake-up of the
// Submit that fills the batch can end the wait).
TEST(AuditLogGroupCommitTest, AFullBatchEndsTheGatheringWindow) {
  AuditTestStore store;
  GateExporter gate;
  AuditLogOptions options;
  options.max_batch = 3;
  options.batch_window = std::chrono::hours(1);
  options.busy_gap = std::chrono::hours(1);
  options.exporter = &gate;
  auto log = AuditLog::Open(*store.db, options);
  ASSERT_TRUE(log.ok());
  std::atomic<int> ok{0};
  std::vector<std::thread> appenders;
  const auto append = [&](int n) {
    appenders.emplace_back([&, n] { ok += (*log)->AppendDurable(TestEntry(n)).ok() ? 1 : 0; });
  };
  // Hang guard only: waits until `done` holds or 30 s passed.
  const auto wait_for = [](const auto& done) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!done() && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  };
  append(1);
  gate.WaitEntered();  // the committer holds entry 1's batch
  append(2);
  wait_for([&] { return (*log)->stats().queued == 1; });
  gate.Release();
  // Batch 1 commits; the committer, busy now, gathers entry 2's batch for the window.
  wait_for([&] { return (*log)->stats().batches == 1; });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // lets it enter the wait
  append(3);
  append(4);  // fills the batch: max_batch entries queued
  wait_for([&] { return ok.load() == 4; });
  EXPECT_EQ(ok.load(), 4) << "the full batch still waits for the window";
  EXPECT_EQ((*log)->stats().batches, 2);
  log->reset();  // the destructor ends any wait, so the appenders can be joined either way
  for (auto& t : appenders) t.join();
  EXPECT_EQ(AllRecords(*store.db).size(), 4u);
}

// A store that runs the next write's function twice, as PostgreSQL does after a serialization
// failure: the first attempt is rolled back after the function returned, the second commits.
class RerunningStore final : public store::Store {
 public:
  static constexpr const char* kRerun = "rolled back: the batch runs again";
  explicit RerunningStore(store::Store& inner) : inner_(inner) {}
  void RerunNextWrite() { rerun_.store(true); }
  int reruns() const { return reruns_.load(); }

  // Store
  Status Read(const store::TxFn& fn) override { return inner_.Read(fn); }
  Status Write(const store::TxFn& fn) override {
    if (rerun_.exchange(false)) {
      ++reruns_;
      Status first = inner_.Write([&](store::Tx& tx) -> Status {
        VS_RETURN_IF_ERROR(fn(tx));
        return InternalError(kRerun);
      });
      if (first.message() != kRerun) return first;
    }
    return inner_.Write(fn);
  }
  Result<int> SchemaVersion() override { return inner_.SchemaVersion(); }
  std::string_view BackendName() const override { return inner_.BackendName(); }

 private:
  store::Store& inner_;
  std::atomic<bool> rerun_{false};
  std::atomic<int> reruns_{0};
};

// A re-run batch stores each call's record once, with its own content, whether the record was
// given at Submit (a read: taken once, carried over to the second attempt) or made by `record`
// after a run (made again); reads alone and reads mixed with a write.
TEST(AuditLogGroupCommitTest, ARerunBatchStoresEachRecordOnceWithItsContent) {
  AuditTestStore base;
  RerunningStore store(*base.db);
  GateExporter gate;
  AuditLogOptions options;
  options.exporter = &gate;
  options.sync_every_batch = true;  // every batch through Write, so each can be re-run
  auto log = AuditLog::Open(store, options);
  ASSERT_TRUE(log.ok());
  std::atomic<int> ok{0};
  std::atomic<int> runs{0};
  const auto read_job = [&](int n) {
    AuditLog::Job job;
    job.entry = TestEntry(n, "Read" + std::to_string(n));
    job.done = [&](const Status&, const Status& committed) { ok += committed.ok() ? 1 : 0; };
    return job;
  };
  const auto wait_for = [](const auto& done) {  // hang guard only
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!done() && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  };
  (*log)->Submit(read_job(1));
  gate.WaitEntered();  // the committer holds batch 1; the next jobs gather into batch 2
  (*log)->Submit(read_job(2));
  AuditLog::Job write;
  write.run = [&](store::Tx&) -> Status {
    ++runs;
    return Status::Ok();
  };
  write.record = [](const Status& outcome) -> std::optional<AuditEntry> {
    AuditEntry entry = TestEntry(3, "Write3");
    entry.result_code = outcome.ok() ? 0 : 1;
    return entry;
  };
  write.done = [&](const Status& outcome, const Status& committed) {
    ok += outcome.ok() && committed.ok() ? 1 : 0;
  };
  (*log)->Submit(std::move(write));
  (*log)->Submit(read_job(4));
  wait_for([&] { return (*log)->stats().queued == 3; });
  ASSERT_EQ((*log)->stats().queued, 3);
  store.RerunNextWrite();
  gate.Release();
  wait_for([&] { return ok.load() == 4; });
  ASSERT_EQ(ok.load(), 4);
  EXPECT_EQ(runs.load(), 2);  // the write ran in both attempts
  // Reads alone, re-run.
  store.RerunNextWrite();
  (*log)->Submit(read_job(5));
  wait_for([&] { return ok.load() == 5; });
  ASSERT_EQ(ok.load(), 5);
  EXPECT_EQ(store.reruns(), 2);
  log->reset();
  const std::vector<store::AuditRecord> records = AllRecords(*base.db);
  ASSERT_EQ(records.size(), 5u);
  const char* methods[] = {"Read1", "Read2", "Write3", "Read4", "Read5"};
  for (size_t i = 0; i < records.size(); ++i) {
    SCOPED_TRACE(i);
    const store::AuditRecord expected = ToRecord(TestEntry(static_cast<int>(i) + 1, methods[i]));
    EXPECT_EQ(records[i].seq, static_cast<int64_t>(i) + 1);
    EXPECT_EQ(records[i].method, expected.method);
    EXPECT_EQ(records[i].key_id, expected.key_id);
    EXPECT_EQ(records[i].ip, expected.ip);
    EXPECT_EQ(records[i].args_json, expected.args_json);
    EXPECT_EQ(records[i].touched_json, expected.touched_json);
    EXPECT_EQ(records[i].time_ms, expected.time_ms);
  }
  ExpectChainVerifies(*base.db);
}

}  // namespace
}  // namespace voxsecrets::audit
