#include "iam/scope.h"

#include <gtest/gtest.h>

namespace voxsecrets::iam {
namespace {

TEST(ScopeTest, AppScopeReachesItsIdsOnly) {
  EXPECT_FALSE(AppScope::Every().limited());
  EXPECT_TRUE(AppScope::Every().Reaches(1));
  const AppScope two = AppScope::Only({7, 3, 7});
  EXPECT_TRUE(two.limited());
  EXPECT_EQ(*two.ids, (std::vector<int64_t>{3, 7}));
  EXPECT_TRUE(two.Reaches(3));
  EXPECT_TRUE(two.Reaches(7));
  EXPECT_FALSE(two.Reaches(5));
  EXPECT_FALSE(AppScope::Only({}).Reaches(3));
}

TEST(ScopeTest, AKeyWithoutALimitReachesEveryMethod) {
  for (Reach reach : {Reach::kApplications, Reach::kAccount, Reach::kNothing}) {
    EXPECT_TRUE(CheckReach(AppScope::Every(), reach).ok());
  }
}

TEST(ScopeTest, ALimitedKeyIsRefusedAccountWideMethods) {
  const AppScope scope = AppScope::Only({3});
  EXPECT_TRUE(CheckReach(scope, Reach::kApplications).ok());
  EXPECT_TRUE(CheckReach(scope, Reach::kNothing).ok());
  const Status refused = CheckReach(scope, Reach::kAccount);
  EXPECT_EQ(refused.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(refused.message().rfind("Forbidden command", 0), 0u) << refused.message();
  EXPECT_TRUE(refused.field_name().empty());
}

TEST(ScopeTest, AKeyLeftWithoutApplicationsIsRefusedEverything) {
  const AppScope empty = AppScope::Only({});
  for (Reach reach : {Reach::kApplications, Reach::kAccount, Reach::kNothing}) {
    const Status refused = CheckReach(empty, reach);
    EXPECT_EQ(refused.code(), StatusCode::kPermissionDenied);
    EXPECT_NE(refused.message().find("has been deleted"), std::string::npos) << refused.message();
  }
}

TEST(ScopeTest, DocsNames) {
  EXPECT_EQ(ReachForDocs(Reach::kApplications), "its applications");
  EXPECT_EQ(ReachForDocs(Reach::kAccount), "no");
  EXPECT_EQ(ReachForDocs(Reach::kNothing), "yes");
}

}  // namespace
}  // namespace voxsecrets::iam
