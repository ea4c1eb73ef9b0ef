#include "cli/token_command.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "auth/authenticator.h"
#include "auth/credentials.h"
#include "auth/key_cache.h"
#include "iam/roles.h"

namespace voxsecrets::cli {
namespace {

namespace fs = std::filesystem;

class OneKeyDirectory final : public auth::KeyDirectory {
 public:
  explicit OneKeyDirectory(auth::KeyInfo key) : key_(std::move(key)) {}
  Result<std::optional<auth::KeyInfo>> FindKey(std::string_view id) override {
    if (id != key_.key_id) return std::optional<auth::KeyInfo>();
    return std::optional<auth::KeyInfo>(key_);
  }
  Result<auth::AccountLink> FindAccount(int64_t id) override {
    auth::AccountLink link;
    link.exists = id == key_.account_id || id == kChild;
    if (id == kChild) link.parent_id = key_.account_id;
    return link;
  }
  Result<std::optional<std::string>> FindApiKeyHash(int64_t) override {
    return std::optional<std::string>();
  }
  static constexpr int64_t kChild = 77;

 private:
  auth::KeyInfo key_;
};

class TokenCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/vs-token-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto pair = auth::GenerateRsaKeyPair();
    ASSERT_TRUE(pair.ok());
    public_pem_ = pair->public_key_pem;
    auth::Credentials creds;
    creds.account_email = "a@b";
    creds.account_id = 12;
    creds.key_id = "key-1";
    creds.private_key_pem = std::move(pair->private_key_pem);
    auto json = auth::BuildCredentialsJson(creds);
    ASSERT_TRUE(json.ok());
    path_ = dir_ + "/credentials.json";
    std::ofstream(path_) << json->view();
  }
  void TearDown() override { fs::remove_all(dir_); }

  Result<auth::Principal> Verify(const std::string& token) {
    OneKeyDirectory dir({"key-1", 12, public_pem_, {iam::kRoleOwner}, {}});
    auth::KeyCache cache;
    auth::Authenticator authn(dir, cache, clock_);
    return authn.AuthenticateBearer(token);
  }

  std::string dir_;
  std::string path_;
  std::string public_pem_;
  FakeClock clock_;
};

TEST_F(TokenCommandTest, MakesATokenTheServerAccepts) {
  auto token = MakeToken({path_, 600, 0}, clock_);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  auto principal = Verify(*token);
  ASSERT_TRUE(principal.ok()) << principal.status().ToString();
  EXPECT_EQ(principal->account_id, 12);
  clock_.AdvanceSeconds(601);
  EXPECT_EQ(Verify(*token).status().code(), StatusCode::kTokenExpired);
}

TEST_F(TokenCommandTest, ActsAsAChildAccountWhenAsked) {
  auto token = MakeToken({path_, 60, OneKeyDirectory::kChild}, clock_);
  ASSERT_TRUE(token.ok());
  auto principal = Verify(*token);
  ASSERT_TRUE(principal.ok()) << principal.status().ToString();
  EXPECT_EQ(principal->account_id, OneKeyDirectory::kChild);
  EXPECT_EQ(principal->key_account_id, 12);
}

TEST_F(TokenCommandTest, RejectsBadTtlAndMissingFile) {
  EXPECT_EQ(MakeToken({path_, 0, 0}, clock_).status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(MakeToken({path_, 3601, 0}, clock_).status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(MakeToken({dir_ + "/nope.json", 60, 0}, clock_).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace voxsecrets::cli
