// StoreConformanceTest: secret versions (SecretVersionRepository and the version of a secret's
// current value) and keys limited to applications (KeyRepository::SetApplications, the
// ApplicationFilter::ids listing filter).
#include <string>
#include <vector>

#include "tests/testing/store_conformance.h"
#include "tests/testing/store_conformance_internal.h"

namespace voxsecrets::store {
namespace {

using std::string_literals::operator""s;

SealedValue Sealed(int n) { return SealedValue{"\x02\x00sealed-"s + std::to_string(n), 1}; }

SecretVersionRecord Older(int64_t secret_id, int64_t version, int64_t created) {
  SecretVersionRecord record;
  record.info = SecretVersionInfo{secret_id, version, created};
  record.value = Sealed(static_cast<int>(version));
  return record;
}

std::vector<int64_t> Versions(const Page<SecretVersionInfo>& page) {
  std::vector<int64_t> out;
  for (const SecretVersionInfo& info : page.items) out.push_back(info.version);
  return out;
}

// ---- the current value's version ---------------------------------------------------------------

TEST_P(StoreConformanceTest, ANewSecretIsAtVersionOne) {
  int64_t app = AddApp(AddAccount("a"), "app");
  int64_t id = 0;
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(id, tx.secrets().Insert(app, "S", "", Sealed(1), kNow + 5));
    return Status::Ok();
  }));
  std::optional<SecretRecord> found = GetSecret(app, id);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->info.version, 1);
  EXPECT_EQ(found->info.version_created, kNow + 5);
}

TEST_P(StoreConformanceTest, OnlyANewValueMovesTheVersion) {
  int64_t app = AddApp(AddAccount("a"), "app");
  int64_t id = AddSecret(app, "S", Sealed(1));
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    SecretUpdate rename;
    rename.name = "Renamed";
    rename.description = "d";
    VS_ASSIGN_OR_RETURN(bool changed, tx.secrets().Update(app, id, rename, kNow + 10));
    EXPECT_TRUE(changed);
    return Status::Ok();
  }));
  std::optional<SecretRecord> found = GetSecret(app, id);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->info.version, 1);
  EXPECT_EQ(found->info.version_created, kNow);
  EXPECT_EQ(found->info.modified, kNow + 10);

  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    SecretUpdate value;
    value.value = Sealed(2);
    value.version = 2;
    VS_ASSIGN_OR_RETURN(bool changed, tx.secrets().Update(app, id, value, kNow + 20));
    EXPECT_TRUE(changed);
    return Status::Ok();
  }));
  found = GetSecret(app, id);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->info.version, 2);
  EXPECT_EQ(found->info.version_created, kNow + 20);
  EXPECT_TRUE(found->value == Sealed(2));
  // Listings carry the version too.
  VS_EXPECT_OK(store().Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(Page<SecretInfo> page, tx.secrets().List(app, SecretFilter{}));
    EXPECT_EQ(page.items.size(), 1u);
    if (!page.items.empty()) {
      EXPECT_EQ(page.items[0].version, 2);
    }
    return Status::Ok();
  }));
}

// ---- older versions ----------------------------------------------------------------------------

TEST_P(StoreConformanceTest, OlderVersionsAreFoundAndListedNewestFirst) {
  int64_t app = AddApp(AddAccount("a"), "app");
  int64_t id = AddSecret(app, "S", Sealed(9));
  int64_t other = AddSecret(app, "T", Sealed(9));
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    for (int64_t v = 1; v <= 5; ++v) {
      VS_RETURN_IF_ERROR(tx.secret_versions().Insert(app, Older(id, v, kNow + v)));
    }
    return tx.secret_versions().Insert(app, Older(other, 1, kNow));
  }));
  VS_EXPECT_OK(store().Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::optional<SecretVersionRecord> v3,
                        tx.secret_versions().Find(app, id, 3));
    EXPECT_TRUE(v3.has_value());
    if (v3.has_value()) {
      EXPECT_EQ(v3->info.secret_id, id);
      EXPECT_EQ(v3->info.version, 3);
      EXPECT_EQ(v3->info.created, kNow + 3);
      EXPECT_TRUE(v3->value == Sealed(3));  // byte exact, NUL included
    }
    VS_ASSIGN_OR_RETURN(v3, tx.secret_versions().Find(app, id, 6));
    EXPECT_FALSE(v3.has_value());

    VS_ASSIGN_OR_RETURN(Page<SecretVersionInfo> page, tx.secret_versions().List(app, id, 2, 0));
    EXPECT_EQ(Versions(page), (std::vector<int64_t>{5, 4}));
    EXPECT_EQ(page.total_count, 5);
    VS_ASSIGN_OR_RETURN(page, tx.secret_versions().List(app, id, 10, 3));
    EXPECT_EQ(Versions(page), (std::vector<int64_t>{2, 1}));
    EXPECT_EQ(page.total_count, 5);
    VS_ASSIGN_OR_RETURN(page, tx.secret_versions().List(app, id, 0, 0));
    EXPECT_TRUE(page.items.empty());
    EXPECT_EQ(page.total_count, 5);
    VS_ASSIGN_OR_RETURN(page, tx.secret_versions().List(app, other, 10, 0));
    EXPECT_EQ(Versions(page), (std::vector<int64_t>{1}));
    return Status::Ok();
  }));
  VS_EXPECT_CODE(
      store().Write([&](Tx& tx) { return tx.secret_versions().Insert(app, Older(id, 3, kNow)); }),
      StatusCode::kAlreadyExists);
  VS_EXPECT_CODE(
      store().Read([&](Tx& tx) { return tx.secret_versions().List(app, id, -1, 0).status(); }),
      StatusCode::kInternal);
}

TEST_P(StoreConformanceTest, OlderVersionsAreReachedOnlyThroughTheirApplication) {
  int64_t a = AddAccount("a");
  int64_t app = AddApp(a, "app");
  int64_t elsewhere = AddApp(a, "elsewhere");
  int64_t id = AddSecret(app, "S");
  VS_ASSERT_OK(
      store().Write([&](Tx& tx) { return tx.secret_versions().Insert(app, Older(id, 1, kNow)); }));
  // Through another application the secret has no versions, and none can be added or touched.
  VS_EXPECT_CODE(store().Write([&](Tx& tx) {
    return tx.secret_versions().Insert(elsewhere, Older(id, 2, kNow));
  }),
                 StatusCode::kNotFound);
  VS_EXPECT_CODE(store().Write([&](Tx& tx) {
    return tx.secret_versions().Insert(app, Older(id + 1000, 1, kNow));
  }),
                 StatusCode::kNotFound);
  VS_EXPECT_OK(store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::optional<SecretVersionRecord> found,
                        tx.secret_versions().Find(elsewhere, id, 1));
    EXPECT_FALSE(found.has_value());
    VS_ASSIGN_OR_RETURN(Page<SecretVersionInfo> page,
                        tx.secret_versions().List(elsewhere, id, 10, 0));
    EXPECT_EQ(page.total_count, 0);
    VS_ASSIGN_OR_RETURN(bool replaced,
                        tx.secret_versions().ReplaceSealed(elsewhere, id, 1, Sealed(7)));
    EXPECT_FALSE(replaced);
    VS_ASSIGN_OR_RETURN(int64_t deleted, tx.secret_versions().DeleteUpTo(elsewhere, id, 10));
    EXPECT_EQ(deleted, 0);
    VS_ASSIGN_OR_RETURN(std::vector<SecretVersionRecord> sealed,
                        tx.secret_versions().ListSealed(elsewhere));
    EXPECT_TRUE(sealed.empty());
    return Status::Ok();
  }));
  VS_EXPECT_OK(store().Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::optional<SecretVersionRecord> found,
                        tx.secret_versions().Find(app, id, 1));
    EXPECT_TRUE(found.has_value() && found->value == Sealed(1));
    return Status::Ok();
  }));
}

TEST_P(StoreConformanceTest, RetentionDeletesTheOldestVersions) {
  int64_t app = AddApp(AddAccount("a"), "app");
  int64_t id = AddSecret(app, "S");
  int64_t other = AddSecret(app, "T");
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    for (int64_t v = 1; v <= 6; ++v) {
      VS_RETURN_IF_ERROR(tx.secret_versions().Insert(app, Older(id, v, kNow)));
      VS_RETURN_IF_ERROR(tx.secret_versions().Insert(app, Older(other, v, kNow)));
    }
    return Status::Ok();
  }));
  VS_EXPECT_OK(store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(int64_t deleted, tx.secret_versions().DeleteUpTo(app, id, 4));
    EXPECT_EQ(deleted, 4);
    VS_ASSIGN_OR_RETURN(deleted, tx.secret_versions().DeleteUpTo(app, id, 4));
    EXPECT_EQ(deleted, 0);
    return Status::Ok();
  }));
  VS_EXPECT_OK(store().Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(Page<SecretVersionInfo> page, tx.secret_versions().List(app, id, 10, 0));
    EXPECT_EQ(Versions(page), (std::vector<int64_t>{6, 5}));
    VS_ASSIGN_OR_RETURN(page, tx.secret_versions().List(app, other, 10, 0));
    EXPECT_EQ(page.total_count, 6);  // another secret keeps its own
    return Status::Ok();
  }));
}

TEST_P(StoreConformanceTest, OlderVersionsGoWithTheirSecretAndApplication) {
  int64_t a = AddAccount("a");
  int64_t app = AddApp(a, "app");
  int64_t doomed_app = AddApp(a, "doomed");
  int64_t one = AddSecret(app, "One");
  int64_t two = AddSecret(app, "Two");
  int64_t three = AddSecret(doomed_app, "Three");
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    VS_RETURN_IF_ERROR(tx.secret_versions().Insert(app, Older(one, 1, kNow)));
    VS_RETURN_IF_ERROR(tx.secret_versions().Insert(app, Older(two, 1, kNow)));
    return tx.secret_versions().Insert(doomed_app, Older(three, 1, kNow));
  }));
  const auto count = [&](int64_t application_id) {
    size_t n = 0;
    EXPECT_TRUE(store()
                    .Read([&](Tx& tx) -> Status {
                      VS_ASSIGN_OR_RETURN(std::vector<SecretVersionRecord> all,
                                          tx.secret_versions().ListSealed(application_id));
                      n = all.size();
                      return Status::Ok();
                    })
                    .ok());
    return n;
  };
  EXPECT_EQ(count(app), 2u);
  VS_ASSERT_OK(store().Write([&](Tx& tx) { return tx.secrets().Delete(app, {one}).status(); }));
  EXPECT_EQ(count(app), 1u);
  VS_ASSERT_OK(store().Write([&](Tx& tx) { return tx.secrets().DeleteAll(app).status(); }));
  EXPECT_EQ(count(app), 0u);
  EXPECT_EQ(count(doomed_app), 1u);
  VS_ASSERT_OK(
      store().Write([&](Tx& tx) { return tx.applications().Delete(a, doomed_app).status(); }));
  EXPECT_EQ(count(doomed_app), 0u);
  // A new secret never inherits versions (ids are never reused).
  int64_t fresh = AddSecret(app, "One");
  VS_EXPECT_OK(store().Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(Page<SecretVersionInfo> page, tx.secret_versions().List(app, fresh, 10, 0));
    EXPECT_EQ(page.total_count, 0);
    return Status::Ok();
  }));
}

TEST_P(StoreConformanceTest, OlderVersionsListSealedAndReplaceSealed) {
  int64_t app = AddApp(AddAccount("a"), "app");
  int64_t s1 = AddSecret(app, "One");
  int64_t s2 = AddSecret(app, "Two");
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    VS_RETURN_IF_ERROR(tx.secret_versions().Insert(app, Older(s2, 2, kNow)));
    VS_RETURN_IF_ERROR(tx.secret_versions().Insert(app, Older(s1, 1, kNow)));
    return tx.secret_versions().Insert(app, Older(s2, 1, kNow));
  }));
  VS_EXPECT_OK(store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::vector<SecretVersionRecord> all, tx.secret_versions().ListSealed(app));
    EXPECT_EQ(all.size(), 3u);
    if (all.size() == 3) {
      EXPECT_EQ(all[0].info.secret_id, s1);
      EXPECT_EQ(all[1].info.secret_id, s2);
      EXPECT_EQ(all[1].info.version, 1);
      EXPECT_EQ(all[2].info.version, 2);
      EXPECT_TRUE(all[2].value == Sealed(2));
    }
    const SealedValue rewritten{"\x02\xff"s + std::string(40, '\0'), 7};
    VS_ASSIGN_OR_RETURN(bool replaced, tx.secret_versions().ReplaceSealed(app, s2, 2, rewritten));
    EXPECT_TRUE(replaced);
    VS_ASSIGN_OR_RETURN(replaced, tx.secret_versions().ReplaceSealed(app, s2, 3, rewritten));
    EXPECT_FALSE(replaced);
    VS_ASSIGN_OR_RETURN(std::optional<SecretVersionRecord> found,
                        tx.secret_versions().Find(app, s2, 2));
    EXPECT_TRUE(found.has_value() && found->value == rewritten);
    EXPECT_TRUE(found.has_value() && found->info.created == kNow);
    return Status::Ok();
  }));
}

TEST_P(StoreConformanceTest, OlderVersionWritesRollBackWithTheirTransaction) {
  int64_t app = AddApp(AddAccount("a"), "app");
  int64_t id = AddSecret(app, "S");
  VS_EXPECT_CODE(store().Write([&](Tx& tx) -> Status {
    VS_RETURN_IF_ERROR(tx.secret_versions().Insert(app, Older(id, 1, kNow)));
    return InternalError("abort");
  }),
                 StatusCode::kInternal);
  VS_EXPECT_OK(store().Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(Page<SecretVersionInfo> page, tx.secret_versions().List(app, id, 10, 0));
    EXPECT_EQ(page.total_count, 0);
    return Status::Ok();
  }));
  VS_EXPECT_CODE(
      store().Read([&](Tx& tx) { return tx.secret_versions().Insert(app, Older(id, 1, kNow)); }),
      StatusCode::kInternal);  // a write through Read fails
}

// ---- keys limited to applications --------------------------------------------------------------

KeyRecord LimitedKey(std::string key_id, int64_t account_id,
                     std::optional<std::vector<int64_t>> application_ids) {
  KeyRecord key;
  key.key_id = std::move(key_id);
  key.account_id = account_id;
  key.public_key_pem = "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n";
  key.role_ids = {5};
  key.application_ids = std::move(application_ids);
  key.created = 1767225600;
  return key;
}

std::optional<KeyRecord> ReadKey(Store& store, std::string_view key_id) {
  std::optional<KeyRecord> key;
  EXPECT_TRUE(store
                  .Read([&](Tx& tx) -> Status {
                    VS_ASSIGN_OR_RETURN(key, tx.keys().FindById(key_id));
                    return Status::Ok();
                  })
                  .ok());
  return key;
}

TEST_P(StoreConformanceTest, KeysKeepTheApplicationsTheyAreLimitedTo) {
  int64_t a = AddAccount("a");
  int64_t b = AddAccount("b");
  int64_t app1 = AddApp(a, "one");
  int64_t app2 = AddApp(a, "two");
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    VS_RETURN_IF_ERROR(
        tx.keys().Insert(LimitedKey("limited", a, std::vector<int64_t>{app2, app1, app2})));
    return tx.keys().Insert(LimitedKey("free", a, std::nullopt));
  }));
  std::optional<KeyRecord> limited = ReadKey(store(), "limited");
  ASSERT_TRUE(limited.has_value());
  EXPECT_EQ(limited->application_ids, (std::vector<int64_t>{app1, app2}));  // a set
  EXPECT_EQ(limited->role_ids, std::vector<int>{5});
  std::optional<KeyRecord> free = ReadKey(store(), "free");
  ASSERT_TRUE(free.has_value());
  EXPECT_FALSE(free->application_ids.has_value());
  VS_EXPECT_OK(store().Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(Page<KeyRecord> page, tx.keys().ListByAccount(a, std::nullopt, 10, 0));
    EXPECT_EQ(page.items.size(), 2u);
    for (const KeyRecord& key : page.items) {
      EXPECT_EQ(key.application_ids.has_value(), key.key_id == "limited") << key.key_id;
    }
    return Status::Ok();
  }));

  VS_EXPECT_OK(store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(bool set, tx.keys().SetApplications(a, "free", std::vector<int64_t>{app2}));
    EXPECT_TRUE(set);
    VS_ASSIGN_OR_RETURN(set, tx.keys().SetApplications(a, "limited", std::nullopt));
    EXPECT_TRUE(set);
    VS_ASSIGN_OR_RETURN(set, tx.keys().SetApplications(b, "limited", std::vector<int64_t>{}));
    EXPECT_FALSE(set);  // not b's key
    VS_ASSIGN_OR_RETURN(set, tx.keys().SetApplications(a, "missing", std::nullopt));
    EXPECT_FALSE(set);
    return Status::Ok();
  }));
  EXPECT_EQ(ReadKey(store(), "free")->application_ids, std::vector<int64_t>{app2});
  EXPECT_FALSE(ReadKey(store(), "limited")->application_ids.has_value());

  // An empty list is a limit (to nothing), not the absence of one.
  VS_ASSERT_OK(store().Write([&](Tx& tx) {
    return tx.keys().SetApplications(a, "limited", std::vector<int64_t>{}).status();
  }));
  EXPECT_EQ(ReadKey(store(), "limited")->application_ids, std::vector<int64_t>{});
  // A list that names no application fails and leaves the key as it was.
  EXPECT_FALSE(store()
                   .Write([&](Tx& tx) {
                     return tx.keys()
                         .SetApplications(a, "limited", std::vector<int64_t>{app2 + 1000})
                         .status();
                   })
                   .ok());
  EXPECT_EQ(ReadKey(store(), "limited")->application_ids, std::vector<int64_t>{});
}

TEST_P(StoreConformanceTest, DeletingAnApplicationTakesItOutOfEveryKeysLimit) {
  int64_t a = AddAccount("a");
  int64_t app1 = AddApp(a, "one");
  int64_t app2 = AddApp(a, "two");
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    VS_RETURN_IF_ERROR(tx.keys().Insert(LimitedKey("both", a, std::vector<int64_t>{app1, app2})));
    return tx.keys().Insert(LimitedKey("only-two", a, std::vector<int64_t>{app2}));
  }));
  VS_ASSERT_OK(store().Write([&](Tx& tx) { return tx.applications().Delete(a, app2).status(); }));
  EXPECT_EQ(ReadKey(store(), "both")->application_ids, std::vector<int64_t>{app1});
  // Still limited, to nothing: never to everything.
  std::optional<KeyRecord> only = ReadKey(store(), "only-two");
  ASSERT_TRUE(only.has_value());
  ASSERT_TRUE(only->application_ids.has_value());
  EXPECT_TRUE(only->application_ids->empty());
  // Deleting a key takes its list with it; the application stays.
  VS_ASSERT_OK(store().Write([&](Tx& tx) { return tx.keys().Delete(a, "both").status(); }));
  VS_EXPECT_OK(store().Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::optional<ApplicationRecord> app, tx.applications().FindById(a, app1));
    EXPECT_TRUE(app.has_value());
    return Status::Ok();
  }));
}

TEST_P(StoreConformanceTest, ApplicationListFiltersByIds) {
  int64_t a = AddAccount("a");
  int64_t b = AddAccount("b");
  int64_t one = AddApp(a, "one");
  AddApp(a, "two");
  int64_t three = AddApp(a, "three");
  int64_t theirs = AddApp(b, "theirs");
  VS_EXPECT_OK(store().Read([&](Tx& tx) -> Status {
    ApplicationFilter filter;
    filter.ids = std::vector<int64_t>{three, one, theirs};
    VS_ASSIGN_OR_RETURN(Page<ApplicationRecord> page, tx.applications().List(a, filter));
    EXPECT_EQ(page.total_count, 2);  // b's application is not a's, whatever the list says
    EXPECT_EQ(page.items.size(), 2u);
    if (page.items.size() == 2) {
      EXPECT_EQ(page.items[0].id, one);
      EXPECT_EQ(page.items[1].id, three);
    }
    filter.name_part = "thr";
    VS_ASSIGN_OR_RETURN(page, tx.applications().List(a, filter));
    EXPECT_EQ(page.total_count, 1);
    filter.name_part.clear();
    filter.count = 1;
    filter.offset = 1;
    VS_ASSIGN_OR_RETURN(page, tx.applications().List(a, filter));
    EXPECT_EQ(page.total_count, 2);
    EXPECT_EQ(page.items.size(), 1u);
    if (!page.items.empty()) {
      EXPECT_EQ(page.items[0].id, three);
    }
    filter = ApplicationFilter{};
    filter.ids = std::vector<int64_t>{};
    VS_ASSIGN_OR_RETURN(page, tx.applications().List(a, filter));
    EXPECT_EQ(page.total_count, 0);
    EXPECT_TRUE(page.items.empty());
    return Status::Ok();
  }));
}

}  // namespace
}  // namespace voxsecrets::store
