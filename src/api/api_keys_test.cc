// The key and role methods (CreateKey, GetKeys, UpdateKey, DeleteKey, SetKeyRoles, GetKeyRoles,
// RemoveKeyRoles, GetRoles) and GetAccountInfo through the Dispatcher (docs/AUTH.md "Key and role
// methods" and "GetAccountInfo").
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "api/api_iam_test_base.h"
#include "auth/credentials.h"
#include "common/mutex.h"

namespace voxsecrets::api {
namespace {

using nlohmann::json;

class ApiKeysTest : public IamTest {};

// Hands out a shared test key pair, but only once Release() was called: a CreateKey stays inside
// its key generation for as long as a test needs.
class GatedKeyPairs final : public iam::KeyPairSource {
 public:
  // iam::KeyPairSource
  Result<iam::KeyPairPem> NewKeyPair() const override {
    {
      MutexLock lock(mu_);
      ++entered_;
      cv_.SignalAll();
      while (!released_) cv_.Wait(mu_);
    }
    const auth::KeyPair& pair = SharedTestKeyPair(0);
    return iam::KeyPairPem{pair.private_key_pem.Clone(), pair.public_key_pem};
  }
  void WaitUntilEntered() const {
    MutexLock lock(mu_);
    while (entered_ == 0) cv_.Wait(mu_);
  }
  void Release() const {
    {
      MutexLock lock(mu_);
      released_ = true;
    }
    cv_.SignalAll();
  }

 private:
  mutable Mutex mu_;
  mutable CondVar cv_;
  mutable int entered_ GUARDED_BY(mu_) = 0;
  mutable bool released_ GUARDED_BY(mu_) = false;
};

class ApiCreateKeyConcurrencyTest : public IamTest {
 protected:
  ApiStackOptions StackOptions() override {
    ApiStackOptions options;
    options.key_pairs = &gate_;
    return options;
  }
  GatedKeyPairs gate_;
};

// CreateKey makes its key pair before its write transaction opens: while a CreateKey is inside
// its key generation, another write runs to its end. (Were the key made inside the transaction,
// the second write would wait for the store's single writer until the key is released.)
TEST_F(ApiCreateKeyConcurrencyTest, KeyGenerationDoesNotHoldTheWriter) {
  std::future<json> created = std::async(std::launch::async, [&] {
    return Call("CreateKey", {{"key_name", "gated"}});
  });
  gate_.WaitUntilEntered();
  std::future<json> added = std::async(std::launch::async, [&] {
    return CallApp("AddSecret", {{"secret_name", "during"}, {"secret_value", "v"}});
  });
  // A hang guard only: the write completes while the key generation is still held.
  const bool write_finished = added.wait_for(std::chrono::seconds(60)) == std::future_status::ready;
  gate_.Release();
  ASSERT_TRUE(write_finished) << "a write waited for CreateKey's key generation";
  EXPECT_TRUE(added.get().contains("result"));
  const json key = created.get();
  ASSERT_TRUE(key.contains("result")) << ErrorOf(key).dump();
  EXPECT_TRUE(FindKeyRecord(key["result"][0]["key_id"]).has_value());
}

TEST_F(ApiKeysTest, CreateKeyReturnsCredentialsTheServerDoesNotKeep) {
  json body = Call(
      "CreateKey",
      {{"role_name", "Developer;Support"}, {"key_name", "ci"}, {"description", "CI pipeline"}});
  ASSERT_TRUE(body.contains("result")) << ErrorOf(body).dump();
  ASSERT_TRUE(body["result"].is_array());
  ASSERT_EQ(body["result"].size(), 1u);
  const json& item = body["result"][0];
  EXPECT_EQ(item.size(), 4u);
  EXPECT_EQ(item["account_email"], "acme@example.com");
  EXPECT_EQ(item["account_id"], acme_.id);
  const std::string key_id = item["key_id"];
  EXPECT_EQ(key_id.size(), 36u);
  const std::string private_key = item["private_key"];
  EXPECT_EQ(private_key.rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u);

  // The item is a credentials.json.
  Result<auth::Credentials> creds = auth::ParseCredentialsJson(item.dump());
  ASSERT_TRUE(creds.ok()) << creds.status().ToString();
  EXPECT_EQ(creds->key_id, key_id);

  // The store holds the public half of that very private key, and nothing of the private one.
  std::optional<store::KeyRecord> record = FindKeyRecord(key_id);
  ASSERT_TRUE(record.has_value());
  Result<std::string> public_pem = auth::PublicKeyPemFromPrivate(private_key);
  ASSERT_TRUE(public_pem.ok());
  EXPECT_TRUE(record->public_key_pem == *public_pem);
  EXPECT_EQ(record->name, "ci");
  EXPECT_EQ(record->description, "CI pipeline");
  EXPECT_EQ(record->role_ids, (std::vector<int>{iam::kRoleSupport, iam::kRoleDeveloper}));
  EXPECT_FALSE(DatabaseContains(PemBodyLine(private_key, 3)));
  EXPECT_TRUE(DatabaseContains(PemBodyLine(record->public_key_pem, 2)));  // the check can fail

  // The key works at once, with its roles.
  const std::string token = TokenFromPrivateKey(private_key, key_id, acme_.id);
  EXPECT_TRUE(CallToken("GetSecrets", {{"application_id", std::to_string(app_id_)}}, token)
                  .contains("result"));
  EXPECT_EQ(ErrorOf(CallToken("AddApplication", {{"application_name", "x"}}, token)), Err(104));
}

TEST_F(ApiKeysTest, CreateKeyRoleParameters) {
  EXPECT_EQ(ErrorOf(Call("CreateKey", {{"role_id", "5"}, {"role_name", "Developer"}})),
            Err(449, "role_id"));
  EXPECT_EQ(ErrorOf(Call("CreateKey", {{"role_id", "99"}})), Err(440, "role_id"));
  EXPECT_EQ(ErrorOf(Call("CreateKey", {{"role_id", "5;0"}})), Err(440, "role_id"));
  EXPECT_EQ(ErrorOf(Call("CreateKey", {{"role_id", "abc"}})), Err(440, "role_id"));
  EXPECT_EQ(ErrorOf(Call("CreateKey", {{"role_id", "99999999999999999999"}})), Err(440, "role_id"));
  EXPECT_EQ(ErrorOf(Call("CreateKey", {{"role_name", "Developer;Wizard"}})), Err(441, "role_name"));
  EXPECT_EQ(ErrorOf(Call("CreateKey", {{"role_name", "developer"}})), Err(441, "role_name"));
  // Roles are checked before the name.
  EXPECT_EQ(ErrorOf(Call("CreateKey", {{"role_id", "99"}, {"key_name", std::string(51, 'k')}})),
            Err(440, "role_id"));
  EXPECT_EQ(KeyCount(), 0);

  // By id, with a name that has a space, and with no role at all.
  json by_id = Call("CreateKey", {{"role_id", "5;3;5"}});
  ASSERT_TRUE(by_id.contains("result")) << ErrorOf(by_id).dump();
  EXPECT_EQ(FindKeyRecord(by_id["result"][0]["key_id"])->role_ids,
            (std::vector<int>{iam::kRoleSupport, iam::kRoleDeveloper}));
  json spaced = Call("CreateKey", {{"role_name", " CallList Manager ; ACD Stats"}});
  ASSERT_TRUE(spaced.contains("result")) << ErrorOf(spaced).dump();
  EXPECT_EQ(FindKeyRecord(spaced["result"][0]["key_id"])->role_ids,
            (std::vector<int>{iam::kRoleCallListManager, iam::kRoleAcdStats}));
  json none = Call("CreateKey", {});
  ASSERT_TRUE(none.contains("result")) << ErrorOf(none).dump();
  EXPECT_TRUE(FindKeyRecord(none["result"][0]["key_id"])->role_ids.empty());
}

TEST_F(ApiKeysTest, CreateKeyNameAndDescription) {
  EXPECT_EQ(ErrorOf(Call("CreateKey", {{"key_name", std::string(51, 'k')}})), Err(477, "key_name"));
  EXPECT_EQ(ErrorOf(Call("CreateKey", {{"key_name", "bad\xff"}})), Err(496, "key_name"));
  EXPECT_EQ(KeyCount(), 0);
  // 50 code points (not bytes) is fine; the description is cut to 200 code points.
  std::string name;
  for (int i = 0; i < 50; ++i) name += "\xc3\xa9";  // é
  json body = Call("CreateKey", {{"key_name", name}, {"description", std::string(300, 'd')}});
  ASSERT_TRUE(body.contains("result")) << ErrorOf(body).dump();
  std::optional<store::KeyRecord> record = FindKeyRecord(body["result"][0]["key_id"]);
  EXPECT_EQ(record->name, name);
  EXPECT_EQ(record->description, std::string(200, 'd'));
}

TEST_F(ApiKeysTest, AdminCannotGrantOwner) {
  ApiStack::Key admin = MakeKey(acme_.id, {iam::kRoleAdmin});
  EXPECT_EQ(ErrorOf(CallAs(admin, "CreateKey", {{"role_name", "Owner"}})), Err(435));
  EXPECT_EQ(ErrorOf(CallAs(admin, "CreateKey", {{"role_id", "5;1"}})), Err(435));
  EXPECT_EQ(KeyCount(), 1);
  json admin_made = CallAs(admin, "CreateKey", {{"role_name", "Admin;Developer"}});
  EXPECT_TRUE(admin_made.contains("result")) << ErrorOf(admin_made).dump();
  ApiStack::Key owner = MakeKey(acme_.id, {iam::kRoleOwner});
  EXPECT_TRUE(CallAs(owner, "CreateKey", {{"role_name", "Owner"}}).contains("result"));
}

TEST_F(ApiKeysTest, GetKeysListsTheAccountsKeysWithPaging) {
  ApiStack::Key k1 = MakeKey(acme_.id, {iam::kRoleOwner});
  stack().clock().AdvanceSeconds(1);
  ApiStack::Key k2 = MakeKey(acme_.id, {iam::kRoleDeveloper, iam::kRoleSupport});
  stack().clock().AdvanceSeconds(1);
  ApiStack::Key k3 = MakeKey(acme_.id, {});
  ASSERT_TRUE(Call("UpdateKey", {{"key_id", k2.key_id}, {"key_name", "dev"}, {"description", "d"}})
                  .contains("result"));
  // Another account's key is never listed.
  Result<ApiStack::Account> other = stack().CreateAccount("other");
  ASSERT_TRUE(other.ok());
  MakeKey(other->id, {iam::kRoleOwner});

  json all = Call("GetKeys", {});
  EXPECT_EQ(all, json::parse(R"({"result":[{"key_id":")" + k1.key_id + R"("},{"key_id":")" +
                             k2.key_id + R"(","key_name":"dev","description":"d"},{"key_id":")" +
                             k3.key_id + R"("}],"count":3,"total_count":3})"));
  json page = Call("GetKeys", {{"count", "1"}, {"offset", "1"}, {"with_roles", "true"}});
  EXPECT_EQ(page, json::parse(R"({"result":[{"key_id":")" + k2.key_id +
                              R"(","key_name":"dev","description":"d","roles":[
                                {"role_id":3,"role_name":"Support","inherited":false},
                                {"role_id":5,"role_name":"Developer","inherited":false}]}],
                              "count":1,"total_count":3})"));
  json one = Call("GetKeys", {{"key_id", k3.key_id}, {"with_roles", "1"}});
  EXPECT_EQ(one, json::parse(R"({"result":[{"key_id":")" + k3.key_id +
                             R"(","roles":[]}],"count":1,"total_count":1})"));
  EXPECT_EQ(ErrorOf(Call("GetKeys", {{"key_id", "no-such-key"}})), Err(433, "key_id"));
  EXPECT_EQ(ErrorOf(Call("GetKeys", {{"count", "0"}})), Err(497, "count"));
  EXPECT_EQ(ErrorOf(Call("GetKeys", {{"with_roles", "maybe"}})), Err(496, "with_roles"));
}

TEST_F(ApiKeysTest, UpdateKey) {
  ApiStack::Key key = MakeKey(acme_.id, {iam::kRoleDeveloper});
  EXPECT_EQ(ErrorOf(Call("UpdateKey", {{"key_name", "x"}})), Err(485, "key_id"));
  EXPECT_EQ(ErrorOf(Call("UpdateKey", {{"key_id", "nope"}, {"key_name", "x"}})),
            Err(433, "key_id"));
  EXPECT_EQ(ErrorOf(Call("UpdateKey", {{"key_id", std::string(100, 'a')}})), Err(433, "key_id"));
  EXPECT_EQ(
      ErrorOf(Call("UpdateKey", {{"key_id", key.key_id}, {"key_name", std::string(51, 'n')}})),
      Err(477, "key_name"));
  EXPECT_EQ(Call("UpdateKey", {{"key_id", key.key_id}, {"key_name", "renamed"}}), OneJson());
  EXPECT_EQ(Call("UpdateKey", {{"key_id", key.key_id}, {"description", "now described"}}),
            OneJson());
  EXPECT_EQ(Call("UpdateKey", {{"key_id", key.key_id}}), OneJson());  // nothing to change
  std::optional<store::KeyRecord> record = FindKeyRecord(key.key_id);
  EXPECT_EQ(record->name, "renamed");
  EXPECT_EQ(record->description, "now described");
  EXPECT_EQ(record->role_ids, std::vector<int>{iam::kRoleDeveloper});
}

TEST_F(ApiKeysTest, DeletedKeyStopsWorkingOnTheNextRequest) {
  ApiStack::Key key = MakeKey(acme_.id, {iam::kRoleDeveloper});
  const std::string token = TokenOf(key);
  const ParamList list = {{"application_id", std::to_string(app_id_)}};
  ASSERT_TRUE(CallToken("GetSecrets", list, token).contains("result"));
  ASSERT_TRUE(CallToken("GetSecrets", list, token).contains("result"));  // cached token
  EXPECT_EQ(ErrorOf(Call("DeleteKey", {})), Err(485, "key_id"));
  EXPECT_EQ(ErrorOf(Call("DeleteKey", {{"key_id", "nope"}})), Err(433, "key_id"));
  EXPECT_EQ(Call("DeleteKey", {{"key_id", key.key_id}}), OneJson());
  EXPECT_EQ(ErrorOf(CallToken("GetSecrets", list, token)), Err(100));
  EXPECT_EQ(ErrorOf(CallAs(key, "GetSecrets", list)), Err(100));  // a fresh token too
  EXPECT_EQ(ErrorOf(Call("DeleteKey", {{"key_id", key.key_id}})), Err(433, "key_id"));
  EXPECT_FALSE(FindKeyRecord(key.key_id).has_value());
}

TEST_F(ApiKeysTest, AKeyMayDeleteItself) {
  ApiStack::Key admin = MakeKey(acme_.id, {iam::kRoleAdmin});
  const std::string token = TokenOf(admin);
  EXPECT_EQ(CallToken("DeleteKey", {{"key_id", admin.key_id}}, token), OneJson());
  EXPECT_EQ(ErrorOf(CallToken("GetKeys", {}, token)), Err(100));
}

TEST_F(ApiKeysTest, AdminCannotDeleteOrDemoteAnOwnerKey) {
  ApiStack::Key admin = MakeKey(acme_.id, {iam::kRoleAdmin});
  ApiStack::Key owner = MakeKey(acme_.id, {iam::kRoleOwner});
  EXPECT_EQ(ErrorOf(CallAs(admin, "DeleteKey", {{"key_id", owner.key_id}})), Err(435));
  EXPECT_EQ(ErrorOf(CallAs(admin, "SetKeyRoles", {{"key_id", owner.key_id}, {"role_id", "2"}})),
            Err(435));
  EXPECT_EQ(
      ErrorOf(CallAs(admin, "RemoveKeyRoles", {{"key_id", owner.key_id}, {"role_name", "Owner"}})),
      Err(435));
  EXPECT_EQ(ErrorOf(CallAs(admin, "SetKeyRoles", {{"key_id", admin.key_id}, {"role_id", "1"}})),
            Err(435));
  EXPECT_EQ(FindKeyRecord(owner.key_id)->role_ids, std::vector<int>{iam::kRoleOwner});
  EXPECT_EQ(FindKeyRecord(admin.key_id)->role_ids, std::vector<int>{iam::kRoleAdmin});
  // Name and description of an Owner key are not roles: an Admin may change them.
  EXPECT_EQ(CallAs(admin, "UpdateKey", {{"key_id", owner.key_id}, {"key_name", "boss"}}),
            OneJson());
  // Removing a role the Owner key does not hold changes nothing and is allowed.
  EXPECT_EQ(CallAs(admin, "RemoveKeyRoles", {{"key_id", owner.key_id}, {"role_name", "Developer"}}),
            OneJson());
  // The other roles of an Owner key are roles an Admin may grant: it may add and remove them,
  // the Owner role staying.
  EXPECT_EQ(
      CallAs(admin, "SetKeyRoles", {{"key_id", owner.key_id}, {"role_name", "Owner;Developer"}}),
      OneJson());
  EXPECT_EQ(FindKeyRecord(owner.key_id)->role_ids,
            (std::vector<int>{iam::kRoleOwner, iam::kRoleDeveloper}));
  EXPECT_EQ(CallAs(admin, "RemoveKeyRoles", {{"key_id", owner.key_id}, {"role_name", "Developer"}}),
            OneJson());
  EXPECT_EQ(FindKeyRecord(owner.key_id)->role_ids, std::vector<int>{iam::kRoleOwner});
  // An Owner may do all of it.
  EXPECT_EQ(CallAs(owner, "SetKeyRoles", {{"key_id", admin.key_id}, {"role_id", "1"}}), OneJson());
  EXPECT_EQ(Call("DeleteKey", {{"key_id", owner.key_id}}), OneJson());  // legacy = every role
}

TEST_F(ApiKeysTest, SetKeyRolesAppliesToTheNextRequestOfAReusedToken) {
  ApiStack::Key key = MakeKey(acme_.id, {iam::kRoleDeveloper});
  const std::string token = TokenOf(key);
  const ParamList get = {{"application_id", std::to_string(app_id_)}, {"secret_name", "s1"}};
  AddSecret("s1", "v1");
  ASSERT_TRUE(CallToken("GetSecretValue", get, token).contains("result"));
  EXPECT_EQ(ErrorOf(Call("SetKeyRoles", {{"key_id", key.key_id}})), Err(485, "role_id"));
  EXPECT_EQ(ErrorOf(Call("SetKeyRoles", {{"role_id", "3"}})), Err(485, "key_id"));
  EXPECT_EQ(ErrorOf(Call("SetKeyRoles",
                         {{"key_id", key.key_id}, {"role_id", "3"}, {"role_name", "Support"}})),
            Err(449, "role_id"));
  EXPECT_EQ(Call("SetKeyRoles", {{"key_id", key.key_id}, {"role_name", "Support"}}), OneJson());
  EXPECT_EQ(ErrorOf(CallToken("GetSecretValue", get, token)), Err(104));
  EXPECT_TRUE(CallToken("GetSecrets", get, token).contains("result"));
  EXPECT_EQ(Call("SetKeyRoles", {{"key_id", key.key_id}, {"role_id", "5"}}), OneJson());
  EXPECT_TRUE(CallToken("GetSecretValue", get, token).contains("result"));
}

TEST_F(ApiKeysTest, GetKeyRolesAndRemoveKeyRoles) {
  ApiStack::Key key = MakeKey(
      acme_.id, {iam::kRoleOwner, iam::kRoleUserManager, iam::kRoleUserRead, iam::kRoleDeveloper});
  EXPECT_EQ(Call("GetKeyRoles", {{"key_id", key.key_id}}), json::parse(R"({"result":[
      {"role_id":1,"role_name":"Owner","inherited":false},
      {"role_id":5,"role_name":"Developer","inherited":false},
      {"role_id":10,"role_name":"User Manager","inherited":false},
      {"role_id":11,"role_name":"User Read","inherited":false}]})"));
  // Expanded: the roles held through a held role (Support through Owner, User Update through
  // User Manager), each once, naming the held parents.
  EXPECT_EQ(Call("GetKeyRoles", {{"key_id", key.key_id}, {"with_expanded_roles", "true"}}),
            json::parse(R"({"result":[
      {"role_id":1,"role_name":"Owner","inherited":false},
      {"role_id":5,"role_name":"Developer","inherited":false},
      {"role_id":10,"role_name":"User Manager","inherited":false},
      {"role_id":11,"role_name":"User Read","inherited":false},
      {"role_id":3,"role_name":"Support","inherited":true,"parent_role_id":[1]},
      {"role_id":12,"role_name":"User Update","inherited":true,"parent_role_id":[10]}]})"));
  EXPECT_EQ(ErrorOf(Call("GetKeyRoles", {})), Err(485, "key_id"));
  EXPECT_EQ(ErrorOf(Call("GetKeyRoles", {{"key_id", "nope"}})), Err(433, "key_id"));

  EXPECT_EQ(ErrorOf(Call("RemoveKeyRoles", {{"key_id", key.key_id}})), Err(485, "role_id"));
  EXPECT_EQ(ErrorOf(Call("RemoveKeyRoles", {{"key_id", key.key_id}, {"role_id", "77"}})),
            Err(440, "role_id"));
  EXPECT_EQ(Call("RemoveKeyRoles", {{"key_id", key.key_id}, {"role_name", "Owner;User Read"}}),
            OneJson());
  EXPECT_EQ(FindKeyRecord(key.key_id)->role_ids,
            (std::vector<int>{iam::kRoleDeveloper, iam::kRoleUserManager}));
  EXPECT_EQ(Call("RemoveKeyRoles", {{"key_id", key.key_id}, {"role_id", "1;5;10"}}), OneJson());
  EXPECT_EQ(Call("GetKeyRoles", {{"key_id", key.key_id}}), json::parse(R"({"result":[]})"));
}

TEST_F(ApiKeysTest, GetRolesListsTheCatalogueToAnyKey) {
  ApiStack::Key no_roles = MakeKey(acme_.id, {});
  json body = CallAs(no_roles, "GetRoles", {{"group_name", "anything"}});
  ASSERT_TRUE(body.contains("result")) << ErrorOf(body).dump();
  ASSERT_EQ(body["result"].size(), 17u);
  EXPECT_EQ(body["result"][0], json::parse(R"({"role_id":1,"role_name":"Owner","inherited":false,
                                                "child_ids":[3],"gui_only":false})"));
  EXPECT_EQ(body["result"][2], json::parse(R"({"role_id":3,"role_name":"Support","inherited":true,
                            "parent_role_id":[1,2],"gui_only":false})"));
  EXPECT_EQ(body["result"][6]["role_name"], "Accountant");
  EXPECT_EQ(body["result"][6]["role_id"], 7);
  for (size_t i = 0; i < body["result"].size(); ++i) {
    EXPECT_EQ(body["result"][i]["role_id"], i + 1);
  }
  // voxsecrets' own role takes the next free id and is a role like any other.
  EXPECT_EQ(body["result"][16], json::parse(R"({"role_id":17,"role_name":"SecretsReader",
                                                 "inherited":false,"gui_only":false})"));
}

TEST_F(ApiKeysTest, GetAccountInfo) {
  ApiStack::Key no_roles = MakeKey(acme_.id, {});
  const std::string created = Now();
  json expected = json::parse(R"({"result":{"account_id":)" + std::to_string(acme_.id) +
                              R"(,"account_name":"acme","account_email":"acme@example.com",
                              "created":")" +
                              created + R"(","active":true,"frozen":false,
                              "access_entries":["GetAccountInfo","GetRoles"],
                              "key":{"key_id":")" +
                              no_roles.key_id + R"(","roles":[]}}})");
  EXPECT_EQ(CallAs(no_roles, "GetAccountInfo", {{"return_live_balance", "true"}}), expected);

  // Legacy api_key credentials hold every role and are no key.
  json legacy = Call("GetAccountInfo", {});
  ASSERT_TRUE(legacy.contains("result")) << ErrorOf(legacy).dump();
  EXPECT_FALSE(legacy["result"].contains("key"));
  EXPECT_EQ(legacy["result"]["access_entries"].size(),
            stack().dispatcher().methods().Specs().size());
  EXPECT_EQ(legacy["result"]["account_name"], "acme");
}

// What the control panel reads to show who is signed in and to disable what the key may not do.
TEST_F(ApiKeysTest, GetAccountInfoTellsAKeyItsRolesAndMethods) {
  ApiStack::Key developer = MakeKey(acme_.id, {iam::kRoleDeveloper, iam::kRoleSupport});
  json info = CallAs(developer, "GetAccountInfo", {});
  ASSERT_TRUE(info.contains("result")) << ErrorOf(info).dump();
  EXPECT_EQ(info["result"]["key"], json::parse(R"({"key_id":")" + developer.key_id +
                                               R"(","roles":[
      {"role_id":3,"role_name":"Support","inherited":false},
      {"role_id":5,"role_name":"Developer","inherited":false}]})"));
  const json& entries = info["result"]["access_entries"];
  for (const char* method : {"AddSecret", "GetSecretValue", "GetSecrets", "GetApplications",
                             "GetRoles", "GetAccountInfo"}) {
    EXPECT_NE(std::find(entries.begin(), entries.end(), method), entries.end()) << method;
  }
  for (const char* method : {"AddApplication", "DelApplication", "GetKeys", "GetAuditLog"}) {
    EXPECT_EQ(std::find(entries.begin(), entries.end(), method), entries.end()) << method;
  }
  // Exactly the registry's rule: every listed method passes the role check, no other one does.
  for (const char* method : {"AddApplication", "GetKeys"}) {
    EXPECT_EQ(ErrorOf(CallAs(developer, method, {}))["code"], 104) << method;
  }
  // The set follows a role change at once.
  ASSERT_TRUE(CallAs(MakeKey(acme_.id, {iam::kRoleOwner}), "SetKeyRoles",
                     {{"key_id", developer.key_id}, {"role_name", "Admin"}})
                  .contains("result"));
  json after = CallAs(developer, "GetAccountInfo", {});
  EXPECT_EQ(after["result"]["key"]["roles"][0]["role_name"], "Admin");
  const json& admin_entries = after["result"]["access_entries"];
  EXPECT_NE(std::find(admin_entries.begin(), admin_entries.end(), "GetAuditLog"),
            admin_entries.end());
  EXPECT_EQ(std::find(admin_entries.begin(), admin_entries.end(), "DelApplication"),
            admin_entries.end());
}

TEST_F(ApiKeysTest, ParentKeyActingAsChildManagesTheChildsKeys) {
  Result<ApiStack::Account> child = stack().CreateAccount("kid", acme_.id);
  ASSERT_TRUE(child.ok());
  ApiStack::Key parent_owner = MakeKey(acme_.id, {iam::kRoleOwner});
  ApiStack::Key parent_other = MakeKey(acme_.id, {iam::kRoleDeveloper});

  json info = CallAs(parent_owner, "GetAccountInfo", {}, child->id);
  EXPECT_EQ(info["result"]["account_id"], child->id);
  EXPECT_EQ(info["result"]["account_name"], "kid");

  json made = CallAs(parent_owner, "CreateKey", {{"role_name", "Owner"}}, child->id);
  ASSERT_TRUE(made.contains("result")) << ErrorOf(made).dump();
  EXPECT_EQ(made["result"][0]["account_id"], child->id);
  EXPECT_EQ(made["result"][0]["account_email"], "kid@example.com");
  const std::string child_key = made["result"][0]["key_id"];
  EXPECT_EQ(FindKeyRecord(child_key)->account_id, child->id);

  // As the child, only the child's keys exist; the parent's are "no such key".
  json keys = CallAs(parent_owner, "GetKeys", {}, child->id);
  EXPECT_EQ(keys["total_count"], 1);
  EXPECT_EQ(keys["result"][0]["key_id"], child_key);
  EXPECT_EQ(
      ErrorOf(CallAs(parent_owner, "DeleteKey", {{"key_id", parent_other.key_id}}, child->id)),
      Err(433, "key_id"));
  // The new key works for the child and cannot act as the parent.
  const std::string private_key = made["result"][0]["private_key"];
  EXPECT_EQ(
      ErrorOf(CallToken("GetKeys", {}, TokenFromPrivateKey(private_key, child_key, acme_.id))),
      Err(100));
  json own = CallToken("GetKeys", {}, TokenFromPrivateKey(private_key, child_key, child->id));
  EXPECT_EQ(own["total_count"], 1);
}

TEST_F(ApiKeysTest, AnAccountHasAtMostAHundredKeys) {
  // 99 keys stored directly (no RSA generation), then the API's 100th, then 437.
  for (int i = 0; i < 99; ++i) MakeKey(acme_.id, {});
  json hundredth = Call("CreateKey", {});
  ASSERT_TRUE(hundredth.contains("result")) << ErrorOf(hundredth).dump();
  EXPECT_EQ(ErrorOf(Call("CreateKey", {})), Err(437));
  EXPECT_EQ(KeyCount(), 100);
  ASSERT_EQ(Call("DeleteKey", {{"key_id", hundredth["result"][0]["key_id"]}}), OneJson());
  EXPECT_TRUE(Call("CreateKey", {}).contains("result"));
}

}  // namespace
}  // namespace voxsecrets::api
