#include "server/name_index_merger.h"

#include <gtest/gtest.h>

#include <string>

#include "common/status.h"
#include "store/sqlite/sqlite_test_util.h"
#include "tests/testing/tx_helpers.h"

namespace voxsecrets::server {
namespace {

// Adds `n` secrets, each in its own write transaction (one index segment each on SQLite), and
// returns the application's id.
int64_t AddSecretsOneByOne(store::Store& store, int n) {
  int64_t app = 0;
  EXPECT_TRUE(store
                  .Write([&](store::Tx& tx) -> Status {
                    store::AccountRecord account;
                    account.name = "a";
                    account.created = 1;
                    VS_ASSIGN_OR_RETURN(int64_t account_id, tx.accounts().Insert(account));
                    store::ApplicationRecord record;
                    record.account_id = account_id;
                    record.name = "app";
                    record.created = record.modified = 1;
                    VS_ASSIGN_OR_RETURN(app, tx.applications().Insert(record));
                    return Status::Ok();
                  })
                  .ok());
  for (int i = 0; i < n; ++i) {
    EXPECT_TRUE(store
                    .Write([&](store::Tx& tx) -> Status {
                      return tx.secrets()
                          .Insert(app, "name_" + std::to_string(i), "", {"sealed", 1}, 1)
                          .status();
                    })
                    .ok());
  }
  return app;
}

TEST(NameIndexMergerTest, MergesAnIndexOfManySegmentsToOneThenRests) {
  store::StorePtr store = store::MakeTempSqliteStore();
  ASSERT_NE(store, nullptr);
  AddSecretsOneByOne(*store, 30);
  NameIndexMergerOptions options;
  options.background = false;
  options.pages_per_step = 1;  // several steps
  NameIndexMerger merger(*store, nullptr, options);
  Result<int64_t> steps = merger.RunOnce();
  ASSERT_TRUE(steps.ok()) << steps.status().message();
  EXPECT_GE(*steps, 1);
  // Merged to one segment: nothing to do now, nor after fewer new segments than max_segments.
  steps = merger.RunOnce();
  ASSERT_TRUE(steps.ok());
  EXPECT_EQ(*steps, 0);
  Result<int64_t> segments =
      store::InWrite(*store, [](store::Tx& tx) { return tx.secrets().MergeNameIndex(1, 1); });
  ASSERT_TRUE(segments.ok());
  EXPECT_EQ(*segments, 0);  // one segment: nothing above 1
}

TEST(NameIndexMergerTest, StopsAfterMaxStepsAndGoesOnAtTheNextRun) {
  store::StorePtr store = store::MakeTempSqliteStore();
  ASSERT_NE(store, nullptr);
  AddSecretsOneByOne(*store, 30);
  NameIndexMergerOptions options;
  options.background = false;
  options.pages_per_step = 1;
  options.max_steps = 1;
  NameIndexMerger merger(*store, nullptr, options);
  int64_t runs = 0;
  for (; runs < 1000; ++runs) {
    Result<int64_t> steps = merger.RunOnce();
    ASSERT_TRUE(steps.ok());
    ASSERT_LE(*steps, 1);
    if (*steps == 0) break;
  }
  EXPECT_GE(runs, 1);
  EXPECT_LT(runs, 1000);
}

}  // namespace
}  // namespace voxsecrets::server
