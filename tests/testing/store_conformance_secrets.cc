// StoreConformanceTest: secrets.
#include <string>
#include <utility>
#include <vector>

#include "tests/testing/store_conformance.h"
#include "tests/testing/store_conformance_internal.h"

namespace voxsecrets::store {
namespace {

using std::string_literals::operator""s;

// A sealed value that is not text: NUL bytes, high bytes, no terminator.
SealedValue BinaryValue(uint32_t key_version = 3) {
  return SealedValue{"\x01\x00\xff\x80sealed\x00\x00tail\xfe"s, key_version};
}

std::vector<std::string> SecretNames(const Page<SecretInfo>& page) {
  std::vector<std::string> names;
  for (const SecretInfo& info : page.items) names.push_back(info.name);
  return names;
}

// ---- secrets -----------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, SecretInsertAndFindAreByteExact) {
  int64_t app = AddApp(AddAccount("a"), "app");
  int64_t id = 0;
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(
        id, tx.secrets().Insert(app, "Token_1", "a description", BinaryValue(7), kNow + 3));
    return Status::Ok();
  }));
  EXPECT_GT(id, 0);
  std::optional<SecretRecord> found = GetSecret(app, id);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->info.id, id);
  EXPECT_EQ(found->info.application_id, app);
  EXPECT_EQ(found->info.name, "Token_1");
  EXPECT_EQ(found->info.description, "a description");
  EXPECT_EQ(found->info.created, kNow + 3);
  EXPECT_EQ(found->info.modified, kNow + 3);
  EXPECT_TRUE(found->value == BinaryValue(7));  // blob compared without printing it

  VS_EXPECT_OK(store().Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::optional<SecretRecord> by_name,
                        tx.secrets().FindByName(app, "Token_1"));
    EXPECT_TRUE(by_name.has_value() && by_name->info.id == id);
    EXPECT_TRUE(by_name.has_value() && by_name->value == BinaryValue(7));
    VS_ASSIGN_OR_RETURN(by_name, tx.secrets().FindByName(app, "Token"));
    EXPECT_FALSE(by_name.has_value());
    VS_ASSIGN_OR_RETURN(std::optional<SecretRecord> by_id, tx.secrets().FindById(app, id + 1));
    EXPECT_FALSE(by_id.has_value());
    return Status::Ok();
  }));
}

TEST_P(StoreConformanceTest, SecretNamesAreCaseSensitiveAndUniquePerApplication) {
  int64_t a = AddAccount("a");
  int64_t app = AddApp(a, "app");
  int64_t other = AddApp(a, "other");
  int64_t upper = AddSecret(app, "Token");
  int64_t lower = AddSecret(app, "token");
  EXPECT_NE(upper, lower);
  EXPECT_GT(AddSecret(other, "Token"), 0);  // another application may use the name
  VS_EXPECT_CODE(store().Write([&](Tx& tx) {
    return tx.secrets().Insert(app, "Token", "", SealedValue{"x", 1}, kNow).status();
  }),
                 StatusCode::kAlreadyExists);
  VS_EXPECT_OK(store().Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::optional<SecretRecord> found, tx.secrets().FindByName(app, "token"));
    EXPECT_TRUE(found.has_value() && found->info.id == lower);
    VS_ASSIGN_OR_RETURN(found, tx.secrets().FindByName(app, "TOKEN"));
    EXPECT_FALSE(found.has_value());
    return Status::Ok();
  }));
  EXPECT_EQ(CountSecrets(app), 2);
}

TEST_P(StoreConformanceTest, SecretOfAnotherApplicationIsInvisible) {
  int64_t a = AddAccount("a");
  int64_t x = AddApp(a, "x");
  int64_t y = AddApp(a, "y");
  int64_t secret = AddSecret(x, "S", BinaryValue());
  VS_EXPECT_OK(store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::optional<SecretRecord> found, tx.secrets().FindById(y, secret));
    EXPECT_FALSE(found.has_value());
    VS_ASSIGN_OR_RETURN(found, tx.secrets().FindByName(y, "S"));
    EXPECT_FALSE(found.has_value());
    VS_ASSIGN_OR_RETURN(Page<SecretInfo> page, tx.secrets().List(y, SecretFilter{}));
    EXPECT_TRUE(page.items.empty());
    EXPECT_EQ(page.total_count, 0);
    VS_ASSIGN_OR_RETURN(std::vector<SecretRecord> sealed, tx.secrets().ListSealed(y));
    EXPECT_TRUE(sealed.empty());
    SecretUpdate update;
    update.name = "Stolen";
    VS_ASSIGN_OR_RETURN(bool changed, tx.secrets().Update(y, secret, update, kNow + 1));
    EXPECT_FALSE(changed);
    VS_ASSIGN_OR_RETURN(changed, tx.secrets().ReplaceSealed(y, secret, SealedValue{"z", 9}));
    EXPECT_FALSE(changed);
    VS_ASSIGN_OR_RETURN(int64_t deleted, tx.secrets().Delete(y, {secret}));
    EXPECT_EQ(deleted, 0);
    VS_ASSIGN_OR_RETURN(deleted, tx.secrets().DeleteAll(y));
    EXPECT_EQ(deleted, 0);
    return Status::Ok();
  }));
  std::optional<SecretRecord> found = GetSecret(x, secret);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->info.name, "S");
  EXPECT_EQ(found->info.modified, kNow);
  EXPECT_TRUE(found->value == BinaryValue());
}

TEST_P(StoreConformanceTest, SecretIdsAreGlobalAndNeverReused) {
  int64_t a = AddAccount("a");
  int64_t x = AddApp(a, "x");
  int64_t y = AddApp(a, "y");
  int64_t s1 = AddSecret(x, "S");
  int64_t s2 = AddSecret(y, "S");
  EXPECT_GT(s2, s1);  // one sequence over all applications
  VS_ASSERT_OK(store().Write([&](Tx& tx) { return tx.secrets().Delete(y, {s2}).status(); }));
  int64_t s3 = AddSecret(y, "S");
  EXPECT_GT(s3, s2);
  VS_ASSERT_OK(store().Write([&](Tx& tx) { return tx.secrets().DeleteAll(y).status(); }));
  EXPECT_GT(AddSecret(x, "T"), s3);
}

TEST_P(StoreConformanceTest, SecretInsertForMissingApplicationFails) {
  Status status = store().Write([](Tx& tx) {
    return tx.secrets().Insert(424242, "S", "", SealedValue{"x", 1}, kNow).status();
  });
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(CountSecrets(424242), 0);
}

TEST_P(StoreConformanceTest, SecretListOrderPagingAndFilter) {
  int64_t a = AddAccount("a");
  int64_t app = AddApp(a, "app");
  int64_t other = AddApp(a, "other");
  AddSecret(app, "DB_PASSWORD");
  AddSecret(other, "db_user");
  AddSecret(app, "api_token");
  AddSecret(app, "Db_User");
  AddSecret(app, "dbXuser");
  AddSecret(app, "percent%");
  VS_EXPECT_OK(store().Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(Page<SecretInfo> page, tx.secrets().List(app, SecretFilter{}));
    EXPECT_EQ(SecretNames(page), (std::vector<std::string>{"DB_PASSWORD", "api_token", "Db_User",
                                                           "dbXuser", "percent%"}));
    EXPECT_EQ(page.total_count, 5);
    for (size_t i = 1; i < page.items.size(); ++i) {
      EXPECT_LT(page.items[i - 1].id, page.items[i].id);
    }

    SecretFilter filter;
    filter.count = 2;
    filter.offset = 2;
    VS_ASSIGN_OR_RETURN(page, tx.secrets().List(app, filter));
    EXPECT_EQ(SecretNames(page), (std::vector<std::string>{"Db_User", "dbXuser"}));
    EXPECT_EQ(page.total_count, 5);

    filter = SecretFilter{};
    filter.name_part = "dB_";  // case-insensitive; '_' is literal: "dbXuser" does not match
    VS_ASSIGN_OR_RETURN(page, tx.secrets().List(app, filter));
    EXPECT_EQ(SecretNames(page), (std::vector<std::string>{"DB_PASSWORD", "Db_User"}));
    EXPECT_EQ(page.total_count, 2);
    filter.count = 1;
    filter.offset = 1;
    VS_ASSIGN_OR_RETURN(page, tx.secrets().List(app, filter));
    EXPECT_EQ(SecretNames(page), std::vector<std::string>{"Db_User"});
    EXPECT_EQ(page.total_count, 2);

    filter = SecretFilter{};
    filter.name_part = "%";
    VS_ASSIGN_OR_RETURN(page, tx.secrets().List(app, filter));
    EXPECT_EQ(SecretNames(page), std::vector<std::string>{"percent%"});
    filter.name_part = "t%x";
    VS_ASSIGN_OR_RETURN(page, tx.secrets().List(app, filter));
    EXPECT_TRUE(page.items.empty());
    EXPECT_EQ(page.total_count, 0);

    filter = SecretFilter{};
    filter.count = 0;
    VS_ASSIGN_OR_RETURN(page, tx.secrets().List(app, filter));
    EXPECT_TRUE(page.items.empty());
    EXPECT_EQ(page.total_count, 5);
    filter.count = 20;
    filter.offset = 5;
    VS_ASSIGN_OR_RETURN(page, tx.secrets().List(app, filter));
    EXPECT_TRUE(page.items.empty());
    EXPECT_EQ(page.total_count, 5);
    return Status::Ok();
  }));
}

// The name index's upkeep (background maintenance) changes no answer: 2,000 secrets (enough
// for SQLite's searches to use the trigram index) added in 40 transactions (on SQLite, 40
// index segments), merged step by step, with a search between steps. On SQLite the first call
// merges (40 segments > 4); elsewhere it does nothing.
TEST_P(StoreConformanceTest, MergingTheNameIndexKeepsSearchAnswers) {
  int64_t app = AddApp(AddAccount("a"), "app");
  int64_t other = AddApp(AddAccount("b"), "other");
  for (int i = 0; i < 40; ++i) {
    VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
      for (int j = 0; j < 50; ++j) {
        const int k = i * 50 + j;
        const std::string name = "Key_" + std::to_string(k) + (k % 97 == 0 ? "_abcDEF" : "_x");
        VS_RETURN_IF_ERROR(tx.secrets().Insert(app, name, "", BinaryValue(), kNow).status());
        if (j == 0)
          VS_RETURN_IF_ERROR(tx.secrets().Insert(other, name, "", BinaryValue(), kNow).status());
      }
      return Status::Ok();
    }));
  }
  auto search = [&]() {
    SecretFilter filter;
    filter.name_part = "CDe";
    filter.count = 100;
    Page<SecretInfo> page;
    VS_EXPECT_OK(store().Read([&](Tx& tx) -> Status {
      VS_ASSIGN_OR_RETURN(page, tx.secrets().List(app, filter));
      return Status::Ok();
    }));
    return std::make_pair(page.total_count, SecretNames(page));
  };
  const auto before = search();
  EXPECT_EQ(before.first, 21);
  ASSERT_EQ(before.second.size(), 21u);
  EXPECT_EQ(before.second.front(), "Key_0_abcDEF");
  int64_t segments = 0;
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(segments, tx.secrets().MergeNameIndex(4, 1));
    return Status::Ok();
  }));
  if (store().BackendName() == "sqlite") {
    EXPECT_GT(segments, 1);
  }
  for (int steps = 0; segments > 1 && steps < 1000; ++steps) {
    EXPECT_EQ(search(), before);
    VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
      VS_ASSIGN_OR_RETURN(segments, tx.secrets().MergeNameIndex(1, 1));
      return Status::Ok();
    }));
  }
  EXPECT_LE(segments, 1);
  EXPECT_EQ(search(), before);
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {  // merged: nothing left to do
    VS_ASSIGN_OR_RETURN(segments, tx.secrets().MergeNameIndex(1, 100));
    return Status::Ok();
  }));
  EXPECT_EQ(segments, 0);
}

TEST_P(StoreConformanceTest, NegativePagingIsRejected) {
  int64_t a = AddAccount("a");
  int64_t app = AddApp(a, "app");
  SecretFilter secrets;
  secrets.count = -1;
  VS_EXPECT_CODE(store().Read([&](Tx& tx) { return tx.secrets().List(app, secrets).status(); }),
                 StatusCode::kInternal);
  secrets = SecretFilter{};
  secrets.offset = -1;
  VS_EXPECT_CODE(store().Read([&](Tx& tx) { return tx.secrets().List(app, secrets).status(); }),
                 StatusCode::kInternal);
  ApplicationFilter apps;
  apps.offset = -5;
  VS_EXPECT_CODE(store().Read([&](Tx& tx) { return tx.applications().List(a, apps).status(); }),
                 StatusCode::kInternal);
  VS_EXPECT_CODE(store().Read([&](Tx& tx) {
    return tx.keys().ListByAccount(a, std::nullopt, -1, 0).status();
  }),
                 StatusCode::kInternal);
}

TEST_P(StoreConformanceTest, SecretUpdate) {
  int64_t app = AddApp(AddAccount("a"), "app");
  int64_t id = AddSecret(app, "S", SealedValue{"old", 1});
  AddSecret(app, "Taken");
  VS_EXPECT_OK(store().Write([&](Tx& tx) -> Status {
    SecretUpdate update;
    update.description = "described";
    VS_ASSIGN_OR_RETURN(bool changed, tx.secrets().Update(app, id, update, kNow + 1));
    EXPECT_TRUE(changed);
    update = SecretUpdate{};
    update.name = "Renamed";
    update.value = BinaryValue(2);
    update.version = 2;
    VS_ASSIGN_OR_RETURN(changed, tx.secrets().Update(app, id, update, kNow + 2));
    EXPECT_TRUE(changed);
    VS_ASSIGN_OR_RETURN(changed, tx.secrets().Update(app, id + 1000, update, kNow + 3));
    EXPECT_FALSE(changed);
    return Status::Ok();
  }));
  VS_EXPECT_CODE(store().Write([&](Tx& tx) -> Status {
    SecretUpdate update;
    update.name = "Taken";
    return tx.secrets().Update(app, id, update, kNow + 4).status();
  }),
                 StatusCode::kAlreadyExists);
  std::optional<SecretRecord> found = GetSecret(app, id);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->info.name, "Renamed");
  EXPECT_EQ(found->info.description, "described");
  EXPECT_EQ(found->info.created, kNow);
  EXPECT_EQ(found->info.modified, kNow + 2);
  EXPECT_EQ(found->info.version, 2);
  EXPECT_EQ(found->info.version_created, kNow + 2);
  EXPECT_TRUE(found->value == BinaryValue(2));
}

TEST_P(StoreConformanceTest, SecretDeleteRemovesExactlyTheListedIdsOfTheApplication) {
  int64_t a = AddAccount("a");
  int64_t app = AddApp(a, "app");
  int64_t other = AddApp(a, "other");
  int64_t s1 = AddSecret(app, "S1");
  int64_t s2 = AddSecret(app, "S2");
  int64_t s3 = AddSecret(app, "S3");
  int64_t foreign = AddSecret(other, "S1");
  int64_t deleted = -1;
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(deleted, tx.secrets().Delete(app, {s1, s3, foreign, s3 + 1000}));
    return Status::Ok();
  }));
  EXPECT_EQ(deleted, 2);
  EXPECT_FALSE(GetSecret(app, s1).has_value());
  EXPECT_TRUE(GetSecret(app, s2).has_value());
  EXPECT_FALSE(GetSecret(app, s3).has_value());
  EXPECT_TRUE(GetSecret(other, foreign).has_value());

  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(deleted, tx.secrets().Delete(app, {}));
    return Status::Ok();
  }));
  EXPECT_EQ(deleted, 0);
  EXPECT_EQ(CountSecrets(app), 1);
}

TEST_P(StoreConformanceTest, SecretDeleteAll) {
  int64_t a = AddAccount("a");
  int64_t app = AddApp(a, "app");
  int64_t other = AddApp(a, "other");
  AddSecret(app, "S1");
  AddSecret(app, "S2");
  AddSecret(other, "S1");
  int64_t deleted = -1;
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(deleted, tx.secrets().DeleteAll(app));
    return Status::Ok();
  }));
  EXPECT_EQ(deleted, 2);
  EXPECT_EQ(CountSecrets(app), 0);
  EXPECT_EQ(CountSecrets(other), 1);
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(deleted, tx.secrets().DeleteAll(app));
    return Status::Ok();
  }));
  EXPECT_EQ(deleted, 0);
}

TEST_P(StoreConformanceTest, ListSealedAndReplaceSealed) {
  int64_t a = AddAccount("a");
  int64_t app = AddApp(a, "app");
  int64_t other = AddApp(a, "other");
  int64_t s1 = AddSecret(app, "S1", SealedValue{"one", 1});
  int64_t s2 = AddSecret(app, "S2", BinaryValue(1));
  AddSecret(other, "S3", SealedValue{"three", 1});
  VS_EXPECT_OK(store().Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::vector<SecretRecord> sealed, tx.secrets().ListSealed(app));
    EXPECT_EQ(sealed.size(), 2u);
    if (sealed.size() == 2) {
      EXPECT_EQ(sealed[0].info.id, s1);
      EXPECT_TRUE(sealed[0].value == (SealedValue{"one", 1}));
      EXPECT_EQ(sealed[1].info.id, s2);
      EXPECT_EQ(sealed[1].info.name, "S2");
      EXPECT_TRUE(sealed[1].value == BinaryValue(1));
    }
    return Status::Ok();
  }));
  VS_EXPECT_OK(store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(bool replaced, tx.secrets().ReplaceSealed(app, s1, BinaryValue(2)));
    EXPECT_TRUE(replaced);
    VS_ASSIGN_OR_RETURN(replaced, tx.secrets().ReplaceSealed(app, s2 + 1000, BinaryValue(2)));
    EXPECT_FALSE(replaced);
    return Status::Ok();
  }));
  std::optional<SecretRecord> found = GetSecret(app, s1);
  ASSERT_TRUE(found.has_value());
  EXPECT_TRUE(found->value == BinaryValue(2));
  EXPECT_EQ(found->info.modified, kNow);  // re-encryption is not a modification
  EXPECT_EQ(found->info.name, "S1");
}

}  // namespace
}  // namespace voxsecrets::store
