// Online backup and restore of a SQLite database (sqlite_backup.h): a consistent snapshot while a
// writer commits, restored into a new file that opens as a store with the same contents.
#include "store/sqlite/sqlite_backup.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_test_util.h"

namespace voxsecrets::store {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kNow = 1767225600;

class SqliteBackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    SqliteOptions options;
    options.path = dir_.File("live.db");
    auto store = OpenSqliteStore(options);
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store).value();
    ASSERT_TRUE(store_
                    ->Write([&](Tx& tx) -> Status {
                      AccountRecord account;
                      account.name = "acme";
                      account.created = kNow;
                      VS_ASSIGN_OR_RETURN(account_, tx.accounts().Insert(account));
                      ApplicationRecord app;
                      app.account_id = account_;
                      app.name = "app";
                      app.created = app.modified = kNow;
                      VS_ASSIGN_OR_RETURN(app_, tx.applications().Insert(app));
                      return Status::Ok();
                    })
                    .ok());
  }

  // Adds secret "s<i>" with the sealed value "blob-<i>".
  static Status AddSecret(Store& store, int64_t app, int i) {
    return store.Write([&](Tx& tx) -> Status {
      return tx.secrets()
          .Insert(app, "s" + std::to_string(i), "", SealedValue{"blob-" + std::to_string(i), 1},
                  kNow)
          .status();
    });
  }

  static Result<std::vector<SecretRecord>> Secrets(Store& store, int64_t app) {
    std::vector<SecretRecord> out;
    VS_RETURN_IF_ERROR(store.Read([&](Tx& tx) -> Status {
      VS_ASSIGN_OR_RETURN(out, tx.secrets().ListSealed(app));
      return Status::Ok();
    }));
    return out;
  }

  static uint32_t Mode(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 0777) : 0;
  }

  TempDir dir_;
  StorePtr store_;
  int64_t account_ = 0;
  int64_t app_ = 0;
};

TEST_F(SqliteBackupTest, SnapshotWhileAWriterCommitsIsConsistentAndRestores) {
  std::atomic<int> committed{0};
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop.load(); ++i) {
      if (!AddSecret(*store_, app_, i).ok()) return;
      committed.store(i + 1);
    }
  });
  while (committed.load() < 50) std::this_thread::yield();
  const int before = committed.load();
  auto info = BackupSqliteDatabase(dir_.File("live.db"), dir_.File("backup.db"));
  const int after = committed.load();
  while (committed.load() < after + 20) std::this_thread::yield();  // keeps writing after it
  stop = true;
  writer.join();
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(Mode(dir_.File("backup.db")), 0600u);
  EXPECT_GE(info->secrets, before);
  EXPECT_LE(info->secrets, after);
  EXPECT_EQ(info->accounts, 1);
  EXPECT_EQ(info->applications, 1);
  EXPECT_GT(info->bytes, 0);

  auto restored_info = RestoreSqliteDatabase(dir_.File("backup.db"), dir_.File("restored.db"));
  ASSERT_TRUE(restored_info.ok()) << restored_info.status().message();
  EXPECT_EQ(restored_info->secrets, info->secrets);
  EXPECT_EQ(Mode(dir_.File("restored.db")), 0600u);
  SqliteOptions options;
  options.path = dir_.File("restored.db");
  auto restored = OpenSqliteStore(options);
  ASSERT_TRUE(restored.ok()) << restored.status().message();
  auto got = Secrets(**restored, app_);
  ASSERT_TRUE(got.ok());
  // A prefix of what was written, with the same ids and sealed values: no gap, nothing torn.
  ASSERT_EQ(static_cast<int64_t>(got->size()), info->secrets);
  auto live = Secrets(*store_, app_);
  ASSERT_TRUE(live.ok());
  for (size_t i = 0; i < got->size(); ++i) {
    EXPECT_EQ((*got)[i].info.id, (*live)[i].info.id);
    EXPECT_EQ((*got)[i].info.name, "s" + std::to_string(i));
    EXPECT_EQ((*got)[i].value, (*live)[i].value);
  }
  // Ids go on after the highest one ever used, as in the original.
  ASSERT_TRUE(AddSecret(**restored, app_, 100000).ok());
  auto more = Secrets(**restored, app_);
  ASSERT_TRUE(more.ok());
  EXPECT_GT(more->back().info.id, got->empty() ? 0 : got->back().info.id);
}

TEST_F(SqliteBackupTest, NeverOverwritesAndLeavesNothingBehindOnFailure) {
  ASSERT_TRUE(BackupSqliteDatabase(dir_.File("live.db"), dir_.File("b.db")).ok());
  auto again = BackupSqliteDatabase(dir_.File("live.db"), dir_.File("b.db"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);

  auto missing = BackupSqliteDatabase(dir_.File("nope.db"), dir_.File("c.db"));
  ASSERT_FALSE(missing.ok());
  EXPECT_FALSE(std::ifstream(dir_.File("nope.db")).good()) << "no database may be created";
  EXPECT_FALSE(std::ifstream(dir_.File("c.db")).good());

  ASSERT_TRUE(RestoreSqliteDatabase(dir_.File("b.db"), dir_.File("r.db")).ok());
  auto twice = RestoreSqliteDatabase(dir_.File("b.db"), dir_.File("r.db"));
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().code(), StatusCode::kAlreadyExists);
}

TEST_F(SqliteBackupTest, RestoreRefusesWhatIsNotASoundVoxsecretsDatabase) {
  {
    std::ofstream out(dir_.File("junk.db"));
    out << "this is not a database";
  }
  auto junk = RestoreSqliteDatabase(dir_.File("junk.db"), dir_.File("r1.db"));
  ASSERT_FALSE(junk.ok());
  EXPECT_EQ(junk.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::ifstream(dir_.File("r1.db")).good());
  EXPECT_FALSE(std::ifstream(dir_.File("r1.db.partial")).good());

  // A SQLite database of something else.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dir_.File("other.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(db, "CREATE TABLE t (x); INSERT INTO t VALUES (1);", nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(db);
  auto other = RestoreSqliteDatabase(dir_.File("other.db"), dir_.File("r2.db"));
  ASSERT_FALSE(other.ok());
  EXPECT_THAT(other.status().message(), HasSubstr("not a voxsecrets database"));
  EXPECT_FALSE(std::ifstream(dir_.File("r2.db")).good());

  // A damaged backup (cut short): integrity_check or the open refuses it.
  ASSERT_TRUE(BackupSqliteDatabase(dir_.File("live.db"), dir_.File("cut.db")).ok());
  ASSERT_EQ(::truncate(dir_.File("cut.db").c_str(), 4096), 0);
  auto damaged = RestoreSqliteDatabase(dir_.File("cut.db"), dir_.File("r3.db"));
  ASSERT_FALSE(damaged.ok());
  EXPECT_EQ(damaged.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::ifstream(dir_.File("r3.db")).good());
}

}  // namespace
}  // namespace voxsecrets::store
