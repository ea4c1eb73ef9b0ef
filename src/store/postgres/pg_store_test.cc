// The PostgreSQL backend: the conformance suite (one fresh schema per test), plus what only a
// shared server shows: several nodes on one database, concurrent starts, schema refusal, and
// transaction behaviour particular to PostgreSQL. Outages and timeouts: pg_outage_test.cc.
//
// Needs a server: VOXSECRETS_TEST_PG_URL or PGHOST/PGPORT (see pg_test_util.h). Without one the
// tests skip, and fail under CI=true.
#include "store/postgres/pg_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_migrate.h"
#include "store/postgres/pg_store_fixture.h"
#include "store/postgres/pg_test_util.h"
#include "store/schema/postgres_migrations.h"
#include "store/schema/sqlite_migrations.h"
#include "tests/testing/store_conformance.h"
#include "tests/testing/store_conformance_internal.h"

namespace voxsecrets::store {
namespace {

INSTANTIATE_TEST_SUITE_P(Postgres, StoreConformanceTest,
                         ::testing::Values(StoreConformanceParam{"postgresql",
                                                                 pgtest::MakeTestPgStore}),
                         StoreConformanceParamName);

constexpr int64_t kNow = kPgTestNow;

// ---- schema ------------------------------------------------------------------------------------

TEST(PgSchemaTest, SameVersionsAsSqlite) {
  // Both backends number their migrations alike: version N means the same tables everywhere.
  EXPECT_EQ(kPostgresSchemaVersion, kSqliteSchemaVersion);
}

TEST_F(PgStoreTest, OpenMigratesAndReportsTheVersion) {
  Store* store = OpenNode();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->BackendName(), "postgresql");
  Result<int> version = store->SchemaVersion();
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  EXPECT_EQ(*version, kPostgresSchemaVersion);
  Result<std::string> rows = schema().QueryValue("SELECT count(*) FROM schema_version");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, std::to_string(kPostgresSchemaVersion));
  // The tables are in the test's schema, not in public.
  Result<std::string> where = schema().QueryValue(
      "SELECT table_schema FROM information_schema.tables WHERE table_name = 'secrets' "
      "AND table_schema = '" +
      schema().name() + "'");
  ASSERT_TRUE(where.ok());
  EXPECT_EQ(*where, schema().name());
}

TEST_F(PgStoreTest, ReopeningKeepsDataAndDoesNotMigrateAgain) {
  {
    Result<StorePtr> store = OpenPgStore(Options());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    VS_ASSERT_OK(PutMeta(**store, "marker", "kept"));
  }
  Store* reopened = OpenNode();
  ASSERT_NE(reopened, nullptr);
  Result<std::optional<std::string>> marker = GetMeta(*reopened, "marker");
  ASSERT_TRUE(marker.ok()) << marker.status().ToString();
  EXPECT_EQ(*marker, std::optional<std::string>("kept"));
  Result<std::string> rows = schema().QueryValue("SELECT count(*) FROM schema_version");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, std::to_string(kPostgresSchemaVersion));
}

TEST_F(PgStoreTest, RefusesADatabaseFromANewerBinary) {
  ASSERT_NE(OpenNode(), nullptr);
  stores_.clear();
  const int newer = kPostgresSchemaVersion + 1;
  VS_ASSERT_OK(schema().Exec("INSERT INTO schema_version (version, applied_at) VALUES (" +
                             std::to_string(newer) + ", 0)"));
  Result<StorePtr> store = OpenPgStore(Options());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kInternal);
  // The same words as the SQLite backend.
  EXPECT_EQ(store.status().message(), "database schema version " + std::to_string(newer) +
                                          " is newer than this voxsecrets (" +
                                          std::to_string(kPostgresSchemaVersion) +
                                          "); upgrade the binary");
  Result<std::string> max = schema().QueryValue("SELECT max(version) FROM schema_version");
  ASSERT_TRUE(max.ok());
  EXPECT_EQ(*max, std::to_string(newer));
}

TEST_F(PgStoreTest, MigratesAPopulatedDatabaseOfEveryEarlierVersion) {
  // Every migration applies on top of data written at the previous version, and the data stays.
  for (int from = 1; from < kPostgresSchemaVersion; ++from) {
    SCOPED_TRACE("from version " + std::to_string(from));
    Result<std::unique_ptr<pgtest::TestSchema>> fresh = pgtest::TestSchema::Create(server_url_);
    ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
    pgtest::TestSchema& old = **fresh;
    {
      pg::ConnectionSettings settings;
      settings.url = old.StoreUrl();
      Result<std::unique_ptr<pg::Connection>> conn = pg::Connection::Open(settings);
      ASSERT_TRUE(conn.ok()) << conn.status().ToString();
      VS_ASSERT_OK(pg::ApplyMigrations(
          **conn,
          std::span<const std::string_view>(kPostgresMigrations, static_cast<size_t>(from))));
    }
    VS_ASSERT_OK(old.Exec(
        "INSERT INTO accounts (name, created) VALUES ('acme', 1);"
        "INSERT INTO applications (account_id, name, created, modified) "
        "SELECT id, 'app', 1, 1 FROM accounts;"
        "INSERT INTO secrets (application_id, name, value, key_version, created, modified) "
        "SELECT id, 'Kept', '\\x00ff'::bytea, 1, 1, 1 FROM applications;"));
    Result<StorePtr> store = OpenPgStore(old.StoreOptions());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    Result<int> version = (*store)->SchemaVersion();
    ASSERT_TRUE(version.ok());
    EXPECT_EQ(*version, kPostgresSchemaVersion);
    VS_EXPECT_OK((*store)->Read([from](Tx& tx) -> Status {
      VS_ASSIGN_OR_RETURN(std::optional<AccountRecord> account, tx.accounts().FindByName("acme"));
      EXPECT_TRUE(account.has_value());
      if (!account) return Status::Ok();
      VS_ASSIGN_OR_RETURN(std::optional<ApplicationRecord> app,
                          tx.applications().FindByName(account->id, "app"));
      EXPECT_TRUE(app.has_value());
      if (!app) return Status::Ok();
      VS_ASSIGN_OR_RETURN(std::optional<SecretRecord> secret,
                          tx.secrets().FindByName(app->id, "Kept"));
      using std::string_literals::operator""s;
      EXPECT_TRUE(secret.has_value() && secret->value == (SealedValue{"\x00\xff"s, 1}));
      // A value stored before secret versions (version 5) is version 1, set when last modified;
      // one stored from version 5 on by this raw INSERT has the column's default time, 0.
      EXPECT_TRUE(secret.has_value() && secret->info.version == 1 &&
                  secret->info.version_created == (from < 5 ? 1 : 0));
      return Status::Ok();
    }));
    store.value().reset();  // close before the schema goes
  }
}

TEST_F(PgStoreTest, NodesStartingTogetherMigrateOnce) {
  constexpr int kNodes = 4;
  std::vector<Result<StorePtr>> results;
  results.reserve(kNodes);
  for (int i = 0; i < kNodes; ++i) results.emplace_back(Unavailable("not started"));
  std::barrier start(kNodes);
  std::vector<std::thread> threads;
  for (int i = 0; i < kNodes; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      results[static_cast<size_t>(i)] = OpenPgStore(Options());
    });
  }
  for (std::thread& t : threads) t.join();
  for (Result<StorePtr>& result : results) {
    EXPECT_TRUE(result.ok()) << result.status().ToString();
  }
  Result<std::string> rows = schema().QueryValue("SELECT count(*) FROM schema_version");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, std::to_string(kPostgresSchemaVersion));
}

// ---- several nodes on one database -------------------------------------------------------------

TEST_F(PgStoreTest, TwoNodesShareOneDatabase) {
  Store* a = OpenNode();
  Store* b = OpenNode();
  ASSERT_TRUE(a != nullptr && b != nullptr);
  int64_t app = AddApp(*a);
  ASSERT_GT(app, 0);
  int64_t secret = 0;
  VS_ASSERT_OK(a->Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(secret, tx.secrets().Insert(app, "S", "d", SealedValue{"v", 1}, kNow));
    return Status::Ok();
  }));
  VS_EXPECT_OK(b->Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::optional<SecretRecord> found, tx.secrets().FindByName(app, "S"));
    EXPECT_TRUE(found.has_value() && found->info.id == secret);
    EXPECT_TRUE(found.has_value() && found->value == (SealedValue{"v", 1}));
    return Status::Ok();
  }));
  VS_ASSERT_OK(b->Write([&](Tx& tx) -> Status {
    SecretUpdate update;
    update.description = "from b";
    return tx.secrets().Update(app, secret, update, kNow + 1).status();
  }));
  VS_EXPECT_OK(a->Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::optional<SecretRecord> found, tx.secrets().FindById(app, secret));
    EXPECT_TRUE(found.has_value() && found->info.description == "from b");
    return Status::Ok();
  }));
}

TEST_F(PgStoreTest, SameNameFromTwoNodesAtOnceIsInsertedOnce) {
  Store* nodes[2] = {OpenNode(), OpenNode()};
  ASSERT_TRUE(nodes[0] != nullptr && nodes[1] != nullptr);
  int64_t app = AddApp(*nodes[0]);
  ASSERT_GT(app, 0);
  constexpr int kRounds = 20;
  std::barrier start(2);
  std::vector<Status> results(2 * kRounds);
  std::vector<std::thread> threads;
  for (int n = 0; n < 2; ++n) {
    threads.emplace_back([&, n] {
      for (int round = 0; round < kRounds; ++round) {
        std::string name = "Name" + std::to_string(round);
        start.arrive_and_wait();
        results[2 * static_cast<size_t>(round) + static_cast<size_t>(n)] =
            nodes[n]->Write([&](Tx& tx) {
              return tx.secrets().Insert(app, name, "", SealedValue{"x", 1}, kNow).status();
            });
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int round = 0; round < kRounds; ++round) {
    const Status& first = results[2 * static_cast<size_t>(round)];
    const Status& second = results[2 * static_cast<size_t>(round) + 1];
    EXPECT_EQ(first.ok() + second.ok(), 1)
        << "round " << round << ": " << first.ToString() << " / " << second.ToString();
    const Status& loser = first.ok() ? second : first;
    EXPECT_EQ(loser.code(), StatusCode::kAlreadyExists) << loser.ToString();
  }
  Result<std::string> rows = schema().QueryValue(
      "SELECT count(*) FROM secrets WHERE application_id = " + std::to_string(app));
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, std::to_string(kRounds));
}

TEST_F(PgStoreTest, EncryptionCountersAddUpAcrossNodes) {
  Store* nodes[2] = {OpenNode(), OpenNode()};
  ASSERT_TRUE(nodes[0] != nullptr && nodes[1] != nullptr);
  int64_t app = AddApp(*nodes[0]);
  VS_ASSERT_OK(nodes[0]->Write([&](Tx& tx) {
    return tx.data_keys().Insert(DataKeyRecord{app, 1, "wk", 1, 0, kNow});
  }));
  constexpr int kThreadsPerNode = 2;
  constexpr int kAdds = 25;
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (Store* node : nodes) {
    for (int t = 0; t < kThreadsPerNode; ++t) {
      threads.emplace_back([&, node] {
        for (int i = 0; i < kAdds; ++i) {
          Status status = node->Write(
              [&](Tx& tx) { return tx.data_keys().AddEncryptions(app, 1, 1).status(); });
          if (!status.ok()) errors.fetch_add(1);
        }
      });
    }
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  Result<std::string> count = schema().QueryValue("SELECT encryptions FROM data_keys");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, std::to_string(2 * kThreadsPerNode * kAdds));
}

// What AddSecret does on a busy application: bump its data key's counter and insert a secret,
// from many threads of two nodes at once. Every transaction conflicts with every other on that
// row; none may give up (a run that lost four times runs alone in the cluster).
TEST_F(PgStoreTest, HotRowWritesFromTwoNodesAllCommit) {
  PgOptions options = Options();
  options.pool_size = 8;
  Store* nodes[2] = {OpenNode(options), OpenNode(options)};
  ASSERT_TRUE(nodes[0] != nullptr && nodes[1] != nullptr);
  int64_t app = AddApp(*nodes[0]);
  VS_ASSERT_OK(nodes[0]->Write([&](Tx& tx) {
    return tx.data_keys().Insert(DataKeyRecord{app, 1, "wk", 1, 0, kNow});
  }));
  constexpr int kThreadsPerNode = 8;
  constexpr int kWrites = 40;
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int n = 0; n < 2; ++n) {
    for (int t = 0; t < kThreadsPerNode; ++t) {
      threads.emplace_back([&, n, t] {
        for (int i = 0; i < kWrites; ++i) {
          const std::string name =
              "s" + std::to_string(n) + "_" + std::to_string(t) + "_" + std::to_string(i);
          Status status = nodes[n]->Write([&](Tx& tx) -> Status {
            VS_ASSIGN_OR_RETURN(auto taken, tx.secrets().FindByName(app, name));
            if (taken.has_value()) return InternalError("name taken");
            VS_RETURN_IF_ERROR(tx.data_keys().FindActive(app).status());
            VS_RETURN_IF_ERROR(tx.data_keys().AddEncryptions(app, 1, 1).status());
            return tx.secrets().Insert(app, name, "", SealedValue{"v", 1}, kNow).status();
          });
          if (!status.ok()) errors.fetch_add(1);
        }
      });
    }
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  const int total = 2 * kThreadsPerNode * kWrites;
  Result<std::string> count = schema().QueryValue("SELECT encryptions FROM data_keys");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, std::to_string(total));
  Result<std::string> secrets = schema().QueryValue("SELECT count(*) FROM secrets");
  ASSERT_TRUE(secrets.ok());
  EXPECT_EQ(*secrets, std::to_string(total));
}

TEST_F(PgStoreTest, CheckThenDeleteRunsOnceAcrossNodes) {
  // What DelSecret does: find the secret, then delete it, in one Write. Two nodes doing it at the
  // same time must not both report a deletion.
  Store* nodes[2] = {OpenNode(), OpenNode()};
  ASSERT_TRUE(nodes[0] != nullptr && nodes[1] != nullptr);
  int64_t app = AddApp(*nodes[0]);
  constexpr int kRounds = 10;
  std::vector<int64_t> ids;
  for (int round = 0; round < kRounds; ++round) {
    int64_t id = 0;
    VS_ASSERT_OK(nodes[0]->Write([&](Tx& tx) -> Status {
      VS_ASSIGN_OR_RETURN(
          id, tx.secrets().Insert(app, "S" + std::to_string(round), "", SealedValue{"x", 1}, kNow));
      return Status::Ok();
    }));
    ids.push_back(id);
  }
  std::barrier start(2);
  std::atomic<int> deleted{0};
  std::atomic<int> not_found{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (Store* node : nodes) {
    threads.emplace_back([&, node] {
      for (int round = 0; round < kRounds; ++round) {
        start.arrive_and_wait();
        bool found = false;
        Status status = node->Write([&](Tx& tx) -> Status {
          found = false;
          VS_ASSIGN_OR_RETURN(std::optional<SecretRecord> secret,
                              tx.secrets().FindById(app, ids[static_cast<size_t>(round)]));
          if (!secret) return Status::Ok();
          VS_ASSIGN_OR_RETURN(int64_t n, tx.secrets().Delete(app, {secret->info.id}));
          if (n != 1) return InternalError("found, then not deleted");
          found = true;
          return Status::Ok();
        });
        if (!status.ok()) {
          errors.fetch_add(1);
        } else if (found) {
          deleted.fetch_add(1);
        } else {
          not_found.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(deleted.load(), kRounds);
  EXPECT_EQ(not_found.load(), kRounds);
}

// ---- audit log ---------------------------------------------------------------------------------

TEST_F(PgStoreTest, AuditAppendsFromManyThreadsAndNodesKeepChainsGapFree) {
  // Every node appends to its own chain from several threads at once, the way the audit writer
  // does: lock the chain, take ids, insert, move the head, all in one Write.
  constexpr int kNodes = 2;
  constexpr int kThreads = 3;
  constexpr int kAppends = 10;
  Store* nodes[kNodes] = {OpenNode(), OpenNode()};
  ASSERT_TRUE(nodes[0] != nullptr && nodes[1] != nullptr);
  int64_t chains[kNodes] = {0, 0};
  for (int n = 0; n < kNodes; ++n) {
    VS_ASSERT_OK(nodes[n]->Write([&](Tx& tx) -> Status {
      AuditChainRecord chain;
      chain.label = "node-" + std::to_string(n);
      chain.head_hash = std::string(64, '0');
      chain.pruned_hash = std::string(64, '0');
      VS_ASSIGN_OR_RETURN(chains[n], tx.audit().InsertChain(chain));
      return Status::Ok();
    }));
  }
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int n = 0; n < kNodes; ++n) {
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, n] {
        for (int i = 0; i < kAppends; ++i) {
          Status status = nodes[n]->Write([&](Tx& tx) -> Status {
            VS_ASSIGN_OR_RETURN(std::optional<AuditChainRecord> chain,
                                tx.audit().LockChain(chains[n]));
            if (!chain) return NotFound("no chain");
            AuditRecord record;
            VS_ASSIGN_OR_RETURN(record.id, tx.audit().NextId());
            record.chain_id = chains[n];
            record.seq = chain->head_seq + 1;
            record.credential = "none";
            record.prev_hash = chain->head_hash;
            record.hash = std::string(64, 'a');
            VS_RETURN_IF_ERROR(tx.audit().Insert(record));
            return tx.audit().SetChainHead(chains[n], record.seq, record.hash);
          });
          if (!status.ok()) errors.fetch_add(1);
        }
      });
    }
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  VS_EXPECT_OK(nodes[1]->Read([&](Tx& tx) -> Status {
    for (int64_t chain : chains) {
      VS_ASSIGN_OR_RETURN(std::vector<AuditRecord> records,
                          tx.audit().ListChainAfter(chain, 0, 1000));
      EXPECT_EQ(records.size(), static_cast<size_t>(kThreads * kAppends));
      for (size_t i = 0; i < records.size(); ++i) {
        EXPECT_EQ(records[i].seq, static_cast<int64_t>(i + 1));  // gap-free
        if (i > 0) {
          EXPECT_GT(records[i].id, records[i - 1].id);  // ids grow with seq
        }
      }
    }
    return Status::Ok();
  }));
}

TEST_F(PgStoreTest, AuditIdsStayAboveAnIdGivenExplicitly) {
  Store* store = OpenNode();
  ASSERT_NE(store, nullptr);
  int64_t next = 0;
  VS_ASSERT_OK(store->Write([&](Tx& tx) -> Status {
    AuditRecord record;
    record.id = 1000;  // not from NextId
    record.chain_id = 1;
    record.seq = 1;
    record.credential = "none";
    record.prev_hash = record.hash = std::string(64, '0');
    VS_RETURN_IF_ERROR(tx.audit().Insert(record));
    VS_RETURN_IF_ERROR(tx.audit().DeleteChainThrough(1, 1).status());  // pruned at once
    VS_ASSIGN_OR_RETURN(next, tx.audit().NextId());
    return Status::Ok();
  }));
  EXPECT_GT(next, 1000);
}

// ---- transactions ------------------------------------------------------------------------------

TEST_F(PgStoreTest, ACallbackThatIgnoresAFailedStatementCannotCommit) {
  // PostgreSQL aborts the transaction at the first failed statement; the store returns that
  // error even when the callback returns OK, and commits nothing.
  Store* store = OpenNode();
  ASSERT_NE(store, nullptr);
  AddApp(*store);
  Status status = store->Write([](Tx& tx) -> Status {
    AccountRecord again;
    again.name = "acme";
    Status ignored = tx.accounts().Insert(again).status();
    EXPECT_EQ(ignored.code(), StatusCode::kAlreadyExists);
    (void)tx.meta().Put("after", "x");
    return Status::Ok();
  });
  EXPECT_EQ(status.code(), StatusCode::kAlreadyExists) << status.ToString();
  Result<std::optional<std::string>> value = GetMeta(*store, "after");
  ASSERT_TRUE(value.ok());
  EXPECT_FALSE(value->has_value());
}

TEST_F(PgStoreTest, ErrorMessagesDoNotQuoteValues) {
  Store* store = OpenNode();
  ASSERT_NE(store, nullptr);
  int64_t app = AddApp(*store);
  const std::string name = "Unmistakable_Secret_Name_42";
  ASSERT_TRUE(store
                  ->Write([&](Tx& tx) {
                    return tx.secrets().Insert(app, name, "", SealedValue{"x", 1}, kNow).status();
                  })
                  .ok());
  Status status = store->Write([&](Tx& tx) {
    return tx.secrets().Insert(app, name, "", SealedValue{"x", 1}, kNow).status();
  });
  EXPECT_EQ(status.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(status.message().find(name), std::string::npos) << status.message();
}

TEST_F(PgStoreTest, NulInTextIsAnErrorNotATruncation) {
  Store* store = OpenNode();
  ASSERT_NE(store, nullptr);
  using std::string_literals::operator""s;
  Status status = PutMeta(*store, "k", "before\0after"s);
  EXPECT_FALSE(status.ok());
  Result<std::optional<std::string>> value = GetMeta(*store, "k");
  ASSERT_TRUE(value.ok());
  EXPECT_FALSE(value->has_value());
}

TEST_F(PgStoreTest, ExhaustedPoolIsUnavailableNotAHang) {
  PgOptions options = Options();
  options.pool_size = 1;
  options.acquire_timeout_ms = 50;
  Store* store = OpenNode(options);
  ASSERT_NE(store, nullptr);
  Status inner;
  VS_EXPECT_OK(store->Read([&](Tx&) {
    inner = store->Read([](Tx&) { return Status::Ok(); });  // needs a second session
    return Status::Ok();
  }));
  EXPECT_EQ(inner.code(), StatusCode::kUnavailable) << inner.ToString();
  VS_EXPECT_OK(store->Read([](Tx&) { return Status::Ok(); }));  // the session came back
}

}  // namespace
}  // namespace voxsecrets::store
