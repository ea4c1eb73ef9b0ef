// The audit chain with several nodes on one PostgreSQL: two stores (two nodes, each with its own
// session pool and its own AuditLog) append concurrently, durable and in-transaction; every chain
// verifies from a third node; an edit through an admin session is named. Skips without a test
// server (see store/postgres/pg_test_util.h; under CI=true it fails instead).
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "audit/audit_log.h"
#include "audit/audit_migrate_test_util.h"
#include "audit/audit_test_util.h"
#include "audit/audit_verify.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_migrate.h"
#include "store/postgres/pg_store.h"
#include "store/postgres/pg_test_util.h"
#include "store/schema/postgres_migrations.h"

namespace voxsecrets::audit {
namespace {

TEST(AuditPostgresTest, TwoNodesWriteConcurrentlyAndEveryChainVerifies) {
  std::string url;
  if (!store::pgtest::RequireServer(&url)) return;
  auto schema = store::pgtest::TestSchema::Create(url);
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  std::vector<store::StorePtr> nodes;
  for (int i = 0; i < 3; ++i) {
    auto store = store::OpenPgStore((*schema)->StoreOptions("audit-node-" + std::to_string(i)));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    nodes.push_back(std::move(store).value());
  }
  std::vector<std::unique_ptr<AuditLog>> logs;
  for (int i = 0; i < 2; ++i) {
    AuditLogOptions options;
    options.label = "node-" + std::to_string(i);
    auto log = AuditLog::Open(*nodes[i], options);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    logs.push_back(std::move(log).value());
  }
  EXPECT_EQ(logs[0]->chain_id(), 1);
  EXPECT_EQ(logs[1]->chain_id(), 2);

  constexpr int kThreadsPerNode = 4;
  constexpr int kPerThread = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int node = 0; node < 2; ++node) {
    for (int t = 0; t < kThreadsPerNode; ++t) {
      threads.emplace_back([&, node, t] {
        for (int i = 0; i < kPerThread; ++i) {
          const AuditEntry entry = TestEntry(node * 10000 + t * 100 + i);
          Status status;
          if (i % 3 == 0) {
            store::AuditRecord record;
            status = nodes[node]->Write([&](store::Tx& tx) -> Status {
              VS_ASSIGN_OR_RETURN(record, logs[node]->AppendInTransaction(tx, entry));
              return Status::Ok();
            });
            if (status.ok()) logs[node]->Committed(record);
          } else {
            status = logs[node]->AppendDurable(entry);
          }
          if (!status.ok()) failures.fetch_add(1);
        }
      });
    }
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);

  Result<VerifyReport> report = VerifyAuditChain(*nodes[2]);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->chains, 2);
  EXPECT_EQ(report->records, 2 * kThreadsPerNode * kPerThread);

  // An intruder with SQL access edits one record of node 1's chain.
  Result<std::string> victim =
      (*schema)->QueryValue("SELECT id FROM audit_log WHERE chain_id = 2 AND seq = 7");
  ASSERT_TRUE(victim.ok());
  ASSERT_TRUE((*schema)->Exec("UPDATE audit_log SET ip = '10.6.6.6' WHERE id = " + *victim).ok());
  report = VerifyAuditChain(*nodes[2]);
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->record_id, std::stoll(*victim));

  logs.clear();
  nodes.clear();
}

// Schema version 6 stopped storing prev_hash (audit_migrate_test.cc is the SQLite twin): a log
// written at version 5, untouched or with one record edited, migrates; the untouched one reads
// back as stored and verifies, the edited record is still named.
TEST(AuditPostgresTest, AnOldLogMigratesAndKeepsVerifying) {
  std::string url;
  if (!store::pgtest::RequireServer(&url)) return;
  for (int64_t tampered : {0, 4}) {
    SCOPED_TRACE("tampered record " + std::to_string(tampered));
    auto schema = store::pgtest::TestSchema::Create(url);
    ASSERT_TRUE(schema.ok()) << schema.status().ToString();
    {
      store::pg::ConnectionSettings settings;
      settings.url = (*schema)->StoreUrl();
      auto conn = store::pg::Connection::Open(settings);
      ASSERT_TRUE(conn.ok()) << conn.status().ToString();
      ASSERT_TRUE(store::pg::ApplyMigrations(
                      **conn, std::span<const std::string_view>(store::kPostgresMigrations, 5))
                      .ok());
    }
    std::vector<store::AuditRecord> old;
    // The old writer numbered ids from the identity's sequence; these ids were given directly.
    ASSERT_TRUE(
        (*schema)
            ->Exec(OldSchemaAuditLogSql(old, tampered) + "SELECT setval('audit_log_id_seq', 7);")
            .ok());
    auto store = store::OpenPgStore((*schema)->StoreOptions());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    if (tampered == 0) {
      ExpectOldLogMigrated(**store, old);
    } else {
      Result<VerifyReport> report = VerifyAuditChain(**store);
      ASSERT_TRUE(report.ok()) << report.status().ToString();
      EXPECT_FALSE(report->ok);
      EXPECT_EQ(report->record_id, tampered) << report->problem;
    }
    store.value().reset();  // close before the schema goes
  }
}

}  // namespace
}  // namespace voxsecrets::audit
