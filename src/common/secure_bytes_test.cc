#include "common/secure_bytes.h"

#include <gtest/gtest.h>

#include <type_traits>

namespace voxsecrets {
namespace {

TEST(SecureBytesTest, MoveLeavesSourceEmpty) {
  SecureBytes a = SecureBytes::FromView("top secret");
  SecureBytes b = std::move(a);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): checking the documented state
  EXPECT_EQ(b.view(), "top secret");
}

TEST(SecureBytesTest, CloneIsExplicitAndEqual) {
  static_assert(!std::is_copy_constructible_v<SecureBytes>);
  SecureBytes a = SecureBytes::FromView("k");
  SecureBytes b = a.Clone();
  EXPECT_TRUE(a == b);
  b.Clear();
  EXPECT_TRUE(b.empty());
  EXPECT_FALSE(a == b);
}

TEST(SecureBytesTest, WipeZeroes) {
  char buf[8] = {'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'};
  SecureWipe(buf, sizeof(buf));
  for (char c : buf) EXPECT_EQ(c, 0);
}

TEST(SecureBytesTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

}  // namespace
}  // namespace voxsecrets
