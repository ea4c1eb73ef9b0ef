// PgStoreTest: the fixture of the PostgreSQL backend's own tests (pg_store_test.cc,
// pg_outage_test.cc). Each test gets a fresh schema on the test server (pg_test_util.h) and opens
// as many stores ("nodes") on it as it likes; they are closed before the schema is dropped.
// Without a configured server the tests skip (fail under CI=true).
#ifndef VOXSECRETS_STORE_POSTGRES_PG_STORE_FIXTURE_H_
#define VOXSECRETS_STORE_POSTGRES_PG_STORE_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/postgres/pg_store.h"
#include "store/postgres/pg_test_util.h"
#include "store/store.h"

namespace voxsecrets::store {

inline constexpr int64_t kPgTestNow = 1767225600;

class PgStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string url;
    if (!pgtest::RequireServer(&url)) return;
    server_url_ = url;
    Result<std::unique_ptr<pgtest::TestSchema>> schema = pgtest::TestSchema::Create(url);
    ASSERT_TRUE(schema.ok()) << schema.status().ToString();
    schema_ = std::move(schema).value();
  }

  // Closes every store before the schema is dropped.
  void TearDown() override { stores_.clear(); }

  pgtest::TestSchema& schema() { return *schema_; }

  PgOptions Options(std::string_view application_name = "voxsecrets-test") const {
    return schema_->StoreOptions(application_name);
  }

  // Opens a store (a "node") owned by the fixture; nullptr (and a test failure) when it fails.
  Store* OpenNode(const PgOptions& options) {
    Result<StorePtr> store = OpenPgStore(options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    if (!store.ok()) return nullptr;
    stores_.push_back(std::move(store).value());
    return stores_.back().get();
  }
  Store* OpenNode() { return OpenNode(Options()); }

  // Adds account "acme" with application "app"; returns the application id (0 on error).
  static int64_t AddApp(Store& store) {
    int64_t app_id = 0;
    Status status = store.Write([&](Tx& tx) -> Status {
      AccountRecord account;
      account.name = "acme";
      VS_ASSIGN_OR_RETURN(int64_t account_id, tx.accounts().Insert(account));
      ApplicationRecord app;
      app.account_id = account_id;
      app.name = "app";
      VS_ASSIGN_OR_RETURN(app_id, tx.applications().Insert(app));
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return app_id;
  }

  static Status PutMeta(Store& store, std::string_view key, std::string_view value) {
    return store.Write([&](Tx& tx) { return tx.meta().Put(key, value); });
  }

  static Result<std::optional<std::string>> GetMeta(Store& store, std::string_view key) {
    std::optional<std::string> value;
    VS_RETURN_IF_ERROR(store.Read([&](Tx& tx) -> Status {
      VS_ASSIGN_OR_RETURN(value, tx.meta().Get(key));
      return Status::Ok();
    }));
    return value;
  }

  std::string server_url_;
  std::unique_ptr<pgtest::TestSchema> schema_;
  std::vector<StorePtr> stores_;
};

// A TCP port on 127.0.0.1 with nothing listening (bound, then released).

}  // namespace voxsecrets::store

#endif  // VOXSECRETS_STORE_POSTGRES_PG_STORE_FIXTURE_H_
