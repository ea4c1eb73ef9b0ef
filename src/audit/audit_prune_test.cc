#include "audit/audit_prune.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "audit/audit_test_util.h"
#include "audit/audit_verify.h"
#include "tests/testing/faulty_audit_store.h"

namespace voxsecrets::audit {
namespace {

constexpr int64_t kBase = 1767225600000;  // TestEntry(n) is at kBase + n s

class AuditPruneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(store_.db, nullptr);
    a_ = OpenTestLog(*store_.db);
    b_ = OpenTestLog(*store_.db);
    ASSERT_TRUE(a_ != nullptr && b_ != nullptr);
    // Chain 1: times 0..9 s; chain 2: times 0, 2, 4, ..., 18 s.
    for (int i = 0; i < 10; ++i) {
      ASSERT_TRUE(a_->AppendDurable(TestEntry(i)).ok());
      ASSERT_TRUE(b_->AppendDurable(TestEntry(2 * i)).ok());
    }
  }

  void ExpectVerifies() { ExpectChainVerifies(*store_.db); }

  std::vector<store::AuditChainRecord> Chains() {
    std::vector<store::AuditChainRecord> chains;
    EXPECT_TRUE(store_.db
                    ->Read([&](store::Tx& tx) -> Status {
                      VS_ASSIGN_OR_RETURN(chains, tx.audit().ListChains());
                      return Status::Ok();
                    })
                    .ok());
    return chains;
  }

  AuditTestStore store_;
  std::unique_ptr<AuditLog> a_;
  std::unique_ptr<AuditLog> b_;
};

TEST_F(AuditPruneTest, PrunesOldRecordsOfEveryChainAndKeepsTheLogVerifiable) {
  // Older than 5 s: chain 1 loses 0..4 (5 records), chain 2 loses 0, 2, 4 (3 records).
  Result<PruneReport> report = PruneAuditLog(*store_.db, kBase + 5000, kBase + 60000, 2);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->chains, 2);
  EXPECT_EQ(report->deleted, 8);
  const std::vector<store::AuditRecord> left = AllRecords(*store_.db);
  EXPECT_EQ(left.size(), 12u);
  for (const auto& record : left) EXPECT_GE(record.time_ms, kBase + 5000);
  const std::vector<store::AuditChainRecord> chains = Chains();
  ASSERT_EQ(chains.size(), 2u);
  EXPECT_EQ(chains[0].pruned_seq, 5);
  EXPECT_EQ(chains[0].pruned_at_ms, kBase + 60000);
  EXPECT_EQ(chains[1].pruned_seq, 3);
  ExpectVerifies();
  // Appending goes on; pruning again with the same cutoff deletes nothing.
  ASSERT_TRUE(a_->AppendDurable(TestEntry(20)).ok());
  report = PruneAuditLog(*store_.db, kBase + 5000, kBase + 70000);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->deleted, 0);
  ExpectVerifies();
}

TEST_F(AuditPruneTest, PruningEverythingLeavesAVerifiableEmptyLog) {
  Result<PruneReport> report = PruneAuditLog(*store_.db, kBase + 1000000, kBase + 1000000);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->deleted, 20);
  EXPECT_TRUE(AllRecords(*store_.db).empty());
  ExpectVerifies();
  ASSERT_TRUE(b_->AppendDurable(TestEntry(30)).ok());
  ExpectVerifies();
}

TEST_F(AuditPruneTest, PruningStopsAtTheFirstRecordThatIsNotOld) {
  // A clock that went backwards: seq 3 is newer than the cutoff, seq 4 and 5 older again.
  AuditTestStore other;
  std::unique_ptr<AuditLog> log = OpenTestLog(*other.db);
  ASSERT_NE(log, nullptr);
  for (int n : {0, 1, 50, 2, 3}) ASSERT_TRUE(log->AppendDurable(TestEntry(n)).ok());
  Result<PruneReport> report = PruneAuditLog(*other.db, kBase + 10000, kBase + 100000);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->deleted, 2);
  ExpectChainVerifies(*other.db);
}

TEST_F(AuditPruneTest, ATamperedRecordStopsPruningOfItsChainAndIsKept) {
  const std::vector<store::AuditRecord> records = AllRecords(*store_.db);
  // Chain 1's third record (seq 3) is edited.
  int64_t victim = 0;
  for (const auto& record : records) {
    if (record.chain_id == 1 && record.seq == 3) victim = record.id;
  }
  ASSERT_TRUE(ExecRaw(store_.path,
                      "UPDATE audit_log SET ip = '10.6.6.6' WHERE id = " + std::to_string(victim)));
  Result<PruneReport> report = PruneAuditLog(*store_.db, kBase + 5000, kBase + 60000);
  EXPECT_EQ(report.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(report.status().message().find(std::to_string(victim)), std::string::npos);
  // Nothing of chain 1 went; the evidence is still there for verify.
  EXPECT_EQ(AllRecords(*store_.db).size(), 20u);
  Result<VerifyReport> verified = VerifyAuditChain(*store_.db);
  ASSERT_TRUE(verified.ok());
  EXPECT_FALSE(verified->ok);
  EXPECT_EQ(verified->record_id, victim);
}

TEST_F(AuditPruneTest, AFailingStoreLeavesEverythingInPlace) {
  store::FaultyAuditStore faulty(*store_.db);
  faulty.FailAuditWrites(true);
  Result<PruneReport> report = PruneAuditLog(faulty, kBase + 5000, kBase + 60000);
  EXPECT_EQ(report.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(AllRecords(*store_.db).size(), 20u);
  ExpectVerifies();
}

}  // namespace
}  // namespace voxsecrets::audit
