// The field rules every service shares: descriptions, listing windows, echoed names.
#include "common/field_rules.h"

#include <gtest/gtest.h>

#include <string>

namespace voxsecrets {
namespace {

std::string Repeat(std::string_view unit, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += unit;
  return s;
}

TEST(DescriptionTest, CutToTwoHundredCodePointsNeverMidCharacter) {
  EXPECT_EQ(NormalizeDescription("short").value(), "short");
  EXPECT_EQ(NormalizeDescription(" ").value(), " ");
  const std::string exact = Repeat("d", kMaxDescriptionCodePoints);
  EXPECT_EQ(NormalizeDescription(exact).value(), exact);
  EXPECT_EQ(NormalizeDescription(exact + "tail").value(), exact);
  const std::string cyrillic = Repeat("ж", kMaxDescriptionCodePoints);
  EXPECT_EQ(NormalizeDescription(cyrillic + "ж").value(), cyrillic);
  // 199 ASCII characters then a 4-byte emoji and more: the emoji is the 200th, kept whole.
  const std::string mixed = Repeat("a", 199) + "\xF0\x9F\x98\x80" + "bcd";
  EXPECT_EQ(NormalizeDescription(mixed).value(), Repeat("a", 199) + "\xF0\x9F\x98\x80");
}

TEST(DescriptionTest, InvalidUtf8OrNulIsInvalid) {
  EXPECT_EQ(NormalizeDescription("bad\xff").status().field_name(), "description");
  EXPECT_EQ(NormalizeDescription(std::string("a\0b", 3)).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(PagingTest, DefaultsAndRanges) {
  Result<Paging> def = CheckPaging(std::nullopt, std::nullopt);
  ASSERT_TRUE(def.ok());
  EXPECT_EQ(def->count, 20);
  EXPECT_EQ(def->offset, 0);
  EXPECT_TRUE(CheckPaging(1, 0).ok());
  EXPECT_TRUE(CheckPaging(1000, 123456).ok());
  for (int64_t count : {int64_t{0}, int64_t{-1}, int64_t{1001}}) {
    Status s = CheckPaging(count, std::nullopt).status();
    EXPECT_EQ(s.code(), StatusCode::kOutOfRange);
    EXPECT_EQ(s.field_name(), "count");
  }
  Status s = CheckPaging(std::nullopt, -1).status();
  EXPECT_EQ(s.code(), StatusCode::kOutOfRange);
  EXPECT_EQ(s.field_name(), "offset");
}

TEST(EchoForMessageTest, ShortSafeText) {
  EXPECT_EQ(EchoForMessage("myapp"), "myapp");
  EXPECT_EQ(EchoForMessage("a\xff"
                           "b"),
            "a?b");
  EXPECT_EQ(EchoForMessage("ключ"), "ключ");
  EXPECT_EQ(EchoForMessage(Repeat("x", 150)), Repeat("x", 100) + "...");
}

}  // namespace
}  // namespace voxsecrets
