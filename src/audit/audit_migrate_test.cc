// Schema version 6 stopped storing prev_hash: an audit log written by the older schema (prev_hash
// in every row) is migrated, reads back as before (prev_hash now derived), still verifies, and a
// record tampered before the migration is still named after it. The PostgreSQL twin is in
// audit_pg_test.cc.
#include <gtest/gtest.h>

#include <span>
#include <string>
#include <vector>

#include "audit/audit_exporter.h"
#include "audit/audit_migrate_test_util.h"
#include "audit/audit_test_util.h"
#include "store/schema/sqlite_migrations.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_migrate.h"

namespace voxsecrets::audit {
namespace {

// The last schema version that stored prev_hash.
constexpr size_t kBeforeDerivedPrevHash = 5;

// A SQLite database file at schema version 5 holding OldSchemaAuditLogSql's log.
void WriteOldDatabase(const std::string& path, std::vector<store::AuditRecord>& records,
                      int64_t tamper_id) {
  auto conn =
      store::sqlite::Connection::Open(path, store::sqlite::Connection::Mode::kReadWrite, 1000);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  ASSERT_TRUE(
      store::sqlite::ApplyMigrations(**conn, std::span<const std::string_view>(
                                                 store::kSqliteMigrations, kBeforeDerivedPrevHash))
          .ok());
  Status written = (*conn)->Exec(OldSchemaAuditLogSql(records, tamper_id));
  ASSERT_TRUE(written.ok()) << written.ToString();
}

store::StorePtr OpenMigrated(const std::string& path) {
  store::SqliteOptions options;
  options.path = path;
  Result<store::StorePtr> opened = store::OpenSqliteStore(options);
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  return opened.ok() ? std::move(opened).value() : nullptr;
}

TEST(AuditMigrateTest, AnOldLogKeepsVerifyingAndReadsBackAsItWasStored) {
  store::TempDir dir;
  const std::string path = dir.File("old.db");
  std::vector<store::AuditRecord> old;
  WriteOldDatabase(path, old, /*tamper_id=*/0);
  store::StorePtr db = OpenMigrated(path);
  ASSERT_NE(db, nullptr);
  ExpectOldLogMigrated(*db, old);
}

TEST(AuditMigrateTest, ARecordTamperedBeforeTheMigrationIsStillNamed) {
  for (int64_t tampered : {1, 4, 7}) {
    store::TempDir dir;
    const std::string path = dir.File("old.db");
    std::vector<store::AuditRecord> old;
    WriteOldDatabase(path, old, tampered);
    store::StorePtr db = OpenMigrated(path);
    ASSERT_NE(db, nullptr);
    Result<VerifyReport> report = VerifyAuditChain(*db);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_FALSE(report->ok) << tampered;
    EXPECT_EQ(report->record_id, tampered) << report->problem;
  }
}

// Schema version 6 stores hashes as bytes: a stored hash edited by hand into something that is
// not 64 lowercase hex digits survives the migration as its text's bytes and is still named.
TEST(AuditMigrateTest, AHashEditedBeforeTheMigrationIsStillNamed) {
  for (const char* set : {"hash = 'edited'", "hash = upper(hash)", "hash = ''"}) {
    store::TempDir dir;
    const std::string path = dir.File("old.db");
    std::vector<store::AuditRecord> old;
    WriteOldDatabase(path, old, /*tamper_id=*/0);
    ASSERT_TRUE(ExecRaw(path, std::string("UPDATE audit_log SET ") + set + " WHERE id = 3"));
    store::StorePtr db = OpenMigrated(path);
    ASSERT_NE(db, nullptr);
    Result<VerifyReport> report = VerifyAuditChain(*db);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_FALSE(report->ok) << set;
    EXPECT_EQ(report->record_id, 3) << set << ": " << report->problem;
  }
}

// The migration rebuilds audit_log: ids of records pruned before it are still never given again.
TEST(AuditMigrateTest, IdsOfRecordsPrunedBeforeTheMigrationAreNotReused) {
  store::TempDir dir;
  const std::string path = dir.File("old.db");
  std::vector<store::AuditRecord> old;
  WriteOldDatabase(path, old, /*tamper_id=*/0);
  ASSERT_TRUE(ExecRaw(path, "DELETE FROM audit_log"));  // as if every record had been pruned
  store::StorePtr db = OpenMigrated(path);
  ASSERT_NE(db, nullptr);
  int64_t next = 0;
  ASSERT_TRUE(db->Write([&](store::Tx& tx) -> Status {
                  VS_ASSIGN_OR_RETURN(next, tx.audit().NextId());
                  return Status::Ok();
                }).ok());
  EXPECT_EQ(next, 8);
}

}  // namespace
}  // namespace voxsecrets::audit
