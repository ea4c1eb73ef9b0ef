// The PostgreSQL backend in bad weather: the database unreachable, down, silent, terminating
// sessions, holding locks; and the store's retries (serialization failures, lost sessions).
// The outages go through TcpProxy (pg_test_proxy.h), so no control of the server is needed.
//
// Needs a server: VOXSECRETS_TEST_PG_URL or PGHOST/PGPORT (see pg_test_util.h). Without one the
// tests skip, and fail under CI=true.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/postgres/pg_store.h"
#include "store/postgres/pg_store_fixture.h"
#include "store/postgres/pg_test_proxy.h"
#include "store/postgres/pg_test_util.h"
#include "tests/testing/store_conformance_internal.h"

namespace voxsecrets::store {
namespace {

using pgtest::TcpProxy;

int UnusedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

// An account with an application "app" holding secret "Db" (sealed by data key 1).
struct Seeded {
  int64_t account = 0;
  int64_t app = 0;
  int64_t secret = 0;

  // The hint of a GetSecretValue of that secret by names.
  ReadHint Hint() const {
    ReadHint hint;
    hint.account_id = account;
    hint.application_name = "app";
    hint.secret_name = "Db";
    hint.complete = true;
    return hint;
  }
};

Result<Seeded> Seed(Store& store) {
  Seeded seeded;
  Status written = store.Write([&](Tx& tx) -> Status {
    AccountRecord a;
    a.name = "a";
    VS_ASSIGN_OR_RETURN(seeded.account, tx.accounts().Insert(a));
    ApplicationRecord record;
    record.account_id = seeded.account;
    record.name = "app";
    VS_ASSIGN_OR_RETURN(seeded.app, tx.applications().Insert(record));
    VS_RETURN_IF_ERROR(tx.data_keys().Insert(DataKeyRecord{seeded.app, 1, "wk", 1, 0, 1}));
    VS_ASSIGN_OR_RETURN(seeded.secret,
                        tx.secrets().Insert(seeded.app, "Db", "", SealedValue{"sealed", 1}, 1));
    return Status::Ok();
  });
  if (!written.ok()) return written;
  return seeded;
}

// What a GetSecretValue-like read sees: the counter, the secret's blob and its data key.
struct Seen {
  int64_t iam_version = 0;
  std::string blob;
  std::string wrapped_key;
  bool operator==(const Seen&) const = default;
};

Status LookUpSecret(Tx& tx, const Seeded& seeded, Seen& seen) {
  VS_ASSIGN_OR_RETURN(seen.iam_version, tx.meta().IamVersion());
  VS_ASSIGN_OR_RETURN(std::optional<ApplicationRecord> app,
                      tx.applications().FindByName(seeded.account, "app"));
  if (!app.has_value() || app->id != seeded.app) return InternalError("application not found");
  VS_ASSIGN_OR_RETURN(std::optional<SecretRecord> secret, tx.secrets().FindByName(app->id, "Db"));
  if (!secret.has_value() || secret->info.id != seeded.secret) {
    return InternalError("secret not found");
  }
  seen.blob = secret->value.blob;
  VS_ASSIGN_OR_RETURN(std::optional<DataKeyRecord> key,
                      tx.data_keys().Find(app->id, secret->value.key_version));
  if (!key.has_value()) return InternalError("data key not found");
  seen.wrapped_key = key->wrapped_key;
  return Status::Ok();
}

TEST_F(PgStoreTest, LockWaitBeyondTheStatementTimeoutIsUnavailable) {
  PgOptions options = Options();
  options.statement_timeout_ms = 200;
  Store* store = OpenNode(options);
  ASSERT_NE(store, nullptr);
  VS_ASSERT_OK(PutMeta(*store, "k", "v1"));
  // Another session holds the row.
  VS_ASSERT_OK(schema().Exec("BEGIN"));
  VS_ASSERT_OK(schema().Exec("SELECT * FROM meta WHERE key = 'k' FOR UPDATE"));
  Status status = PutMeta(*store, "k", "v2");
  EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status.ToString();
  EXPECT_EQ(status.origin(), StatusOrigin::kStore);
  VS_ASSERT_OK(schema().Exec("ROLLBACK"));
  VS_EXPECT_OK(PutMeta(*store, "k", "v3"));
  Result<std::optional<std::string>> value = GetMeta(*store, "k");
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, std::optional<std::string>("v3"));
}

// ---- outages -----------------------------------------------------------------------------------

TEST_F(PgStoreTest, NothingListeningIsUnavailable) {
  if (schema_ == nullptr) return;
  PgOptions options = Options();
  options.url = schema().StoreUrl("voxsecrets-test", "127.0.0.1", std::to_string(UnusedPort()));
  options.connect_timeout_s = 1;
  Result<StorePtr> store = OpenPgStore(options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kUnavailable) << store.status().ToString();
  EXPECT_EQ(store.status().origin(), StatusOrigin::kStore);
}

TEST_F(PgStoreTest, TerminatedSessionsAreReplacedTransparently) {
  const std::string tag = "vs-terminate-" + schema().name();
  PgOptions options = Options(tag);
  options.pool_size = 2;
  Store* store = OpenNode(options);
  ASSERT_NE(store, nullptr);
  VS_ASSERT_OK(PutMeta(*store, "k", "v1"));

  // An administrator (or a failover) ends every session of the node.
  Result<int> terminated = schema().TerminateSessions(tag);
  ASSERT_TRUE(terminated.ok()) << terminated.status().ToString();
  EXPECT_GE(*terminated, 1);
  // The stale pooled session fails at BEGIN, before the callback ran: the store opens a new one
  // and runs the transaction there.
  Result<std::optional<std::string>> value = GetMeta(*store, "k");
  ASSERT_TRUE(value.ok()) << value.status().ToString();
  EXPECT_EQ(*value, std::optional<std::string>("v1"));

  terminated = schema().TerminateSessions(tag);
  ASSERT_TRUE(terminated.ok()) << terminated.status().ToString();
  VS_EXPECT_OK(PutMeta(*store, "k", "v2"));
  value = GetMeta(*store, "k");
  ASSERT_TRUE(value.ok()) << value.status().ToString();
  EXPECT_EQ(*value, std::optional<std::string>("v2"));
}

TEST_F(PgStoreTest, DatabaseDownIsUnavailableAndTheNodeRecovers) {
  Result<std::unique_ptr<TcpProxy>> proxy = TcpProxy::Start(schema().host(), schema().port());
  ASSERT_TRUE(proxy.ok()) << proxy.status().ToString();
  PgOptions options = Options();
  options.url = schema().StoreUrl("voxsecrets-test", "127.0.0.1", (*proxy)->port());
  options.connect_timeout_s = 1;
  options.pool_size = 2;
  Store* store = OpenNode(options);
  ASSERT_NE(store, nullptr);
  VS_ASSERT_OK(PutMeta(*store, "k", "v1"));

  (*proxy)->SetMode(TcpProxy::Mode::kRefuse);
  VS_EXPECT_CODE(GetMeta(*store, "k").status(), StatusCode::kUnavailable);
  VS_EXPECT_CODE(PutMeta(*store, "k", "lost"), StatusCode::kUnavailable);
  VS_EXPECT_CODE(store->SchemaVersion().status(), StatusCode::kUnavailable);
  // Still down: every call keeps failing the same way (no hang, no crash).
  VS_EXPECT_CODE(PutMeta(*store, "k", "lost"), StatusCode::kUnavailable);

  (*proxy)->SetMode(TcpProxy::Mode::kForward);
  VS_EXPECT_OK(PutMeta(*store, "k", "v2"));
  Result<std::optional<std::string>> value = GetMeta(*store, "k");
  ASSERT_TRUE(value.ok()) << value.status().ToString();
  EXPECT_EQ(*value, std::optional<std::string>("v2"));
}

TEST_F(PgStoreTest, SilentDatabaseIsUnavailableWithinTheDeadline) {
  Result<std::unique_ptr<TcpProxy>> proxy = TcpProxy::Start(schema().host(), schema().port());
  ASSERT_TRUE(proxy.ok()) << proxy.status().ToString();
  PgOptions options = Options();
  options.url = schema().StoreUrl("voxsecrets-test", "127.0.0.1", (*proxy)->port());
  options.connect_timeout_s = 1;
  options.statement_timeout_ms = 100;
  options.pool_size = 2;
  Store* store = OpenNode(options);
  ASSERT_NE(store, nullptr);
  VS_ASSERT_OK(PutMeta(*store, "k", "v1"));

  // The server stops answering (links stay open): the client-side deadline turns the wait into
  // kUnavailable, and the session is dropped.
  (*proxy)->SetMode(TcpProxy::Mode::kBlackhole);
  VS_EXPECT_CODE(GetMeta(*store, "k").status(), StatusCode::kUnavailable);

  (*proxy)->SetMode(TcpProxy::Mode::kForward);
  Result<std::optional<std::string>> value = GetMeta(*store, "k");
  ASSERT_TRUE(value.ok()) << value.status().ToString();
  EXPECT_EQ(*value, std::optional<std::string>("v1"));
}

// Tx::Prefetch: a read's first lookups (the identity change counter, an application, a secret in
// it, its data key) travel as one statement; after it the read needs the database no more, as a
// silent server shows.
TEST_F(PgStoreTest, PrefetchedLookupsNeedNoFurtherRoundTrip) {
  Result<std::unique_ptr<TcpProxy>> proxy = TcpProxy::Start(schema().host(), schema().port());
  ASSERT_TRUE(proxy.ok()) << proxy.status().ToString();
  PgOptions options = Options();
  options.url = schema().StoreUrl("voxsecrets-test", "127.0.0.1", (*proxy)->port());
  options.connect_timeout_s = 1;
  options.statement_timeout_ms = 100;  // a statement sent after all fails soon
  options.pool_size = 1;
  // The schema and the rows come from a node without that short timeout (a busy machine).
  Store* seeder = OpenNode();
  ASSERT_NE(seeder, nullptr);
  Result<Seeded> seeded = Seed(*seeder);
  ASSERT_TRUE(seeded.ok()) << seeded.status().ToString();
  Store* store = OpenNode(options);
  ASSERT_NE(store, nullptr);
  const int64_t account = seeded->account;
  const int64_t app = seeded->app;
  const int64_t secret = seeded->secret;

  Status status = store->Read([&](Tx& tx) -> Status {
    VS_RETURN_IF_ERROR(tx.Prefetch(seeded->Hint()));
    (*proxy)->SetMode(TcpProxy::Mode::kBlackhole);
    VS_ASSIGN_OR_RETURN(int64_t version, tx.meta().IamVersion());
    EXPECT_GT(version, 0);
    VS_ASSIGN_OR_RETURN(std::optional<ApplicationRecord> found_app,
                        tx.applications().FindByName(account, "app"));
    EXPECT_TRUE(found_app.has_value() && found_app->id == app);
    VS_ASSIGN_OR_RETURN(std::optional<SecretRecord> found_secret,
                        tx.secrets().FindByName(app, "Db"));
    EXPECT_TRUE(found_secret.has_value() && found_secret->info.id == secret &&
                found_secret->value.blob == "sealed");
    VS_ASSIGN_OR_RETURN(std::optional<DataKeyRecord> key, tx.data_keys().Find(app, 1));
    EXPECT_TRUE(key.has_value() && key->wrapped_key == "wk");
    return Status::Ok();
  });
  EXPECT_TRUE(status.ok()) << status.ToString();

  // The session held meanwhile is replaced; the store goes on.
  (*proxy)->SetMode(TcpProxy::Mode::kForward);
  VS_EXPECT_OK(store->Read(
      [&](Tx& tx) -> Status { return tx.applications().FindById(account, app).status(); }));
}

// Reads through a proxy that keeps what the node sends (one session), over Seed's rows.
class PgLoneReadTest : public PgStoreTest {
 protected:
  void OpenProxiedNode() {
    Result<std::unique_ptr<TcpProxy>> proxy = TcpProxy::Start(schema().host(), schema().port());
    ASSERT_TRUE(proxy.ok()) << proxy.status().ToString();
    proxy_ = std::move(proxy).value();
    PgOptions options = Options();
    options.url = schema().StoreUrl("voxsecrets-test", "127.0.0.1", proxy_->port());
    options.pool_size = 1;
    store_ = OpenNode(options);
    ASSERT_NE(store_, nullptr);
    Result<Seeded> seeded = Seed(*store_);
    ASSERT_TRUE(seeded.ok()) << seeded.status().ToString();
    seeded_ = *seeded;
  }

  std::unique_ptr<TcpProxy> proxy_;
  Store* store_ = nullptr;
  Seeded seeded_;
};

// A read that the prefetch answers entirely runs it as one statement on its own: no BEGIN, no
// COMMIT reach the server, and the callback runs once.
TEST_F(PgLoneReadTest, ReadAnsweredByThePrefetchSendsNoTransactionBlock) {
  ASSERT_NO_FATAL_FAILURE(OpenProxiedNode());
  Seen plain;
  VS_ASSERT_OK(store_->Read([&](Tx& tx) { return LookUpSecret(tx, seeded_, plain); }));
  VS_ASSERT_OK(store_->SchemaVersion().status());  // the plain read's COMMIT has gone out

  proxy_->ClearSent();
  int runs = 0;
  Seen hinted;
  VS_ASSERT_OK(store_->Read([&](Tx& tx) -> Status {
    ++runs;
    VS_RETURN_IF_ERROR(tx.Prefetch(seeded_.Hint()));
    return LookUpSecret(tx, seeded_, hinted);
  }));
  // Its answer comes after everything sent before it on the session (one session: pool_size 1).
  VS_ASSERT_OK(store_->SchemaVersion().status());
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(hinted, plain);
  EXPECT_EQ(hinted.blob, "sealed");
  EXPECT_EQ(proxy_->CountSent("BEGIN"), 0u);
  EXPECT_EQ(proxy_->CountSent("COMMIT"), 0u);
}

// A read that needs more than the prefetch answered is run again in a transaction, whatever its
// first run returned: the further lookup of the first run is never sent (it would read another
// snapshot), and the answer is the one a read without the hint gives.
TEST_F(PgLoneReadTest, ReadNeedingMoreThanThePrefetchRunsAgainInATransaction) {
  ASSERT_NO_FATAL_FAILURE(OpenProxiedNode());
  int64_t plain_count = -1;
  Seen plain;
  VS_ASSERT_OK(store_->Read([&](Tx& tx) -> Status {
    VS_RETURN_IF_ERROR(LookUpSecret(tx, seeded_, plain));
    VS_ASSIGN_OR_RETURN(Page<ApplicationRecord> page, tx.applications().List(seeded_.account, {}));
    plain_count = page.total_count;
    return Status::Ok();
  }));
  ASSERT_EQ(plain_count, 1);
  VS_ASSERT_OK(store_->SchemaVersion().status());

  proxy_->ClearSent();
  int runs = 0;
  std::vector<Status> listed;  // the List call's outcome in each run
  Seen hinted;
  int64_t hinted_count = -1;
  // The callback swallows the failure of its further lookup and returns OK: the store must not
  // take that run's answer.
  VS_ASSERT_OK(store_->Read([&](Tx& tx) -> Status {
    ++runs;
    hinted_count = -1;
    VS_RETURN_IF_ERROR(tx.Prefetch(seeded_.Hint()));
    VS_RETURN_IF_ERROR(LookUpSecret(tx, seeded_, hinted));
    Result<Page<ApplicationRecord>> page = tx.applications().List(seeded_.account, {});
    listed.push_back(page.status());
    if (page.ok()) hinted_count = page->total_count;
    return Status::Ok();
  }));
  VS_ASSERT_OK(store_->SchemaVersion().status());
  EXPECT_EQ(runs, 2);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_FALSE(listed[0].ok());
  VS_EXPECT_OK(listed[1]);
  EXPECT_EQ(hinted_count, plain_count);
  EXPECT_EQ(hinted, plain);
  // The re-run only: one BEGIN, one COMMIT.
  EXPECT_EQ(proxy_->CountSent("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"), 1u);
  EXPECT_EQ(proxy_->CountSent("COMMIT"), 1u);
}

// A pooled session the server ended meanwhile fails at the lone prefetch, before anything of the
// read happened: the store runs the read again on a new session.
TEST_F(PgStoreTest, SessionLostAtTheLonePrefetchIsReplacedTransparently) {
  const std::string tag = "vs-lost-prefetch-" + schema().name();
  PgOptions options = Options(tag);
  options.pool_size = 1;
  Store* store = OpenNode(options);
  ASSERT_NE(store, nullptr);
  Result<Seeded> seeded = Seed(*store);
  ASSERT_TRUE(seeded.ok()) << seeded.status().ToString();
  Result<int> terminated = schema().TerminateSessions(tag);
  ASSERT_TRUE(terminated.ok()) << terminated.status().ToString();
  EXPECT_GE(*terminated, 1);
  Seen seen;
  int runs = 0;
  Status status = store->Read([&](Tx& tx) -> Status {
    ++runs;
    VS_RETURN_IF_ERROR(tx.Prefetch(seeded->Hint()));
    return LookUpSecret(tx, *seeded, seen);
  });
  VS_EXPECT_OK(status);
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(seen.blob, "sealed");
}

// An audit append whose last statement carries the COMMIT (Tx::CommitWithNextStatement, what
// the audit committer's batches do): one COMMIT reaches the server, with that statement; what the
// callback tries after it is refused unsent; the records and the head are committed.
TEST_F(PgLoneReadTest, TheStatementCarryingTheCommitEndsTheTransaction) {
  ASSERT_NO_FATAL_FAILURE(OpenProxiedNode());
  int64_t chain = 0;
  VS_ASSERT_OK(store_->Write([&](Tx& tx) -> Status {
    AuditChainRecord record;
    record.label = "node-a";
    record.head_hash = std::string(64, '0');
    record.pruned_hash = std::string(64, '0');
    VS_ASSIGN_OR_RETURN(chain, tx.audit().InsertChain(record));
    return Status::Ok();
  }));
  proxy_->ClearSent();
  int runs = 0;
  Status after_commit;
  std::vector<int64_t> ids;
  VS_ASSERT_OK(store_->Write([&](Tx& tx) -> Status {
    ++runs;
    VS_ASSIGN_OR_RETURN(std::optional<AuditRepository::LockedChain> locked,
                        tx.audit().LockChainTakingIds(chain, 2));
    if (!locked.has_value()) return NotFound("no chain");
    ids = locked->ids;
    std::vector<AuditRecord> records(2);
    for (size_t i = 0; i < records.size(); ++i) {
      records[i].id = ids[i];
      records[i].chain_id = chain;
      records[i].seq = static_cast<int64_t>(i) + 1;
      records[i].credential = "service_key";
      records[i].hash = std::string(63, 'a') + static_cast<char>('0' + i);
    }
    tx.CommitWithNextStatement();
    Status appended = tx.audit().AppendToChain(chain, records, 2, records.back().hash);
    after_commit = tx.audit().ListChains().status();
    return appended;
  }));
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(after_commit.code(), StatusCode::kInternal) << after_commit.ToString();
  EXPECT_EQ(proxy_->CountSent("COMMIT"), 1u);
  EXPECT_EQ(proxy_->CountSent("ORDER BY chain_id"), 0u);  // ListChains never went out
  VS_ASSERT_OK(store_->Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::vector<AuditRecord> stored, tx.audit().ListChainAfter(chain, 0, 10));
    EXPECT_EQ(stored.size(), 2u);
    if (stored.size() == 2) {
      EXPECT_EQ(stored[1].id, ids[1]);
    }
    VS_ASSIGN_OR_RETURN(std::vector<AuditChainRecord> chains, tx.audit().ListChains());
    for (const AuditChainRecord& c : chains) {
      if (c.chain_id == chain) {
        EXPECT_EQ(c.head_seq, 2);
      }
    }
    return Status::Ok();
  }));
  // A word that no statement followed: the store's own COMMIT goes out once, and the word does
  // not outlive the transaction (the lease's release clears it): the session's next user (one
  // session: pool_size 1) sends its statements without one.
  VS_ASSERT_OK(store_->SchemaVersion().status());  // the read's COMMIT above has gone out
  proxy_->ClearSent();
  VS_ASSERT_OK(store_->Write([](Tx& tx) -> Status {
    VS_RETURN_IF_ERROR(tx.meta().Put("k", "v"));
    tx.CommitWithNextStatement();
    return Status::Ok();
  }));
  VS_ASSERT_OK(store_->SchemaVersion().status());
  EXPECT_EQ(proxy_->CountSent("COMMIT"), 1u);
}

// ---- retries -----------------------------------------------------------------------------------

// Also when the statement that fails is the one that carries the COMMIT
// (Tx::CommitWithNextStatement).
TEST_F(PgStoreTest, SerializationFailureReRunsTheCallback) {
  Store* store = OpenNode();
  ASSERT_NE(store, nullptr);
  for (const bool carries_commit : {false, true}) {
    SCOPED_TRACE(carries_commit ? "the failing statement carries the COMMIT" : "plain");
    VS_ASSERT_OK(store->Write([](Tx& tx) { return tx.meta().Put("k", "initial"); }));
    int runs = 0;
    Status status = store->Write([&](Tx& tx) -> Status {
      ++runs;
      VS_ASSIGN_OR_RETURN(std::optional<std::string> value, tx.meta().Get("k"));
      if (runs == 1) {
        // Another node changes the row after this transaction read it.
        VS_RETURN_IF_ERROR(schema().Exec("UPDATE meta SET value = 'other node' WHERE key = 'k'"));
      }
      if (carries_commit) tx.CommitWithNextStatement();
      return tx.meta().Put("k", "seen " + value.value_or("nothing"));
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    EXPECT_EQ(runs, 2);
    Result<std::string> value = schema().QueryValue("SELECT value FROM meta WHERE key = 'k'");
    ASSERT_TRUE(value.ok());
    EXPECT_EQ(*value, "seen other node");  // the re-run saw the other node's write
  }
}

TEST_F(PgStoreTest, SessionLostInsideAWriteReRunsIt) {
  const std::string tag = "vs-lost-write-" + schema().name();
  Store* store = OpenNode(Options(tag));
  ASSERT_NE(store, nullptr);
  int runs = 0;
  Status status = store->Write([&](Tx& tx) -> Status {
    ++runs;
    VS_RETURN_IF_ERROR(tx.meta().Put("first", "x"));
    if (runs == 1) {
      VS_RETURN_IF_ERROR(schema().TerminateSessions(tag).status());
    }
    return tx.meta().Put("second", "y");
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(runs, 2);
  Result<std::string> rows = schema().QueryValue("SELECT count(*) FROM meta");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, "2");
}

TEST_F(PgStoreTest, SessionLostInsideAReadIsUnavailableAndNotReRun) {
  // Store::Read promises one run of its callback; only a session lost before the callback
  // started is replaced silently.
  const std::string tag = "vs-lost-read-" + schema().name();
  Store* store = OpenNode(Options(tag));
  ASSERT_NE(store, nullptr);
  int runs = 0;
  Status status = store->Read([&](Tx& tx) -> Status {
    ++runs;
    VS_RETURN_IF_ERROR(tx.meta().Get("k").status());
    VS_RETURN_IF_ERROR(schema().TerminateSessions(tag).status());
    return tx.meta().Get("k").status();
  });
  EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status.ToString();
  EXPECT_EQ(runs, 1);
  VS_EXPECT_OK(store->Read([](Tx& tx) { return tx.meta().Get("k").status(); }));
}

}  // namespace
}  // namespace voxsecrets::store
