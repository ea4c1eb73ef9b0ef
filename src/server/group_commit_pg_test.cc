// Group commit of write calls on PostgreSQL, through the Dispatcher and the real audit log (as
// `serve` runs it): write calls that arrive together share one transaction and one commit, and a
// batch whose commit fails answers error 4 to exactly its own calls (writes and reads alike) and
// stores none of them. The SQLite side is api/api_group_commit_test.cc.
//
// Batches are lined up without timing: an admin session holds schema_version's table lock, which
// every write transaction takes first (postgres/pg_store.h), so the committer waits in one batch
// while the next calls queue behind it. A commit is made to fail by a deferred constraint trigger
// that raises disk_full (SQLSTATE 53100) at COMMIT for secrets named "lost...".
//
// Needs a server (store/postgres/pg_test_util.h): without one the tests skip, and fail under
// CI=true.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "api/api_audit_test_base.h"
#include "store/postgres/pg_store.h"
#include "store/postgres/pg_test_util.h"

namespace voxsecrets::server {
namespace {

using api::ParamList;
using nlohmann::json;

class PgGroupCommitTest : public api::ApiAuditTest {
 protected:
  void SetUp() override {
    std::string url;
    if (!store::pgtest::RequireServer(&url)) return;
    Result<std::unique_ptr<store::pgtest::TestSchema>> schema =
        store::pgtest::TestSchema::Create(url);
    ASSERT_TRUE(schema.ok()) << schema.status().ToString();
    schema_ = std::move(schema).value();
    api::ApiAuditTest::SetUp();
  }
  void TearDown() override {
    if (schema_ == nullptr) return;
    api::ApiAuditTest::TearDown();
  }
  api::ApiStackOptions StackOptions() override {
    api::ApiStackOptions options = api::ApiAuditTest::StackOptions();
    options.faulty_audit_store = false;
    options.make_store = [this]() { return store::OpenPgStore(schema_->StoreOptions()); };
    return options;
  }

  // Waits for `condition`; false after 30 s.
  template <typename Condition>
  static bool Await(Condition condition) {
    for (int i = 0; i < 3000; ++i) {
      if (condition()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  bool SecretExists(const std::string& name) {
    return CallApp("GetSecretValue", {{"secret_name", name}}).contains("result");
  }

  // One batch (call A) held before its first statement, the calls of `next` queued behind it;
  // then both run. Returns the answers: A's first, then next's in order.
  std::vector<json> LineUp(const std::vector<ParamList>& next,
                           const std::vector<std::string>& methods) {
    std::vector<json> answers(next.size() + 1);
    EXPECT_TRUE(schema_->Exec("BEGIN; LOCK TABLE schema_version IN EXCLUSIVE MODE").ok());
    std::thread first([&] {
      answers[0] = CallApp("AddSecret", {{"secret_name", "first"}, {"secret_value", "v0"}});
    });
    EXPECT_TRUE(Await([&] {
      Result<std::string> waiting = schema_->QueryValue(
          "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
          "WHERE c.relname = 'schema_version' AND c.relnamespace = '" +
          schema_->name() + "'::regnamespace AND NOT l.granted");
      return waiting.ok() && *waiting != "0";
    }));
    std::vector<std::thread> rest;
    for (size_t i = 0; i < next.size(); ++i) {
      rest.emplace_back([&, i] { answers[i + 1] = CallApp(methods[i], next[i]); });
    }
    EXPECT_TRUE(Await([&] { return log_->stats().queued >= static_cast<int64_t>(next.size()); }));
    EXPECT_TRUE(schema_->Exec("COMMIT").ok());
    first.join();
    for (std::thread& t : rest) t.join();
    return answers;
  }

  std::unique_ptr<store::pgtest::TestSchema> schema_;
};

TEST_F(PgGroupCommitTest, WritesArrivingTogetherShareOneCommit) {
  if (schema_ == nullptr) return;
  const audit::AuditLogStats before = log_->stats();
  std::vector<ParamList> next;
  std::vector<std::string> methods;
  for (int i = 0; i < 12; ++i) {
    next.push_back({{"secret_name", "s" + std::to_string(i)}, {"secret_value", "v"}});
    methods.push_back("AddSecret");
  }
  const std::vector<json> answers = LineUp(next, methods);
  for (const json& answer : answers) EXPECT_TRUE(answer.contains("result")) << answer.dump();
  const audit::AuditLogStats after = log_->stats();
  EXPECT_EQ(after.batches - before.batches, 2);  // the held one, then all twelve together
  EXPECT_EQ(after.runs - before.runs, 13);
  EXPECT_GE(after.largest_batch, 12);
  for (int i = 0; i < 12; ++i) EXPECT_TRUE(SecretExists("s" + std::to_string(i)));
  ExpectChainVerifies();
}

TEST_F(PgGroupCommitTest, AFailedCommitFailsExactlyTheCallsOfItsBatch) {
  if (schema_ == nullptr) return;
  ASSERT_GT(AddSecret("readme", "the value"), 0);
  ASSERT_TRUE(schema_
                  ->Exec("CREATE FUNCTION fail_commit() RETURNS trigger LANGUAGE plpgsql AS $$ "
                         "BEGIN RAISE EXCEPTION 'no space left' USING ERRCODE = 'disk_full'; END "
                         "$$; CREATE CONSTRAINT TRIGGER fail_commit AFTER INSERT ON secrets "
                         "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.name LIKE 'lost%') "
                         "EXECUTE FUNCTION fail_commit()")
                  .ok());
  const size_t records_before = RecordCount();
  std::vector<ParamList> next;
  std::vector<std::string> methods;
  FailingBatchCalls(&next, &methods);
  ExpectOnlyTheFailedBatchLost(LineUp(next, methods), records_before);
}

}  // namespace
}  // namespace voxsecrets::server
