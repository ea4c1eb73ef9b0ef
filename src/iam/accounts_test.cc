// The account rules over a real SQLite store (tests/testing/api_fixture.h): names, child accounts
// one level deep, an account always inserted together with its first key.
#include "iam/accounts.h"

#include <gtest/gtest.h>

#include <string>

#include "iam/roles.h"
#include "tests/testing/api_fixture.h"
#include "tests/testing/tx_helpers.h"

namespace voxsecrets::iam {
namespace {

using store::InRead;
using store::InWrite;

class AccountsTest : public api::ApiTest {
 protected:
  store::AccountRecord Account(const std::string& name, std::optional<int64_t> parent = {}) {
    store::AccountRecord record;
    record.name = name;
    record.email = name + "@example.com";
    record.parent_id = parent;
    record.created = stack().clock().NowSeconds();
    return record;
  }
  store::KeyRecord Key(std::string key_id = {}) {
    store::KeyRecord key;
    key.key_id = key_id.empty() ? stack().random().Uuid() : std::move(key_id);
    key.public_key_pem = api::SharedTestKeyPair(0).public_key_pem;
    key.role_ids = {kRoleOwner};
    return key;
  }
  Result<int64_t> Insert(const store::AccountRecord& account, store::KeyRecord key) {
    return InWrite(stack().store(), [&](store::Tx& tx) { return InsertAccount(tx, account, key); });
  }
  std::optional<store::AccountRecord> ByName(const std::string& name) {
    Result<std::optional<store::AccountRecord>> found =
        InRead(stack().store(), [&](store::Tx& tx) { return tx.accounts().FindByName(name); });
    EXPECT_TRUE(found.ok());
    return found.ok() ? *found : std::nullopt;
  }
};

TEST(AccountNameTest, LowerCaseLetterThenLettersDigitsOrDash) {
  for (const std::string& good :
       {std::string("a"), std::string("acme-eu-2"), std::string(40, 'z')}) {
    EXPECT_TRUE(CheckAccountName(good).ok()) << good;
  }
  for (const std::string& bad :
       {std::string(""), std::string("Acme"), std::string("1acme"), std::string("-acme"),
        std::string("ac_me"), std::string("ac me"), std::string(41, 'z'), std::string("ä")}) {
    const Status s = CheckAccountName(bad);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(s.field_name(), "name");
  }
}

TEST_F(AccountsTest, AccountAndItsFirstKeyTogether) {
  Result<int64_t> id = Insert(Account("acme"), Key("first-key"));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  Result<std::optional<store::KeyRecord>> key =
      InRead(stack().store(), [&](store::Tx& tx) { return tx.keys().FindById("first-key"); });
  ASSERT_TRUE(key.ok() && key->has_value());
  EXPECT_EQ((*key)->account_id, *id);
  Result<store::AccountRecord> calling =
      InRead(stack().store(), [&](store::Tx& tx) { return CallingAccount(tx, *id); });
  ASSERT_TRUE(calling.ok());
  EXPECT_EQ(calling->name, "acme");

  // A key that cannot be inserted (its id is taken) leaves no account behind.
  EXPECT_FALSE(Insert(Account("orphan"), Key("first-key")).ok());
  EXPECT_FALSE(ByName("orphan").has_value());
  // A taken name blames `name`.
  const Status taken = Insert(Account("acme"), Key()).status();
  EXPECT_EQ(taken.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(taken.field_name(), "name");
}

TEST_F(AccountsTest, ChildrenOneLevelDeep) {
  Result<int64_t> parent = Insert(Account("acme"), Key());
  ASSERT_TRUE(parent.ok());
  Result<int64_t> child = Insert(Account("acme-eu", *parent), Key());
  ASSERT_TRUE(child.ok()) << child.status().ToString();
  EXPECT_EQ(ByName("acme-eu")->parent_id, *parent);
  EXPECT_EQ(Insert(Account("acme-eu-1", *child), Key()).status().code(),
            StatusCode::kInvalidAccountId);
  EXPECT_EQ(Insert(Account("nobody-s", 424242), Key()).status().code(),
            StatusCode::kInvalidAccountId);
  EXPECT_FALSE(ByName("acme-eu-1").has_value());

  Result<int64_t> other = Insert(Account("globex"), Key());
  ASSERT_TRUE(other.ok());
  Result<int64_t> second = Insert(Account("acme-us", *parent), Key());
  ASSERT_TRUE(second.ok());
  auto visible = [&](int64_t id) {
    return InRead(stack().store(), [&](store::Tx& tx) { return AccountAndChildren(tx, id); });
  };
  EXPECT_EQ(visible(*parent).value(), (std::vector<int64_t>{*parent, *child, *second}));
  EXPECT_EQ(visible(*child).value(), std::vector<int64_t>{*child});
  EXPECT_EQ(visible(*other).value(), std::vector<int64_t>{*other});
}

TEST_F(AccountsTest, AMissingCallingAccountIsOurFault) {
  Result<store::AccountRecord> missing =
      InRead(stack().store(), [&](store::Tx& tx) { return CallingAccount(tx, 424242); });
  EXPECT_EQ(missing.status().code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace voxsecrets::iam
