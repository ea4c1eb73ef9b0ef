#include "auth/token_cache.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "auth/auth_test_util.h"
#include "auth/authenticator.h"
#include "auth/fake_key_directory.h"
#include "iam/roles.h"

namespace voxsecrets::auth {
namespace {

using testing::Claims;
using testing::Rs256Header;
using testing::Rs256Token;
using testing::SharedTestKey;
using testing::TestKey;

VerifiedToken Entry(std::string kid, int64_t exp) {
  return VerifiedToken{std::move(kid), 1, exp - 60, exp, nullptr};
}

TEST(VerifiedTokenCacheTest, HitsOnlyTheExactText) {
  VerifiedTokenCache cache(8);
  EXPECT_FALSE(cache.Find("a.b.c").has_value());
  EXPECT_EQ(cache.misses(), 1u);
  EXPECT_EQ(cache.hits(), 0u);
  cache.Insert("a.b.c", Entry("kid-1", 100));
  std::optional<VerifiedToken> hit = cache.Find("a.b.c");
  EXPECT_EQ(cache.hits(), 1u);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->kid, "kid-1");
  EXPECT_EQ(hit->exp, 100);
  EXPECT_FALSE(cache.Find("a.b.C").has_value());
  EXPECT_FALSE(cache.Find("a.b.c ").has_value());
  EXPECT_EQ(cache.hits_for_test(), 1u);
  cache.Erase("a.b.c");
  EXPECT_FALSE(cache.Find("a.b.c").has_value());
  EXPECT_EQ(cache.size(), 0u);
}

TEST(VerifiedTokenCacheTest, BoundedAndEvictsTheOldestFirst) {
  VerifiedTokenCache cache(3);
  for (int i = 0; i < 5; ++i) cache.Insert("t" + std::to_string(i), Entry("k", 100 + i));
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_FALSE(cache.Find("t0").has_value());
  EXPECT_FALSE(cache.Find("t1").has_value());
  for (int i = 2; i < 5; ++i) EXPECT_TRUE(cache.Find("t" + std::to_string(i)).has_value()) << i;
}

TEST(VerifiedTokenCacheTest, ReplacingAndErasingKeepTheBound) {
  VerifiedTokenCache cache(4);
  // Many replacements of one token and erase/insert cycles must neither grow the map nor leave
  // the cache unable to hold its bound of live entries.
  for (int i = 0; i < 1000; ++i) cache.Insert("same", Entry("k", i));
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.Find("same")->exp, 999);
  for (int i = 0; i < 1000; ++i) {
    cache.Insert("x" + std::to_string(i), Entry("k", i));
    cache.Erase("x" + std::to_string(i));
  }
  for (int i = 0; i < 4; ++i) cache.Insert("y" + std::to_string(i), Entry("k", i));
  EXPECT_EQ(cache.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(cache.Find("y" + std::to_string(i)).has_value()) << i;
}

// The Authenticator with its cache: the answers must be exactly those without it.
constexpr int64_t kParent = 100;
constexpr int64_t kChild = 101;
constexpr int64_t kUnrelated = 200;
constexpr char kKid[] = "kid-a";

class CachedAuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.AddAccount(kParent);
    dir_.AddAccount(kChild, kParent);
    dir_.AddAccount(kUnrelated);
    dir_.AddKey({kKid, kParent, key_.public_pem, {iam::kRoleDeveloper}, {}});
  }
  std::string Token(int64_t iss, int64_t iat, int64_t exp) const {
    return Rs256Token(key_.private_key.get(), Rs256Header(kKid), Claims(iss, iat, exp));
  }
  int64_t now() const { return clock_.NowSeconds(); }
  size_t hits() const { return auth_.token_cache()->hits_for_test(); }

  const TestKey& key_ = SharedTestKey(0);
  FakeClock clock_;
  FakeKeyDirectory dir_;
  KeyCache keys_;
  Authenticator auth_{dir_, keys_, clock_};
  Authenticator uncached_{dir_, keys_, clock_, /*token_cache_entries=*/0};
};

TEST_F(CachedAuthenticatorTest, ReusedTokenIsVerifiedOnce) {
  ASSERT_NE(auth_.token_cache(), nullptr);
  EXPECT_EQ(uncached_.token_cache(), nullptr);
  const std::string token = Token(kParent, now(), now() + 60);
  for (int i = 0; i < 3; ++i) {
    Result<Principal> p = auth_.AuthenticateBearer(token);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    EXPECT_EQ(p->account_id, kParent);
    EXPECT_EQ(p->key_id, kKid);
    EXPECT_EQ(p->role_ids, std::vector<int>{iam::kRoleDeveloper});
  }
  EXPECT_EQ(hits(), 2u);
  EXPECT_EQ(auth_.token_cache()->size(), 1u);
}

TEST_F(CachedAuthenticatorTest, DeletedKeyFailsOnTheNextRequest) {
  const std::string token = Token(kParent, now(), now() + 60);
  ASSERT_TRUE(auth_.AuthenticateBearer(token).ok());
  dir_.RemoveKey(kKid);
  EXPECT_EQ(auth_.AuthenticateBearer(token).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(hits(), 1u);
  EXPECT_EQ(auth_.token_cache()->size(), 0u);
  // Even if the key came back, the token is verified again from scratch (it still verifies).
  dir_.AddKey({kKid, kParent, key_.public_pem, {iam::kRoleDeveloper}, {}});
  EXPECT_TRUE(auth_.AuthenticateBearer(token).ok());
}

TEST_F(CachedAuthenticatorTest, ChangedRolesApplyToCachedTokens) {
  const std::string token = Token(kParent, now(), now() + 60);
  ASSERT_TRUE(auth_.AuthenticateBearer(token).ok());
  dir_.AddKey({kKid, kParent, key_.public_pem, {iam::kRoleSupport}, {}});
  Result<Principal> p = auth_.AuthenticateBearer(token);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->role_ids, std::vector<int>{iam::kRoleSupport});
  EXPECT_EQ(hits(), 1u);
}

// The applications a key is limited to are read with the key, like its roles: a change applies
// to the very next request, also with a cached token.
TEST_F(CachedAuthenticatorTest, ChangedApplicationScopeAppliesToCachedTokens) {
  const std::string token = Token(kParent, now(), now() + 60);
  Result<Principal> p = auth_.AuthenticateBearer(token);
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->application_scope.limited());
  dir_.AddKey({kKid, kParent, key_.public_pem, {iam::kRoleDeveloper}, AppScope::Only({7, 3})});
  p = auth_.AuthenticateBearer(token);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->application_scope, AppScope::Only({3, 7}));
  dir_.AddKey({kKid, kParent, key_.public_pem, {iam::kRoleDeveloper}, AppScope::Only({})});
  p = auth_.AuthenticateBearer(token);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->application_scope, AppScope::Only({}));
  EXPECT_EQ(hits(), 2u);
}

TEST_F(CachedAuthenticatorTest, KeyReplacedUnderTheSameKidIsNotTrusted) {
  const std::string token = Token(kParent, now(), now() + 60);
  ASSERT_TRUE(auth_.AuthenticateBearer(token).ok());
  dir_.AddKey({kKid, kParent, SharedTestKey(1).public_pem, {iam::kRoleOwner}, {}});
  EXPECT_EQ(auth_.AuthenticateBearer(token).status().code(), StatusCode::kUnauthenticated);
}

TEST_F(CachedAuthenticatorTest, TimeRulesAreCheckedOnEveryHit) {
  const std::string token = Token(kParent, now(), now() + 60);
  ASSERT_TRUE(auth_.AuthenticateBearer(token).ok());
  // A clock that went back (NTP step) makes the cached token one issued in the future.
  clock_.AdvanceSeconds(-61);
  EXPECT_EQ(auth_.AuthenticateBearer(token).status().code(), StatusCode::kTokenFromFuture);
  clock_.AdvanceSeconds(61 + 59);
  EXPECT_TRUE(auth_.AuthenticateBearer(token).ok());
  clock_.AdvanceSeconds(1);  // now == exp
  EXPECT_EQ(auth_.AuthenticateBearer(token).status().code(), StatusCode::kTokenExpired);
  EXPECT_EQ(auth_.token_cache()->size(), 0u);  // an expired token is dropped
  EXPECT_EQ(auth_.AuthenticateBearer(token).status().code(), StatusCode::kTokenExpired);
}

TEST_F(CachedAuthenticatorTest, ChildIssuerOnAHit) {
  const std::string token = Token(kChild, now(), now() + 60);
  ASSERT_TRUE(auth_.AuthenticateBearer(token).ok());
  Result<Principal> p = auth_.AuthenticateBearer(token);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->account_id, kChild);
  EXPECT_EQ(p->key_account_id, kParent);
  EXPECT_EQ(hits(), 1u);
}

TEST_F(CachedAuthenticatorTest, FailedTokensAreNotCached) {
  const std::vector<std::string> bad = {
      Token(kUnrelated, now(), now() + 60),      // 100: iss not reachable
      Token(kParent, now(), now() + 3601),       // 454
      Token(kParent, now() + 120, now() + 180),  // 455
      Token(kParent, now() - 120, now() - 60),   // 456
      Token(kParent, now(), now() + 60) + "x",   // 447 / 100: bad signature encoding
  };
  for (const std::string& token : bad) {
    for (int i = 0; i < 2; ++i) EXPECT_FALSE(auth_.AuthenticateBearer(token).ok());
  }
  EXPECT_EQ(auth_.token_cache()->size(), 0u);
  EXPECT_EQ(hits(), 0u);
}

TEST_F(CachedAuthenticatorTest, SameAnswersWithAndWithoutTheCache) {
  const int64_t t = now();
  const std::vector<std::string> tokens = {
      Token(kParent, t, t + 60),     Token(kChild, t, t + 60),       Token(kUnrelated, t, t + 60),
      Token(kParent, t, t + 3601),   Token(kParent, t + 61, t + 70), Token(kParent, t - 70, t - 1),
      Token(kParent, t - 5, t + 24),
  };
  for (int round = 0; round < 3; ++round) {
    for (const std::string& token : tokens) {
      const Result<Principal> a = auth_.AuthenticateBearer(token);
      const Result<Principal> b = uncached_.AuthenticateBearer(token);
      ASSERT_EQ(a.status(), b.status());
      if (a.ok()) {
        EXPECT_EQ(a->account_id, b->account_id);
        EXPECT_EQ(a->role_ids, b->role_ids);
      }
    }
    clock_.AdvanceSeconds(30);
  }
  EXPECT_GT(hits(), 0u);
}

TEST_F(CachedAuthenticatorTest, CacheStaysWithinItsBound) {
  Authenticator small(dir_, keys_, clock_, /*token_cache_entries=*/2);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(small.AuthenticateBearer(Token(kParent, now() - i, now() + 60)).ok());
  }
  EXPECT_EQ(small.token_cache()->size(), 2u);
}

}  // namespace
}  // namespace voxsecrets::auth
