// The checks of a log migrated from the schema that stored prev_hash (audit_migrate_test.cc on
// SQLite, audit_pg_test.cc on PostgreSQL): one body for both backends.
#ifndef VOXSECRETS_AUDIT_AUDIT_MIGRATE_TEST_UTIL_H_
#define VOXSECRETS_AUDIT_AUDIT_MIGRATE_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <vector>

#include "audit/audit_exporter.h"
#include "audit/audit_hash.h"
#include "audit/audit_prune.h"
#include "audit/audit_test_util.h"

namespace voxsecrets::audit {

// `db` holds OldSchemaAuditLogSql's untampered log (`old`), migrated: every record reads back as
// stored before (prev_hash now derived; the same export line), the log verifies, a new writer
// appends and it still verifies, and pruning checks and moves the checkpoint.
inline void ExpectOldLogMigrated(store::Store& db, const std::vector<store::AuditRecord>& old) {
  std::vector<store::AuditRecord> all = AllRecords(db);
  ASSERT_EQ(all.size(), old.size());
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].prev_hash, old[i].prev_hash) << all[i].id;
    EXPECT_EQ(all[i].hash, old[i].hash) << all[i].id;
    EXPECT_EQ(AuditRecordJsonLine(all[i]), AuditRecordJsonLine(old[i]));
  }
  Result<VerifyReport> report = VerifyAuditChain(db);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->chains, 2);
  EXPECT_EQ(report->records, 7);

  std::unique_ptr<AuditLog> log = OpenTestLog(db);
  ASSERT_NE(log, nullptr);
  for (int i = 10; i < 13; ++i) ASSERT_TRUE(log->AppendDurable(TestEntry(i)).ok());  // newer
  report = VerifyAuditChain(db);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->records, 10);

  // Records 1..3 (chain 1 seq 1..2, chain 2 seq 3) are older than the cutoff.
  Result<PruneReport> pruned = PruneAuditLog(db, old[3].time_ms, old[3].time_ms, 1000);
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_EQ(pruned->deleted, 3);
  report = VerifyAuditChain(db);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->records, 7);
  all = AllRecords(db);
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all[0].id, old[3].id);
  EXPECT_EQ(all[0].prev_hash, old[3].prev_hash);  // chain 2 seq 4 after the new checkpoint
}

}  // namespace voxsecrets::audit

#endif  // VOXSECRETS_AUDIT_AUDIT_MIGRATE_TEST_UTIL_H_
