// Test helpers for audit/: a SQLite store in a temporary directory whose file path is known (for
// raw SQL tampering), entries, and reading the log back.
//
// Thread-safety: AuditTestStore is shared by a test's threads only through its Store.
#ifndef VOXSECRETS_AUDIT_AUDIT_TEST_UTIL_H_
#define VOXSECRETS_AUDIT_AUDIT_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <iterator>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "audit/audit_entry.h"
#include "audit/audit_hash.h"
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

// An audit log as schema version 5 stored it (prev_hash in every row, hashes as hex text): SQL
// for both backends, run on a database migrated to version 5 and not further. Chain 1 holds seq
// 1..4; chain 2 was pruned through seq 2 (checkpoint = the hash of its seq 2) and holds seq 3..5;
// their records interleave by id (1..7). With `tamper_id`, that record's method is edited after
// its hash was computed (what an intruder did before the upgrade). `records` receives the rows
// as stored (prev_hash included), by id.
inline std::string OldSchemaAuditLogSql(std::vector<store::AuditRecord>& records,
                                        int64_t tamper_id = 0) {
  auto quote = [](const std::string& text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
  };
  std::string hash[3][6];  // [chain][seq]
  hash[1][0] = hash[2][0] = std::string(kGenesisHash);
  auto make = [&](int64_t id, int64_t chain, int64_t seq) {
    store::AuditRecord r;
    r.id = id;
    r.chain_id = chain;
    r.seq = seq;
    r.time_ms = 1767225600000 + id * 1000;
    if (id % 3 != 0) r.account_id = 7;
    r.key_id = id % 2 == 0 ? "" : "0f8e6a2c-1111-4222-8333-444455556666";
    r.credential = id % 3 == 0 ? "none" : "service_key";
    r.ip = "192.0.2." + std::to_string(id);
    r.method = "GetSecretValue";
    r.args_json = R"({"application_id":"3","secret_name":"it's"})";
    r.touched_json = R"({"application_ids":[3]})";
    r.result_code = id % 3 == 0 ? 100 : 0;
    r.prev_hash = hash[chain][seq - 1];
    r.hash = ComputeAuditHash(r);
    hash[chain][seq] = r.hash;
    records.push_back(r);
  };
  // Chain 2's pruned records (seq 1, 2) are hashed but not stored.
  for (int64_t seq = 1; seq <= 2; ++seq) {
    make(100 + seq, 2, seq);
    records.pop_back();
  }
  const std::pair<int64_t, int64_t> order[] = {{1, 1}, {2, 3}, {1, 2}, {2, 4},
                                               {1, 3}, {1, 4}, {2, 5}};
  for (size_t i = 0; i < std::size(order); ++i) {
    make(static_cast<int64_t>(i) + 1, order[i].first, order[i].second);
  }
  std::string sql =
      "INSERT INTO audit_chains (chain_id, created_ms, label, head_seq, head_hash, pruned_seq, "
      "pruned_hash, pruned_at_ms) VALUES (1, 1767225600000, 'old:1', 4, " +
      quote(hash[1][4]) + ", 0, " + quote(std::string(kGenesisHash)) +
      ", 0), (2, 1767225600000, 'old:2', 5, " + quote(hash[2][5]) + ", 2, " + quote(hash[2][2]) +
      ", 1767225700000);";
  for (const store::AuditRecord& r : records) {
    sql +=
        "INSERT INTO audit_log (id, chain_id, seq, time_ms, account_id, key_id, credential, ip, "
        "method, args, touched, result_code, prev_hash, hash) VALUES (" +
        std::to_string(r.id) + ", " + std::to_string(r.chain_id) + ", " + std::to_string(r.seq) +
        ", " + std::to_string(r.time_ms) + ", " +
        (r.account_id ? std::to_string(*r.account_id) : std::string("NULL")) + ", " +
        quote(r.key_id) + ", " + quote(r.credential) + ", " + quote(r.ip) + ", " +
        quote(r.id == tamper_id ? std::string("DelSecret") : r.method) + ", " + quote(r.args_json) +
        ", " + quote(r.touched_json) + ", " + std::to_string(r.result_code) + ", " +
        quote(r.prev_hash) + ", " + quote(r.hash) + ");";
  }
  return sql;
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
