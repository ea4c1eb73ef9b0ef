#include "crypto/openssl_random.h"

#include <gtest/gtest.h>

#include <array>
#include <set>
#include <vector>

namespace voxsecrets::crypto {
namespace {

TEST(OpenSslRandomTest, FillsWithChangingBytes) {
  OpenSslRandom random;
  std::set<std::vector<uint8_t>> seen;
  for (int i = 0; i < 16; ++i) {
    std::vector<uint8_t> buf(32, 0);
    random.Fill(buf);
    seen.insert(buf);
  }
  EXPECT_EQ(seen.size(), 16u);
}

TEST(OpenSslRandomTest, FillsEveryByteOfALargeBuffer) {
  OpenSslRandom random;
  std::vector<uint8_t> buf(1 << 16, 0);
  random.Fill(buf);
  std::array<int, 256> counts{};
  for (uint8_t b : buf) ++counts[b];
  // Every byte value turns up in 64 KiB of random bytes (each misses with p ~ 1e-111).
  for (int c : counts) EXPECT_GT(c, 0);
}

TEST(OpenSslRandomTest, UuidIsVersion4) {
  OpenSslRandom random;
  const std::string a = random.Uuid();
  ASSERT_EQ(a.size(), 36u);
  EXPECT_EQ(a[14], '4');
  EXPECT_NE(a, random.Uuid());
}

}  // namespace
}  // namespace voxsecrets::crypto
