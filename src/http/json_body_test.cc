// Tests for the JSON object body decoder (json_body.cc).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "http/body_decoders.h"

namespace voxsecrets::http::internal {
namespace {

using namespace std::string_literals;

api::Params DecodeOk(std::string_view body) {
  api::Params p;
  const Status s = DecodeJsonObject(body, &p);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return p;
}

Status DecodeStatus(std::string_view body) {
  api::Params p;
  return DecodeJsonObject(body, &p);
}

TEST(JsonBodyTest, EmptyObjectAndBlankBodyHaveNoParameters) {
  EXPECT_EQ(DecodeOk("{}").size(), 0u);
  EXPECT_EQ(DecodeOk(" { } \n").size(), 0u);
  EXPECT_EQ(DecodeOk("").size(), 0u);
  EXPECT_EQ(DecodeOk(" \r\n\t").size(), 0u);
}

TEST(JsonBodyTest, StringsAreUnescaped) {
  const api::Params p = DecodeOk(
      R"({"secret_name":"DB","secret_value":"a\"b\\c\nd\u00e9\ud83d\ude00 ","x":"\u0000"})");
  EXPECT_EQ(p.Get("secret_name"), "DB");
  EXPECT_TRUE(p.Get("secret_value") == "a\"b\\c\nd\xC3\xA9\xF0\x9F\x98\x80 ");
  EXPECT_EQ(p.Get("x"), "\0"s);
}

TEST(JsonBodyTest, NumbersKeepTheirLiteralText) {
  const api::Params p = DecodeOk(
      R"({"a":1,"b":-5,"c":12.5,"d":1e3,"e":1E+3,"f":0.0,"g":-0.5e-2,"h":18446744073709551615,)"
      R"("i":123456789012345678901234567890,"j":-9223372036854775808,"k":0})");
  EXPECT_EQ(p.Get("a"), "1");
  EXPECT_EQ(p.Get("b"), "-5");
  EXPECT_EQ(p.Get("c"), "12.5");
  EXPECT_EQ(p.Get("d"), "1e3");
  EXPECT_EQ(p.Get("e"), "1E+3");
  EXPECT_EQ(p.Get("f"), "0.0");
  EXPECT_EQ(p.Get("g"), "-0.5e-2");
  EXPECT_EQ(p.Get("h"), "18446744073709551615");
  EXPECT_EQ(p.Get("i"), "123456789012345678901234567890");
  EXPECT_EQ(p.Get("j"), "-9223372036854775808");
  EXPECT_EQ(p.Get("k"), "0");
}

// As nlohmann (the parser this one replaced) does: a number beyond a double's range is refused,
// one too small for it is a valid 0 (its text kept). Found by json_body_fuzz.
TEST(JsonBodyTest, NumbersBeyondADoublesRangeAreMalformed) {
  EXPECT_EQ(DecodeStatus(R"({"b":1844674407300e951615})").code(), StatusCode::kMalformedRequest);
  EXPECT_EQ(DecodeStatus(R"({"b":-1e309})").code(), StatusCode::kMalformedRequest);
  EXPECT_EQ(DecodeStatus(R"({"b":[1,1e400]})").code(), StatusCode::kMalformedRequest);
  EXPECT_EQ(DecodeOk(R"({"b":1e-400})").Get("b"), "1e-400");
  EXPECT_EQ(DecodeOk(R"({"b":1.7e308})").Get("b"), "1.7e308");
  for (const char* text : {"1e400", "1e-400", "1.7e308"}) {
    const nlohmann::json doc = nlohmann::json::parse(std::string(R"({"b":)") + text + "}", nullptr,
                                                     /*allow_exceptions=*/false);
    EXPECT_EQ(doc.is_discarded(), !DecodeStatus(std::string(R"({"b":)") + text + "}").ok()) << text;
  }
}

TEST(JsonBodyTest, BooleansAndNull) {
  const api::Params p = DecodeOk(R"({"t":true,"f":false,"n":null})");
  EXPECT_EQ(p.Get("t"), "true");
  EXPECT_EQ(p.Get("f"), "false");
  EXPECT_FALSE(p.Has("n"));
  EXPECT_EQ(p.size(), 2u);
}

TEST(JsonBodyTest, LastMemberWinsAndNullOrEmptyErases) {
  const api::Params p = DecodeOk(R"({"a":"1","a":"2","b":"1","b":null,"c":"1","c":""})");
  EXPECT_EQ(p.Get("a"), "2");
  EXPECT_FALSE(p.Has("b"));
  EXPECT_FALSE(p.Has("c"));
}

TEST(JsonBodyTest, EmptyKeysAreSkipped) {
  const api::Params p = DecodeOk(R"({"":"x","":[1,2],"a":"1"})");
  EXPECT_EQ(p.size(), 1u);
  EXPECT_EQ(p.Get("a"), "1");
}

TEST(JsonBodyTest, ArraysOfScalarsBecomeLists) {
  const api::Params p =
      DecodeOk(R"({"secret_id":[1,2,3],"secret_name":["A","B"],"mixed":[true,null,1.50,"x"],)"
               R"("empty":[],"nulls":[null,null],"one":["only"]})");
  EXPECT_EQ(p.Get("secret_id"), "1;2;3");
  EXPECT_EQ(p.Get("secret_name"), "A;B");
  EXPECT_EQ(p.Get("mixed"), "true;1.50;x");
  EXPECT_FALSE(p.Has("empty"));
  EXPECT_FALSE(p.Has("nulls"));
  EXPECT_EQ(p.Get("one"), "only");
}

TEST(JsonBodyTest, ByteOrderMarkIsAccepted) {
  EXPECT_EQ(DecodeOk("\xEF\xBB\xBF{\"a\":\"1\"}").Get("a"), "1");
}

void ExpectMalformed(std::string_view body) {
  const Status s = DecodeStatus(body);
  EXPECT_EQ(s.code(), StatusCode::kMalformedRequest) << body;
  EXPECT_FALSE(s.message().empty());
}

TEST(JsonBodyTest, NestedValuesAreMalformed) {
  ExpectMalformed(R"({"a":{}})");
  ExpectMalformed(R"({"a":{"b":1}})");
  ExpectMalformed(R"({"a":[[1]]})");
  ExpectMalformed(R"({"a":[1,{"b":2}]})");
  ExpectMalformed(R"({"a":"1","b":[[]]})");
}

TEST(JsonBodyTest, NonObjectsAreMalformed) {
  for (const char* body : {"[]", "[1,2]", "\"str\"", "12", "true", "null", "x", "{", "{\"a\"}",
                           "{\"a\":}", "{\"a\":1,}", "{} {}", "{}x", "{\"a\":'x'}", "{a:1}",
                           "{\"a\":01}", "{\"a\":1} // c", "{\"a\":NaN}"}) {
    ExpectMalformed(body);
  }
}

TEST(JsonBodyTest, InvalidUtf8AndLoneSurrogatesAreMalformed) {
  ExpectMalformed("{\"a\":\"\xFF\"}");
  ExpectMalformed("{\"a\":\"\xC3\"}");
  ExpectMalformed(R"({"a":"\ud800"})");
  ExpectMalformed(R"({"a":"\udc00x"})");
}

TEST(JsonBodyTest, DeepNestingFailsFast) {
  ExpectMalformed(std::string(100000, '['));
  ExpectMalformed("{\"a\":" + std::string(100000, '['));
  ExpectMalformed(std::string(100000, '{'));
}

TEST(JsonBodyTest, MessagesDoNotEchoTheBody) {
  for (const char* body : {R"({"secret_value":"SEKRIT")", R"({"secret_value":{"SEKRIT":1}})",
                           R"("SEKRIT")", R"({"SEKRIT")"}) {
    const Status s = DecodeStatus(body);
    ASSERT_FALSE(s.ok()) << body;
    EXPECT_EQ(s.message().find("SEKRIT"), std::string::npos) << body;
  }
}

TEST(JsonBodyTest, RoundTripsStringMembers) {
  std::mt19937 rng(99);
  static const char* const kPieces[] = {
      "a",    "Z", " ", "\"", "\\", "\n", "\t", "/", ";", "\xC3\xA9", "\xF0\x9F\x94\x91",
      "\x01", "0", "%"};
  for (int round = 0; round < 300; ++round) {
    nlohmann::json object = nlohmann::json::object();
    api::Params expected;
    const int n = static_cast<int>(rng() % 6);
    for (int i = 0; i < n; ++i) {
      std::string name = "k" + std::to_string(rng() % 4);
      std::string value;
      const int len = static_cast<int>(rng() % 8);
      for (int j = 0; j < len; ++j) value += kPieces[rng() % std::size(kPieces)];
      object[name] = value;
      expected.Set(name, value);  // nlohmann keeps one member per name, the last assigned
    }
    api::Params got;
    ASSERT_TRUE(DecodeJsonObject(object.dump(), &got).ok()) << "round " << round;
    EXPECT_TRUE(got.all() == expected.all()) << "round " << round;
  }
}

}  // namespace
}  // namespace voxsecrets::http::internal
