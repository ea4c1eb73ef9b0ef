#include "auth/base64url.h"

#include <gtest/gtest.h>

#include <string>

namespace voxsecrets::auth {
namespace {

TEST(Base64Test, Rfc4648Vectors) {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    EXPECT_EQ(Base64Decode(encoded), plain);
    std::string unpadded = encoded;
    while (!unpadded.empty() && unpadded.back() == '=') unpadded.pop_back();
    EXPECT_EQ(Base64UrlEncode(plain), unpadded);
    EXPECT_EQ(Base64UrlDecode(unpadded), plain);
  }
}

TEST(Base64Test, UrlAlphabetDiffersFromStandard) {
  const std::string bytes("\xfb\xff\xbf", 3);
  EXPECT_EQ(Base64Encode(bytes), "+/+/");
  EXPECT_EQ(Base64UrlEncode(bytes), "-_-_");
  EXPECT_EQ(Base64UrlDecode("-_-_"), bytes);
  EXPECT_EQ(Base64UrlDecode("+/+/"), std::nullopt);
  EXPECT_EQ(Base64Decode("-_-_"), std::nullopt);
}

TEST(Base64Test, RoundTripsEveryByteAndLength) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t len = 0; len <= all.size(); ++len) {
    const std::string in = all.substr(all.size() - len);
    EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(in)), in) << len;
    EXPECT_EQ(Base64Decode(Base64Encode(in)), in) << len;
  }
}

TEST(Base64UrlTest, RejectsPaddingWhitespaceAndForeignCharacters) {
  for (const char* bad :
       {"Zg==", "Zg=", "Zm9v ", " Zm9v", "Zm\n9v", "Zm9v\r", "Zm.9", "Zm9*", "Z m9"}) {
    EXPECT_EQ(Base64UrlDecode(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(Base64UrlDecode(std::string("Zm\0v", 4)), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("Zm9v\xc3\xa9"), std::nullopt);
}

TEST(Base64UrlTest, RejectsImpossibleLength) {
  EXPECT_EQ(Base64UrlDecode("Z"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("Zm9vY"), std::nullopt);
}

TEST(Base64UrlTest, RejectsNonCanonicalTrailingBits) {
  // "Zg" is the encoding of "f"; "Zh" decodes to the same byte with a stray low bit.
  EXPECT_EQ(Base64UrlDecode("Zg"), "f");
  EXPECT_EQ(Base64UrlDecode("Zh"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("Zm8"), "fo");
  EXPECT_EQ(Base64UrlDecode("Zm9"), std::nullopt);
}

TEST(Base64Test, StandardRejectsMissingOrMisplacedPadding) {
  for (const char* bad : {"Zg", "Zg=", "Z===", "====", "=Zg=", "Zg=a", "Zh==", "Zm9v\n"}) {
    EXPECT_EQ(Base64Decode(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace voxsecrets::auth
