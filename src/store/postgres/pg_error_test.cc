// SQLSTATE -> StatusCode mapping and error messages (no server needed).
#include "store/postgres/pg_error.h"

#include <gtest/gtest.h>

namespace voxsecrets::store::pg {
namespace {

TEST(PgErrorTest, MapsSqlStatesToStatusCodes) {
  EXPECT_EQ(StatusCodeForSqlState("23505"), StatusCode::kAlreadyExists);
  for (const char* unavailable : {"08006", "08001", "08003", "57P01", "57P02", "57P03", "57014",
                                  "53300", "53100", "58030", "55P03", "40001", "40P01"}) {
    EXPECT_EQ(StatusCodeForSqlState(unavailable), StatusCode::kUnavailable) << unavailable;
  }
  for (const char* internal : {"23503", "23514", "25006", "25P02", "42P01", "XX000", "22P02", ""}) {
    EXPECT_EQ(StatusCodeForSqlState(internal), StatusCode::kInternal) << internal;
  }
}

TEST(PgErrorTest, ClassifiesRetryableAndLostSessions) {
  EXPECT_TRUE(IsRetryableSqlState("40001"));
  EXPECT_TRUE(IsRetryableSqlState("40P01"));
  EXPECT_FALSE(IsRetryableSqlState("23505"));
  EXPECT_FALSE(IsRetryableSqlState("08006"));
  EXPECT_TRUE(IsConnectionLostSqlState("08006"));
  EXPECT_TRUE(IsConnectionLostSqlState("57P01"));
  EXPECT_FALSE(IsConnectionLostSqlState("57014"));  // a timeout leaves the session usable
  EXPECT_FALSE(IsConnectionLostSqlState("40001"));
  EXPECT_FALSE(IsConnectionLostSqlState(""));
}

TEST(PgErrorTest, MessageHasThePrimaryMessageOnly) {
  Status status = PgError(
      "23505", "duplicate key value violates unique constraint \"secrets_key\"\nDETAIL", "query");
  EXPECT_EQ(status.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(status.origin(), StatusOrigin::kStore);
  EXPECT_EQ(status.message(),
            "postgresql: query: duplicate key value violates unique constraint \"secrets_key\" "
            "(SQLSTATE 23505)");
}

TEST(PgErrorTest, DataExceptionMessagesAreNotRepeated) {
  // Class 22 messages quote the offending input.
  Status status = PgError("22021", "invalid byte sequence for encoding \"UTF8\": 0x00", "query");
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_EQ(status.origin(), StatusOrigin::kStore);
  EXPECT_EQ(status.message(), "postgresql: query: invalid data (SQLSTATE 22021)");
}

}  // namespace
}  // namespace voxsecrets::store::pg
