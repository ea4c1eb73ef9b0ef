#include "auth/key_cache.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "auth/auth_test_util.h"
#include "auth/rs256.h"

namespace voxsecrets::auth {
namespace {

class KeyCacheTest : public ::testing::Test {
 protected:
  // Public key PEM number i (0..2), generated on first use.
  static const std::string& Pem(size_t i) { return testing::SharedTestKey(i).public_pem; }
};

TEST_F(KeyCacheTest, SameKidIsParsedOnce) {
  KeyCache cache;
  Result<SharedPublicKey> first = cache.Get("kid-a", Pem(0));
  ASSERT_TRUE(first.ok());
  for (int i = 0; i < 5; ++i) {
    Result<SharedPublicKey> again = cache.Get("kid-a", Pem(0));
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->get(), first->get());
  }
  EXPECT_EQ(cache.parse_count_for_test(), 1u);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.hits(), 5u);
  EXPECT_EQ(cache.misses(), 1u);
}

TEST_F(KeyCacheTest, ChangedPemIsParsedAgainAndReplacesTheEntry) {
  KeyCache cache;
  Result<SharedPublicKey> old_key = cache.Get("kid-a", Pem(0));
  ASSERT_TRUE(old_key.ok());
  Result<SharedPublicKey> new_key = cache.Get("kid-a", Pem(1));
  ASSERT_TRUE(new_key.ok());
  EXPECT_NE(new_key->get(), old_key->get());
  EXPECT_EQ(EVP_PKEY_eq(new_key->get(), ParseRsaPublicKeyPem(Pem(1))->get()), 1);
  EXPECT_EQ(cache.parse_count_for_test(), 2u);
  EXPECT_EQ(cache.size(), 1u);
  ASSERT_TRUE(cache.Get("kid-a", Pem(1)).ok());
  EXPECT_EQ(cache.parse_count_for_test(), 2u);
}

TEST_F(KeyCacheTest, InvalidateDropsTheEntryButNotHeldKeys) {
  KeyCache cache;
  Result<SharedPublicKey> held = cache.Get("kid-a", Pem(0));
  ASSERT_TRUE(held.ok());
  cache.Invalidate("kid-a");
  cache.Invalidate("kid-unknown");
  EXPECT_EQ(cache.size(), 0u);
  // The held key is still usable.
  EXPECT_EQ(EVP_PKEY_get_bits(held->get()), 2048);
  ASSERT_TRUE(cache.Get("kid-a", Pem(0)).ok());
  EXPECT_EQ(cache.parse_count_for_test(), 2u);
}

TEST_F(KeyCacheTest, BadPemIsAnErrorAndNotCached) {
  KeyCache cache;
  Result<SharedPublicKey> bad = cache.Get("kid-a", "not a pem");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.parse_count_for_test(), 0u);
  // A good PEM cached under the kid is not disturbed by a bad one.
  ASSERT_TRUE(cache.Get("kid-a", Pem(0)).ok());
  EXPECT_FALSE(cache.Get("kid-a", "junk").ok());
  ASSERT_TRUE(cache.Get("kid-a", Pem(0)).ok());
  EXPECT_EQ(cache.parse_count_for_test(), 1u);
}

TEST_F(KeyCacheTest, BoundedEvictsLeastRecentlyUsed) {
  KeyCache cache(2);
  ASSERT_TRUE(cache.Get("a", Pem(0)).ok());
  ASSERT_TRUE(cache.Get("b", Pem(1)).ok());
  ASSERT_TRUE(cache.Get("a", Pem(0)).ok());  // a is now more recent than b
  ASSERT_TRUE(cache.Get("c", Pem(2)).ok());  // evicts b
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.parse_count_for_test(), 3u);
  ASSERT_TRUE(cache.Get("a", Pem(0)).ok());
  ASSERT_TRUE(cache.Get("c", Pem(2)).ok());
  EXPECT_EQ(cache.parse_count_for_test(), 3u);  // both still cached
  ASSERT_TRUE(cache.Get("b", Pem(1)).ok());
  EXPECT_EQ(cache.parse_count_for_test(), 4u);  // b had been evicted
  EXPECT_EQ(cache.size(), 2u);
}

TEST_F(KeyCacheTest, ClearEmpties) {
  KeyCache cache;
  ASSERT_TRUE(cache.Get("a", Pem(0)).ok());
  ASSERT_TRUE(cache.Get("b", Pem(1)).ok());
  cache.Clear();
  EXPECT_EQ(cache.size(), 0u);
}

TEST_F(KeyCacheTest, ConcurrentReadersShareOneEntry) {
  KeyCache cache;
  ASSERT_TRUE(cache.Get("a", Pem(0)).ok());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        if (!cache.Get("a", Pem(0)).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(cache.parse_count_for_test(), 1u);
}

TEST_F(KeyCacheTest, ConcurrentChurnStaysConsistent) {
  KeyCache cache(3);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const std::string own = "k" + std::to_string(t);
      for (int i = 0; i < 40; ++i) {
        if (!cache.Get("a", Pem(0)).ok()) ++failures;
        if (i % 10 == 0 && !cache.Get(own, Pem(1 + (i / 10) % 2)).ok()) ++failures;
        if (i % 15 == 0) cache.Invalidate(own);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(cache.size(), 3u);
}

}  // namespace
}  // namespace voxsecrets::auth
