// Tests for percent-decoding, header parameters, Content-Type classification and
// application/x-www-form-urlencoded (form.cc).
#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "common/encoding.h"
#include "http/body_decoders.h"
#include "http/request_decoder.h"

namespace voxsecrets::http {
namespace {

using internal::BodyKind;
using internal::BodyKindOf;
using internal::DecodeUrlEncoded;

TEST(PercentDecodeTest, PlainTextIsUnchanged) {
  EXPECT_EQ(PercentDecode("AddSecret", false), "AddSecret");
  EXPECT_EQ(PercentDecode("", true), "");
}

TEST(PercentDecodeTest, DecodesEscapesInEitherCase) {
  EXPECT_EQ(PercentDecode("a%2Fb%2fc", false), "a/b/c");
  EXPECT_EQ(PercentDecode("%41%42%43", false), "ABC");
  EXPECT_EQ(PercentDecode("%D0%9F%d1%80", false), "\xD0\x9F\xD1\x80");
  EXPECT_EQ(PercentDecode("100%25", false), "100%");
}

TEST(PercentDecodeTest, DecodesNulAndHighBytes) {
  const std::optional<std::string> s = PercentDecode("a%00b%FF", false);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(*s, std::string("a\0b\xFF", 4));
}

TEST(PercentDecodeTest, PlusIsSpaceOnlyWhenAsked) {
  EXPECT_EQ(PercentDecode("a+b%2B", true), "a b+");
  EXPECT_EQ(PercentDecode("a+b%2B", false), "a+b+");
}

TEST(PercentDecodeTest, RejectsMalformedEscapes) {
  for (const char* bad : {"%", "%4", "a%", "%zz", "%4g", "%g4", "abc%2", "%%41", "x%-1"}) {
    EXPECT_EQ(PercentDecode(bad, true), std::nullopt) << bad;
  }
}

TEST(HeaderParamTest, BareAndQuotedValues) {
  EXPECT_EQ(HeaderParam("multipart/form-data; boundary=abc123", "boundary"), "abc123");
  EXPECT_EQ(HeaderParam("multipart/form-data; boundary=\"a b;c\"", "boundary"), "a b;c");
  EXPECT_EQ(HeaderParam("multipart/form-data;boundary=x", "boundary"), "x");
  EXPECT_EQ(HeaderParam("multipart/form-data ; boundary = x ; charset=utf-8", "boundary"), "x");
}

TEST(HeaderParamTest, NameIsCaseInsensitiveValueIsNot) {
  EXPECT_EQ(HeaderParam("multipart/form-data; BOUNDARY=AbC", "boundary"), "AbC");
  EXPECT_EQ(HeaderParam("form-data; Name=\"Secret\"", "name"), "Secret");
}

TEST(HeaderParamTest, FindsTheRightParameterAmongSeveral) {
  const std::string_view cd = "form-data; filename=\"file.txt\"; name=\"secret_value\"";
  EXPECT_EQ(HeaderParam(cd, "name"), "secret_value");
  EXPECT_EQ(HeaderParam(cd, "filename"), "file.txt");
  EXPECT_EQ(HeaderParam("text/plain; charset=ISO-8859-1; boundary=q", "charset"), "ISO-8859-1");
}

TEST(HeaderParamTest, QuotedPairsAreUnescaped) {
  EXPECT_EQ(HeaderParam(R"(form-data; name="a\"b\\c")", "name"), "a\"b\\c");
}

TEST(HeaderParamTest, AbsentOrValuelessParameters) {
  EXPECT_EQ(HeaderParam("multipart/form-data", "boundary"), std::nullopt);
  EXPECT_EQ(HeaderParam("", "boundary"), std::nullopt);
  EXPECT_EQ(HeaderParam("multipart/form-data; boundary", "boundary"), std::nullopt);
  EXPECT_EQ(HeaderParam("multipart/form-data; charset=utf-8", "boundary"), std::nullopt);
  // The media type itself is not a parameter.
  EXPECT_EQ(HeaderParam("boundary=x", "boundary"), std::nullopt);
  EXPECT_EQ(HeaderParam("multipart/form-data; boundary=", "boundary"), "");
}

TEST(HeaderParamTest, ToleratesBrokenQuoting) {
  EXPECT_EQ(HeaderParam("form-data; name=\"unterminated", "name"), "unterminated");
  EXPECT_EQ(HeaderParam("form-data; name=\"x\"junk; other=y", "other"), "y");
  EXPECT_EQ(HeaderParam("form-data; name=\"x\"junk; other=y", "name"), "x");
}

TEST(BodyKindTest, KnownTypes) {
  EXPECT_EQ(BodyKindOf("application/x-www-form-urlencoded"), BodyKind::kUrlEncoded);
  EXPECT_EQ(BodyKindOf("application/x-www-form-urlencoded; charset=UTF-8"), BodyKind::kUrlEncoded);
  EXPECT_EQ(BodyKindOf("Application/X-WWW-Form-UrlEncoded"), BodyKind::kUrlEncoded);
  EXPECT_EQ(BodyKindOf("multipart/form-data; boundary=x"), BodyKind::kMultipart);
  EXPECT_EQ(BodyKindOf("MULTIPART/FORM-DATA;boundary=x"), BodyKind::kMultipart);
  EXPECT_EQ(BodyKindOf("application/json"), BodyKind::kJson);
  EXPECT_EQ(BodyKindOf(" application/json ; charset=utf-8"), BodyKind::kJson);
  EXPECT_EQ(BodyKindOf("application/vnd.api+json"), BodyKind::kJson);
  EXPECT_EQ(BodyKindOf("application/merge-patch+JSON"), BodyKind::kJson);
}

TEST(BodyKindTest, MissingOrPlainTextIsSniffed) {
  EXPECT_EQ(BodyKindOf(""), BodyKind::kSniff);
  EXPECT_EQ(BodyKindOf("  "), BodyKind::kSniff);
  EXPECT_EQ(BodyKindOf("text/plain;charset=UTF-8"), BodyKind::kSniff);
}

TEST(BodyKindTest, OtherTypesAreIgnored) {
  EXPECT_EQ(BodyKindOf("application/octet-stream"), BodyKind::kIgnored);
  EXPECT_EQ(BodyKindOf("multipart/mixed; boundary=x"), BodyKind::kIgnored);
  EXPECT_EQ(BodyKindOf("text/json"), BodyKind::kIgnored);
  EXPECT_EQ(BodyKindOf("application/+json"), BodyKind::kIgnored);
  EXPECT_EQ(BodyKindOf("application/jsonx"), BodyKind::kIgnored);
  EXPECT_EQ(BodyKindOf("image/svg+json"), BodyKind::kIgnored);
}

TEST(UrlEncodedTest, DecodesPairs) {
  api::Params p;
  ASSERT_TRUE(DecodeUrlEncoded("cmd=AddSecret&secret_name=DB_PASSWORD&description=Main+DB%21", &p));
  EXPECT_EQ(p.size(), 3u);
  EXPECT_EQ(p.Get("cmd"), "AddSecret");
  EXPECT_EQ(p.Get("secret_name"), "DB_PASSWORD");
  EXPECT_EQ(p.Get("description"), "Main DB!");
}

TEST(UrlEncodedTest, NamesAreDecodedAndValuesMayHoldEquals) {
  api::Params p;
  ASSERT_TRUE(DecodeUrlEncoded("a%5Fb=x%3Dy=z&c+d=1", &p));
  EXPECT_EQ(p.Get("a_b"), "x=y=z");
  EXPECT_EQ(p.Get("c d"), "1");
}

TEST(UrlEncodedTest, LastOccurrenceWinsAndEmptyErases) {
  api::Params p;
  ASSERT_TRUE(DecodeUrlEncoded("a=1&a=2&b=1&b=&c", &p));
  EXPECT_EQ(p.Get("a"), "2");
  EXPECT_FALSE(p.Has("b"));
  EXPECT_FALSE(p.Has("c"));
  EXPECT_EQ(p.size(), 1u);
}

TEST(UrlEncodedTest, SkipsEmptyPairsAndEmptyNames) {
  api::Params p;
  ASSERT_TRUE(DecodeUrlEncoded("&&=x&a=1&&%3D=2&", &p));
  EXPECT_EQ(p.size(), 2u);
  EXPECT_EQ(p.Get("a"), "1");
  EXPECT_EQ(p.Get("="), "2");
}

TEST(UrlEncodedTest, EmptyInputHasNoParameters) {
  api::Params p;
  EXPECT_TRUE(DecodeUrlEncoded("", &p));
  EXPECT_EQ(p.size(), 0u);
}

TEST(UrlEncodedTest, MalformedEscapeInNameOrValueFails) {
  for (const char* bad : {"a=%zz", "a%=1", "a=1&b=%", "a=1&b=%2"}) {
    api::Params p;
    EXPECT_FALSE(DecodeUrlEncoded(bad, &p)) << bad;
  }
}

// "%XX" with upper-case hex digits, as browsers write them.
std::string Escape(char c) {
  std::string escape = "%" + HexEncode(std::string_view(&c, 1));
  for (char& h : escape) h = static_cast<char>(std::toupper(static_cast<unsigned char>(h)));
  return escape;
}

// Percent-encodes every byte except unreserved ones; spaces become '+' or %20 at random.
std::string FormEncode(std::string_view s, std::mt19937& rng) {
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '-' ||
        u == '_' || u == '.' || u == '~') {
      out.push_back(c);
    } else if (c == ' ' && rng() % 2 == 0) {
      out.push_back('+');
    } else {
      out += Escape(c);
    }
  }
  return out;
}

TEST(UrlEncodedTest, RoundTripsArbitraryBytes) {
  std::mt19937 rng(20260427);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::pair<std::string, std::string>> pairs;
    api::Params expected;
    const int n = static_cast<int>(rng() % 6);
    for (int i = 0; i < n; ++i) {
      std::string name = "p" + std::to_string(rng() % 4);
      std::string value;
      const int len = static_cast<int>(rng() % 12);
      for (int j = 0; j < len; ++j) value.push_back(static_cast<char>(rng() % 256));
      expected.Set(name, value);
      pairs.emplace_back(std::move(name), std::move(value));
    }
    std::string encoded;
    for (const auto& [name, value] : pairs) {
      if (!encoded.empty()) encoded.push_back('&');
      encoded += FormEncode(name, rng) + "=" + FormEncode(value, rng);
    }
    api::Params got;
    ASSERT_TRUE(DecodeUrlEncoded(encoded, &got)) << "round " << round;
    EXPECT_TRUE(got.all() == expected.all()) << "round " << round;
  }
}

}  // namespace
}  // namespace voxsecrets::http
