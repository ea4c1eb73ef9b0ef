// The hot path's guarantees through the Dispatcher over a real SQLite store: write calls that
// arrive together share one durable commit, a batch whose fsync fails answers error 4 to exactly
// its own calls (and stores nothing of them), and the identity cache never serves a key or role
// that a write outside the dispatcher (another process, the admin CLI) changed.
//
// Batches are lined up without timing: tests/testing/faulty_sqlite_vfs.h holds the WAL fsync of
// a batch's commit while the next calls queue behind it, and can fail it.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "api/api_audit_test_base.h"
#include "iam/roles.h"
#include "tests/testing/faulty_sqlite_vfs.h"

namespace voxsecrets::api {
namespace {

using nlohmann::json;
using std::chrono::seconds;

class GroupCommitTest : public ApiAuditTest {
 protected:
  ApiStackOptions StackOptions() override {
    store::FaultySqliteVfs::Install();
    ApiStackOptions options = ApiAuditTest::StackOptions();
    options.faulty_audit_store = false;
    options.sqlite_vfs = store::FaultySqliteVfs::kName;
    return options;
  }
  void TearDown() override {
    vfs().HoldWalSyncs(false);
    vfs().FailWalSyncs(0, 0);
    ApiAuditTest::TearDown();
  }

  static store::FaultySqliteVfs& vfs() { return store::FaultySqliteVfs::Install(); }

  // Waits until `n` calls are queued for the next batch (the committer is busy with the held
  // one). False after 30 s.
  bool AwaitQueued(size_t n) {
    for (int i = 0; i < 3000; ++i) {
      if (log_->stats().queued >= static_cast<int64_t>(n)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  bool SecretExists(const std::string& name) {
    return CallApp("GetSecretValue", {{"secret_name", name}}).contains("result");
  }

  // One batch held in its commit (call A), the calls of `next` queued behind it; then the
  // fsync that fails is the `failing`-th (1: A's batch, 2: the next one). Returns the answers:
  // A's first, then next's in order.
  std::vector<json> LineUp(const std::vector<ParamList>& next,
                           const std::vector<std::string>& methods, int failing) {
    std::vector<json> answers(next.size() + 1);
    vfs().HoldWalSyncs(true);
    std::thread first([&] {
      answers[0] = CallApp("AddSecret", {{"secret_name", "first"}, {"secret_value", "v0"}});
    });
    EXPECT_TRUE(vfs().AwaitHeldSyncs(1, std::chrono::milliseconds(30000)));
    std::vector<std::thread> rest;
    for (size_t i = 0; i < next.size(); ++i) {
      rest.emplace_back([&, i] { answers[i + 1] = CallApp(methods[i], next[i]); });
    }
    EXPECT_TRUE(AwaitQueued(next.size()));
    // The held fsync decides first, the next batch's second.
    if (failing == 1) vfs().FailWalSyncs(0, 1);
    if (failing == 2) vfs().FailWalSyncs(1, 1);
    vfs().HoldWalSyncs(false);
    first.join();
    for (std::thread& t : rest) t.join();
    vfs().FailWalSyncs(0, 0);
    return answers;
  }
};

// Not timing: with the committer held in one commit, every write that arrives meanwhile is
// committed by the next single batch (one durable commit, one fsync).
TEST_F(GroupCommitTest, WritesArrivingTogetherShareOneDurableCommit) {
  const int64_t syncs_before = vfs().wal_syncs();
  const audit::AuditLogStats before = log_->stats();
  std::vector<ParamList> next;
  std::vector<std::string> methods;
  for (int i = 0; i < 12; ++i) {
    next.push_back({{"secret_name", "s" + std::to_string(i)}, {"secret_value", "v"}});
    methods.push_back("AddSecret");
  }
  const std::vector<json> answers = LineUp(next, methods, /*failing=*/0);
  for (const json& answer : answers) EXPECT_TRUE(answer.contains("result")) << answer.dump();
  const audit::AuditLogStats after = log_->stats();
  EXPECT_EQ(after.batches - before.batches, 2);  // the held one, then all twelve together
  EXPECT_EQ(after.runs - before.runs, 13);
  EXPECT_GE(after.largest_batch, 12);
  EXPECT_EQ(vfs().wal_syncs() - syncs_before, 2);
  for (int i = 0; i < 12; ++i) EXPECT_TRUE(SecretExists("s" + std::to_string(i)));
  ExpectChainVerifies();
}

// The batch whose fsync fails answers 4 to its own calls — writes and a read alike — and stores
// none of them; the batch before it is untouched.
TEST_F(GroupCommitTest, AFailedFsyncFailsExactlyTheCallsOfItsBatch) {
  ASSERT_GT(AddSecret("readme", "the value"), 0);
  const size_t records_before = RecordCount();
  std::vector<ParamList> next;
  std::vector<std::string> methods;
  FailingBatchCalls(&next, &methods);
  const std::vector<json> answers = LineUp(next, methods, /*failing=*/2);
  EXPECT_EQ(vfs().failed_wal_syncs() > 0, true);
  ExpectOnlyTheFailedBatchLost(answers, records_before);
}

TEST_F(GroupCommitTest, AFailedFsyncOfTheFirstBatchSparesTheNextOne) {
  std::vector<ParamList> next;
  std::vector<std::string> methods;
  for (int i = 0; i < 4; ++i) {
    next.push_back({{"secret_name", "kept" + std::to_string(i)}, {"secret_value", "v"}});
    methods.push_back("AddSecret");
  }
  const std::vector<json> answers = LineUp(next, methods, /*failing=*/1);
  EXPECT_EQ(ErrorOf(answers[0]), Err(4)) << answers[0].dump();
  EXPECT_FALSE(SecretExists("first"));
  for (size_t i = 1; i < answers.size(); ++i) {
    EXPECT_TRUE(answers[i].contains("result")) << answers[i].dump();
    EXPECT_TRUE(SecretExists("kept" + std::to_string(i - 1)));
  }
  ExpectChainVerifies();
}

// ---- the identity cache against changes made outside the dispatcher ----------------------------

TEST_F(GroupCommitTest, TheIdentityCacheNeverServesAKeyOrRoleChangedOutsideTheDispatcher) {
  Result<ApiStack::Key> key = stack().CreateKey(acme_.id, {iam::kRoleDeveloper});
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  Result<std::string> token = stack().Token(*key, 600);
  ASSERT_TRUE(token.ok());
  auto list = [&] {
    return stack().CallJson("GetSecrets", {{"application_id", std::to_string(app_id_)}}, *token);
  };
  auto add = [&](const std::string& name) {
    return stack().CallJson(
        "AddSecret",
        {{"application_id", std::to_string(app_id_)}, {"secret_name", name}, {"secret_value", "v"}},
        *token);
  };
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(list().contains("result")) << i;  // cached now
  const int64_t hits = stack().dispatcher().iam_cache()->hits();
  ASSERT_TRUE(list().contains("result"));
  EXPECT_GT(stack().dispatcher().iam_cache()->hits(), hits);

  // Roles changed straight in the store (as the admin CLI or another node would).
  ASSERT_TRUE(stack()
                  .store()
                  .Write([&](store::Tx& tx) -> Status {
                    return tx.keys()
                        .SetRoles(acme_.id, key->key_id, {static_cast<int>(iam::kRoleSupport)})
                        .status();
                  })
                  .ok());
  EXPECT_TRUE(list().contains("result"));        // Support may list
  EXPECT_EQ(ErrorOf(add("nope"))["code"], 104);  // but not write, at once
  // Deleted straight in the store: refused at the next call, reads and writes.
  ASSERT_TRUE(stack()
                  .store()
                  .Write([&](store::Tx& tx) -> Status {
                    return tx.keys().Delete(acme_.id, key->key_id).status();
                  })
                  .ok());
  EXPECT_EQ(ErrorOf(list())["code"], 100);
  EXPECT_EQ(ErrorOf(add("nope2"))["code"], 100);
}

}  // namespace
}  // namespace voxsecrets::api
