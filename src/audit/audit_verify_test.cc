// Tamper tests: the log is edited with raw SQL on the database file, as an intruder with file
// access would, and `VerifyAuditChain` must name the first broken record.
#include "audit/audit_verify.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "audit/audit_hash.h"
#include "audit/audit_log.h"
#include "audit/audit_test_util.h"

namespace voxsecrets::audit {
namespace {

class AuditVerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(store_.db, nullptr);
    // Two writers (nodes), interleaved: chain 1 gets records 1..4 and 9..10, chain 2 gets 5..8.
    std::unique_ptr<AuditLog> a = OpenTestLog(*store_.db);
    std::unique_ptr<AuditLog> b = OpenTestLog(*store_.db);
    ASSERT_TRUE(a != nullptr && b != nullptr);
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(a->AppendDurable(TestEntry(i)).ok());
    for (int i = 4; i < 8; ++i) ASSERT_TRUE(b->AppendDurable(TestEntry(i)).ok());
    for (int i = 8; i < 10; ++i) ASSERT_TRUE(a->AppendDurable(TestEntry(i)).ok());
    records_ = AllRecords(*store_.db);
    ASSERT_EQ(records_.size(), 10u);
  }

  VerifyReport Verify() {
    Result<VerifyReport> report = VerifyAuditChain(*store_.db);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : VerifyReport{};
  }

  void Tamper(const std::string& sql) { ASSERT_TRUE(ExecRaw(store_.path, sql)) << sql; }

  // The id of the n-th record (0-based, in id order).
  std::string Id(int n) const { return std::to_string(records_[n].id); }

  AuditTestStore store_;
  std::vector<store::AuditRecord> records_;
};

TEST_F(AuditVerifyTest, AnUntouchedLogVerifies) {
  VerifyReport report = Verify();
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.chains, 2);
  EXPECT_EQ(report.records, 10);
  EXPECT_FALSE(report.record_id.has_value());
}

TEST_F(AuditVerifyTest, AnEmptyLogVerifies) {
  AuditTestStore empty;
  Result<VerifyReport> report = VerifyAuditChain(*empty.db);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok);
  EXPECT_EQ(report->records, 0);
}

TEST_F(AuditVerifyTest, AnEditedRecordIsNamed) {
  Tamper("UPDATE audit_log SET args = '{\"application_id\":\"2\"}' WHERE id = " + Id(2));
  VerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.record_id, records_[2].id);
  EXPECT_NE(report.problem.find("does not match its hash"), std::string::npos) << report.problem;
}

TEST_F(AuditVerifyTest, EditingAnyColumnIsFound) {
  for (const char* set :
       {"time_ms = time_ms + 1", "account_id = 99", "account_id = NULL", "key_id = 'other'",
        "credential = 'none'", "ip = '10.9.9.9'", "method = 'DelSecret'", "touched = '{}'",
        "result_code = 341", "hash = (SELECT hash FROM audit_log ORDER BY id LIMIT 1)"}) {
    AuditTestStore copy;  // fresh log per edit
    AuditLogOptions options;
    options.group_commit = false;
    auto log = AuditLog::Open(*copy.db, options);
    ASSERT_TRUE(log.ok());
    for (int i = 0; i < 3; ++i) ASSERT_TRUE((*log)->AppendDurable(TestEntry(i)).ok());
    const std::vector<store::AuditRecord> records = AllRecords(*copy.db);
    ASSERT_TRUE(ExecRaw(copy.path, std::string("UPDATE audit_log SET ") + set +
                                       " WHERE id = " + std::to_string(records[1].id)));
    Result<VerifyReport> report = VerifyAuditChain(*copy.db);
    ASSERT_TRUE(report.ok());
    EXPECT_FALSE(report->ok) << set;
    EXPECT_EQ(report->record_id, records[1].id) << set << ": " << report->problem;
  }
}

TEST_F(AuditVerifyTest, ADeletedRecordInTheMiddleIsFoundAtTheNextRecordOfItsChain) {
  Tamper("DELETE FROM audit_log WHERE id = " + Id(5));  // chain 2, seq 2
  VerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.record_id, records_[6].id);
  EXPECT_EQ(report.chain_id, 2);
  EXPECT_NE(report.problem.find("missing (deleted)"), std::string::npos) << report.problem;
}

TEST_F(AuditVerifyTest, ADeletedFirstRecordIsFound) {
  Tamper("DELETE FROM audit_log WHERE id = " + Id(0));
  VerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.record_id, records_[1].id);
}

TEST_F(AuditVerifyTest, DeletedRecordsAtTheTailAreFoundThroughTheHead) {
  Tamper("DELETE FROM audit_log WHERE id IN (" + Id(8) + ", " + Id(9) + ")");  // chain 1 seq 5, 6
  VerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_FALSE(report.record_id.has_value());
  EXPECT_EQ(report.chain_id, 1);
  EXPECT_EQ(report.seq, 5);
  EXPECT_NE(report.problem.find("seq 5..6 at its end are missing"), std::string::npos)
      << report.problem;
}

TEST_F(AuditVerifyTest, ReorderedRecordsAreFound) {
  // Swap the contents of two records of chain 2 by swapping their ids.
  Tamper("UPDATE audit_log SET id = -1 WHERE id = " + Id(5) +
         "; UPDATE audit_log SET id = " + Id(5) + " WHERE id = " + Id(6) +
         "; UPDATE audit_log SET id = " + Id(6) + " WHERE id = -1");
  VerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.record_id, records_[5].id);
}

TEST_F(AuditVerifyTest, SwappedTimesAreFound) {
  Tamper("UPDATE audit_log SET time_ms = (SELECT time_ms FROM audit_log WHERE id = " + Id(3) +
         ") WHERE id = " + Id(1) + "; UPDATE audit_log SET time_ms = " +
         std::to_string(records_[1].time_ms) + " WHERE id = " + Id(3));
  VerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.record_id, records_[1].id);
}

TEST_F(AuditVerifyTest, AnInsertedRecordWithAValidHashIsFoundBeyondTheHead) {
  // The intruder knows the format: a well-formed, correctly hashed and linked record at the end
  // of chain 1. The chain head (not updated) gives it away.
  store::AuditRecord forged = records_[9];
  forged.id = records_[9].id + 100;
  forged.seq = records_[9].seq + 1;
  forged.prev_hash = records_[9].hash;
  forged.method = "GetSecrets";
  forged.hash = ComputeAuditHash(forged);
  Tamper(
      "INSERT INTO audit_log (id, chain_id, seq, time_ms, account_id, key_id, credential, ip, "
      "method, args, touched, result_code, hash) SELECT " +
      std::to_string(forged.id) + ", chain_id, " + std::to_string(forged.seq) +
      ", time_ms, account_id, key_id, credential, ip, 'GetSecrets', args, touched, "
      "result_code, X'" +
      forged.hash + "' FROM audit_log WHERE id = " + Id(9));
  VerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.record_id, forged.id);
  EXPECT_NE(report.problem.find("beyond the chain's head"), std::string::npos) << report.problem;
}

TEST_F(AuditVerifyTest, AnInsertedRecordInTheMiddleIsFound) {
  // Make room at chain 2 seq 3 by renumbering the later records, then insert a copy there.
  Tamper(
      "UPDATE audit_log SET seq = seq + 100 WHERE chain_id = 2 AND seq >= 3; "
      "UPDATE audit_log SET seq = seq - 99 WHERE chain_id = 2 AND seq >= 100; "
      "INSERT INTO audit_log (id, chain_id, seq, time_ms, account_id, key_id, credential, ip, "
      "method, args, touched, result_code, hash) SELECT 1000, chain_id, 3, time_ms, "
      "account_id, key_id, credential, ip, method, args, touched, result_code, "
      "hash FROM audit_log WHERE id = " +
      Id(5));
  VerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  // The first record walked by id that breaks: the renumbered record (its seq is hashed).
  EXPECT_EQ(report.record_id, records_[6].id);
}

TEST_F(AuditVerifyTest, ARecordOfAnUnknownChainIsFound) {
  Tamper(
      "INSERT INTO audit_log (id, chain_id, seq, time_ms, credential, result_code, hash) "
      "VALUES (500, 7, 1, 0, 'none', 0, X'')");
  VerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.record_id, 500);
  EXPECT_NE(report.problem.find("no registered chain"), std::string::npos);
}

TEST_F(AuditVerifyTest, ADeletedChainIsFound) {
  Tamper("DELETE FROM audit_log WHERE chain_id = 1; DELETE FROM audit_chains WHERE chain_id = 1");
  VerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.chain_id, 1);
  EXPECT_NE(report.problem.find("chain 1 is missing"), std::string::npos) << report.problem;
}

TEST_F(AuditVerifyTest, AnEditedHeadIsFound) {
  Tamper("UPDATE audit_chains SET head_hash = '" + std::string(64, 'f') + "' WHERE chain_id = 2");
  VerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.chain_id, 2);
}

}  // namespace
}  // namespace voxsecrets::audit
