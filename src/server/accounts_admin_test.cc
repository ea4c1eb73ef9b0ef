#include "server/accounts_admin.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>

#include "auth/api_key_hash.h"
#include "auth/credentials.h"
#include "crypto/openssl_random.h"
#include "iam/roles.h"
#include "store/sqlite/sqlite_store.h"

namespace voxsecrets::server {
namespace {

namespace fs = std::filesystem;

class AccountsAdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/vs-admin-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto store = store::OpenSqliteStore({dir_ + "/db.sqlite"});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  std::string dir_;
  store::StorePtr store_;
  crypto::OpenSslRandom random_;
  FakeClock clock_;
};

TEST_F(AccountsAdminTest, CreatesAccountWithHashedApiKeyAndOwnerKey) {
  auto created = CreateAccount(*store_, {"acme", "ops@acme.test", std::nullopt}, random_, clock_);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->api_key.size(), 64u);

  auto creds = auth::ParseCredentialsJson(created->owner_key.credentials_json.view());
  ASSERT_TRUE(creds.ok());
  EXPECT_EQ(creds->account_id, created->account_id);
  EXPECT_EQ(creds->account_email, "ops@acme.test");
  EXPECT_EQ(creds->key_id, created->owner_key.key_id);

  ASSERT_TRUE(store_
                  ->Read([&](store::Tx& tx) -> Status {
                    VS_ASSIGN_OR_RETURN(auto account, tx.accounts().FindById(created->account_id));
                    EXPECT_TRUE(account.has_value());
                    auto hash = auth::HashApiKey(created->api_key.view());
                    EXPECT_TRUE(hash.ok());
                    // Only the hash is stored, never the key itself.
                    EXPECT_EQ(account->api_key_hash, hash.value());
                    EXPECT_EQ(account->api_key_hash.find(created->api_key.view()),
                              std::string::npos);
                    VS_ASSIGN_OR_RETURN(auto key, tx.keys().FindById(created->owner_key.key_id));
                    EXPECT_TRUE(key.has_value());
                    EXPECT_EQ(key->role_ids, std::vector<int>{iam::kRoleOwner});
                    EXPECT_EQ(key->public_key_pem.find("PRIVATE"), std::string::npos);
                    return Status::Ok();
                  })
                  .ok());
}

TEST_F(AccountsAdminTest, RejectsBadOrDuplicateNames) {
  EXPECT_EQ(CreateAccount(*store_, {"Acme", "a@b", std::nullopt}, random_, clock_).status().code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE(CreateAccount(*store_, {"acme", "a@b", std::nullopt}, random_, clock_).ok());
  EXPECT_EQ(CreateAccount(*store_, {"acme", "c@d", std::nullopt}, random_, clock_).status().code(),
            StatusCode::kAlreadyExists);
}

TEST_F(AccountsAdminTest, ChildAccountsNeedAnExistingTopLevelParent) {
  auto parent = CreateAccount(*store_, {"parent", "p@x", std::nullopt}, random_, clock_);
  ASSERT_TRUE(parent.ok());
  auto child = CreateAccount(*store_, {"child", "c@x", parent->account_id}, random_, clock_);
  ASSERT_TRUE(child.ok());
  EXPECT_EQ(CreateAccount(*store_, {"grandchild", "g@x", child->account_id}, random_, clock_)
                .status()
                .code(),
            StatusCode::kInvalidAccountId);
  EXPECT_EQ(CreateAccount(*store_, {"orphan", "o@x", 999999}, random_, clock_).status().code(),
            StatusCode::kInvalidAccountId);
}

TEST_F(AccountsAdminTest, CreateKeyChecksAccountAndRoles) {
  auto account = CreateAccount(*store_, {"acme", "a@b", std::nullopt}, random_, clock_);
  ASSERT_TRUE(account.ok());
  auto key = CreateKey(*store_, account->account_id, {iam::kRoleDeveloper, iam::kRoleSupport}, "ci",
                       "", random_, clock_);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_NE(key->key_id, account->owner_key.key_id);
  EXPECT_EQ(CreateKey(*store_, 424242, {iam::kRoleOwner}, "", "", random_, clock_).status().code(),
            StatusCode::kInvalidAccountId);
  EXPECT_EQ(CreateKey(*store_, account->account_id, {999}, "", "", random_, clock_).status().code(),
            StatusCode::kInvalidRoleId);
}

// `voxsecrets key create --application`: ids, short and full names of the account's applications;
// anything else is refused and no key is made.
TEST_F(AccountsAdminTest, CreateKeyLimitedToApplications) {
  auto account = CreateAccount(*store_, {"acme", "ops@acme.test", std::nullopt}, random_, clock_);
  auto other = CreateAccount(*store_, {"other", "o@o.test", std::nullopt}, random_, clock_);
  ASSERT_TRUE(account.ok() && other.ok());
  std::vector<int64_t> ids;
  for (const char* name : {"billing", "search", "theirs"}) {
    store::ApplicationRecord app;
    app.account_id = std::string(name) == "theirs" ? other->account_id : account->account_id;
    app.name = name;
    ASSERT_TRUE(store_
                    ->Write([&](store::Tx& tx) -> Status {
                      VS_ASSIGN_OR_RETURN(int64_t id, tx.applications().Insert(app));
                      ids.push_back(id);
                      return Status::Ok();
                    })
                    .ok());
  }
  auto key = CreateKey(*store_, account->account_id, {iam::kRoleSecretsReader}, "svc", "", random_,
                       clock_, {"search.acme.voximplant.com", std::to_string(ids[0]), "billing"});
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  std::optional<store::KeyRecord> stored;
  ASSERT_TRUE(store_
                  ->Read([&](store::Tx& tx) -> Status {
                    VS_ASSIGN_OR_RETURN(stored, tx.keys().FindById(key->key_id));
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->application_ids, (std::vector<int64_t>{ids[0], ids[1]}));
  EXPECT_EQ(stored->role_ids, std::vector<int>{iam::kRoleSecretsReader});

  for (const std::string& bad : {std::string("theirs"), std::to_string(ids[2]), std::string("x")}) {
    auto refused = CreateKey(*store_, account->account_id, {iam::kRoleSecretsReader}, "", "",
                             random_, clock_, {"billing", bad});
    EXPECT_EQ(refused.status().code(), StatusCode::kNotFound) << bad;
    EXPECT_NE(refused.status().message().find("'" + bad + "'"), std::string::npos);
  }
  // Without --application: every application, as before.
  auto free = CreateKey(*store_, account->account_id, {iam::kRoleOwner}, "", "", random_, clock_);
  ASSERT_TRUE(free.ok());
  ASSERT_TRUE(store_
                  ->Read([&](store::Tx& tx) -> Status {
                    VS_ASSIGN_OR_RETURN(stored, tx.keys().FindById(free->key_id));
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_FALSE(stored->application_ids.has_value());
}

TEST_F(AccountsAdminTest, WritePrivateFileIsOwnerOnly) {
  const std::string path = dir_ + "/creds.json";
  ASSERT_TRUE(WritePrivateFile(path, "{}").ok());
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_TRUE(WritePrivateFile(path, "{\"a\":1}").ok());  // replaces
  EXPECT_EQ(fs::file_size(path), 7u);
}

}  // namespace
}  // namespace voxsecrets::server
