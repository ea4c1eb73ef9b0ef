// Shared fixture of the identity-and-access tests (keys, roles, isolation, token attacks): the
// api/ test fixture (account "acme" with legacy credentials and application "myapp") plus helpers
// that make keys cheaply and call methods with bearer tokens. Test-only.
//
// Keys made by MakeKey are stored directly (no RSA generation per key): they reuse the process-wide
// test key pairs round-robin over kKeyPairs pairs, so consecutive keys never share a pair.
#ifndef VOXSECRETS_API_API_IAM_TEST_BASE_H_
#define VOXSECRETS_API_API_IAM_TEST_BASE_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "api/api_test_base.h"
#include "auth/credentials.h"

namespace voxsecrets::api {

class IamTest : public ApiCallTest {
 protected:
  static constexpr size_t kKeyPairs = 3;

  // A key of `account_id` holding `role_ids`, stored directly. `pair`: which shared test key pair
  // (default: the next one, round-robin).
  ApiStack::Key MakeKey(int64_t account_id, std::vector<int> role_ids,
                        std::optional<size_t> pair = std::nullopt) {
    return MakeLimitedKey(account_id, std::move(role_ids), std::nullopt, pair);
  }
  // The same, limited to `application_ids` (nullopt: every application of the account).
  ApiStack::Key MakeLimitedKey(int64_t account_id, std::vector<int> role_ids,
                               std::optional<std::vector<int64_t>> application_ids,
                               std::optional<size_t> pair = std::nullopt) {
    ApiStack::Key key;
    key.key_id = stack().random().Uuid();
    key.account_id = account_id;
    key.pair_index = pair.value_or(next_pair_++ % kKeyPairs);
    std::sort(role_ids.begin(), role_ids.end());
    role_ids.erase(std::unique(role_ids.begin(), role_ids.end()), role_ids.end());
    store::KeyRecord record;
    record.key_id = key.key_id;
    record.account_id = account_id;
    record.public_key_pem = SharedTestKeyPair(key.pair_index).public_key_pem;
    record.role_ids = std::move(role_ids);
    record.application_ids = std::move(application_ids);
    record.created = stack().clock().NowSeconds();
    Status s = stack().store().Write([&](store::Tx& tx) { return tx.keys().Insert(record); });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return key;
  }

  std::string TokenOf(const ApiStack::Key& key, std::optional<int64_t> iss = std::nullopt) {
    Result<std::string> token = stack().Token(key, 60, iss);
    EXPECT_TRUE(token.ok()) << token.status().ToString();
    return token.ok() ? *token : std::string();
  }
  std::string TokenFromPrivateKey(const std::string& private_key_pem, const std::string& kid,
                                  int64_t iss) {
    const int64_t now = stack().clock().NowSeconds();
    Result<std::string> token = auth::SignJwt(private_key_pem, kid, iss, now, now + 60);
    EXPECT_TRUE(token.ok()) << token.status().ToString();
    return token.ok() ? *token : std::string();
  }

  nlohmann::json CallToken(std::string_view method, const ParamList& params,
                           const std::string& token) {
    return stack().CallJson(method, params, token);
  }
  // With a fresh token of `key` (iss = its account unless given).
  nlohmann::json CallAs(const ApiStack::Key& key, std::string_view method, const ParamList& params,
                        std::optional<int64_t> iss = std::nullopt) {
    return CallToken(method, params, TokenOf(key, iss));
  }
  nlohmann::json CallLegacy(const ApiStack::Account& account, std::string_view method,
                            ParamList params) {
    params.emplace_back("account_id", std::to_string(account.id));
    params.emplace_back("api_key", account.api_key);
    return stack().CallJson(method, params);
  }

  std::optional<store::KeyRecord> FindKeyRecord(const std::string& key_id) {
    std::optional<store::KeyRecord> out;
    Status s = stack().store().Read([&](store::Tx& tx) -> Status {
      VS_ASSIGN_OR_RETURN(out, tx.keys().FindById(key_id));
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }
  int64_t KeyCount(int64_t account_id = 0) {
    int64_t total = -1;
    Status s = stack().store().Read([&](store::Tx& tx) -> Status {
      VS_ASSIGN_OR_RETURN(
          store::Page<store::KeyRecord> page,
          tx.keys().ListByAccount(account_id != 0 ? account_id : acme_.id, std::nullopt, 0, 0));
      total = page.total_count;
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return total;
  }

  // Whether any file of the stack's data directory (database, WAL) contains `needle`.
  bool DatabaseContains(const std::string& needle) {
    for (const auto& entry : std::filesystem::directory_iterator(stack().directory())) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
      if (bytes.find(needle) != std::string::npos) return true;
    }
    return false;
  }
  // Line `n` (0 = the armour) of a PEM: a 64-character slice of the key's base64 body.
  static std::string PemBodyLine(const std::string& pem, int n) {
    std::istringstream in(pem);
    std::string line;
    for (int i = 0; i <= n && std::getline(in, line); ++i) {
    }
    return line;
  }

  static nlohmann::json OneJson() { return nlohmann::json::parse(R"({"result":1})"); }

 private:
  size_t next_pair_ = 0;
};

}  // namespace voxsecrets::api

#endif  // VOXSECRETS_API_API_IAM_TEST_BASE_H_
