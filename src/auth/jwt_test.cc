#include "auth/jwt.h"

#include <gtest/gtest.h>

#include <string>

#include "auth/auth_test_util.h"
#include "common/encoding.h"

namespace voxsecrets::auth {
namespace {

using testing::TokenWithSignature;

constexpr char kHeader[] = R"({"alg":"RS256","typ":"JWT","kid":"key-1"})";
constexpr char kPayload[] = R"({"iss":1234567,"iat":1767225600,"exp":1767225664})";

std::string Token(std::string_view header, std::string_view payload) {
  return TokenWithSignature(header, payload, "sig-bytes");
}

StatusCode CodeOf(std::string_view token) { return ParseJwt(token).status().code(); }

TEST(ParseJwtTest, DecodesAValidToken) {
  const std::string token = Token(kHeader, kPayload);
  Result<ParsedJwt> jwt = ParseJwt(token);
  ASSERT_TRUE(jwt.ok()) << jwt.status().ToString();
  EXPECT_EQ(jwt->alg, "RS256");
  EXPECT_EQ(jwt->kid, "key-1");
  EXPECT_EQ(jwt->typ, "JWT");
  EXPECT_FALSE(jwt->has_crit);
  EXPECT_EQ(jwt->iss, 1234567);
  EXPECT_EQ(jwt->iat, 1767225600);
  EXPECT_EQ(jwt->exp, 1767225664);
  EXPECT_EQ(jwt->signing_input, token.substr(0, token.rfind('.')));
  EXPECT_EQ(jwt->signature, "sig-bytes");
}

TEST(ParseJwtTest, AcceptsJavaStyleHeaderWithoutTypAndStringIss) {
  Result<ParsedJwt> jwt =
      ParseJwt(Token(R"({"kid":"k","alg":"RS256"})", R"({"iss":"1234567","iat":5,"exp":65})"));
  ASSERT_TRUE(jwt.ok()) << jwt.status().ToString();
  EXPECT_EQ(jwt->typ, std::nullopt);
  EXPECT_EQ(jwt->iss, 1234567);
}

TEST(ParseJwtTest, KeepsAnyAlgForTheCallerToRefuse) {
  Result<ParsedJwt> jwt = ParseJwt(
      TokenWithSignature(R"({"alg":"none","kid":"k"})", R"({"iss":1,"iat":5,"exp":65})", ""));
  ASSERT_TRUE(jwt.ok()) << jwt.status().ToString();
  EXPECT_EQ(jwt->alg, "none");
  EXPECT_TRUE(jwt->signature.empty());
}

TEST(ParseJwtTest, FlagsCrit) {
  Result<ParsedJwt> jwt = ParseJwt(
      Token(R"({"alg":"RS256","kid":"k","crit":["exp"]})", R"({"iss":1,"iat":5,"exp":6})"));
  ASSERT_TRUE(jwt.ok());
  EXPECT_TRUE(jwt->has_crit);
}

TEST(ParseJwtTest, IgnoresUnknownMembersAndTakesLastDuplicate) {
  Result<ParsedJwt> jwt = ParseJwt(Token(R"({"alg":"RS256","kid":"k","jku":"https://x"})",
                                         R"({"iss":1,"iss":2,"iat":5,"exp":6,"sub":"x"})"));
  ASSERT_TRUE(jwt.ok());
  EXPECT_EQ(jwt->iss, 2);
}

TEST(ParseJwtTest, IssAcceptedForms) {
  const std::pair<std::string, int64_t> ok[] = {
      {R"("123")", 123},
      {R"(123)", 123},
      {R"("007")", 7},
      {R"(9223372036854775807)", 9223372036854775807},
      {R"("9223372036854775807")", 9223372036854775807},
  };
  for (const auto& [iss, want] : ok) {
    Result<ParsedJwt> jwt = ParseJwt(Token(kHeader, R"({"iss":)" + iss + R"(,"iat":5,"exp":6})"));
    ASSERT_TRUE(jwt.ok()) << iss;
    EXPECT_EQ(jwt->iss, want) << iss;
  }
}

TEST(ParseJwtTest, IssRefusedForms) {
  for (const char* iss : {R"("abc")",
                          R"("")",
                          R"("12a")",
                          R"("-5")",
                          R"("+5")",
                          R"(" 5")",
                          R"("5 ")",
                          R"("0")",
                          R"(0)",
                          R"(-5)",
                          R"(5.0)",
                          R"(5e2)",
                          R"(true)",
                          R"(null)",
                          R"([5])",
                          R"({"a":5})",
                          R"(9223372036854775808)",
                          R"("9223372036854775808")",
                          R"(18446744073709551616)",
                          R"("１２")"}) {
    EXPECT_EQ(CodeOf(Token(kHeader, std::string(R"({"iss":)") + iss + R"(,"iat":5,"exp":6})")),
              StatusCode::kTokenMalformed)
        << iss;
  }
}

TEST(ParseJwtTest, MissingClaimsAreMalformed) {
  EXPECT_EQ(CodeOf(Token(kHeader, R"({"iat":5,"exp":6})")), StatusCode::kTokenMalformed);
  EXPECT_EQ(CodeOf(Token(kHeader, R"({"iss":1,"exp":6})")), StatusCode::kTokenMalformed);
  EXPECT_EQ(CodeOf(Token(kHeader, R"({"iss":1,"iat":5})")), StatusCode::kTokenMalformed);
  EXPECT_EQ(CodeOf(Token(kHeader, R"({})")), StatusCode::kTokenMalformed);
}

TEST(ParseJwtTest, TimeClaimsMustBeIntegersInRange) {
  const std::string max = std::to_string(kMaxNumericDate);
  const std::string over = std::to_string(kMaxNumericDate + 1);
  EXPECT_TRUE(ParseJwt(Token(kHeader, R"({"iss":1,"iat":0,"exp":)" + max + "}")).ok());
  for (const std::string& bad :
       {std::string("1.5"), std::string("1.0"), std::string("1e3"), std::string("-1"),
        std::string("\"5\""), std::string("null"), std::string("true"), over}) {
    EXPECT_EQ(CodeOf(Token(kHeader, R"({"iss":1,"iat":)" + bad + R"(,"exp":6})")),
              StatusCode::kTokenMalformed)
        << "iat " << bad;
    EXPECT_EQ(CodeOf(Token(kHeader, R"({"iss":1,"iat":5,"exp":)" + bad + "}")),
              StatusCode::kTokenMalformed)
        << "exp " << bad;
  }
}

TEST(ParseJwtTest, HeaderMembers) {
  const std::string p = R"({"iss":1,"iat":5,"exp":6})";
  EXPECT_EQ(CodeOf(Token(R"({"kid":"k"})", p)), StatusCode::kTokenMalformed);
  EXPECT_EQ(CodeOf(Token(R"({"alg":"RS256"})", p)), StatusCode::kTokenMalformed);
  EXPECT_EQ(CodeOf(Token(R"({"alg":"RS256","kid":""})", p)), StatusCode::kTokenMalformed);
  EXPECT_EQ(CodeOf(Token(R"({"alg":"RS256","kid":7})", p)), StatusCode::kTokenMalformed);
  EXPECT_EQ(CodeOf(Token(R"({"alg":256,"kid":"k"})", p)), StatusCode::kTokenMalformed);
  EXPECT_EQ(CodeOf(Token(R"({"alg":"RS256","kid":"k","typ":1})", p)), StatusCode::kTokenMalformed);
  EXPECT_TRUE(ParseJwt(Token(R"({"alg":"RS256","kid":"k","typ":"at+jwt"})", p)).ok());
}

TEST(ParseJwtTest, StructureFaultsAreMalformed) {
  const std::string h = Base64UrlEncode(kHeader);
  const std::string p = Base64UrlEncode(kPayload);
  const std::string s = Base64UrlEncode("sig");
  for (const std::string& bad : {
           std::string(""),
           std::string("."),
           std::string(".."),
           std::string("..."),
           h,
           h + "." + p,
           h + "." + p + "." + s + "." + s,
           "." + p + "." + s,
           h + ".." + s,
           h + "=." + p + "." + s,       // padding
           h + "." + p + "." + s + "=",  // padding on the signature
           h + "." + p + ".+/",          // standard alphabet
           " " + h + "." + p + "." + s,  // whitespace
           h + "." + p + "." + s + "\n",
           Base64UrlEncode("[1,2]") + "." + p + "." + s,  // not an object
           h + "." + Base64UrlEncode("\"str\"") + "." + s,
           h + "." + Base64UrlEncode("{\"iss\":1,") + "." + s,  // truncated JSON
           h + "." + Base64UrlEncode(R"({"iss":1,"iat":5,"exp":6} x)") + "." + s,
           h + "." + Base64UrlEncode("{\"iss\":1,\"iat\":5,\"exp\":6,\"n\":\"\xff\"}") + "." + s,
       }) {
    EXPECT_EQ(CodeOf(bad), StatusCode::kTokenMalformed) << bad;
  }
}

TEST(ParseJwtTest, TooLongIsMalformed) {
  const std::string pad(kMaxJwtLength, 'a');
  const std::string payload = R"({"iss":1,"iat":5,"exp":6,"x":")";
  std::string token = Token(kHeader, payload + pad + "\"}");
  ASSERT_GT(token.size(), kMaxJwtLength);
  EXPECT_EQ(CodeOf(token), StatusCode::kTokenMalformed);
}

TEST(ParseJwtTest, MessageNeverEchoesTheToken) {
  const std::string token = Token(kHeader, R"({"iss":"secretish","iat":5,"exp":6})");
  Status s = ParseJwt(token).status();
  EXPECT_EQ(s.code(), StatusCode::kTokenMalformed);
  EXPECT_EQ(s.message().find("secretish"), std::string::npos);
  EXPECT_EQ(s.message().find(token.substr(0, 10)), std::string::npos);
  EXPECT_TRUE(s.field_name().empty());
}

TEST(ExtractBearerTokenTest, Forms) {
  EXPECT_EQ(ExtractBearerToken("Bearer abc.def.ghi"), "abc.def.ghi");
  EXPECT_EQ(ExtractBearerToken("bearer abc"), "abc");
  EXPECT_EQ(ExtractBearerToken("BEARER \t abc  "), "abc");
  EXPECT_EQ(ExtractBearerToken("  Bearer abc"), "abc");
  EXPECT_EQ(ExtractBearerToken("Bearer"), std::nullopt);
  EXPECT_EQ(ExtractBearerToken("Bearer   "), std::nullopt);
  EXPECT_EQ(ExtractBearerToken("Bearerabc"), std::nullopt);
  EXPECT_EQ(ExtractBearerToken("Basic abc"), std::nullopt);
  EXPECT_EQ(ExtractBearerToken(""), std::nullopt);
}

}  // namespace
}  // namespace voxsecrets::auth
