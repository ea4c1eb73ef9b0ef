// StoreConformanceTest: the fixture, and the account, key and meta repositories. Applications
// are in store_conformance_apps.cc, secrets in store_conformance_secrets.cc, transactions,
// concurrency and data keys in store_conformance_tx.cc.
#include "tests/testing/store_conformance.h"

#include <vector>

#include "tests/testing/store_conformance_internal.h"

namespace voxsecrets::store {

void PrintTo(const StoreConformanceParam& param, std::ostream* os) { *os << param.name; }

std::string StoreConformanceParamName(const ::testing::TestParamInfo<StoreConformanceParam>& info) {
  return info.param.name;
}

void StoreConformanceTest::SetUp() {
  ASSERT_TRUE(GetParam().make_store != nullptr);
  store_ = GetParam().make_store();
  ASSERT_NE(store_, nullptr) << "the store factory failed";
}

void StoreConformanceTest::TearDown() { store_.reset(); }

int64_t StoreConformanceTest::AddAccount(std::string_view name, std::optional<int64_t> parent_id) {
  int64_t id = 0;
  Status status = store().Write([&](Tx& tx) -> Status {
    AccountRecord account;
    account.name = std::string(name);
    account.email = std::string(name) + "@example.com";
    account.parent_id = parent_id;
    account.created = kNow;
    VS_ASSIGN_OR_RETURN(id, tx.accounts().Insert(account));
    return Status::Ok();
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
  return id;
}

int64_t StoreConformanceTest::AddApp(int64_t account_id, std::string_view name) {
  int64_t id = 0;
  Status status = store().Write([&](Tx& tx) -> Status {
    ApplicationRecord app;
    app.account_id = account_id;
    app.name = std::string(name);
    app.created = kNow;
    app.modified = kNow;
    VS_ASSIGN_OR_RETURN(id, tx.applications().Insert(app));
    return Status::Ok();
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
  return id;
}

int64_t StoreConformanceTest::AddSecret(int64_t application_id, std::string_view name,
                                        const SealedValue& value) {
  int64_t id = 0;
  Status status = store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(id, tx.secrets().Insert(application_id, name, "", value, kNow));
    return Status::Ok();
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
  return id;
}

std::optional<SecretRecord> StoreConformanceTest::GetSecret(int64_t application_id, int64_t id) {
  std::optional<SecretRecord> secret;
  Status status = store().Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(secret, tx.secrets().FindById(application_id, id));
    return Status::Ok();
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
  return secret;
}

int64_t StoreConformanceTest::CountSecrets(int64_t application_id) {
  int64_t total = -1;
  Status status = store().Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(Page<SecretInfo> page, tx.secrets().List(application_id, SecretFilter{}));
    total = page.total_count;
    return Status::Ok();
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
  return total;
}

namespace {

// ---- basics ------------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, ReportsBackendAndSchemaVersion) {
  EXPECT_TRUE(store().BackendName() == "sqlite" || store().BackendName() == "postgresql")
      << store().BackendName();
  Result<int> version = store().SchemaVersion();
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  EXPECT_GE(*version, 1);
}

TEST_P(StoreConformanceTest, EmptyTransactionsSucceed) {
  VS_EXPECT_OK(store().Read([](Tx&) { return Status::Ok(); }));
  VS_EXPECT_OK(store().Write([](Tx&) { return Status::Ok(); }));
}

// ---- accounts ----------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, AccountInsertFindAndList) {
  AccountRecord parent;
  parent.name = "parent";
  parent.email = "p@example.com";
  parent.api_key_hash = "ab12";
  parent.created = kNow;
  AccountRecord child;
  child.name = "child";
  child.created = kNow + 5;
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(parent.id, tx.accounts().Insert(parent));
    child.parent_id = parent.id;
    VS_ASSIGN_OR_RETURN(child.id, tx.accounts().Insert(child));
    return Status::Ok();
  }));
  EXPECT_GT(parent.id, 0);
  EXPECT_GT(child.id, parent.id);

  VS_EXPECT_OK(store().Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::optional<AccountRecord> found, tx.accounts().FindById(child.id));
    EXPECT_TRUE(found.has_value());
    if (found) {
      EXPECT_EQ(found->name, "child");
      EXPECT_EQ(found->email, "");
      EXPECT_EQ(found->parent_id, std::optional<int64_t>(parent.id));
      EXPECT_EQ(found->api_key_hash, "");
      EXPECT_EQ(found->created, kNow + 5);
    }
    VS_ASSIGN_OR_RETURN(found, tx.accounts().FindByName("parent"));
    EXPECT_TRUE(found.has_value());
    if (found) {
      EXPECT_EQ(found->id, parent.id);
      EXPECT_EQ(found->email, "p@example.com");
      EXPECT_EQ(found->parent_id, std::nullopt);
      EXPECT_EQ(found->api_key_hash, "ab12");
    }
    VS_ASSIGN_OR_RETURN(found, tx.accounts().FindById(child.id + 1000));
    EXPECT_FALSE(found.has_value());
    VS_ASSIGN_OR_RETURN(found, tx.accounts().FindByName("Parent"));  // names match exactly
    EXPECT_FALSE(found.has_value());
    VS_ASSIGN_OR_RETURN(std::vector<AccountRecord> all, tx.accounts().List());
    EXPECT_EQ(all.size(), 2u);
    if (all.size() == 2) {
      EXPECT_EQ(all[0].id, parent.id);
      EXPECT_EQ(all[1].id, child.id);
    }
    return Status::Ok();
  }));
}

TEST_P(StoreConformanceTest, AccountNameIsUnique) {
  AddAccount("acme");
  VS_EXPECT_CODE(store().Write([](Tx& tx) -> Status {
    AccountRecord again;
    again.name = "acme";
    return tx.accounts().Insert(again).status();
  }),
                 StatusCode::kAlreadyExists);
  VS_EXPECT_OK(store().Read([](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::vector<AccountRecord> all, tx.accounts().List());
    EXPECT_EQ(all.size(), 1u);
    return Status::Ok();
  }));
}

TEST_P(StoreConformanceTest, AccountSetApiKeyHash) {
  int64_t id = AddAccount("acme");
  int64_t other = AddAccount("other");
  VS_ASSERT_OK(store().Write([&](Tx& tx) { return tx.accounts().SetApiKeyHash(id, "f00d"); }));
  VS_EXPECT_CODE(
      store().Write([&](Tx& tx) { return tx.accounts().SetApiKeyHash(other + 1000, "beef"); }),
      StatusCode::kNotFound);
  VS_EXPECT_OK(store().Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::optional<AccountRecord> found, tx.accounts().FindById(id));
    EXPECT_TRUE(found.has_value() && found->api_key_hash == "f00d");
    VS_ASSIGN_OR_RETURN(found, tx.accounts().FindById(other));
    EXPECT_TRUE(found.has_value() && found->api_key_hash.empty());
    return Status::Ok();
  }));
}

// ---- keys --------------------------------------------------------------------------------------

KeyRecord MakeKey(std::string key_id, int64_t account_id, int64_t created,
                  std::vector<int> roles = {}) {
  KeyRecord key;
  key.key_id = std::move(key_id);
  key.account_id = account_id;
  key.public_key_pem = "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n";
  key.name = "key " + key.key_id;
  key.description = "desc";
  key.role_ids = std::move(roles);
  key.created = created;
  return key;
}

Result<std::optional<KeyRecord>> FindKey(Store& store, std::string_view key_id) {
  std::optional<KeyRecord> key;
  VS_RETURN_IF_ERROR(store.Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(key, tx.keys().FindById(key_id));
    return Status::Ok();
  }));
  return key;
}

TEST_P(StoreConformanceTest, KeyInsertAndFind) {
  int64_t account = AddAccount("acme");
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    VS_RETURN_IF_ERROR(tx.keys().Insert(MakeKey("k-roles", account, kNow, {7, 2, 7, 5})));
    return tx.keys().Insert(MakeKey("k-none", account, kNow));
  }));
  Result<std::optional<KeyRecord>> found = FindKey(store(), "k-roles");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_TRUE(found->has_value());
  const KeyRecord& key = **found;
  EXPECT_EQ(key.key_id, "k-roles");
  EXPECT_EQ(key.account_id, account);
  EXPECT_EQ(key.public_key_pem, MakeKey("x", 0, 0).public_key_pem);
  EXPECT_EQ(key.name, "key k-roles");
  EXPECT_EQ(key.description, "desc");
  EXPECT_EQ(key.role_ids, (std::vector<int>{2, 5, 7}));  // a set: sorted, unique
  EXPECT_EQ(key.created, kNow);

  found = FindKey(store(), "k-none");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_TRUE((*found)->role_ids.empty());

  found = FindKey(store(), "K-NONE");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

TEST_P(StoreConformanceTest, KeyIdIsGloballyUnique) {
  int64_t a = AddAccount("a");
  int64_t b = AddAccount("b");
  VS_ASSERT_OK(store().Write([&](Tx& tx) { return tx.keys().Insert(MakeKey("k1", a, kNow)); }));
  VS_EXPECT_CODE(
      store().Write([&](Tx& tx) { return tx.keys().Insert(MakeKey("k1", b, kNow, {1})); }),
      StatusCode::kAlreadyExists);
  Result<std::optional<KeyRecord>> found = FindKey(store(), "k1");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->account_id, a);
  EXPECT_TRUE((*found)->role_ids.empty());
}

TEST_P(StoreConformanceTest, KeyListByAccountOrderPagingAndFilter) {
  int64_t a = AddAccount("a");
  int64_t b = AddAccount("b");
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    // Creation order first, then key_id.
    VS_RETURN_IF_ERROR(tx.keys().Insert(MakeKey("k-c", a, kNow + 20)));
    VS_RETURN_IF_ERROR(tx.keys().Insert(MakeKey("k-b", a, kNow + 10, {3})));
    VS_RETURN_IF_ERROR(tx.keys().Insert(MakeKey("k-a", a, kNow + 10)));
    VS_RETURN_IF_ERROR(tx.keys().Insert(MakeKey("k-d", a, kNow + 30)));
    return tx.keys().Insert(MakeKey("k-other", b, kNow));
  }));
  auto ids = [](const Page<KeyRecord>& page) {
    std::vector<std::string> out;
    for (const KeyRecord& key : page.items) out.push_back(key.key_id);
    return out;
  };
  VS_EXPECT_OK(store().Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(Page<KeyRecord> page, tx.keys().ListByAccount(a, std::nullopt, 100, 0));
    EXPECT_EQ(ids(page), (std::vector<std::string>{"k-a", "k-b", "k-c", "k-d"}));
    EXPECT_EQ(page.total_count, 4);
    if (page.items.size() == 4) {
      EXPECT_EQ(page.items[1].role_ids, std::vector<int>{3});
    }
    VS_ASSIGN_OR_RETURN(page, tx.keys().ListByAccount(a, std::nullopt, 2, 1));
    EXPECT_EQ(ids(page), (std::vector<std::string>{"k-b", "k-c"}));
    EXPECT_EQ(page.total_count, 4);
    VS_ASSIGN_OR_RETURN(page, tx.keys().ListByAccount(a, std::nullopt, 10, 10));
    EXPECT_TRUE(page.items.empty());
    EXPECT_EQ(page.total_count, 4);
    // count 0 only counts (CreateKey's per-account limit relies on it).
    VS_ASSIGN_OR_RETURN(page, tx.keys().ListByAccount(a, std::nullopt, 0, 0));
    EXPECT_TRUE(page.items.empty());
    EXPECT_EQ(page.total_count, 4);
    VS_ASSIGN_OR_RETURN(page, tx.keys().ListByAccount(a, "k-c", 10, 0));
    EXPECT_EQ(ids(page), std::vector<std::string>{"k-c"});
    EXPECT_EQ(page.total_count, 1);
    // Another account's key is not listed, not even by id.
    VS_ASSIGN_OR_RETURN(page, tx.keys().ListByAccount(a, "k-other", 10, 0));
    EXPECT_TRUE(page.items.empty());
    EXPECT_EQ(page.total_count, 0);
    VS_ASSIGN_OR_RETURN(page, tx.keys().ListByAccount(b, std::nullopt, 10, 0));
    EXPECT_EQ(ids(page), std::vector<std::string>{"k-other"});
    return Status::Ok();
  }));
}

TEST_P(StoreConformanceTest, KeyUpdateInfo) {
  int64_t a = AddAccount("a");
  int64_t b = AddAccount("b");
  VS_ASSERT_OK(store().Write([&](Tx& tx) { return tx.keys().Insert(MakeKey("k1", a, kNow)); }));
  VS_EXPECT_OK(store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(bool updated, tx.keys().UpdateInfo(a, "k1", "renamed", std::nullopt));
    EXPECT_TRUE(updated);
    VS_ASSIGN_OR_RETURN(updated, tx.keys().UpdateInfo(b, "k1", "hijacked", "x"));
    EXPECT_FALSE(updated);
    VS_ASSIGN_OR_RETURN(updated, tx.keys().UpdateInfo(a, "missing", "x", std::nullopt));
    EXPECT_FALSE(updated);
    return Status::Ok();
  }));
  Result<std::optional<KeyRecord>> found = FindKey(store(), "k1");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->name, "renamed");
  EXPECT_EQ((*found)->description, "desc");

  VS_EXPECT_OK(store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(bool updated, tx.keys().UpdateInfo(a, "k1", std::nullopt, "new desc"));
    EXPECT_TRUE(updated);
    // Nothing to change still finds the key.
    VS_ASSIGN_OR_RETURN(updated, tx.keys().UpdateInfo(a, "k1", std::nullopt, std::nullopt));
    EXPECT_TRUE(updated);
    return Status::Ok();
  }));
  found = FindKey(store(), "k1");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->name, "renamed");
  EXPECT_EQ((*found)->description, "new desc");
}

TEST_P(StoreConformanceTest, KeySetRoles) {
  int64_t a = AddAccount("a");
  int64_t b = AddAccount("b");
  VS_ASSERT_OK(store().Write([&](Tx& tx) {
    return tx.keys().Insert(MakeKey("k1", a, kNow, {1, 2}));
  }));
  VS_EXPECT_OK(store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(bool set, tx.keys().SetRoles(a, "k1", {9, 3, 3}));
    EXPECT_TRUE(set);
    VS_ASSIGN_OR_RETURN(set, tx.keys().SetRoles(b, "k1", {1}));
    EXPECT_FALSE(set);
    VS_ASSIGN_OR_RETURN(set, tx.keys().SetRoles(a, "missing", {1}));
    EXPECT_FALSE(set);
    return Status::Ok();
  }));
  Result<std::optional<KeyRecord>> found = FindKey(store(), "k1");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->role_ids, (std::vector<int>{3, 9}));

  VS_EXPECT_OK(store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(bool set, tx.keys().SetRoles(a, "k1", {}));
    EXPECT_TRUE(set);
    return Status::Ok();
  }));
  found = FindKey(store(), "k1");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_TRUE((*found)->role_ids.empty());
}

TEST_P(StoreConformanceTest, KeyDelete) {
  int64_t a = AddAccount("a");
  int64_t b = AddAccount("b");
  VS_ASSERT_OK(
      store().Write([&](Tx& tx) { return tx.keys().Insert(MakeKey("k1", a, kNow, {4})); }));
  VS_EXPECT_OK(store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(bool deleted, tx.keys().Delete(b, "k1"));
    EXPECT_FALSE(deleted);  // not b's key
    VS_ASSIGN_OR_RETURN(deleted, tx.keys().Delete(a, "k1"));
    EXPECT_TRUE(deleted);
    VS_ASSIGN_OR_RETURN(deleted, tx.keys().Delete(a, "k1"));
    EXPECT_FALSE(deleted);
    return Status::Ok();
  }));
  Result<std::optional<KeyRecord>> found = FindKey(store(), "k1");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
  // The id is free again and the old roles are gone with the key.
  VS_ASSERT_OK(store().Write([&](Tx& tx) { return tx.keys().Insert(MakeKey("k1", b, kNow)); }));
  found = FindKey(store(), "k1");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->account_id, b);
  EXPECT_TRUE((*found)->role_ids.empty());
}

// ---- meta --------------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, MetaGetAndPut) {
  VS_EXPECT_OK(store().Read([](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::optional<std::string> value, tx.meta().Get("kcv"));
    EXPECT_FALSE(value.has_value());
    return Status::Ok();
  }));
  VS_ASSERT_OK(store().Write([](Tx& tx) -> Status {
    VS_RETURN_IF_ERROR(tx.meta().Put("kcv", "v1"));
    VS_RETURN_IF_ERROR(tx.meta().Put("empty", ""));
    return tx.meta().Put("kcv", "v2");  // overwrites
  }));
  VS_EXPECT_OK(store().Read([](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::optional<std::string> value, tx.meta().Get("kcv"));
    EXPECT_EQ(value, std::optional<std::string>("v2"));
    VS_ASSIGN_OR_RETURN(value, tx.meta().Get("empty"));
    EXPECT_EQ(value, std::optional<std::string>(""));
    VS_ASSIGN_OR_RETURN(value, tx.meta().Get("KCV"));
    EXPECT_FALSE(value.has_value());
    return Status::Ok();
  }));
}

}  // namespace
}  // namespace voxsecrets::store
