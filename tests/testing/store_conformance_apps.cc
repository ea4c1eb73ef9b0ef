// StoreConformanceTest: applications.
#include <string>
#include <vector>

#include "tests/testing/store_conformance.h"
#include "tests/testing/store_conformance_internal.h"

namespace voxsecrets::store {
namespace {

std::vector<int64_t> AppIds(const Page<ApplicationRecord>& page) {
  std::vector<int64_t> ids;
  for (const ApplicationRecord& app : page.items) ids.push_back(app.id);
  return ids;
}

// ---- applications ------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, ApplicationInsertAndFind) {
  int64_t account = AddAccount("acme");
  ApplicationRecord app;
  app.account_id = account;
  app.name = "myapp";
  app.secure_record_storage = true;
  app.created = kNow;
  app.modified = kNow + 1;
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(app.id, tx.applications().Insert(app));
    return Status::Ok();
  }));
  EXPECT_GT(app.id, 0);
  VS_EXPECT_OK(store().Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::optional<ApplicationRecord> found,
                        tx.applications().FindById(account, app.id));
    EXPECT_TRUE(found.has_value());
    if (found) {
      EXPECT_EQ(found->id, app.id);
      EXPECT_EQ(found->account_id, account);
      EXPECT_EQ(found->name, "myapp");
      EXPECT_TRUE(found->secure_record_storage);
      EXPECT_EQ(found->created, kNow);
      EXPECT_EQ(found->modified, kNow + 1);
    }
    VS_ASSIGN_OR_RETURN(found, tx.applications().FindByName(account, "myapp"));
    EXPECT_TRUE(found.has_value() && found->id == app.id);
    VS_ASSIGN_OR_RETURN(found, tx.applications().FindByName(account, "MyApp"));
    EXPECT_FALSE(found.has_value());
    VS_ASSIGN_OR_RETURN(found, tx.applications().FindById(account, app.id + 1000));
    EXPECT_FALSE(found.has_value());
    return Status::Ok();
  }));
}

TEST_P(StoreConformanceTest, ApplicationNameIsUniquePerAccount) {
  int64_t a = AddAccount("a");
  int64_t b = AddAccount("b");
  AddApp(a, "app");
  EXPECT_GT(AddApp(b, "app"), 0);  // another account may use the name
  VS_EXPECT_CODE(store().Write([&](Tx& tx) -> Status {
    ApplicationRecord app;
    app.account_id = a;
    app.name = "app";
    return tx.applications().Insert(app).status();
  }),
                 StatusCode::kAlreadyExists);
}

TEST_P(StoreConformanceTest, ApplicationOfAnotherAccountIsInvisible) {
  int64_t a = AddAccount("a");
  int64_t b = AddAccount("b");
  int64_t app = AddApp(a, "app");
  VS_EXPECT_OK(store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::optional<ApplicationRecord> found, tx.applications().FindById(b, app));
    EXPECT_FALSE(found.has_value());
    VS_ASSIGN_OR_RETURN(found, tx.applications().FindByName(b, "app"));
    EXPECT_FALSE(found.has_value());
    ApplicationFilter by_id;
    by_id.id = app;
    VS_ASSIGN_OR_RETURN(Page<ApplicationRecord> page, tx.applications().List(b, by_id));
    EXPECT_TRUE(page.items.empty());
    EXPECT_EQ(page.total_count, 0);
    ApplicationUpdate update;
    update.name = "stolen";
    VS_ASSIGN_OR_RETURN(bool changed, tx.applications().Update(b, app, update, kNow + 9));
    EXPECT_FALSE(changed);
    VS_ASSIGN_OR_RETURN(bool deleted, tx.applications().Delete(b, app));
    EXPECT_FALSE(deleted);
    return Status::Ok();
  }));
  VS_EXPECT_OK(store().Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::optional<ApplicationRecord> found, tx.applications().FindById(a, app));
    EXPECT_TRUE(found.has_value() && found->name == "app" && found->modified == kNow);
    return Status::Ok();
  }));
}

TEST_P(StoreConformanceTest, ApplicationListOrderPagingAndFilter) {
  int64_t a = AddAccount("a");
  int64_t b = AddAccount("b");
  int64_t shop = AddApp(a, "shop");
  int64_t percent = AddApp(a, "100%_off");
  int64_t webshop = AddApp(a, "webSHOP2");
  int64_t plain = AddApp(a, "1000off");
  AddApp(b, "shop-b");
  VS_EXPECT_OK(store().Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(Page<ApplicationRecord> page,
                        tx.applications().List(a, ApplicationFilter{}));
    EXPECT_EQ(AppIds(page), (std::vector<int64_t>{shop, percent, webshop, plain}));
    EXPECT_EQ(page.total_count, 4);

    ApplicationFilter filter;
    filter.count = 2;
    filter.offset = 1;
    VS_ASSIGN_OR_RETURN(page, tx.applications().List(a, filter));
    EXPECT_EQ(AppIds(page), (std::vector<int64_t>{percent, webshop}));
    EXPECT_EQ(page.total_count, 4);

    filter = ApplicationFilter{};
    filter.name_part = "Shop";  // case-insensitive substring
    VS_ASSIGN_OR_RETURN(page, tx.applications().List(a, filter));
    EXPECT_EQ(AppIds(page), (std::vector<int64_t>{shop, webshop}));
    EXPECT_EQ(page.total_count, 2);

    filter.name_part = "%";  // literal, not a wildcard
    VS_ASSIGN_OR_RETURN(page, tx.applications().List(a, filter));
    EXPECT_EQ(AppIds(page), std::vector<int64_t>{percent});
    filter.name_part = "%_o";  // as a LIKE pattern this would match "shop" too
    VS_ASSIGN_OR_RETURN(page, tx.applications().List(a, filter));
    EXPECT_EQ(AppIds(page), std::vector<int64_t>{percent});
    EXPECT_EQ(page.total_count, 1);
    filter.name_part = "0_o";  // '_' is literal too: "1000off" does not match
    VS_ASSIGN_OR_RETURN(page, tx.applications().List(a, filter));
    EXPECT_TRUE(page.items.empty());
    EXPECT_EQ(page.total_count, 0);

    filter = ApplicationFilter{};
    filter.id = webshop;
    VS_ASSIGN_OR_RETURN(page, tx.applications().List(a, filter));
    EXPECT_EQ(AppIds(page), std::vector<int64_t>{webshop});
    EXPECT_EQ(page.total_count, 1);
    filter.name_part = "nomatch";
    VS_ASSIGN_OR_RETURN(page, tx.applications().List(a, filter));
    EXPECT_TRUE(page.items.empty());
    EXPECT_EQ(page.total_count, 0);

    filter = ApplicationFilter{};
    filter.offset = 10;
    VS_ASSIGN_OR_RETURN(page, tx.applications().List(a, filter));
    EXPECT_TRUE(page.items.empty());
    EXPECT_EQ(page.total_count, 4);
    return Status::Ok();
  }));
}

TEST_P(StoreConformanceTest, ApplicationUpdate) {
  int64_t a = AddAccount("a");
  int64_t app = AddApp(a, "app");
  AddApp(a, "taken");
  VS_EXPECT_OK(store().Write([&](Tx& tx) -> Status {
    ApplicationUpdate update;
    update.secure_record_storage = true;
    VS_ASSIGN_OR_RETURN(bool changed, tx.applications().Update(a, app, update, kNow + 10));
    EXPECT_TRUE(changed);
    update = ApplicationUpdate{};
    update.name = "renamed";
    VS_ASSIGN_OR_RETURN(changed, tx.applications().Update(a, app, update, kNow + 20));
    EXPECT_TRUE(changed);
    VS_ASSIGN_OR_RETURN(changed, tx.applications().Update(a, app + 1000, update, kNow + 30));
    EXPECT_FALSE(changed);
    return Status::Ok();
  }));
  VS_EXPECT_CODE(store().Write([&](Tx& tx) -> Status {
    ApplicationUpdate update;
    update.name = "taken";
    return tx.applications().Update(a, app, update, kNow + 40).status();
  }),
                 StatusCode::kAlreadyExists);
  VS_EXPECT_OK(store().Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::optional<ApplicationRecord> found, tx.applications().FindById(a, app));
    EXPECT_TRUE(found.has_value());
    if (found) {
      EXPECT_EQ(found->name, "renamed");
      EXPECT_TRUE(found->secure_record_storage);
      EXPECT_EQ(found->created, kNow);
      EXPECT_EQ(found->modified, kNow + 20);
    }
    return Status::Ok();
  }));
}

TEST_P(StoreConformanceTest, ApplicationDeleteCascadesToSecretsAndDataKeys) {
  int64_t a = AddAccount("a");
  int64_t app = AddApp(a, "app");
  int64_t keep = AddApp(a, "keep");
  int64_t s1 = AddSecret(app, "S1");
  int64_t s2 = AddSecret(app, "S2");
  int64_t kept_secret = AddSecret(keep, "S1");
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    VS_RETURN_IF_ERROR(tx.data_keys().Insert(DataKeyRecord{app, 1, "wk", 1, 0, kNow}));
    return tx.data_keys().Insert(DataKeyRecord{keep, 1, "wk2", 1, 0, kNow});
  }));
  VS_EXPECT_OK(store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(bool deleted, tx.applications().Delete(a, app));
    EXPECT_TRUE(deleted);
    VS_ASSIGN_OR_RETURN(deleted, tx.applications().Delete(a, app));
    EXPECT_FALSE(deleted);
    return Status::Ok();
  }));
  EXPECT_FALSE(GetSecret(app, s1).has_value());
  EXPECT_FALSE(GetSecret(app, s2).has_value());
  EXPECT_EQ(CountSecrets(app), 0);
  EXPECT_TRUE(GetSecret(keep, kept_secret).has_value());
  VS_EXPECT_OK(store().Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::optional<ApplicationRecord> found, tx.applications().FindById(a, app));
    EXPECT_FALSE(found.has_value());
    VS_ASSIGN_OR_RETURN(std::vector<DataKeyRecord> keys, tx.data_keys().ListAll());
    EXPECT_EQ(keys.size(), 1u);
    if (!keys.empty()) {
      EXPECT_EQ(keys[0].application_id, keep);
    }
    VS_ASSIGN_OR_RETURN(std::vector<SecretRecord> sealed, tx.secrets().ListSealed(app));
    EXPECT_TRUE(sealed.empty());
    return Status::Ok();
  }));
}

TEST_P(StoreConformanceTest, ApplicationIdsAreNeverReused) {
  int64_t a = AddAccount("a");
  int64_t first = AddApp(a, "first");
  int64_t last = AddApp(a, "last");
  VS_ASSERT_OK(store().Write([&](Tx& tx) { return tx.applications().Delete(a, last).status(); }));
  int64_t next = AddApp(a, "last");
  EXPECT_GT(last, first);
  EXPECT_GT(next, last);
}

}  // namespace
}  // namespace voxsecrets::store
