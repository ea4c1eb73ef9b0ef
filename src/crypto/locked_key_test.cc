#include "crypto/locked_key.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <type_traits>

namespace voxsecrets::crypto {
namespace {

// The VmFlags line of the /proc/self/smaps entry that contains `addr` ("" if not found).
std::string VmFlagsOf(const void* addr) {
  std::ifstream smaps("/proc/self/smaps");
  const auto a = reinterpret_cast<uintptr_t>(addr);
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    const std::string first = line.substr(0, line.find(' '));
    if (!first.empty() && first.back() != ':') {  // a mapping header "lo-hi perms ..."
      unsigned long lo = 0;
      unsigned long hi = 0;
      inside = std::sscanf(first.c_str(), "%lx-%lx", &lo, &hi) == 2 && a >= lo && a < hi;
    } else if (inside && first == "VmFlags:") {
      return line;
    }
  }
  return "";
}

bool HasFlag(const std::string& vmflags, const std::string& flag) {
  return (vmflags + " ").find(" " + flag + " ") != std::string::npos;
}

TEST(LockedKeyTest, AllocateIsZeroed) {
  auto key = LockedKey::Allocate();
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  ASSERT_TRUE(key->valid());
  for (uint8_t b : key->bytes()) EXPECT_EQ(b, 0);
}

TEST(LockedKeyTest, NotCopyableOnlyMovable) {
  static_assert(!std::is_copy_constructible_v<LockedKey>);
  static_assert(!std::is_copy_assignable_v<LockedKey>);
  static_assert(std::is_nothrow_move_constructible_v<LockedKey>);
}

TEST(LockedKeyTest, FromBytesRequiresExactSize) {
  std::array<uint8_t, 31> short_key{};
  EXPECT_EQ(LockedKey::FromBytes(short_key).status().code(), StatusCode::kInvalidArgument);
  std::array<uint8_t, 33> long_key{};
  EXPECT_EQ(LockedKey::FromBytes(long_key).status().code(), StatusCode::kInvalidArgument);
}

TEST(LockedKeyTest, CopiesBytesAndComparesByContent) {
  std::array<uint8_t, 32> raw{};
  for (size_t i = 0; i < raw.size(); ++i) raw[i] = static_cast<uint8_t>(i * 7 + 1);
  auto a = LockedKey::FromBytes(raw);
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(std::equal(raw.begin(), raw.end(), a->bytes().begin()));
  auto b = a->Clone();
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(a->SameKeyAs(*b));
  EXPECT_NE(a->bytes().data(), b->bytes().data());
  b->mutable_bytes()[31] ^= 1;
  EXPECT_FALSE(a->SameKeyAs(*b));
}

TEST(LockedKeyTest, MoveLeavesSourceInvalid) {
  auto a = LockedKey::Allocate();
  ASSERT_TRUE(a.ok());
  a->mutable_bytes()[0] = 42;
  LockedKey b = std::move(a).value();
  EXPECT_TRUE(b.valid());
  EXPECT_EQ(b.bytes()[0], 42);
  LockedKey c = std::move(b);
  EXPECT_FALSE(b.valid());  // NOLINT(bugprone-use-after-move): checking the documented state
  EXPECT_FALSE(b.Clone().ok());
  EXPECT_EQ(c.bytes()[0], 42);
}

// clang (before 16) says ASan through __has_feature, not __SANITIZE_ADDRESS__.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VOXSECRETS_CLANG_ASAN 1
#endif
#endif
#ifndef VOXSECRETS_CLANG_ASAN
#define VOXSECRETS_CLANG_ASAN 0
#endif

TEST(LockedKeyTest, PageIsLockedAndExcludedFromCoreDumps) {
  auto key = LockedKey::Allocate();
  ASSERT_TRUE(key.ok());
  const std::string flags = VmFlagsOf(key->bytes().data());
  ASSERT_FALSE(flags.empty()) << "mapping not found in /proc/self/smaps";
  EXPECT_TRUE(key->dump_excluded());
  EXPECT_TRUE(HasFlag(flags, "dd")) << flags;                 // MADV_DONTDUMP
  EXPECT_TRUE(HasFlag(flags, "dc")) << flags;                 // MADV_DONTFORK
#if !defined(__SANITIZE_ADDRESS__) && !VOXSECRETS_CLANG_ASAN  // ASan turns mlock() into a no-op
  if (key->memory_locked()) {
    EXPECT_TRUE(HasFlag(flags, "lo")) << flags;  // mlock
  } else {
    EXPECT_FALSE(HasFlag(flags, "lo")) << flags;
  }
#endif
}

}  // namespace
}  // namespace voxsecrets::crypto
