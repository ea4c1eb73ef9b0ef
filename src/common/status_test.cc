#include "common/status.h"

#include <gtest/gtest.h>

namespace voxsecrets {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgument("x");
  return x / 2;
}

Result<int> Quarter(int x) {
  VS_ASSIGN_OR_RETURN(int h, Half(x));
  VS_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckEven(int x) {
  VS_RETURN_IF_ERROR(Half(x).status());
  return Status::Ok();
}

TEST(StatusTest, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(StatusTest, CarriesCodeMessageAndField) {
  Status s = MissingArgument("secret_name");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kMissingArgument);
  EXPECT_EQ(s.field_name(), "secret_name");
  EXPECT_EQ(s.ToString(), "missing_argument: Specify the 'secret_name' parameter. [secret_name]");
}

TEST(StatusTest, ResultPropagates) {
  EXPECT_EQ(Quarter(8).value(), 2);
  EXPECT_EQ(Quarter(6).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Quarter(7).status().field_name(), "x");
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_FALSE(CheckEven(5).ok());
}

TEST(StatusTest, OriginIsKeptThroughResultAndPropagation) {
  EXPECT_EQ(MissingArgument("x").origin(), StatusOrigin::kUnspecified);
  const Status store = Unavailable("database is locked").WithOrigin(StatusOrigin::kStore);
  EXPECT_EQ(store.origin(), StatusOrigin::kStore);
  EXPECT_EQ(store.code(), StatusCode::kUnavailable);
  EXPECT_EQ(store.message(), "database is locked");
  // Not part of the text: logs and test output read as before.
  EXPECT_EQ(store.ToString(), "unavailable: database is locked");
  // Two failures alike but for their origin are different failures.
  EXPECT_NE(store, Unavailable("database is locked"));
  Result<int> r = store;
  EXPECT_EQ(r.status().origin(), StatusOrigin::kStore);
  auto forward = [&]() -> Status {
    VS_ASSIGN_OR_RETURN(int v, r);
    return v == 0 ? Status::Ok() : InternalError("unreachable");
  };
  EXPECT_EQ(forward().origin(), StatusOrigin::kStore);
  // Re-marking replaces the origin; an OK Status never gets one.
  EXPECT_EQ(store.WithOrigin(StatusOrigin::kCrypto).origin(), StatusOrigin::kCrypto);
  EXPECT_EQ(Status::Ok().WithOrigin(StatusOrigin::kStore).origin(), StatusOrigin::kUnspecified);
}

TEST(StatusTest, EveryOriginHasAName) {
  EXPECT_EQ(StatusOriginName(StatusOrigin::kUnspecified), "unspecified");
  EXPECT_EQ(StatusOriginName(StatusOrigin::kStore), "store");
  EXPECT_EQ(StatusOriginName(StatusOrigin::kCrypto), "crypto");
}

TEST(StatusTest, EveryCodeHasAName) {
  for (int c = 0; c <= static_cast<int>(StatusCode::kInternal); ++c) {
    EXPECT_NE(StatusCodeName(static_cast<StatusCode>(c)), "unknown") << c;
  }
}

}  // namespace
}  // namespace voxsecrets
