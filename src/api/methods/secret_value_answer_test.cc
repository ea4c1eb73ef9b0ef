#include "api/methods/secret_value_answer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "api/json_body.h"
#include "common/time_format.h"

namespace voxsecrets::api {
namespace {

using nlohmann::json;

// GetSecretValue's answer as the handler built it before: a JSON tree, encoded by EncodeBody.
Result<std::string> TreeAnswer(const secrets::SecretValue& secret) {
  json item = json::object();
  item["secret_id"] = secret.info.id;
  item["secret_name"] = secret.info.name;
  item["secret_value"] = std::string(secret.value.view());
  if (!secret.info.description.empty()) item["description"] = secret.info.description;
  item["created"] = FormatApiTime(secret.info.created);
  item["modified"] = FormatApiTime(secret.info.modified);
  item["version"] = secret.version;
  json body = json::object();
  body["result"] = json::array();
  body["result"].push_back(std::move(item));
  return EncodeBody(body);
}

secrets::SecretValue Secret(std::string name, std::string_view value, std::string description) {
  secrets::SecretValue secret;
  secret.info.id = 42;
  secret.info.name = std::move(name);
  secret.info.description = std::move(description);
  secret.info.created = 1'700'000'000;
  secret.info.modified = 1'700'000'123;
  secret.value = SecureBytes::FromView(value);
  secret.version = 3;
  return secret;
}

void ExpectSameAsTree(const secrets::SecretValue& secret) {
  const Result<std::string> tree = TreeAnswer(secret);
  const Result<std::string> direct = SecretValueAnswer(secret);
  ASSERT_EQ(tree.ok(), direct.ok());
  if (tree.ok()) {
    EXPECT_EQ(*direct, *tree);
  } else {
    EXPECT_EQ(direct.status().code(), tree.status().code());
    EXPECT_EQ(direct.status().message(), tree.status().message());
  }
}

TEST(SecretValueAnswerTest, IsTheTreesEncodingByteForByte) {
  const secrets::SecretValue secret = Secret("db_password", "s3cr3t", "");
  ExpectSameAsTree(secret);
  EXPECT_EQ(*SecretValueAnswer(secret),
            R"({"result":[{"created":"2023-11-14 22:13:20","modified":"2023-11-14 22:15:23",)"
            R"("secret_id":42,"secret_name":"db_password","secret_value":"s3cr3t","version":3}]})");
}

TEST(SecretValueAnswerTest, DescriptionOnlyWhenThere) {
  ExpectSameAsTree(Secret("n", "v", "the description"));
  EXPECT_NE(SecretValueAnswer(Secret("n", "v", "d"))->find(R"("description":"d")"),
            std::string::npos);
}

TEST(SecretValueAnswerTest, EscapesLikeTheTree) {
  std::string every_byte_below_0x80;
  for (int c = 1; c < 0x80; ++c) every_byte_below_0x80.push_back(static_cast<char>(c));
  ExpectSameAsTree(Secret("a\"b\\c", every_byte_below_0x80, "\b\f\n\r\t/\x7f"));
  ExpectSameAsTree(Secret("имя", "значение 🔑 ключ", "描述"));
  ExpectSameAsTree(Secret("n", std::string("nul\0inside", 10), ""));
  ExpectSameAsTree(Secret("n", "", ""));
}

TEST(SecretValueAnswerTest, InvalidUtf8IsTheTreesInternalError) {
  for (const std::string bad :
       {"\xff", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "ab\xe2\x82", "\x80"}) {
    ExpectSameAsTree(Secret("n", bad, ""));
    ExpectSameAsTree(Secret(bad, "v", ""));
    ExpectSameAsTree(Secret("n", "v", bad));
    EXPECT_EQ(SecretValueAnswer(Secret("n", bad, "")).status().code(), StatusCode::kInternal);
  }
}

TEST(SecretValueAnswerTest, RandomStringsMatchTheTree) {
  std::mt19937 random(20261206);  // fixed seed: the same cases every run
  const std::vector<std::string> pieces = {"a",    "\"",   "\\",       "\n", "\x01",
                                           "\x1f", "\x7f", "é",        "€",  "😀",
                                           "\xc3", "\xa9", "\xe2\x82", " ",  "/"};
  std::uniform_int_distribution<size_t> pick(0, pieces.size() - 1);
  std::uniform_int_distribution<int> length(0, 12);
  for (int i = 0; i < 2000; ++i) {
    std::string value;
    for (int n = length(random); n > 0; --n) value += pieces[pick(random)];
    ExpectSameAsTree(Secret("name", value, i % 2 == 0 ? "" : value));
  }
}

}  // namespace
}  // namespace voxsecrets::api
