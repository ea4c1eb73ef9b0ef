#include "common/ascii.h"

#include <gtest/gtest.h>

namespace voxsecrets {
namespace {

TEST(AsciiTest, FoldsOnlyAsciiLetters) {
  EXPECT_EQ(AsciiLower('A'), 'a');
  EXPECT_EQ(AsciiLower('Z'), 'z');
  EXPECT_EQ(AsciiLower('a'), 'a');
  for (char c : {'@', '[', '`', '{', '0', ' ', '\0', '\xc3', '\x80'}) EXPECT_EQ(AsciiLower(c), c);
}

TEST(AsciiTest, EqualsIgnoreAsciiCase) {
  EXPECT_TRUE(EqualsIgnoreAsciiCase("Bearer", "bearer"));
  EXPECT_TRUE(EqualsIgnoreAsciiCase("MULTIPART/FORM-DATA", "multipart/form-data"));
  EXPECT_TRUE(EqualsIgnoreAsciiCase("", ""));
  EXPECT_FALSE(EqualsIgnoreAsciiCase("bearer", "bearer "));
  EXPECT_FALSE(EqualsIgnoreAsciiCase("true", "tru"));
  // '@' and '`' sit next to 'A' and 'a'; UTF-8 bytes are not folded.
  EXPECT_FALSE(EqualsIgnoreAsciiCase("@", "`"));
  EXPECT_FALSE(EqualsIgnoreAsciiCase("\xc3\x89", "\xc3\xa9"));  // É, é
  static_assert(EqualsIgnoreAsciiCase("All", "aLL"));
}

TEST(AsciiTest, TrimsSpaceTabCrAndLfOnly) {
  EXPECT_EQ(TrimAsciiSpace(" \t\r\n key \n"), "key");
  EXPECT_EQ(TrimAsciiSpace("a b"), "a b");
  EXPECT_EQ(TrimAsciiSpace(" \r\n"), "");
  EXPECT_EQ(TrimAsciiSpace(""), "");
  EXPECT_EQ(TrimAsciiSpace("\vx\f"), "\vx\f");          // vertical tab and form feed are kept
  EXPECT_EQ(TrimAsciiSpace("\xc2\xa0x"), "\xc2\xa0x");  // so is a UTF-8 no-break space
}

}  // namespace
}  // namespace voxsecrets
