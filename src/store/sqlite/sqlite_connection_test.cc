// Connection, Statement and the error mapping.
#include "store/sqlite/sqlite_connection.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "store/sqlite/sqlite_error.h"
#include "store/sqlite/sqlite_test_util.h"

namespace voxsecrets::store::sqlite {
namespace {

using std::string_literals::operator""s;

class SqliteConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    Result<std::unique_ptr<Connection>> conn =
        Connection::Open(dir_.File("c.db"), Connection::Mode::kReadWrite, 1000);
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    conn_ = std::move(conn).value();
    ASSERT_TRUE(conn_
                    ->Exec("CREATE TABLE t (k TEXT PRIMARY KEY, v BLOB NOT NULL, n INTEGER) "
                           "STRICT; CREATE TABLE u (k TEXT UNIQUE NOT NULL) STRICT;")
                    .ok());
  }

  TempDir dir_;
  std::unique_ptr<Connection> conn_;
};

TEST_F(SqliteConnectionTest, PreparedStatementsAreCachedAndReset) {
  Statement* first = nullptr;
  {
    Result<StatementLease> stmt = conn_->Prepare("INSERT INTO t (k, v) VALUES (?1, ?2)");
    ASSERT_TRUE(stmt.ok());
    first = &**stmt;
    (*stmt)->BindText(1, "a");
    (*stmt)->BindBlob(2, "x");
    ASSERT_TRUE((*stmt)->Run().ok());
  }
  {
    Result<StatementLease> stmt = conn_->Prepare("INSERT INTO t (k, v) VALUES (?1, ?2)");
    ASSERT_TRUE(stmt.ok());
    EXPECT_EQ(&**stmt, first);  // the same prepared statement, reset and unbound
    (*stmt)->BindText(1, "b");
    (*stmt)->BindBlob(2, "y");
    ASSERT_TRUE((*stmt)->Run().ok());
    // While it is leased, the same SQL gets a one-off statement.
    Result<StatementLease> again = conn_->Prepare("INSERT INTO t (k, v) VALUES (?1, ?2)");
    ASSERT_TRUE(again.ok());
    EXPECT_NE(&**again, first);
  }
  EXPECT_EQ(conn_->QueryText("SELECT count(*) FROM t").value(), "2");
}

// The statement cache looks a text up by its address first: a buffer that held one SQL text and
// then another gets the second text's statement, a shorter text at the same address its own, and
// the same text at another address the statement it already has.
TEST_F(SqliteConnectionTest, TheStatementCacheFollowsTheTextNotItsAddress) {
  auto run = [&](std::string_view text, Statement** used = nullptr) -> int64_t {
    Result<StatementLease> stmt = conn_->Prepare(text);
    EXPECT_TRUE(stmt.ok()) << stmt.status().ToString();
    if (!stmt.ok()) return -1;
    if (used != nullptr) *used = &**stmt;
    Result<bool> row = (*stmt)->Step();
    EXPECT_TRUE(row.ok() && *row);
    return (*stmt)->ColumnInt64(0);
  };
  std::string buffer = "SELECT 12";
  const char* address = buffer.data();
  Statement* twelve = nullptr;
  EXPECT_EQ(run(buffer, &twelve), 12);
  EXPECT_EQ(run(std::string_view(buffer).substr(0, 8)), 1);  // "SELECT 1" at the same address
  buffer.replace(7, 2, "34");
  ASSERT_EQ(buffer.data(), address);
  EXPECT_EQ(run(buffer), 34);
  const std::string elsewhere = "SELECT 12";
  ASSERT_NE(elsewhere.data(), address);
  Statement* again = nullptr;
  EXPECT_EQ(run(elsewhere, &again), 12);
  EXPECT_EQ(again, twelve);
}

TEST_F(SqliteConnectionTest, EmptyAndBinaryValuesRoundTrip) {
  const std::string binary = "\x00\x01\xff\x00z"s;
  {
    Result<StatementLease> stmt = conn_->Prepare("INSERT INTO t (k, v) VALUES (?1, ?2)");
    ASSERT_TRUE(stmt.ok());
    (*stmt)->BindText(1, std::string_view());  // empty, not NULL
    (*stmt)->BindBlob(2, std::string_view());
    Status status = (*stmt)->Run();
    ASSERT_TRUE(status.ok()) << status.ToString();
  }
  {
    Result<StatementLease> stmt = conn_->Prepare("INSERT INTO t (k, v) VALUES (?1, ?2)");
    ASSERT_TRUE(stmt.ok());
    (*stmt)->BindText(1, "bin");
    (*stmt)->BindBlob(2, binary);
    ASSERT_TRUE((*stmt)->Run().ok());
  }
  Result<StatementLease> stmt = conn_->Prepare("SELECT k, v, n FROM t ORDER BY k");
  ASSERT_TRUE(stmt.ok());
  ASSERT_TRUE((*stmt)->Step().value());
  EXPECT_EQ((*stmt)->ColumnText(0), "");
  EXPECT_FALSE((*stmt)->ColumnIsNull(0));
  EXPECT_EQ((*stmt)->ColumnBlob(1), "");
  EXPECT_FALSE((*stmt)->ColumnIsNull(1));
  EXPECT_TRUE((*stmt)->ColumnIsNull(2));
  EXPECT_EQ((*stmt)->ColumnOptionalInt64(2), std::nullopt);
  ASSERT_TRUE((*stmt)->Step().value());
  EXPECT_TRUE((*stmt)->ColumnBlob(1) == binary);
  EXPECT_FALSE((*stmt)->Step().value());
}

TEST_F(SqliteConnectionTest, ConstraintErrorsMapToAlreadyExistsWithoutValues) {
  for (const char* sql : {"INSERT INTO t (k, v) VALUES (?1, x'00')", "INSERT INTO u VALUES (?1)"}) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      Result<StatementLease> stmt = conn_->Prepare(sql);
      ASSERT_TRUE(stmt.ok());
      (*stmt)->BindText(1, "value-that-must-not-leak");
      Status status = (*stmt)->Run();
      if (attempt == 0) {
        ASSERT_TRUE(status.ok()) << status.ToString();
      } else {
        EXPECT_EQ(status.code(), StatusCode::kAlreadyExists) << sql;
        EXPECT_EQ(status.message().find("value-that-must-not-leak"), std::string::npos);
      }
    }
  }
}

TEST_F(SqliteConnectionTest, OtherErrorsAreInternal) {
  Result<StatementLease> stmt = conn_->Prepare("INSERT INTO t (k, v) VALUES (?1, NULL)");
  ASSERT_TRUE(stmt.ok());
  (*stmt)->BindText(1, "k");
  EXPECT_EQ((*stmt)->Run().code(), StatusCode::kInternal);  // NOT NULL

  Result<StatementLease> bad = conn_->Prepare("SELEC nonsense");
  EXPECT_EQ(bad.status().code(), StatusCode::kInternal);
  EXPECT_EQ(conn_->Prepare("SELECT 1; SELECT 2").status().code(), StatusCode::kInternal);

  // A bind to a parameter that does not exist is reported by Step.
  Result<StatementLease> select = conn_->Prepare("SELECT ?1");
  ASSERT_TRUE(select.ok());
  (*select)->BindInt64(5, 1);
  EXPECT_EQ((*select)->Step().status().code(), StatusCode::kInternal);
}

TEST_F(SqliteConnectionTest, ReadOnlyConnectionRefusesWrites) {
  Result<std::unique_ptr<Connection>> reader =
      Connection::Open(dir_.File("c.db"), Connection::Mode::kReadOnly, 1000);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_FALSE((*reader)->Exec("INSERT INTO u VALUES ('x')").ok());
  EXPECT_EQ((*reader)->QueryText("SELECT count(*) FROM u").value(), "0");
}

TEST_F(SqliteConnectionTest, PragmasApplyOnEveryConnection) {
  Result<std::unique_ptr<Connection>> reader =
      Connection::Open(dir_.File("c.db"), Connection::Mode::kReadOnly, 1000);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  for (Connection* conn : {conn_.get(), reader->get()}) {
    EXPECT_EQ(conn->QueryText("PRAGMA foreign_keys").value(), "1");
    EXPECT_EQ(conn->QueryText("PRAGMA synchronous").value(), "2");  // FULL
    EXPECT_EQ(conn->QueryText("PRAGMA secure_delete").value(), "1");
  }
}

TEST_F(SqliteConnectionTest, TransactionsCommitAndRollBack) {
  ASSERT_TRUE(conn_->Begin(/*immediate=*/true).ok());
  EXPECT_TRUE(conn_->InTransaction());
  ASSERT_TRUE(conn_->Exec("INSERT INTO u VALUES ('gone')").ok());
  conn_->RollbackIfActive();
  EXPECT_FALSE(conn_->InTransaction());
  conn_->RollbackIfActive();  // a no-op without a transaction
  ASSERT_TRUE(conn_->Begin(/*immediate=*/false).ok());
  ASSERT_TRUE(conn_->Exec("INSERT INTO u VALUES ('kept')").ok());
  EXPECT_EQ(conn_->Changes(), 1);
  ASSERT_TRUE(conn_->Commit().ok());
  EXPECT_EQ(conn_->QueryText("SELECT group_concat(k) FROM u").value(), "kept");
}

TEST_F(SqliteConnectionTest, AWriteWaitsForALockAnotherConnectionReleases) {
  Result<std::unique_ptr<Connection>> other =
      Connection::Open(dir_.File("c.db"), Connection::Mode::kReadWrite, 1000);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  ASSERT_TRUE((*other)->Begin(/*immediate=*/true).ok());
  std::atomic<bool> waiting{false};
  std::thread holder([&] {
    while (!waiting.load()) std::this_thread::yield();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    (*other)->RollbackIfActive();
  });
  waiting.store(true);
  const Status begin = conn_->Begin(/*immediate=*/true);  // retried until the holder lets go
  holder.join();
  ASSERT_TRUE(begin.ok()) << begin.ToString();
  EXPECT_TRUE(conn_->Commit().ok());
}

TEST_F(SqliteConnectionTest, AWriteGivesUpAfterTheBusyTimeout) {
  Result<std::unique_ptr<Connection>> other =
      Connection::Open(dir_.File("c.db"), Connection::Mode::kReadWrite, 1000);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  Result<std::unique_ptr<Connection>> impatient =
      Connection::Open(dir_.File("c.db"), Connection::Mode::kReadWrite, 10);
  ASSERT_TRUE(impatient.ok()) << impatient.status().ToString();
  ASSERT_TRUE((*other)->Begin(/*immediate=*/true).ok());
  const Status begin = (*impatient)->Begin(/*immediate=*/true);
  EXPECT_EQ(begin.code(), StatusCode::kUnavailable) << begin.ToString();
  (*other)->RollbackIfActive();
}

TEST(SqliteErrorTest, ErrorsCarryTheStoreOrigin) {
  const Status busy = SqliteError(SQLITE_BUSY, nullptr, "step");
  EXPECT_EQ(busy.code(), StatusCode::kUnavailable);
  EXPECT_EQ(busy.origin(), StatusOrigin::kStore);
  EXPECT_EQ(busy.message(), "sqlite: step: database is locked (code 5)");
}

TEST(SqliteErrorTest, MapsCodes) {
  EXPECT_EQ(StatusCodeForSqlite(SQLITE_CONSTRAINT_UNIQUE), StatusCode::kAlreadyExists);
  EXPECT_EQ(StatusCodeForSqlite(SQLITE_CONSTRAINT_PRIMARYKEY), StatusCode::kAlreadyExists);
  EXPECT_EQ(StatusCodeForSqlite(SQLITE_CONSTRAINT_FOREIGNKEY), StatusCode::kInternal);
  EXPECT_EQ(StatusCodeForSqlite(SQLITE_CONSTRAINT_NOTNULL), StatusCode::kInternal);
  EXPECT_EQ(StatusCodeForSqlite(SQLITE_BUSY), StatusCode::kUnavailable);
  EXPECT_EQ(StatusCodeForSqlite(SQLITE_BUSY_SNAPSHOT), StatusCode::kUnavailable);
  EXPECT_EQ(StatusCodeForSqlite(SQLITE_LOCKED), StatusCode::kUnavailable);
  EXPECT_EQ(StatusCodeForSqlite(SQLITE_IOERR_FSYNC), StatusCode::kUnavailable);
  EXPECT_EQ(StatusCodeForSqlite(SQLITE_FULL), StatusCode::kUnavailable);
  EXPECT_EQ(StatusCodeForSqlite(SQLITE_CANTOPEN), StatusCode::kUnavailable);
  EXPECT_EQ(StatusCodeForSqlite(SQLITE_READONLY), StatusCode::kInternal);
  EXPECT_EQ(StatusCodeForSqlite(SQLITE_CORRUPT), StatusCode::kInternal);
  EXPECT_EQ(StatusCodeForSqlite(SQLITE_ERROR), StatusCode::kInternal);
}

}  // namespace
}  // namespace voxsecrets::store::sqlite
