// StoreConformanceTest: CopyRepository, what `voxsecrets migrate` copies a database with — rows
// written with their own ids, the emptiness check, meta listing and id watermarks that survive
// deletes and can only be raised.
#include <optional>
#include <string>
#include <vector>

#include "tests/testing/store_conformance.h"
#include "tests/testing/store_conformance_internal.h"

namespace voxsecrets::store {
namespace {

TEST_P(StoreConformanceTest, CopyIsEmptyUntilAnyRowExists) {
  auto empty = [&] {
    bool out = false;
    VS_EXPECT_OK(store().Read([&](Tx& tx) -> Status {
      VS_ASSIGN_OR_RETURN(out, tx.copy().IsEmpty());
      return Status::Ok();
    }));
    return out;
  };
  EXPECT_TRUE(empty());
  VS_ASSERT_OK(store().Write([](Tx& tx) { return tx.meta().Put("k", "v"); }));
  EXPECT_FALSE(empty());
}

TEST_P(StoreConformanceTest, CopyInsertsRowsWithTheirOwnIdsAndFields) {
  AccountRecord parent;
  parent.id = 7;
  parent.name = "parent";
  parent.email = "p@example.com";
  parent.api_key_hash = std::string(64, 'a');
  parent.created = kNow - 100;
  AccountRecord child = parent;
  child.id = 9;
  child.name = "child";
  child.parent_id = 7;
  child.api_key_hash = "";
  ApplicationRecord app;
  app.id = 12;
  app.account_id = 9;
  app.name = "app";
  app.secure_record_storage = true;
  app.created = kNow - 50;
  app.modified = kNow - 10;
  SecretRecord secret;
  secret.info.id = 40;
  secret.info.application_id = 12;
  secret.info.name = "S";
  secret.info.description = "d";
  secret.info.created = kNow - 5;
  secret.info.modified = kNow - 1;
  secret.value = SealedValue{std::string("\0\x01\xff sealed", 10), 3};
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    VS_RETURN_IF_ERROR(tx.copy().InsertAccount(parent));
    VS_RETURN_IF_ERROR(tx.copy().InsertAccount(child));
    VS_RETURN_IF_ERROR(tx.copy().InsertApplication(app));
    return tx.copy().InsertSecret(secret);
  }));
  VS_EXPECT_OK(store().Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::optional<AccountRecord> a, tx.accounts().FindById(9));
    EXPECT_TRUE(a.has_value());
    if (a) {
      EXPECT_EQ(a->name, "child");
      EXPECT_EQ(a->parent_id, std::optional<int64_t>(7));
      EXPECT_EQ(a->created, kNow - 100);
    }
    VS_ASSIGN_OR_RETURN(std::optional<AccountRecord> p, tx.accounts().FindById(7));
    EXPECT_TRUE(p.has_value() && p->api_key_hash == parent.api_key_hash);
    VS_ASSIGN_OR_RETURN(std::optional<ApplicationRecord> found, tx.applications().FindById(9, 12));
    EXPECT_TRUE(found.has_value());
    if (found) {
      EXPECT_TRUE(found->secure_record_storage);
      EXPECT_EQ(found->created, kNow - 50);
      EXPECT_EQ(found->modified, kNow - 10);
    }
    VS_ASSIGN_OR_RETURN(std::optional<SecretRecord> s, tx.secrets().FindById(12, 40));
    EXPECT_TRUE(s.has_value());
    if (s) {
      EXPECT_EQ(s->value, secret.value);
      EXPECT_EQ(s->info.description, "d");
      EXPECT_EQ(s->info.created, kNow - 5);
      EXPECT_EQ(s->info.modified, kNow - 1);
    }
    return Status::Ok();
  }));
  // A taken id is refused.
  VS_EXPECT_CODE(store().Write([&](Tx& tx) { return tx.copy().InsertSecret(secret); }),
                 StatusCode::kAlreadyExists);
}

TEST_P(StoreConformanceTest, CopyListsMetaByKey) {
  VS_ASSERT_OK(store().Write([](Tx& tx) -> Status {
    VS_RETURN_IF_ERROR(tx.meta().Put("b", "2"));
    VS_RETURN_IF_ERROR(tx.meta().Put("a", "1"));
    return tx.meta().Put("c", "3");
  }));
  VS_EXPECT_OK(store().Read([](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(auto meta, tx.copy().ListMeta());
    EXPECT_EQ(meta, (std::vector<std::pair<std::string, std::string>>{
                        {"a", "1"}, {"b", "2"}, {"c", "3"}}));
    return Status::Ok();
  }));
}

TEST_P(StoreConformanceTest, CopyWatermarksKeepDeletedIdsAndOnlyRise) {
  auto marks = [&] {
    IdWatermarks out;
    VS_EXPECT_OK(store().Read([&](Tx& tx) -> Status {
      VS_ASSIGN_OR_RETURN(out, tx.copy().Watermarks());
      return Status::Ok();
    }));
    return out;
  };
  EXPECT_EQ(marks(), IdWatermarks{});
  const int64_t account = AddAccount("a");
  const int64_t app = AddApp(account, "app");
  const int64_t first = AddSecret(app, "S1");
  const int64_t second = AddSecret(app, "S2");
  VS_ASSERT_OK(store().Write([&](Tx& tx) { return tx.secrets().Delete(app, {second}).status(); }));
  IdWatermarks after_delete = marks();
  EXPECT_EQ(after_delete.accounts, account);
  EXPECT_EQ(after_delete.applications, app);
  EXPECT_EQ(after_delete.secrets, second) << "a deleted id still counts";
  EXPECT_GT(second, first);

  VS_ASSERT_OK(store().Write([&](Tx& tx) {
    return tx.copy().RaiseWatermarks(IdWatermarks{100, 200, 300, 400});
  }));
  EXPECT_EQ(marks(), (IdWatermarks{100, 200, 300, 400}));
  // Lower marks change nothing.
  VS_ASSERT_OK(store().Write([&](Tx& tx) {
    return tx.copy().RaiseWatermarks(IdWatermarks{1, 1, 1, 1});
  }));
  EXPECT_EQ(marks(), (IdWatermarks{100, 200, 300, 400}));
  // New rows get ids above them.
  EXPECT_GT(AddAccount("b"), 100);
  EXPECT_GT(AddApp(account, "app2"), 200);
  EXPECT_GT(AddSecret(app, "S3"), 300);
  VS_EXPECT_OK(store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(int64_t next, tx.audit().NextId());
    EXPECT_GT(next, 400);
    return Status::Ok();
  }));
}

}  // namespace
}  // namespace voxsecrets::store
