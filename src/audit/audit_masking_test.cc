#include "audit/audit_masking.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "audit/audit_entry.h"

namespace voxsecrets::audit {
namespace {

using Params = std::map<std::string, std::string, std::less<>>;

TEST(AuditMaskingTest, CredentialNamesAreMasked) {
  for (const char* name :
       {"secret_value", "SECRET_VALUE", "api_key", "Api_Key", "password", "new_account_password",
        "token", "access_token", "refresh_token", "private_key", "client_secret", "authorization",
        "some_value", "push_credentials", "webhook_secret"}) {
    EXPECT_TRUE(IsMaskedParam(name)) << name;
  }
  for (const char* name : {"secret_name", "secret_id", "application_id", "application_name",
                           "account_id", "description", "key_id", "count", "offset",
                           "new_secret_name", "secret_name_part", "role_name"}) {
    EXPECT_FALSE(IsMaskedParam(name)) << name;
  }
}

TEST(AuditMaskingTest, CredentialLookingValuesAreMaskedWhateverTheirName) {
  EXPECT_TRUE(LooksLikeCredential("eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOjF9.c2ln"));
  EXPECT_TRUE(LooksLikeCredential("  -----BEGIN PRIVATE KEY-----\nMII..."));
  EXPECT_FALSE(LooksLikeCredential("eyJ-no-dots"));
  EXPECT_FALSE(LooksLikeCredential("my description"));
  EXPECT_FALSE(LooksLikeCredential(""));

  const std::string jwt = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOjF9.c2ln";
  const std::string json = MaskArgs(Params{{"description", jwt}});
  EXPECT_EQ(json.find(jwt), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(json)["description"], "***");
}

TEST(AuditMaskingTest, MaskArgsKeepsOrdinaryParametersAndMasksTheRest) {
  const std::string value = "hunter2-value-with \"quotes\"";
  const std::string api_key = "d2f5c0e4-legacy-api-key";
  const std::string json = MaskArgs(Params{{"application_id", "12"},
                                           {"secret_name", "DbPassword"},
                                           {"secret_value", value},
                                           {"account_id", "3"},
                                           {"api_key", api_key}});
  EXPECT_EQ(json.find(value), std::string::npos);
  EXPECT_EQ(json.find(api_key), std::string::npos);
  const nlohmann::json args = nlohmann::json::parse(json);
  EXPECT_EQ(args["application_id"], "12");
  EXPECT_EQ(args["secret_name"], "DbPassword");
  EXPECT_EQ(args["secret_value"], "***");
  EXPECT_EQ(args["api_key"], "***");
  EXPECT_EQ(args["account_id"], "3");
  EXPECT_EQ(args.size(), 5u);
}

TEST(AuditMaskingTest, LongInvalidAndManyParametersAreBounded) {
  const std::string long_value(1000, 'x');
  const std::string json =
      MaskArgs(Params{{"description", long_value}, {"name\xff", "v"}, {"bad", "\xc3\x28"}});
  const nlohmann::json args = nlohmann::json::parse(json);
  EXPECT_EQ(args["description"].get<std::string>(),
            std::string(kMaxArgValueCodePoints, 'x') + "...");
  EXPECT_EQ(args["bad"], "<2 bytes, not UTF-8>");
  EXPECT_TRUE(args.contains("<5 bytes, not UTF-8>"));

  Params many;
  for (int i = 0; i < 100; ++i) many["p" + std::to_string(1000 + i)] = "v";
  const nlohmann::json bounded = nlohmann::json::parse(MaskArgs(many));
  EXPECT_EQ(bounded.size(), kMaxArgs + 1);
  EXPECT_EQ(bounded["..."], "36 more parameters");
}

TEST(AuditMaskingTest, TheRecordedParametersNeverExceedTheByteCap) {
  // The worst case per parameter: 256 control characters, each escaped as six bytes.
  Params junk;
  for (int i = 0; i < 64; ++i) junk["p" + std::to_string(100 + i)] = std::string(1000, '\x01');
  const std::string json = MaskArgs(junk);
  EXPECT_LE(json.size(), kMaxArgsJsonBytes);
  const nlohmann::json args = nlohmann::json::parse(json);
  ASSERT_TRUE(args.contains("..."));
  const size_t kept = args.size() - 1;
  EXPECT_GE(kept, 1u);
  EXPECT_EQ(args["..."], std::to_string(64 - kept) + " more parameters");
  EXPECT_EQ(args["p100"].get<std::string>(), std::string(kMaxArgValueCodePoints, '\x01') + "...");
  // Masked values are short and always kept while they fit.
  EXPECT_EQ(nlohmann::json::parse(MaskArgs(Params{{"secret_value", std::string(60000, 'v')}})),
            nlohmann::json::parse(R"({"secret_value":"***"})"));
}

TEST(AuditMaskingTest, EmptyParametersGiveAnEmptyObject) { EXPECT_EQ(MaskArgs(Params{}), "{}"); }

TEST(AuditEntryTest, ToRecordFillsTheFieldsAndTouchedIds) {
  AuditEntry entry;
  entry.time_ms = 1767225600123;
  entry.account_id = 5;
  entry.key_id = "k-1";
  entry.credential = AuditCredential::kServiceKey;
  entry.ip = "127.0.0.1";
  entry.method = std::string(100, 'M');
  entry.args_json = R"({"a":"1"})";
  entry.application_ids = {3};
  entry.secret_ids = {8, 9};
  entry.result_code = 341;
  const store::AuditRecord record = ToRecord(entry);
  EXPECT_EQ(record.time_ms, 1767225600123);
  EXPECT_EQ(record.account_id, std::optional<int64_t>(5));
  EXPECT_EQ(record.key_id, "k-1");
  EXPECT_EQ(record.credential, "service_key");
  EXPECT_EQ(record.ip, "127.0.0.1");
  EXPECT_EQ(record.method, std::string(64, 'M') + "...");
  EXPECT_EQ(record.args_json, R"({"a":"1"})");
  EXPECT_EQ(record.touched_json, R"({"application_ids":[3],"secret_ids":[8,9]})");
  EXPECT_EQ(record.result_code, 341);

  EXPECT_EQ(TouchedJson({}, {}), "{}");
  EXPECT_EQ(TouchedJson({}, {4}), R"({"secret_ids":[4]})");
  EXPECT_EQ(AuditCredentialName(AuditCredential::kNone), "none");
  EXPECT_EQ(AuditCredentialName(AuditCredential::kLegacyApiKey), "legacy_api_key");
}

}  // namespace
}  // namespace voxsecrets::audit
