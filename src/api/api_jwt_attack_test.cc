// Attacks on bearer tokens through the Dispatcher (the unit cases are auth/authenticator_test.cc):
// each forged or unusable token gets the code docs/DECISIONS.md "Tokens" gives it, reveals nothing,
// and the same token text never starts working later (the verified-token cache stores only
// successes).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "api/api_iam_test_base.h"
#include "auth/auth_test_util.h"
#include "auth/rs256.h"
#include "common/encoding.h"

namespace voxsecrets::api {
namespace {

using auth::testing::Claims;
using auth::testing::Hs256Token;
using auth::testing::Rs256Header;
using auth::testing::Rs256Token;
using auth::testing::TokenWithSignature;
using nlohmann::json;

class ApiJwtAttackTest : public IamTest {
 protected:
  void SetUp() override {
    IamTest::SetUp();
    if (HasFatalFailure()) return;
    key_ = MakeKey(acme_.id, {iam::kRoleOwner}, 0);
    Result<ApiStack::Account> other = stack().CreateAccount("other");
    ASSERT_TRUE(other.ok());
    other_ = *other;
    other_key_ = MakeKey(other_.id, {iam::kRoleOwner}, 1);
    Result<auth::EvpPkeyPtr> mine =
        auth::ParseRsaPrivateKeyPem(SharedTestKeyPair(0).private_key_pem.view());
    Result<auth::EvpPkeyPtr> theirs =
        auth::ParseRsaPrivateKeyPem(SharedTestKeyPair(1).private_key_pem.view());
    ASSERT_TRUE(mine.ok() && theirs.ok());
    mine_ = std::move(mine).value();
    theirs_ = std::move(theirs).value();
  }

  int64_t now() { return stack().clock().NowSeconds(); }
  std::string Signed(const std::string& header, const std::string& claims) {
    return Rs256Token(mine_.get(), header, claims);
  }
  std::string Good() {
    return Signed(Rs256Header(key_.key_id), Claims(acme_.id, now(), now() + 60));
  }

  // The answer to GetSecrets on acme's application with `token`.
  json Try(const std::string& token) {
    return CallToken("GetSecrets", {{"application_id", std::to_string(app_id_)}}, token);
  }
  // `token` is answered with `code` twice (a second time after a good token was cached).
  void ExpectRefused(const std::string& token, int code, const std::string& what) {
    EXPECT_EQ(ErrorOf(Try(token)), Err(code)) << what;
    ASSERT_TRUE(Try(Good()).contains("result"));
    EXPECT_EQ(ErrorOf(Try(token)), Err(code)) << what << " (second time)";
  }

  ApiStack::Key key_;
  ApiStack::Account other_;
  ApiStack::Key other_key_;
  auth::EvpPkeyPtr mine_;
  auth::EvpPkeyPtr theirs_;
};

TEST_F(ApiJwtAttackTest, TheGoodTokenWorks) {
  const json body = Try(Good());
  EXPECT_TRUE(body.contains("result")) << ErrorOf(body).dump();
}

TEST_F(ApiJwtAttackTest, AlgNone) {
  const std::string claims = Claims(acme_.id, now(), now() + 60);
  ExpectRefused(
      TokenWithSignature(R"({"alg":"none","typ":"JWT","kid":")" + key_.key_id + "\"}", claims, ""),
      100, "alg none, empty signature");
  // alg none with the good token's signature attached.
  const std::string good = Good();
  const std::string sig = good.substr(good.rfind('.') + 1);
  ExpectRefused(Base64UrlEncode(R"({"alg":"none","kid":")" + key_.key_id + "\"}") + "." +
                    Base64UrlEncode(claims) + "." + sig,
                100, "alg none with a signature");
}

TEST_F(ApiJwtAttackTest, Hs256SignedWithThePublicKey) {
  const std::string header = R"({"alg":"HS256","typ":"JWT","kid":")" + key_.key_id + "\"}";
  ExpectRefused(
      Hs256Token(SharedTestKeyPair(0).public_key_pem, header, Claims(acme_.id, now(), now() + 60)),
      100, "HS256 with the public key");
  // Even claiming RS256 in the header, an HMAC is not an RSA signature.
  ExpectRefused(Hs256Token(SharedTestKeyPair(0).public_key_pem, Rs256Header(key_.key_id),
                           Claims(acme_.id, now(), now() + 60)),
                100, "HMAC under an RS256 header");
}

TEST_F(ApiJwtAttackTest, SwappedKid) {
  // Signed by acme's key but naming the other account's key, with either account as iss.
  ExpectRefused(Signed(Rs256Header(other_key_.key_id), Claims(acme_.id, now(), now() + 60)), 100,
                "kid of another key, iss acme");
  ExpectRefused(Signed(Rs256Header(other_key_.key_id), Claims(other_.id, now(), now() + 60)), 100,
                "kid of another key, iss other");
  // Signed by the other account's key, naming acme's key.
  ExpectRefused(
      Rs256Token(theirs_.get(), Rs256Header(key_.key_id), Claims(acme_.id, now(), now() + 60)), 100,
      "foreign signature under acme's kid");
  ExpectRefused(Signed(Rs256Header("00000000-0000-4000-8000-000000000000"),
                       Claims(acme_.id, now(), now() + 60)),
                100, "unknown kid");
}

TEST_F(ApiJwtAttackTest, TamperedPayloadOrSignature) {
  const std::string good = Good();
  const size_t dot1 = good.find('.');
  const size_t dot2 = good.rfind('.');
  const std::string header = good.substr(0, dot1);
  const std::string signature = good.substr(dot2 + 1);
  // The signed token's signature on other claims: another iss, a longer exp, a child's id.
  for (const std::string& claims :
       {Claims(other_.id, now(), now() + 60), Claims(acme_.id, now(), now() + 600),
        Claims(acme_.id, now() - 1, now() + 60)}) {
    ExpectRefused(header + "." + Base64UrlEncode(claims) + "." + signature, 100, claims);
  }
  // A flipped bit in the signature.
  std::string flipped = good;
  flipped[dot2 + 5] = flipped[dot2 + 5] == 'A' ? 'B' : 'A';
  ExpectRefused(flipped, 100, "flipped signature");
  // No signature at all.
  ExpectRefused(good.substr(0, dot2 + 1), 100, "signature removed");
}

TEST_F(ApiJwtAttackTest, IssuerOfAnUnrelatedOrMissingAccount) {
  ExpectRefused(Signed(Rs256Header(key_.key_id), Claims(other_.id, now(), now() + 60)), 100,
                "iss of an unrelated account");
  ExpectRefused(Signed(Rs256Header(key_.key_id), Claims(999999, now(), now() + 60)), 100,
                "iss of no account");
  // A child's key may not act as its parent.
  Result<ApiStack::Account> child = stack().CreateAccount("child", acme_.id);
  ASSERT_TRUE(child.ok());
  ApiStack::Key child_key = MakeKey(child->id, {iam::kRoleOwner}, 2);
  EXPECT_EQ(ErrorOf(CallAs(child_key, "GetSecrets", {{"application_id", std::to_string(app_id_)}},
                           acme_.id)),
            Err(100));
}

TEST_F(ApiJwtAttackTest, DeletedKey) {
  const std::string token = Good();
  ASSERT_TRUE(Try(token).contains("result"));
  ASSERT_EQ(Call("DeleteKey", {{"key_id", key_.key_id}}), OneJson());
  EXPECT_EQ(ErrorOf(Try(token)), Err(100));
  EXPECT_EQ(ErrorOf(Try(Good())), Err(100));
}

TEST_F(ApiJwtAttackTest, TimeRules) {
  const std::string kid = Rs256Header(key_.key_id);
  ExpectRefused(Signed(kid, Claims(acme_.id, now() - 120, now() - 60)), 456, "expired");
  ExpectRefused(Signed(kid, Claims(acme_.id, now() - 60, now())), 456, "exp == now");
  ExpectRefused(Signed(kid, Claims(acme_.id, now() + 61, now() + 120)), 455, "future");
  ExpectRefused(Signed(kid, Claims(acme_.id, now(), now() + 3601)), 454, "too long");
  // Within the rules: 60 s of skew, a TTL of exactly 3600.
  EXPECT_TRUE(Try(Signed(kid, Claims(acme_.id, now() + 60, now() + 120))).contains("result"));
  EXPECT_TRUE(Try(Signed(kid, Claims(acme_.id, now(), now() + 3600))).contains("result"));
  // A token that was good stops working when it expires, cached or not.
  const std::string token = Good();
  ASSERT_TRUE(Try(token).contains("result"));
  stack().clock().AdvanceSeconds(60);
  EXPECT_EQ(ErrorOf(Try(token)), Err(456));
}

TEST_F(ApiJwtAttackTest, MalformedTokens) {
  const std::string kid = R"("kid":")" + key_.key_id + "\"";
  for (const std::string& token :
       {std::string("garbage"), std::string("a.b"), std::string("a.b.c.d"),
        Signed("{\"alg\":\"RS256\"," + kid + "}", R"({"iss":)" + std::to_string(acme_.id) +
                                                      R"(,"iat":)" + std::to_string(now()) + "}"),
        Signed("{\"alg\":\"RS256\"," + kid + "}", R"({"iss":"abc","iat":)" + std::to_string(now()) +
                                                      R"(,"exp":)" + std::to_string(now() + 60) +
                                                      "}"),
        std::string(9000, 'a')}) {
    EXPECT_EQ(ErrorOf(Try(token)), Err(447)) << token.substr(0, 40);
  }
}

TEST_F(ApiJwtAttackTest, AnswersRevealNothing) {
  // Every 100 carries the same message, whatever failed.
  std::set<std::string> messages;
  for (const std::string& token :
       {Signed(Rs256Header(other_key_.key_id), Claims(acme_.id, now(), now() + 60)),
        Signed(Rs256Header(key_.key_id), Claims(other_.id, now(), now() + 60)),
        Signed(Rs256Header("no-such-kid"), Claims(acme_.id, now(), now() + 60)),
        TokenWithSignature(R"({"alg":"none","kid":")" + key_.key_id + "\"}",
                           Claims(acme_.id, now(), now() + 60), "")}) {
    const json body = Try(token);
    ASSERT_EQ(ErrorOf(body), Err(100));
    messages.insert(body["error"]["msg"]);
    EXPECT_EQ(body.dump().find(key_.key_id), std::string::npos);
  }
  EXPECT_EQ(messages.size(), 1u);
}

}  // namespace
}  // namespace voxsecrets::api
