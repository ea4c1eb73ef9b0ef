#include "common/utf8.h"

#include <gtest/gtest.h>

namespace voxsecrets {
namespace {

TEST(Utf8Test, CountsCodePointsNotBytes) {
  EXPECT_EQ(Utf8CodePoints(""), 0u);
  EXPECT_EQ(Utf8CodePoints("abc"), 3u);
  EXPECT_EQ(Utf8CodePoints("\xc3\xa9"), 1u);          // é
  EXPECT_EQ(Utf8CodePoints("\xe2\x82\xac"), 1u);      // €
  EXPECT_EQ(Utf8CodePoints("\xf0\x9f\x94\x91"), 1u);  // 🔑
  EXPECT_EQ(Utf8CodePoints("a\xf0\x9f\x94\x91z"), 3u);
}

TEST(Utf8Test, RejectsIllFormedSequences) {
  EXPECT_FALSE(Utf8CodePoints("\x80"));              // lone continuation
  EXPECT_FALSE(Utf8CodePoints("\xc3"));              // truncated
  EXPECT_FALSE(Utf8CodePoints("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(Utf8CodePoints("\xe0\x80\xaf"));      // overlong
  EXPECT_FALSE(Utf8CodePoints("\xed\xa0\x80"));      // surrogate U+D800
  EXPECT_FALSE(Utf8CodePoints("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(Utf8CodePoints("\xff"));
  EXPECT_FALSE(Utf8CodePoints("ok\xe2\x82"));  // truncated at end
}

TEST(Utf8Test, PrefixNeverCutsACharacter) {
  const std::string s = "a\xf0\x9f\x94\x91\xc3\xa9z";
  EXPECT_EQ(Utf8Prefix(s, 0), "");
  EXPECT_EQ(Utf8Prefix(s, 1), "a");
  EXPECT_EQ(Utf8Prefix(s, 2), "a\xf0\x9f\x94\x91");
  EXPECT_EQ(Utf8Prefix(s, 3), "a\xf0\x9f\x94\x91\xc3\xa9");
  EXPECT_EQ(Utf8Prefix(s, 4), s);
  EXPECT_EQ(Utf8Prefix(s, 100), s);
}

}  // namespace
}  // namespace voxsecrets
