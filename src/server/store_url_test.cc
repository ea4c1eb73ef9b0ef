#include "server/store_url.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "crypto/openssl_random.h"
#include "server/data_dir.h"
#include "store/postgres/pg_test_util.h"

namespace voxsecrets::server {
namespace {

namespace fs = std::filesystem;

TEST(StoreUrlTest, EmptyMeansSqliteInTheDataDir) {
  auto location = ParseStoreUrl("", "/var/lib/vs");
  ASSERT_TRUE(location.ok());
  EXPECT_EQ(location->kind, StoreKind::kSqlite);
  EXPECT_EQ(location->sqlite_path, "/var/lib/vs/voxsecrets.db");
}

TEST(StoreUrlTest, SqliteUrls) {
  auto absolute = ParseStoreUrl("sqlite:///srv/data/vs.db", "/d");
  ASSERT_TRUE(absolute.ok());
  EXPECT_EQ(absolute->kind, StoreKind::kSqlite);
  EXPECT_EQ(absolute->sqlite_path, "/srv/data/vs.db");

  auto relative = ParseStoreUrl("sqlite:data/vs.db", "/d");
  ASSERT_TRUE(relative.ok());
  EXPECT_EQ(relative->sqlite_path, "data/vs.db");

  auto bare = ParseStoreUrl("sqlite://", "/d");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->sqlite_path, "/d/voxsecrets.db");

  EXPECT_FALSE(ParseStoreUrl("sqlite://host/vs.db", "/d").ok());
  EXPECT_FALSE(ParseStoreUrl("sqlite:", "/d").ok());
}

TEST(StoreUrlTest, PostgresUrlsKeepLibpqParametersAndTakeOutOurs) {
  auto plain = ParseStoreUrl("postgresql://vs@db:5432/vs", "/d");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->kind, StoreKind::kPostgres);
  EXPECT_EQ(plain->pg_url, "postgresql://vs@db:5432/vs");
  EXPECT_EQ(plain->pg_pool_size, 4);

  auto tuned = ParseStoreUrl(
      "postgres://vs@db/vs?sslmode=require&pool_size=16&statement_timeout_ms=2500"
      "&acquire_timeout_ms=700&connect_timeout=3&options=-csearch_path%3Dvoxsecrets",
      "/d");
  ASSERT_TRUE(tuned.ok()) << tuned.status().ToString();
  EXPECT_EQ(tuned->kind, StoreKind::kPostgres);
  EXPECT_EQ(tuned->pg_url,
            "postgres://vs@db/vs?sslmode=require&options=-csearch_path%3Dvoxsecrets");
  EXPECT_EQ(tuned->pg_pool_size, 16);
  EXPECT_EQ(tuned->pg_statement_timeout_ms, 2500);
  EXPECT_EQ(tuned->pg_acquire_timeout_ms, 700);
  EXPECT_EQ(tuned->pg_connect_timeout_s, 3);

  auto only_ours = ParseStoreUrl("postgresql://db/vs?pool_size=2", "/d");
  ASSERT_TRUE(only_ours.ok());
  EXPECT_EQ(only_ours->pg_url, "postgresql://db/vs");
  EXPECT_EQ(only_ours->pg_pool_size, 2);
}

TEST(StoreUrlTest, BadValuesAndSchemesAreRefusedWithoutRepeatingThePassword) {
  for (const char* url :
       {"postgresql://vs:hunter2@db/vs?pool_size=0", "postgresql://vs:hunter2@db/vs?pool_size=many",
        "postgresql://vs:hunter2@db/vs?statement_timeout_ms=-1", "mysql://vs:hunter2@db/vs",
        "host=db password=hunter2"}) {
    auto location = ParseStoreUrl(url, "/d");
    ASSERT_FALSE(location.ok()) << url;
    EXPECT_EQ(location.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(location.status().message().find("hunter2"), std::string::npos);
  }
  EXPECT_NE(ParseStoreUrl("mysql://db/vs", "/d").status().message().find("'mysql'"),
            std::string::npos);
}

TEST(StoreUrlTest, RedactHidesPasswords) {
  EXPECT_EQ(RedactStoreUrl("postgresql://vs:hunter2@db:5432/vs"), "postgresql://vs:***@db:5432/vs");
  EXPECT_EQ(RedactStoreUrl("postgres://vs@db/vs?password=hunter2&sslmode=require"),
            "postgres://vs@db/vs?password=***&sslmode=require");
  EXPECT_EQ(RedactStoreUrl("postgresql://a:b@h1,h2:5433"), "postgresql://a:***@h1,h2:5433");
  EXPECT_EQ(RedactStoreUrl("postgresql://db"), "postgresql://db");
  EXPECT_EQ(RedactStoreUrl("sqlite:///x.db"), "sqlite:///x.db");
  EXPECT_EQ(RedactStoreUrl("host=db password=hunter2"), "(store URL)");
}

TEST(StoreUrlTest, OpensSqliteAtTheNamedPath) {
  char tmpl[] = "/tmp/vs-storeurl-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  auto store = OpenStoreByUrl("sqlite://" + dir + "/other.db", dir + "/unused");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->BackendName(), "sqlite");
  EXPECT_TRUE(fs::exists(dir + "/other.db"));
  store->reset();
  fs::remove_all(dir);
}

TEST(StoreUrlTest, UnreachablePostgresFailsFastWithoutThePassword) {
  // Port 1 on loopback: nothing listens, the connection is refused at once.
  auto store = OpenStoreByUrl("postgresql://vs:hunter2@127.0.0.1:1/vs?connect_timeout=2", "/d");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(store.status().message().find("hunter2"), std::string::npos);
  EXPECT_NE(store.status().message().find("vs:***@127.0.0.1:1"), std::string::npos)
      << store.status().message();
}

// OpenData against PostgreSQL: the data dir keeps only the node's files.
class PgDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string server;
    if (!store::pgtest::RequireServer(&server)) return;
    auto schema = store::pgtest::TestSchema::Create(server);
    ASSERT_TRUE(schema.ok()) << schema.status().ToString();
    schema_ = std::move(schema).value();
    auto db = schema_->QueryValue("SELECT current_database()");
    auto user = schema_->QueryValue("SELECT current_user");
    ASSERT_TRUE(db.ok() && user.ok());
    url_ = "postgresql:///" + *db + "?host=" + schema_->host() + "&port=" + schema_->port() +
           "&user=" + *user + "&options=-csearch_path%3D" + schema_->name() + "&pool_size=2";
    char tmpl[] = "/tmp/vs-pgdata-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override {
    if (!root_.empty()) fs::remove_all(root_);
  }

  Result<OpenedData> Open(const std::string& dir, bool create, MasterKeySource source = {}) {
    DataOptions options;
    options.data_dir = root_ + "/" + dir;
    options.store_url = url_;
    options.create = create;
    options.master_key = std::move(source);
    return OpenData(options, random_, clock_);
  }

  std::unique_ptr<store::pgtest::TestSchema> schema_;
  std::string url_;
  std::string root_;
  crypto::OpenSslRandom random_;
  FakeClock clock_;
};

TEST_F(PgDataTest, AdminCommandsRefuseAnEmptyDatabaseAndCreateNothing) {
  auto data = Open("admin", /*create=*/false);
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(data.status().message().find("no voxsecrets data"), std::string::npos)
      << data.status().message();
  auto tables =
      schema_->QueryValue("SELECT count(*) FROM information_schema.tables WHERE table_schema = '" +
                          schema_->name() + "'");
  ASSERT_TRUE(tables.ok());
  EXPECT_EQ(*tables, "0");
  EXPECT_FALSE(fs::exists(root_ + "/admin"));
}

TEST_F(PgDataTest, FirstNodeCreatesTheKeyOthersNeedTheSameKey) {
  auto first = Open("node1", /*create=*/true);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->created_database);
  EXPECT_EQ(first->store->BackendName(), "postgresql");
  EXPECT_NE(first->store_description.find("(postgresql)"), std::string::npos);
  EXPECT_FALSE(fs::exists(root_ + "/node1/voxsecrets.db"));  // no SQLite file beside it
  const std::string key_file = root_ + "/node1/master.key";
  ASSERT_TRUE(fs::exists(key_file));

  // A second node with its own data dir and no key: the database is not new, so no key is made
  // for it and it is refused.
  auto keyless = Open("node2", /*create=*/true);
  ASSERT_FALSE(keyless.ok());
  EXPECT_NE(keyless.status().message().find("master key"), std::string::npos);
  EXPECT_FALSE(fs::exists(root_ + "/node2/master.key"));

  // With the cluster's key it joins; the admin commands work too.
  MasterKeySource shared;
  shared.file = key_file;
  auto second = Open("node2", /*create=*/true, shared);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_FALSE(second->created_database);
  auto admin = Open("admin", /*create=*/false, shared);
  ASSERT_TRUE(admin.ok()) << admin.status().ToString();

  // Another key is refused.
  setenv("VS_TEST_OTHER_MASTER_KEY", std::string(64, 'd').c_str(), 1);
  MasterKeySource other;
  other.env = "VS_TEST_OTHER_MASTER_KEY";
  auto wrong = Open("node3", /*create=*/true, other);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("refused"), std::string::npos);
}

}  // namespace
}  // namespace voxsecrets::server
