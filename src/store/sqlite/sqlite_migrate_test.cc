#include "store/sqlite/sqlite_migrate.h"

#include <gtest/gtest.h>

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/schema/sqlite_migrations.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_test_util.h"

namespace voxsecrets::store::sqlite {
namespace {

constexpr std::string_view kM1 = "CREATE TABLE t1 (x INTEGER) STRICT;";
constexpr std::string_view kM2 = "CREATE TABLE t2 (x INTEGER) STRICT; INSERT INTO t1 VALUES (1);";
constexpr std::string_view kM3 = "ALTER TABLE t2 ADD COLUMN y TEXT;";
// The first statement works; the second is broken: the whole migration must roll back.
constexpr std::string_view kBroken = "CREATE TABLE t3 (x INTEGER); CREATE TABLE oops (";

class SqliteMigrateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    Result<std::unique_ptr<Connection>> conn =
        Connection::Open(dir_.File("m.db"), Connection::Mode::kReadWrite, 1000);
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    conn_ = std::move(conn).value();
  }

  int Version() {
    Result<int> version = ReadSchemaVersion(*conn_);
    EXPECT_TRUE(version.ok()) << version.status().ToString();
    return version.ok() ? *version : -1;
  }

  bool TableExists(const std::string& name) {
    Result<std::string> count = conn_->QueryText(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '" + name + "'");
    return count.ok() && *count == "1";
  }

  TempDir dir_;
  std::unique_ptr<Connection> conn_;
};

TEST_F(SqliteMigrateTest, FreshDatabaseIsAtVersionZero) { EXPECT_EQ(Version(), 0); }

TEST_F(SqliteMigrateTest, AppliesMissingMigrationsOnceAndInOrder) {
  std::vector<std::string_view> two = {kM1, kM2};
  ASSERT_TRUE(ApplyMigrations(*conn_, two).ok());
  EXPECT_EQ(Version(), 2);
  EXPECT_TRUE(TableExists("t1"));
  EXPECT_TRUE(TableExists("t2"));
  // Again: nothing runs (kM1 would fail if it ran twice).
  Status again = ApplyMigrations(*conn_, two);
  EXPECT_TRUE(again.ok()) << again.ToString();
  EXPECT_EQ(conn_->QueryText("SELECT count(*) FROM t1").value(), "1");
  // A newer binary adds one.
  std::vector<std::string_view> three = {kM1, kM2, kM3};
  Status upgraded = ApplyMigrations(*conn_, three);
  EXPECT_TRUE(upgraded.ok()) << upgraded.ToString();
  EXPECT_EQ(Version(), 3);
  EXPECT_EQ(conn_->QueryText("SELECT count(*) FROM schema_version").value(), "3");
}

TEST_F(SqliteMigrateTest, FailedMigrationLeavesThePreviousVersion) {
  std::vector<std::string_view> list = {kM1, kBroken};
  Status status = ApplyMigrations(*conn_, list);
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_NE(status.message().find("schema version 2"), std::string::npos) << status.message();
  EXPECT_EQ(Version(), 1);
  EXPECT_TRUE(TableExists("t1"));
  EXPECT_FALSE(TableExists("t3"));
  EXPECT_FALSE(conn_->InTransaction());
}

TEST_F(SqliteMigrateTest, RefusesANewerDatabase) {
  std::vector<std::string_view> three = {kM1, kM2, kM3};
  ASSERT_TRUE(ApplyMigrations(*conn_, three).ok());
  std::vector<std::string_view> one = {kM1};
  Status status = ApplyMigrations(*conn_, one);
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_EQ(status.message(),
            "database schema version 3 is newer than this voxsecrets (1); upgrade the binary");
  EXPECT_EQ(Version(), 3);
}

TEST_F(SqliteMigrateTest, ShippedSchemaCreatesEveryTable) {
  Status status = ApplyMigrations(*conn_, kSqliteMigrations);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(Version(), kSqliteSchemaVersion);
  for (const char* table :
       {"accounts", "api_keys", "key_roles", "applications", "secrets", "data_keys", "meta",
        "schema_version", "audit_chains", "audit_log", "change_counters", "secret_counts",
        "secret_names", "key_applications", "secret_versions"}) {
    EXPECT_TRUE(TableExists(table)) << table;
  }
}

// The hot lookups are served by indexes: no full scan, no sort for ORDER BY.
TEST_F(SqliteMigrateTest, ShippedSchemaIndexesTheLookups) {
  ASSERT_TRUE(ApplyMigrations(*conn_, kSqliteMigrations).ok());
  auto plan = [&](const std::string& sql) {
    std::string detail;
    Result<StatementLease> stmt = conn_->Prepare("EXPLAIN QUERY PLAN " + sql);
    if (!stmt.ok()) return "error: " + stmt.status().message();
    while (true) {
      Result<bool> row = (*stmt)->Step();
      if (!row.ok() || !*row) break;
      detail += (*stmt)->ColumnText(3) + "; ";
    }
    return detail;
  };
  const std::vector<std::string> queries = {
      "SELECT value FROM secrets WHERE application_id = ?1 AND name = ?2",
      "SELECT value FROM secrets WHERE application_id = ?1 AND id = ?2",
      // Parenthesised: one query split over two lines, not a missing comma.
      ("SELECT name FROM secrets WHERE application_id = ?1 AND (?2 = '' OR "
       "instr(lower(name), lower(?2)) > 0) ORDER BY id LIMIT ?3 OFFSET ?4"),
      "SELECT name FROM applications WHERE account_id = ?1 AND name = ?2",
      ("SELECT name FROM applications WHERE account_id = ?1 AND (?2 IS NULL OR id = ?2) "
       "ORDER BY id LIMIT ?3 OFFSET ?4"),
      "SELECT wrapped_key FROM data_keys WHERE application_id = ?1 ORDER BY version DESC LIMIT 1",
      "SELECT key_id FROM api_keys WHERE account_id = ?1 ORDER BY created, key_id",
      "SELECT role_id FROM key_roles WHERE key_id = ?1",
      "SELECT id FROM accounts WHERE name = ?1",
      "SELECT application_id FROM key_applications WHERE key_id = ?1",
      "DELETE FROM key_applications WHERE application_id = ?1",
      "SELECT value FROM secret_versions WHERE secret_id = ?1 AND version = ?2",
      "SELECT version FROM secret_versions WHERE secret_id = ?1 ORDER BY version DESC LIMIT ?2",
      "DELETE FROM secret_versions WHERE secret_id = ?1 AND version <= ?2",
      // An audit record's prev_hash, derived on read (sqlite_audit.cc).
      "SELECT hash FROM audit_log WHERE chain_id = ?1 AND seq = ?2",
  };
  for (const std::string& query : queries) {
    std::string detail = plan(query);
    EXPECT_EQ(detail.find("SCAN"), std::string::npos) << query << " -> " << detail;
    EXPECT_EQ(detail.find("TEMP B-TREE"), std::string::npos) << query << " -> " << detail;
    EXPECT_EQ(detail.find("error"), std::string::npos) << query << " -> " << detail;
  }
}

// The schema version before keys limited to applications and secret versions (the migrations
// after it add them). Move it when migrations are inserted before those two.
constexpr int kBeforeScopesAndVersions = 3;

// A database made by the binary before keys limited to applications and secret versions is
// brought to the current version with its data: every key keeps reaching every application,
// every stored value becomes version 1 of its secret, set when the secret was last modified.
TEST_F(SqliteMigrateTest, AnOlderDatabaseKeepsItsDataAndGetsVersionOne) {
  ASSERT_TRUE(ApplyMigrations(*conn_, std::span<const std::string_view>(kSqliteMigrations,
                                                                        kBeforeScopesAndVersions))
                  .ok());
  ASSERT_EQ(Version(), kBeforeScopesAndVersions);
  ASSERT_TRUE(conn_
                  ->Exec("INSERT INTO accounts (name, created) VALUES ('acme', 1);"
                         "INSERT INTO api_keys (key_id, account_id, public_key_pem, created) "
                         "VALUES ('k1', 1, 'pem', 1);"
                         "INSERT INTO key_roles VALUES ('k1', 1);"
                         "INSERT INTO applications (account_id, name, created, modified) "
                         "VALUES (1, 'app', 1, 1);"
                         "INSERT INTO secrets (application_id, name, value, key_version, created, "
                         "modified) VALUES (1, 'Kept', x'0100000001ff', 1, 10, 20);")
                  .ok());
  Status upgraded = ApplyMigrations(*conn_, kSqliteMigrations);
  ASSERT_TRUE(upgraded.ok()) << upgraded.ToString();
  EXPECT_EQ(Version(), kSqliteSchemaVersion);
  EXPECT_EQ(conn_
                ->QueryText("SELECT version || '/' || version_created || '/' || hex(value) "
                            "FROM secrets WHERE name = 'Kept'")
                .value(),
            "1/20/0100000001FF");
  EXPECT_EQ(conn_->QueryText("SELECT scoped FROM api_keys WHERE key_id = 'k1'").value(), "0");
  EXPECT_EQ(conn_->QueryText("SELECT count(*) FROM key_applications").value(), "0");
  EXPECT_EQ(conn_->QueryText("SELECT count(*) FROM secret_versions").value(), "0");
  // The new constraints hold on the old rows' side too.
  EXPECT_FALSE(conn_->Exec("UPDATE secrets SET version = 0").ok());
}

}  // namespace
}  // namespace voxsecrets::store::sqlite
