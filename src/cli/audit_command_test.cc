#include "cli/audit_command.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdio>
#include <string>

#include "audit/audit_log.h"
#include "server/data_dir.h"
#include "store/sqlite/sqlite_test_util.h"

namespace voxsecrets::cli {
namespace {

// Captures what a command prints.
class Capture {
 public:
  Capture() : file_(std::tmpfile()) {}
  ~Capture() { std::fclose(file_); }
  std::FILE* file() { return file_; }
  std::string Text() {
    std::fflush(file_);
    std::rewind(file_);
    std::string text;
    char buf[4096];
    size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof(buf), file_)) > 0) text.append(buf, n);
    return text;
  }

 private:
  std::FILE* file_;
};

class AuditCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    Result<store::StorePtr> created = store::OpenSqliteStore({DbPath()});
    ASSERT_TRUE(created.ok());
    audit::AuditLogOptions options;
    options.group_commit = false;
    auto log = audit::AuditLog::Open(**created, options);
    ASSERT_TRUE(log.ok());
    for (int i = 0; i < 5; ++i) {
      audit::AuditEntry entry;
      entry.time_ms = 1767225600000 + i * 1000;
      entry.method = "GetSecretValue";
      entry.account_id = 1;
      ASSERT_TRUE((*log)->AppendDurable(entry).ok());
    }
  }
  std::string DbPath() { return server::DataDirPaths(dir_.path()).database; }
  store::StorePtr Open() {
    Result<store::StorePtr> store = OpenAuditStore(dir_.path());
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }
  void Tamper(const std::string& sql) {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(DbPath().c_str(), &raw), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(raw);
  }

  store::TempDir dir_;
};

TEST_F(AuditCommandTest, VerifyExitsZeroOnAnIntactLog) {
  store::StorePtr store = Open();
  ASSERT_NE(store, nullptr);
  Capture out, err;
  EXPECT_EQ(RunAuditVerify(*store, out.file(), err.file()), 0);
  EXPECT_EQ(out.Text(), "audit log intact: 1 chain(s), 5 record(s)\n");
}

TEST_F(AuditCommandTest, VerifyExitsNonZeroNamingTheFirstBrokenRecord) {
  Tamper("UPDATE audit_log SET method = 'DelSecret' WHERE seq = 3");
  store::StorePtr store = Open();
  ASSERT_NE(store, nullptr);
  Capture out, err;
  EXPECT_EQ(RunAuditVerify(*store, out.file(), err.file()), 1);
  const std::string text = out.Text();
  EXPECT_NE(text.find("audit log BROKEN"), std::string::npos) << text;
  EXPECT_NE(text.find("first broken record: 3 (chain 1, seq 3)"), std::string::npos) << text;
}

TEST_F(AuditCommandTest, VerifyNamesADeletedTail) {
  Tamper("DELETE FROM audit_log WHERE seq = 5");
  store::StorePtr store = Open();
  ASSERT_NE(store, nullptr);
  Capture out, err;
  EXPECT_EQ(RunAuditVerify(*store, out.file(), err.file()), 1);
  EXPECT_NE(out.Text().find("first broken link: chain 1, seq 5"), std::string::npos);
}

TEST_F(AuditCommandTest, AMissingDatabaseIsNotCreated) {
  store::TempDir empty;
  Result<store::StorePtr> store = OpenAuditStore(empty.path());
  EXPECT_EQ(store.status().code(), StatusCode::kNotFound);
  EXPECT_NE(store.status().message().find("no voxsecrets database"), std::string::npos);
}

TEST_F(AuditCommandTest, ExportWritesOneLinePerRecordAfterTheGivenId) {
  store::StorePtr store = Open();
  ASSERT_NE(store, nullptr);
  Capture all, tail, err;
  EXPECT_EQ(RunAuditExport(*store, 0, all.file(), err.file()), 0);
  EXPECT_EQ(RunAuditExport(*store, 3, tail.file(), err.file()), 0);
  const std::string text = all.Text();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 5);
  const std::string after = tail.Text();
  EXPECT_EQ(std::count(after.begin(), after.end(), '\n'), 2);
  EXPECT_EQ(after.rfind("{\"audit_log_id\":4,", 0), 0u) << after;
}

TEST_F(AuditCommandTest, PruneDeletesOldRecordsAndTheLogStillVerifies) {
  store::StorePtr store = Open();
  ASSERT_NE(store, nullptr);
  Capture out, err, verify;
  // "Now" is 1 day + 2.5 s after the first record: records at 0, 1 and 2 s are older than a day.
  const int64_t now = 1767225600000 + 24 * 3600 * 1000 + 2500;
  EXPECT_EQ(RunAuditPrune(*store, 1, now, out.file(), err.file()), 0);
  EXPECT_EQ(out.Text(), "pruned 3 record(s) from 1 chain(s)\n");
  EXPECT_EQ(RunAuditVerify(*store, verify.file(), err.file()), 0);
  EXPECT_EQ(verify.Text(), "audit log intact: 1 chain(s), 2 record(s)\n");
  EXPECT_EQ(RunAuditPrune(*store, 0, now, out.file(), err.file()), 2);
}

}  // namespace
}  // namespace voxsecrets::cli
