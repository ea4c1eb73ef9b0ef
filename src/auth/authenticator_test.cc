#include "auth/authenticator.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "auth/api_key_hash.h"
#include "auth/auth_test_util.h"
#include "auth/credentials.h"
#include "auth/fake_key_directory.h"
#include "auth/rs256.h"
#include "iam/roles.h"

namespace voxsecrets::auth {
namespace {

using testing::Claims;
using testing::Hs256Token;
using testing::Rs256Header;
using testing::Rs256Token;
using testing::SharedTestKey;
using testing::TestKey;
using testing::TokenWithSignature;

// Accounts: 100 (parent) ─ 101 (child) ─ 102 (grandchild); 200 unrelated; 300 does not exist.
constexpr int64_t kParent = 100;
constexpr int64_t kChild = 101;
constexpr int64_t kGrandchild = 102;
constexpr int64_t kUnrelated = 200;
constexpr int64_t kMissing = 300;
constexpr char kKidA[] = "kid-a";  // key of 100, roles Developer
constexpr char kKidB[] = "kid-b";  // key of 200, roles Owner
constexpr char kKidC[] = "kid-c";  // key of 101 (the child), roles Admin
constexpr char kApiKey[] = "legacy-api-key-of-100";

class AuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.AddAccount(kParent, std::nullopt, *HashApiKey(kApiKey));
    dir_.AddAccount(kChild, kParent);
    dir_.AddAccount(kGrandchild, kChild);
    dir_.AddAccount(kUnrelated);
    dir_.AddKey({kKidA, kParent, a_.public_pem, {iam::kRoleDeveloper}, {}});
  }
  // Keys B and C are generated and registered only by the tests that need them.
  const TestKey& UseKeyB() {
    const TestKey& b = SharedTestKey(1);
    dir_.AddKey({kKidB, kUnrelated, b.public_pem, {iam::kRoleOwner}, {}});
    return b;
  }
  const TestKey& UseKeyC() {
    const TestKey& c = SharedTestKey(2);
    dir_.AddKey({kKidC, kChild, c.public_pem, {iam::kRoleAdmin}, {}});
    return c;
  }

  int64_t now() const { return clock_.NowSeconds(); }

  // A standard token of key A (kid A, iss 100, iat now, exp now+60) unless overridden.
  std::string TokenA(int64_t iss = kParent) const { return TokenFor(a_, kKidA, iss); }
  std::string TokenFor(const TestKey& key, std::string_view kid, int64_t iss) const {
    return Rs256Token(key.private_key.get(), Rs256Header(kid), Claims(iss, now(), now() + 60));
  }

  Status Check(std::string_view token) const { return auth_.AuthenticateBearer(token).status(); }
  StatusCode Code(std::string_view token) const { return Check(token).code(); }

  const TestKey& a_ = SharedTestKey(0);
  FakeClock clock_;
  FakeKeyDirectory dir_;
  KeyCache cache_;
  Authenticator auth_{dir_, cache_, clock_};
};

TEST_F(AuthenticatorTest, ValidTokenGivesThePrincipal) {
  Result<Principal> p = auth_.AuthenticateBearer(TokenA());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->account_id, kParent);
  EXPECT_EQ(p->key_account_id, kParent);
  EXPECT_EQ(p->kind, CredentialKind::kServiceKey);
  EXPECT_EQ(p->key_id, kKidA);
  EXPECT_EQ(p->role_ids, std::vector<int>{iam::kRoleDeveloper});
}

TEST_F(AuthenticatorTest, ShapesOfEveryOfficialClient) {
  const int64_t t = now();
  EVP_PKEY* k = a_.private_key.get();
  const std::string node =
      Rs256Token(k, R"({"alg":"RS256","typ":"JWT","kid":"kid-a"})", Claims(kParent, t, t + 64));
  const std::string python =
      Rs256Token(k, R"({"alg":"RS256","typ":"JWT","kid":"kid-a"})", Claims(kParent, t - 5, t + 24));
  const std::string php =
      Rs256Token(k, R"({"typ":"JWT","alg":"RS256","kid":"kid-a"})", Claims(kParent, t, t + 60));
  const std::string java = Rs256Token(k, R"({"kid":"kid-a","alg":"RS256"})",
                                      R"({"iss":"100","iat":)" + std::to_string(t - 5) +
                                          R"(,"exp":)" + std::to_string(t + 55) + "}");
  const std::string bash =
      Rs256Token(k, R"({"typ":"JWT","alg":"RS256","kid":"kid-a"})", Claims(kParent, t, t + 3600));
  for (const std::string* token : {&node, &python, &php, &java, &bash}) {
    Result<Principal> p = auth_.AuthenticateBearer(*token);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    EXPECT_EQ(p->account_id, kParent);
  }
}

TEST_F(AuthenticatorTest, SignJwtTokensAreAccepted) {
  Result<SecureBytes> pem = PrivateKeyPkcs8Pem(a_.private_key.get());
  ASSERT_TRUE(pem.ok());
  Result<std::string> token = SignJwt(pem->view(), kKidA, kParent, now(), now() + 30);
  ASSERT_TRUE(token.ok());
  EXPECT_TRUE(auth_.AuthenticateBearer(*token).ok());
}

TEST_F(AuthenticatorTest, TokenMayBeReusedUntilItExpires) {
  const std::string token = TokenA();  // exp = now + 60
  EXPECT_TRUE(auth_.AuthenticateBearer(token).ok());
  EXPECT_TRUE(auth_.AuthenticateBearer(token).ok());
  clock_.AdvanceSeconds(59);
  EXPECT_TRUE(auth_.AuthenticateBearer(token).ok());
  clock_.AdvanceSeconds(1);
  EXPECT_EQ(Code(token), StatusCode::kTokenExpired);
}

// --- Child accounts ---------------------------------------------------------------------------

TEST_F(AuthenticatorTest, IssOfAChildRunsAsTheChild) {
  Result<Principal> p = auth_.AuthenticateBearer(TokenA(kChild));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->account_id, kChild);
  EXPECT_EQ(p->key_account_id, kParent);
  EXPECT_EQ(p->key_id, kKidA);
  EXPECT_EQ(p->role_ids, std::vector<int>{iam::kRoleDeveloper});
}

TEST_F(AuthenticatorTest, IssAsNumericStringOfAChild) {
  Result<Principal> p =
      auth_.AuthenticateBearer(Rs256Token(a_.private_key.get(), Rs256Header(kKidA),
                                          R"({"iss":"101","iat":)" + std::to_string(now()) +
                                              R"(,"exp":)" + std::to_string(now() + 60) + "}"));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->account_id, kChild);
}

TEST_F(AuthenticatorTest, GrandchildIsNotReachable) {
  EXPECT_EQ(Code(TokenA(kGrandchild)), StatusCode::kUnauthenticated);
}

TEST_F(AuthenticatorTest, ChildKeyCannotActAsTheParent) {
  const TestKey& c = UseKeyC();
  EXPECT_TRUE(auth_.AuthenticateBearer(TokenFor(c, kKidC, kChild)).ok());
  EXPECT_EQ(Code(TokenFor(c, kKidC, kParent)), StatusCode::kUnauthenticated);
}

TEST_F(AuthenticatorTest, UnrelatedOrMissingIssIsRefused) {
  const TestKey& b = UseKeyB();
  EXPECT_EQ(Code(TokenA(kUnrelated)), StatusCode::kUnauthenticated);
  EXPECT_EQ(Code(TokenA(kMissing)), StatusCode::kUnauthenticated);
  EXPECT_EQ(Code(TokenFor(b, kKidB, kParent)), StatusCode::kUnauthenticated);
}

// --- Attacks ------------------------------------------------------------------------------------

TEST_F(AuthenticatorTest, AlgNoneIsRefused) {
  const std::string claims = Claims(kParent, now(), now() + 60);
  EXPECT_EQ(Code(TokenWithSignature(R"({"alg":"none","kid":"kid-a"})", claims, "")),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(Code(TokenWithSignature(R"({"alg":"none","typ":"JWT","kid":"kid-a"})", claims, "x")),
            StatusCode::kUnauthenticated);
  // Even with a valid RS256 signature, a header that says "none" is refused.
  EXPECT_EQ(Code(Rs256Token(a_.private_key.get(), R"({"alg":"none","kid":"kid-a"})", claims)),
            StatusCode::kUnauthenticated);
}

TEST_F(AuthenticatorTest, OtherAlgorithmsAreRefused) {
  const std::string claims = Claims(kParent, now(), now() + 60);
  for (const char* alg : {"rs256", "RS384", "RS512", "PS256", "ES256", "HS256", ""}) {
    const std::string header = std::string(R"({"alg":")") + alg + R"(","kid":"kid-a"})";
    EXPECT_EQ(Code(Rs256Token(a_.private_key.get(), header, claims)), StatusCode::kUnauthenticated)
        << alg;
  }
}

TEST_F(AuthenticatorTest, Hs256SignedWithThePublicKeyIsRefused) {
  const std::string claims = Claims(kParent, now(), now() + 60);
  // The classic confusion: HMAC keyed with the public key PEM the server knows.
  EXPECT_EQ(Code(Hs256Token(a_.public_pem, R"({"alg":"HS256","typ":"JWT","kid":"kid-a"})", claims)),
            StatusCode::kUnauthenticated);
  // Same MAC under a header claiming RS256: the signature check refuses it.
  EXPECT_EQ(Code(Hs256Token(a_.public_pem, Rs256Header(kKidA), claims)),
            StatusCode::kUnauthenticated);
}

TEST_F(AuthenticatorTest, SwappedKidIsRefused) {
  UseKeyB();
  UseKeyC();
  // Signed by key A, but naming key B (whose account is the iss).
  EXPECT_EQ(Code(TokenFor(a_, kKidB, kUnrelated)), StatusCode::kUnauthenticated);
  EXPECT_EQ(Code(TokenFor(a_, kKidC, kChild)), StatusCode::kUnauthenticated);
}

TEST_F(AuthenticatorTest, TamperedPayloadOrSignatureIsRefused) {
  const std::string good = TokenA();
  const size_t dot1 = good.find('.');
  const size_t dot2 = good.rfind('.');
  // Another payload (iss of the unrelated account) with the original signature.
  const std::string other_payload = Base64UrlEncode(Claims(kUnrelated, now(), now() + 60));
  EXPECT_EQ(Code(good.substr(0, dot1 + 1) + other_payload + good.substr(dot2)),
            StatusCode::kUnauthenticated);
  // Longer validity with the original signature.
  const std::string longer = Base64UrlEncode(Claims(kParent, now(), now() + 3600));
  EXPECT_EQ(Code(good.substr(0, dot1 + 1) + longer + good.substr(dot2)),
            StatusCode::kUnauthenticated);
  // One signature bit flipped.
  std::string sig = *Base64UrlDecode(good.substr(dot2 + 1));
  sig[10] = static_cast<char>(sig[10] ^ 0x01);
  EXPECT_EQ(Code(good.substr(0, dot2 + 1) + Base64UrlEncode(sig)), StatusCode::kUnauthenticated);
  // Signature removed.
  EXPECT_EQ(Code(good.substr(0, dot2 + 1)), StatusCode::kUnauthenticated);
}

TEST_F(AuthenticatorTest, UnknownOrDeletedKeyIsRefused) {
  EXPECT_EQ(Code(TokenFor(a_, "kid-unknown", kParent)), StatusCode::kUnauthenticated);
  const std::string token = TokenA();
  ASSERT_TRUE(auth_.AuthenticateBearer(token).ok());  // now cached
  dir_.RemoveKey(kKidA);
  EXPECT_EQ(Code(token), StatusCode::kUnauthenticated);
}

TEST_F(AuthenticatorTest, ReplacedKeyPemIsHonoured) {
  const TestKey& b = SharedTestKey(1);
  const std::string old_token = TokenA();
  ASSERT_TRUE(auth_.AuthenticateBearer(old_token).ok());
  // The directory now has key B's public half under kid A.
  dir_.AddKey({kKidA, kParent, b.public_pem, {iam::kRoleDeveloper}, {}});
  EXPECT_EQ(Code(old_token), StatusCode::kUnauthenticated);
  EXPECT_TRUE(auth_.AuthenticateBearer(TokenFor(b, kKidA, kParent)).ok());
}

TEST_F(AuthenticatorTest, CritHeaderIsRefused) {
  EXPECT_EQ(Code(Rs256Token(a_.private_key.get(),
                            R"({"alg":"RS256","kid":"kid-a","crit":["b64"],"b64":false})",
                            Claims(kParent, now(), now() + 60))),
            StatusCode::kUnauthenticated);
}

TEST_F(AuthenticatorTest, ForgedTokensCostNoAccountLookup) {
  const std::string forged =
      Hs256Token("guess", Rs256Header(kKidA), Claims(kChild, now(), now() + 60));
  EXPECT_EQ(Code(forged), StatusCode::kUnauthenticated);
  EXPECT_EQ(dir_.find_account_calls(), 0u);
}

TEST_F(AuthenticatorTest, UnauthenticatedMessagesAreAllTheSame) {
  UseKeyB();
  const int64_t t = now();
  const std::vector<std::string> tokens = {
      TokenWithSignature(R"({"alg":"none","kid":"kid-a"})", Claims(kParent, t, t + 60), ""),
      TokenFor(a_, "kid-unknown", kParent),
      TokenFor(a_, kKidB, kUnrelated),
      TokenA(kUnrelated),
      TokenA(kMissing),
  };
  for (const std::string& token : tokens) {
    Status s = Check(token);
    EXPECT_EQ(s.code(), StatusCode::kUnauthenticated);
    EXPECT_EQ(s.message(), "Authorization failed.");
    EXPECT_TRUE(s.field_name().empty());
  }
}

// --- Decoding faults (447) ----------------------------------------------------------------------

TEST_F(AuthenticatorTest, MalformedTokens) {
  const int64_t t = now();
  EVP_PKEY* k = a_.private_key.get();
  const std::string h = Rs256Header(kKidA);
  EXPECT_EQ(Code(""), StatusCode::kTokenMalformed);
  EXPECT_EQ(Code("abc"), StatusCode::kTokenMalformed);
  EXPECT_EQ(Code(Rs256Token(k, h, R"({"iss":100,"exp":)" + std::to_string(t + 60) + "}")),
            StatusCode::kTokenMalformed);
  EXPECT_EQ(Code(Rs256Token(k, h, R"({"iss":100,"iat":)" + std::to_string(t) + "}")),
            StatusCode::kTokenMalformed);
  EXPECT_EQ(Code(Rs256Token(k, h,
                            R"({"iss":"abc","iat":)" + std::to_string(t) + R"(,"exp":)" +
                                std::to_string(t + 60) + "}")),
            StatusCode::kTokenMalformed);
  EXPECT_EQ(Code(Rs256Token(k, R"({"alg":"RS256"})", Claims(kParent, t, t + 60))),
            StatusCode::kTokenMalformed);
  // Malformed wins over every later check (here: alg none and expired).
  EXPECT_EQ(
      Code(TokenWithSignature(R"({"alg":"none","kid":"kid-a"})", R"({"iss":100,"iat":1})", "")),
      StatusCode::kTokenMalformed);
}

// --- Time rules ---------------------------------------------------------------------------------

TEST_F(AuthenticatorTest, TtlLimit) {
  EVP_PKEY* k = a_.private_key.get();
  const std::string h = Rs256Header(kKidA);
  const int64_t t = now();
  EXPECT_TRUE(auth_.AuthenticateBearer(Rs256Token(k, h, Claims(kParent, t, t + 3600))).ok());
  EXPECT_EQ(Code(Rs256Token(k, h, Claims(kParent, t, t + 3601))), StatusCode::kTokenTtlTooLong);
  EXPECT_EQ(Code(Rs256Token(k, h, Claims(kParent, t - 100, t + 3501))),
            StatusCode::kTokenTtlTooLong);
}

TEST_F(AuthenticatorTest, IssuedInTheFuture) {
  EVP_PKEY* k = a_.private_key.get();
  const std::string h = Rs256Header(kKidA);
  const int64_t t = now();
  EXPECT_TRUE(auth_.AuthenticateBearer(Rs256Token(k, h, Claims(kParent, t + 60, t + 120))).ok());
  EXPECT_EQ(Code(Rs256Token(k, h, Claims(kParent, t + 61, t + 121))), StatusCode::kTokenFromFuture);
}

TEST_F(AuthenticatorTest, Expiry) {
  EVP_PKEY* k = a_.private_key.get();
  const std::string h = Rs256Header(kKidA);
  const int64_t t = now();
  EXPECT_TRUE(auth_.AuthenticateBearer(Rs256Token(k, h, Claims(kParent, t - 60, t + 1))).ok());
  // exp == now is expired (RFC 7519: not accepted on or after exp).
  EXPECT_EQ(Code(Rs256Token(k, h, Claims(kParent, t - 60, t))), StatusCode::kTokenExpired);
  EXPECT_EQ(Code(Rs256Token(k, h, Claims(kParent, t - 60, t - 1))), StatusCode::kTokenExpired);
  EXPECT_EQ(Code(Rs256Token(k, h, Claims(kParent, 0, 0))), StatusCode::kTokenExpired);
}

TEST_F(AuthenticatorTest, OrderOfChecks) {
  EVP_PKEY* k = a_.private_key.get();
  const std::string h = Rs256Header(kKidA);
  const int64_t t = now();
  // 100 before 454/455/456: a bad signature on an expired, too-long token.
  const std::string too_long_expired = Rs256Token(k, h, Claims(kParent, t - 9000, t - 1000));
  EXPECT_EQ(Code(too_long_expired), StatusCode::kTokenTtlTooLong);
  EXPECT_EQ(Code(too_long_expired.substr(0, too_long_expired.rfind('.') + 1) + "AAAA"),
            StatusCode::kUnauthenticated);
  // Issuer check before time checks.
  EXPECT_EQ(Code(Rs256Token(k, h, Claims(kUnrelated, t - 9000, t - 1000))),
            StatusCode::kUnauthenticated);
  // 454 before 455.
  EXPECT_EQ(Code(Rs256Token(k, h, Claims(kParent, t + 100, t + 5000))),
            StatusCode::kTokenTtlTooLong);
  // 455 before 456 (exp before iat, iat in the future, exp in the past).
  EXPECT_EQ(Code(Rs256Token(k, h, Claims(kParent, t + 100, t - 100))),
            StatusCode::kTokenFromFuture);
}

// --- Key cache and directory --------------------------------------------------------------------

TEST_F(AuthenticatorTest, KeyIsParsedOncePerKid) {
  const TestKey& b = UseKeyB();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(auth_.AuthenticateBearer(TokenA()).ok());
  ASSERT_TRUE(auth_.AuthenticateBearer(TokenA(kChild)).ok());
  EXPECT_EQ(cache_.parse_count_for_test(), 1u);
  ASSERT_TRUE(auth_.AuthenticateBearer(TokenFor(b, kKidB, kUnrelated)).ok());
  EXPECT_EQ(cache_.parse_count_for_test(), 2u);
}

TEST_F(AuthenticatorTest, DirectoryFailureIsPassedThrough) {
  const std::string token = TokenA(kChild);
  dir_.FailWith(Unavailable("Storage is unavailable."));
  EXPECT_EQ(Code(token), StatusCode::kUnavailable);
  EXPECT_EQ(auth_.AuthenticateLegacy(kParent, kApiKey).status().code(), StatusCode::kUnavailable);
  dir_.FailWith(Status::Ok());
  EXPECT_TRUE(auth_.AuthenticateBearer(token).ok());
}

TEST_F(AuthenticatorTest, CorruptStoredKeyIsDataLoss) {
  dir_.AddKey({"kid-bad",
               kParent,
               "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
               {iam::kRoleOwner},
               {}});
  EXPECT_EQ(Code(TokenFor(a_, "kid-bad", kParent)), StatusCode::kDataLoss);
}

TEST_F(AuthenticatorTest, StatusNeverCarriesTheToken) {
  const int64_t t = now();
  EVP_PKEY* k = a_.private_key.get();
  const std::vector<std::string> tokens = {
      "garbage-token-text",
      TokenA(kUnrelated),
      Rs256Token(k, Rs256Header(kKidA), Claims(kParent, t, t + 3601)),
      Rs256Token(k, Rs256Header(kKidA), Claims(kParent, t + 61, t + 100)),
      Rs256Token(k, Rs256Header(kKidA), Claims(kParent, t - 100, t - 1)),
  };
  for (const std::string& token : tokens) {
    const std::string text = Check(token).ToString();
    EXPECT_EQ(text.find(token.substr(token.size() / 2, 12)), std::string::npos);
    EXPECT_EQ(text.find(kKidA), std::string::npos);
  }
}

// --- Legacy credentials -------------------------------------------------------------------------

TEST_F(AuthenticatorTest, LegacyApiKey) {
  Result<Principal> p = auth_.AuthenticateLegacy(kParent, kApiKey);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->account_id, kParent);
  EXPECT_EQ(p->key_account_id, kParent);
  EXPECT_EQ(p->kind, CredentialKind::kLegacyApiKey);
  EXPECT_TRUE(p->key_id.empty());
  EXPECT_EQ(p->role_ids, iam::AllRoleIds());
  EXPECT_TRUE(iam::RoleSet({iam::kRoleOwner}).Allows(p->role_ids));
}

TEST_F(AuthenticatorTest, LegacyApiKeyRefusals) {
  const std::string wrong = std::string(kApiKey) + "x";
  for (const Status& s : {auth_.AuthenticateLegacy(kParent, wrong).status(),
                          auth_.AuthenticateLegacy(kParent, "").status(),
                          auth_.AuthenticateLegacy(kChild, kApiKey).status(),  // no api_key
                          auth_.AuthenticateLegacy(kMissing, kApiKey).status(),
                          auth_.AuthenticateLegacy(0, kApiKey).status(),
                          auth_.AuthenticateLegacy(-kParent, kApiKey).status()}) {
    EXPECT_EQ(s.code(), StatusCode::kUnauthenticated);
    EXPECT_EQ(s.message(), "Authorization failed.");
  }
}

TEST_F(AuthenticatorTest, EmptyApiKeyIsRefusedEvenIfItsHashIsStored) {
  dir_.AddAccount(kMissing, std::nullopt, *HashApiKey(""));
  EXPECT_EQ(auth_.AuthenticateLegacy(kMissing, "").status().code(), StatusCode::kUnauthenticated);
}

TEST(ApiKeyHashTest, Sha256Hex) {
  // SHA-256("abc"), FIPS 180-2 test vector.
  EXPECT_EQ(*HashApiKey("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HashApiKey("")->size(), 64u);
}

}  // namespace
}  // namespace voxsecrets::auth
