#include "common/encoding.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <utility>

#include "common/secure_bytes.h"

namespace voxsecrets {
namespace {

std::string AllBytes() {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  return all;
}

// ---- hex --------------------------------------------------------------------------------------

TEST(HexTest, EncodesLowerCase) {
  EXPECT_EQ(HexEncode(std::string_view("")), "");
  EXPECT_EQ(HexEncode(std::string_view("\x00\x01\xab\xff", 4)), "0001abff");
  const std::array<uint8_t, 3> bytes{0xde, 0xad, 0x0f};
  EXPECT_EQ(HexEncode(bytes), "dead0f");
}

TEST(HexTest, EncodesIntoCallerMemory) {
  const std::array<uint8_t, 2> bytes{0x5a, 0xc3};
  SecureBytes out(HexSize(bytes.size()));
  HexEncodeTo(bytes, out.span());
  EXPECT_TRUE(out.view() == "5ac3");
  std::array<char, 4> chars{};
  HexEncodeTo(bytes, std::span<char>(chars));
  EXPECT_EQ(std::string(chars.data(), chars.size()), "5ac3");
}

TEST(HexTest, DecodesEitherCaseIntoExactlySizedMemory) {
  std::array<uint8_t, 4> out{};
  ASSERT_TRUE(HexDecodeTo("00Ab0fFF", out));
  EXPECT_EQ(out, (std::array<uint8_t, 4>{0x00, 0xab, 0x0f, 0xff}));
  const std::string all = AllBytes();
  std::array<uint8_t, 256> back{};
  ASSERT_TRUE(HexDecodeTo(HexEncode(all), back));
  EXPECT_EQ(std::string(back.begin(), back.end()), all);
}

TEST(HexTest, RejectsWrongLengthsAndForeignCharacters) {
  std::array<uint8_t, 2> out{};
  for (const char* bad : {"", "abc", "abcde", "abcg", "ab c", " abc", "0x12", "ab-d"}) {
    EXPECT_FALSE(HexDecodeTo(bad, out)) << bad;
  }
}

TEST(HexTest, DigitValues) {
  EXPECT_EQ(HexDigitValue('0'), 0);
  EXPECT_EQ(HexDigitValue('9'), 9);
  EXPECT_EQ(HexDigitValue('a'), 10);
  EXPECT_EQ(HexDigitValue('F'), 15);
  for (char c : {'g', 'G', '/', ':', '@', '`', ' ', '\0', '\xff'}) EXPECT_EQ(HexDigitValue(c), -1);
}

// ---- base64 -----------------------------------------------------------------------------------

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
    EXPECT_EQ(Base64Encode(plain, Base64::kUnpadded), unpadded);
    EXPECT_EQ(Base64Decode(unpadded, Base64::kUnpadded), plain);
  }
}

TEST(Base64Test, UrlAlphabetDiffersFromStandard) {
  const std::string bytes("\xfb\xff\xbf", 3);
  EXPECT_EQ(Base64Encode(bytes), "+/+/");
  EXPECT_EQ(Base64UrlEncode(bytes), "-_-_");
  EXPECT_EQ(Base64UrlDecode("-_-_"), bytes);
  EXPECT_EQ(Base64UrlDecode("+/+/"), std::nullopt);
  EXPECT_EQ(Base64Decode("-_-_"), std::nullopt);
  EXPECT_EQ(Base64Decode("-_-_", Base64::kUnpadded), std::nullopt);
}

TEST(Base64Test, RoundTripsEveryByteAndLength) {
  const std::string all = AllBytes();
  for (size_t len = 0; len <= all.size(); ++len) {
    const std::string in = all.substr(all.size() - len);
    for (Base64 v : {Base64::kPadded, Base64::kUnpadded, Base64::kUrl}) {
      const std::string text = Base64Encode(in, v);
      EXPECT_EQ(text.size(), Base64Size(len, v)) << len;
      EXPECT_EQ(Base64DecodedSize(text, v), len) << len;
      EXPECT_EQ(Base64Decode(text, v), in) << len;
    }
  }
}

TEST(Base64Test, EncodesAndDecodesWithCallerMemory) {
  const std::array<uint8_t, 32> key{1, 2, 3, 250, 251, 252};
  std::array<char, 43> text{};
  Base64EncodeTo(key, Base64::kUnpadded, text);
  const std::string_view view(text.data(), text.size());
  EXPECT_EQ(view, Base64Encode(std::span<const uint8_t>(key), Base64::kUnpadded));
  SecureBytes back(32);
  ASSERT_TRUE(Base64DecodeTo(view, Base64::kUnpadded, back.span()));
  EXPECT_TRUE(std::equal(key.begin(), key.end(), back.data()));
  // The output must be exactly the decoded size.
  SecureBytes small(31);
  EXPECT_FALSE(Base64DecodeTo(view, Base64::kUnpadded, small.span()));
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
  EXPECT_EQ(Base64DecodedSize("Zm9vY", Base64::kUrl), std::nullopt);
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

TEST(Base64Test, UnpaddedRejectsPadding) {
  EXPECT_EQ(Base64Decode("Zg==", Base64::kUnpadded), std::nullopt);
  EXPECT_EQ(Base64Decode("Zm8=", Base64::kUnpadded), std::nullopt);
  EXPECT_EQ(Base64Decode("Zh", Base64::kUnpadded), std::nullopt);
}

// ---- JSON -------------------------------------------------------------------------------------

TEST(JsonStringTest, EscapesQuotesBackslashesAndControlCharacters) {
  std::string out = "x:";
  AppendJsonString(out, std::string_view("a\"b\\c\n\r\t\x01\x1f\x7f\0z", 13));
  EXPECT_EQ(out, "x:\"a\\\"b\\\\c\\n\\r\\t\\u0001\\u001f\x7f\\u0000z\"");
}

TEST(JsonStringTest, BackspaceAndFormFeedByNameOnlyForNlohmannsEscapes) {
  std::string plain;
  AppendJsonString(plain, "\b\f\n");
  EXPECT_EQ(plain, "\"\\u0008\\u000c\\n\"");
  std::string dumped;
  AppendJsonString(dumped, "\b\f\n", JsonEscapes::kNlohmann);
  EXPECT_EQ(dumped, "\"\\b\\f\\n\"");
}

TEST(JsonStringTest, CopiesUtf8AsItIs) {
  std::string out;
  AppendJsonString(out, "\xd0\x9f\xd1\x80\xd0\xb8 \xe2\x82\xac /");
  EXPECT_EQ(out, "\"\xd0\x9f\xd1\x80\xd0\xb8 \xe2\x82\xac /\"");
}

TEST(JsonStringTest, NeverOutgrowsTheAdvertisedBound) {
  const std::string all = AllBytes();
  for (size_t len = 0; len <= 64; ++len) {
    const std::string_view in = std::string_view(all).substr(0, len);
    std::string out;
    out.reserve(JsonStringMaxSize(in));
    const size_t capacity = out.capacity();
    AppendJsonString(out, in);
    EXPECT_LE(out.size(), JsonStringMaxSize(in));
    EXPECT_EQ(out.capacity(), capacity) << "reallocated at length " << len;
  }
}

}  // namespace
}  // namespace voxsecrets
