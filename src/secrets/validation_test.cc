#include "secrets/validation.h"

#include <gtest/gtest.h>

#include <string>

#include "secrets/limits.h"

namespace voxsecrets::secrets {
namespace {

std::string Repeat(std::string_view unit, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += unit;
  return s;
}

TEST(SecretNameTest, FollowsTheRegex) {
  for (const std::string& good : {std::string("a"), std::string("Z"), std::string("api_key_2"),
                                  std::string("A_"), "a" + Repeat("b", 63)}) {
    EXPECT_TRUE(IsValidSecretName(good)) << good;
    EXPECT_TRUE(CheckSecretName(good, "secret_name").ok());
  }
  for (const std::string& bad :
       {std::string("1abc"), std::string("_abc"), std::string("a-b"), std::string("a b"),
        std::string("a.b"), std::string("ключ"), std::string("é"), "a" + Repeat("b", 64),
        std::string("a\n"), std::string("a\0b", 3)}) {
    EXPECT_FALSE(IsValidSecretName(bad)) << bad;
  }
}

TEST(SecretNameTest, ErrorsBlameTheParameterAsSent) {
  Status bad = CheckSecretName("1x", "new_secret_name");
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.field_name(), "new_secret_name");
  Status missing = CheckSecretName("", "secret_name");
  EXPECT_EQ(missing.code(), StatusCode::kMissingArgument);
  EXPECT_EQ(missing.field_name(), "secret_name");
}

TEST(SecretValueTest, CountsCodePointsNotBytes) {
  EXPECT_TRUE(CheckSecretValue("x").ok());
  EXPECT_TRUE(CheckSecretValue(Repeat("a", kMaxSecretValueCodePoints)).ok());
  // 8192 four-byte characters: 32768 bytes, still within the limit.
  EXPECT_TRUE(CheckSecretValue(Repeat("\xF0\x9F\x98\x80", kMaxSecretValueCodePoints)).ok());
  Status too_long = CheckSecretValue(Repeat("a", kMaxSecretValueCodePoints + 1));
  EXPECT_EQ(too_long.code(), StatusCode::kTooLong);
  EXPECT_EQ(too_long.field_name(), "secret_value");
  EXPECT_NE(too_long.message().find("'secret_value'"), std::string::npos);
  EXPECT_NE(too_long.message().find("8192"), std::string::npos);
  EXPECT_EQ(CheckSecretValue(Repeat("é", kMaxSecretValueCodePoints + 1)).code(),
            StatusCode::kTooLong);
}

TEST(SecretValueTest, KeepsAnythingThatIsUtf8WithoutNul) {
  for (const char* ok : {" lead and trail ", "line1\nline2\r\n", "quote\"back\\slash", "\t",
                         "emoji \xF0\x9F\x94\x91", "\x7f"}) {
    EXPECT_TRUE(CheckSecretValue(ok).ok()) << ok;
  }
}

TEST(SecretValueTest, RejectsInvalidUtf8NulAndEmpty) {
  for (const std::string& bad :
       {std::string("\xff"), std::string("a\xC3"), std::string("\xC0\xAF"),
        std::string("\xED\xA0\x80"), std::string("a\0b", 3), std::string("\0", 1)}) {
    Status s = CheckSecretValue(bad);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.field_name(), "secret_value");
  }
  EXPECT_EQ(CheckSecretValue("").code(), StatusCode::kMissingArgument);
}

TEST(SecretValueTest, MessagesNeverEchoTheValue) {
  const std::string value = "hunter2-\xff";
  EXPECT_EQ(CheckSecretValue(value).message().find("hunter2"), std::string::npos);
  const std::string long_value = "hunter2" + Repeat("a", kMaxSecretValueCodePoints);
  EXPECT_EQ(CheckSecretValue(long_value).message().find("hunter2"), std::string::npos);
}

TEST(ApplicationNameTest, ShortNameFormat) {
  EXPECT_TRUE(IsValidApplicationShortName("ab", 64));
  EXPECT_TRUE(IsValidApplicationShortName("my-app-1", 64));
  EXPECT_TRUE(IsValidApplicationShortName("a" + Repeat("b", 64), 64));
  EXPECT_FALSE(IsValidApplicationShortName("a" + Repeat("b", 65), 64));
  EXPECT_TRUE(IsValidApplicationShortName("a" + Repeat("b", 79), 79));
  EXPECT_FALSE(IsValidApplicationShortName("a" + Repeat("b", 80), 79));
  for (const char* bad : {"", "a", "1app", "-app", "App", "my_app", "my.app", "my app", "ä-app"}) {
    EXPECT_FALSE(IsValidApplicationShortName(bad, 64)) << bad;
  }
}

}  // namespace
}  // namespace voxsecrets::secrets
