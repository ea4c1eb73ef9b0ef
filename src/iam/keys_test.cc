// KeyService and the role-parameter rules over a real SQLite store (tests/testing/api_fixture.h):
// keys of the calling account only, the grant rule, the 100-key limit, key_name and description.
// The same rules through the API (parameters, error numbers) are api/api_keys_test.cc's.
#include "iam/keys.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "iam/roles.h"
#include "tests/testing/api_fixture.h"
#include "tests/testing/tx_helpers.h"

namespace voxsecrets::iam {
namespace {

using store::InRead;
using store::InWrite;

class KeyServiceTest : public api::ApiTest {
 protected:
  void SetUp() override {
    api::ApiTest::SetUp();
    if (HasFatalFailure()) return;
    Result<api::ApiStack::Account> acme = stack().CreateAccount("acme");
    ASSERT_TRUE(acme.ok()) << acme.status().ToString();
    acme_ = acme->id;
    Result<api::ApiStack::Account> globex = stack().CreateAccount("globex");
    ASSERT_TRUE(globex.ok()) << globex.status().ToString();
    globex_ = globex->id;
  }

  const KeyService& keys() { return stack().keys(); }

  // A key stored directly, with one of three shared test key pairs (no key pair generated).
  std::string StoredKey(int64_t account, std::vector<int> roles) {
    store::KeyRecord record;
    record.key_id = stack().random().Uuid();
    record.account_id = account;
    record.public_key_pem = api::SharedTestKeyPair(stored_++ % 3).public_key_pem;
    record.role_ids = std::move(roles);
    record.created = stack().clock().NowSeconds();
    const Status s = stack().store().Write([&](store::Tx& tx) { return tx.keys().Insert(record); });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return record.key_id;
  }

  Result<store::KeyRecord> Find(const Caller& caller, std::optional<std::string_view> key_id) {
    return InRead(stack().store(), [&](store::Tx& tx) { return keys().Find(tx, caller, key_id); });
  }
  // Prepare (outside any transaction), then Create in a write.
  Result<CreatedKey> Create(const Caller& caller, const NewKey& key) {
    VS_ASSIGN_OR_RETURN(PreparedKey prepared, keys().Prepare(caller, key));
    return InWrite(stack().store(),
                   [&](store::Tx& tx) { return keys().Create(tx, caller, prepared, key.scope); });
  }
  // Runs `change(tx, key)` on the key `key_id` of the caller's account, in one write.
  template <typename Fn>
  Status Change(const Caller& caller, const std::string& key_id, Fn change) {
    return stack().store().Write([&](store::Tx& tx) -> Status {
      VS_ASSIGN_OR_RETURN(store::KeyRecord key, keys().Find(tx, caller, key_id));
      return change(tx, key);
    });
  }
  std::vector<int> RolesOf(const std::string& key_id) {
    Result<store::KeyRecord> key = Find(Caller{acme_, owner_}, key_id);
    EXPECT_TRUE(key.ok()) << key.status().ToString();
    return key.ok() ? key->role_ids : std::vector<int>{};
  }

  int64_t acme_ = 0;
  int64_t globex_ = 0;
  size_t stored_ = 0;
  const std::vector<int> owner_ = {kRoleOwner};
  const std::vector<int> admin_ = {kRoleAdmin};
};

TEST(RoleParamsTest, IdsAndNamesResolveSortedAndUnique) {
  EXPECT_EQ(RolesFromIds({5, 3, 5, 1}).value(), (std::vector<int>{1, 3, 5}));
  EXPECT_EQ(RolesFromNames({"Support", "CallList Manager", "Support"}).value(),
            (std::vector<int>{3, 6}));
  EXPECT_TRUE(RolesFromIds({}).value().empty());
}

TEST(RoleParamsTest, UnknownRolesBlameTheirParameter) {
  for (int64_t bad : {int64_t{0}, int64_t{-1}, int64_t{18}, int64_t{1} << 40}) {
    Status s = RolesFromIds({1, bad}).status();
    EXPECT_EQ(s.code(), StatusCode::kInvalidRoleId) << bad;
    EXPECT_EQ(s.field_name(), "role_id");
    EXPECT_NE(s.message().find(std::to_string(bad)), std::string::npos) << s.message();
  }
  Status s = RolesFromNames({"owner"}).status();  // names match exactly
  EXPECT_EQ(s.code(), StatusCode::kInvalidRoleName);
  EXPECT_EQ(s.field_name(), "role_name");
  EXPECT_EQ(s.message(), "Invalid 'role_name': there is no role 'owner'.");
  // The name is echoed made safe and short (common/field_rules.h EchoForMessage).
  s = RolesFromNames({"bad\xff" + std::string(300, 'x')}).status();
  EXPECT_EQ(s.message().find('\xff'), std::string::npos);
  EXPECT_LT(s.message().size(), 160u);
}

TEST(RolesOfKeyTest, HeldThenInheritedWithTheirHeldParents) {
  const std::vector<KeyRole> held = RolesOfKey({kRoleOwner, kRoleUserManager, 99}, false);
  ASSERT_EQ(held.size(), 2u);  // 99 names no role
  EXPECT_EQ(held[0].role_id, kRoleOwner);
  EXPECT_EQ(held[0].role_name, "Owner");
  EXPECT_FALSE(held[0].inherited);
  EXPECT_TRUE(held[0].parent_role_ids.empty());

  const std::vector<KeyRole> all = RolesOfKey({kRoleOwner, kRoleAdmin, kRoleUserRead}, true);
  // Held: Owner, Admin, User Read; inherited: Support (through Owner and Admin). User Read is
  // held, so it is not also inherited; User Manager is its parent, not its child.
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[3].role_id, kRoleSupport);
  EXPECT_TRUE(all[3].inherited);
  EXPECT_EQ(all[3].parent_role_ids, (std::vector<int>{kRoleOwner, kRoleAdmin}));
  // A held child is not listed twice.
  EXPECT_EQ(RolesOfKey({kRoleOwner, kRoleSupport}, true).size(), 2u);
}

TEST_F(KeyServiceTest, FindSeesOnlyTheCallersAccount) {
  const std::string mine = StoredKey(acme_, {kRoleDeveloper});
  const std::string theirs = StoredKey(globex_, {kRoleDeveloper});
  ASSERT_TRUE(Find(Caller{acme_, owner_}, mine).ok());
  const Status other = Find(Caller{acme_, owner_}, theirs).status();
  const Status unknown = Find(Caller{acme_, owner_}, "no-such-key").status();
  // Another account's key is answered exactly like one that does not exist.
  EXPECT_EQ(other.code(), StatusCode::kInvalidKeyId);
  EXPECT_EQ(other.message(), unknown.message());
  EXPECT_EQ(other.field_name(), "key_id");
  EXPECT_EQ(Find(Caller{acme_, owner_}, std::string(65, 'k')).status().code(),
            StatusCode::kInvalidKeyId);
  EXPECT_EQ(Find(Caller{acme_, owner_}, std::nullopt).status().code(),
            StatusCode::kMissingArgument);
}

TEST_F(KeyServiceTest, CreateStoresThePublicHalfOnly) {
  NewKey request;
  request.role_ids = {kRoleDeveloper, kRoleSupport};
  const std::string description(250, 'd');
  request.name = "ci";
  request.description = description;
  Result<PreparedKey> prepared = keys().Prepare(Caller{acme_, admin_}, request);
  ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
  EXPECT_NE(prepared->pair.private_key_pem.view().find("BEGIN PRIVATE KEY"), std::string::npos);
  Result<CreatedKey> created = InWrite(stack().store(), [&](store::Tx& tx) {
    return keys().Create(tx, Caller{acme_, admin_}, *prepared, AppScope::Every());
  });
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->account_email, "acme@example.com");
  EXPECT_EQ(created->key.public_key_pem, prepared->pair.public_key_pem);
  Result<store::KeyRecord> stored = Find(Caller{acme_, owner_}, created->key.key_id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->account_id, acme_);
  EXPECT_EQ(stored->name, "ci");
  EXPECT_EQ(stored->description, std::string(200, 'd'));  // cut like a secret's
  EXPECT_EQ(stored->role_ids, (std::vector<int>{kRoleSupport, kRoleDeveloper}));
  EXPECT_NE(stored->public_key_pem.find("BEGIN PUBLIC KEY"), std::string::npos);
  EXPECT_EQ(stored->public_key_pem.find("PRIVATE"), std::string::npos);
}

TEST_F(KeyServiceTest, KeyNameRules) {
  NewKey request;
  const std::string long_name(51, 'n');
  request.name = long_name;
  Status s = Create(Caller{acme_, owner_}, request).status();
  EXPECT_EQ(s.code(), StatusCode::kTooLong);
  EXPECT_EQ(s.field_name(), "key_name");
  request.name = "bad\xff";
  EXPECT_EQ(Create(Caller{acme_, owner_}, request).status().code(), StatusCode::kInvalidArgument);
  // The name is checked before the grant rule.
  request.role_ids = {kRoleOwner};
  EXPECT_EQ(Create(Caller{acme_, admin_}, request).status().code(), StatusCode::kInvalidArgument);
  // 50 code points of Cyrillic (100 bytes) are fine.
  std::string cyrillic;
  for (int i = 0; i < 50; ++i) cyrillic += "ж";
  const std::string key = StoredKey(acme_, {});
  EXPECT_TRUE(Change(Caller{acme_, owner_}, key, [&](store::Tx& tx, const store::KeyRecord& k) {
                return keys().Update(tx, Caller{acme_, owner_}, k, KeyChanges{cyrillic, {}, {}});
              }).ok());
}

TEST_F(KeyServiceTest, GrantRule) {
  NewKey owner_key;
  owner_key.role_ids = {kRoleOwner};
  const Status refused = Create(Caller{acme_, admin_}, owner_key).status();
  EXPECT_EQ(refused.code(), StatusCode::kInvalidRoleSet);
  EXPECT_NE(refused.message().find("'Owner'"), std::string::npos);
  const std::vector<int> developer = {kRoleDeveloper};
  EXPECT_EQ(Create(Caller{acme_, developer}, NewKey{{kRoleSupport}, {}, {}, {}}).status().code(),
            StatusCode::kInvalidRoleSet);

  const std::string holds_owner = StoredKey(acme_, {kRoleOwner, kRoleDeveloper});
  const Caller admin{acme_, admin_};
  // An Admin can neither take Owner away, nor keep it while changing others, nor delete the key.
  EXPECT_EQ(Change(admin, holds_owner,
                   [&](store::Tx& tx, const store::KeyRecord& k) {
                     return keys().SetRoles(tx, admin, k, {kRoleDeveloper});
                   })
                .code(),
            StatusCode::kInvalidRoleSet);
  EXPECT_EQ(Change(admin, holds_owner,
                   [&](store::Tx& tx, const store::KeyRecord& k) {
                     return keys().RemoveRoles(tx, admin, k, {kRoleOwner});
                   })
                .code(),
            StatusCode::kInvalidRoleSet);
  EXPECT_EQ(
      Change(admin, holds_owner,
             [&](store::Tx& tx, const store::KeyRecord& k) { return keys().Delete(tx, admin, k); })
          .code(),
      StatusCode::kInvalidRoleSet);
  // Changing only roles an Admin may grant, around the Owner role, is fine.
  EXPECT_TRUE(Change(admin, holds_owner, [&](store::Tx& tx, const store::KeyRecord& k) {
                return keys().SetRoles(tx, admin, k, {kRoleOwner, kRoleSupport});
              }).ok());
  EXPECT_EQ(RolesOf(holds_owner), (std::vector<int>{kRoleOwner, kRoleSupport}));
  // Removing a role the key does not hold is no error and no change.
  EXPECT_TRUE(Change(admin, holds_owner, [&](store::Tx& tx, const store::KeyRecord& k) {
                return keys().RemoveRoles(tx, admin, k, {kRoleAccountant});
              }).ok());
  EXPECT_EQ(RolesOf(holds_owner), (std::vector<int>{kRoleOwner, kRoleSupport}));
  // The Owner may do all of it.
  const Caller owner{acme_, owner_};
  EXPECT_TRUE(Change(owner, holds_owner, [&](store::Tx& tx, const store::KeyRecord& k) {
                return keys().Delete(tx, owner, k);
              }).ok());
  EXPECT_EQ(Find(owner, holds_owner).status().code(), StatusCode::kInvalidKeyId);
}

TEST_F(KeyServiceTest, AtMostOneHundredKeysPerAccount) {
  for (int64_t i = 0; i < kMaxKeysPerAccount - 1; ++i) StoredKey(acme_, {});
  ASSERT_TRUE(Create(Caller{acme_, owner_}, NewKey{}).ok());  // the 100th
  const Status full = Create(Caller{acme_, owner_}, NewKey{}).status();
  EXPECT_EQ(full.code(), StatusCode::kTooManyKeys);
  EXPECT_NE(full.message().find("100"), std::string::npos);
  // Another account is not affected.
  EXPECT_TRUE(Create(Caller{globex_, owner_}, NewKey{}).ok());
}

}  // namespace
}  // namespace voxsecrets::iam
