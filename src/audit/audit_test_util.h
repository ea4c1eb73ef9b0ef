// Test helpers for audit/: a SQLite store in a temporary directory whose file path is known (for
// raw SQL tampering), entries, and reading the log back.
//
// Thread-safety: AuditTestStore is shared by a test's threads only through its Store.
#ifndef VOXSECRETS_AUDIT_AUDIT_TEST_UTIL_H_
#define VOXSECRETS_AUDIT_AUDIT_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <memory>
#include <string>
#include <vector>

#include "audit/audit_entry.h"
#include "audit/audit_log.h"
#include "audit/audit_verify.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_test_util.h"
#include "store/store.h"

namespace voxsecrets::audit {

struct AuditTestStore {
  AuditTestStore() {
    store::SqliteOptions options;
    options.path = dir.File("audit.db");
    path = options.path;
    Result<store::StorePtr> opened = store::OpenSqliteStore(options);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    if (opened.ok()) db = std::move(opened).value();
  }
  ~AuditTestStore() { db.reset(); }  // close before the directory goes

  store::TempDir dir;
  std::string path;
  store::StorePtr db;
};

inline AuditEntry TestEntry(int n, std::string method = "GetSecretValue") {
  AuditEntry entry;
  entry.time_ms = 1767225600000 + n * 1000;
  entry.account_id = 1 + n % 2;
  entry.key_id = "key-" + std::to_string(n % 3);
  entry.credential = AuditCredential::kServiceKey;
  entry.ip = "127.0.0." + std::to_string(1 + n % 4);
  entry.method = std::move(method);
  entry.args_json = R"({"application_id":"1","secret_value":"***"})";
  entry.application_ids = {1};
  entry.secret_ids = {n};
  return entry;
}

// An AuditLog on `db` (a chain of its own) that commits each append itself: no group-commit
// thread, so a test sees every AppendDurable in the database when it returns. nullptr, with a
// test failure, when it cannot be opened.
inline std::unique_ptr<AuditLog> OpenTestLog(store::Store& db) {
  AuditLogOptions options;
  options.group_commit = false;
  Result<std::unique_ptr<AuditLog>> log = AuditLog::Open(db, options);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  return log.ok() ? std::move(log).value() : nullptr;
}

// Expects VerifyAuditChain to find the whole log intact.
inline void ExpectChainVerifies(store::Store& db) {
  Result<VerifyReport> report = VerifyAuditChain(db);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok) << report->problem;
}

inline std::vector<store::AuditRecord> AllRecords(store::Store& db) {
  std::vector<store::AuditRecord> records;
  Status status = db.Read([&](store::Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(records, tx.audit().ListAfter(0, 1000000));
    return Status::Ok();
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
  return records;
}

// Runs SQL on the database file through a separate raw connection (tampering).
inline bool ExecRaw(const std::string& path, const std::string& sql) {
  sqlite3* raw = nullptr;
  bool ok = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK &&
            sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
  sqlite3_close_v2(raw);
  return ok;
}

}  // namespace voxsecrets::audit

#endif  // VOXSECRETS_AUDIT_AUDIT_TEST_UTIL_H_
