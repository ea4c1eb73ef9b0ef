// SecretService rules over a real SQLite store and a real Keyring (tests/testing/api_fixture.h).
#include "secrets/secret_service.h"

#include <gtest/gtest.h>

#include <string>

#include "secrets/limits.h"
#include "tests/testing/api_fixture.h"
#include "tests/testing/tx_helpers.h"

namespace voxsecrets::secrets {
namespace {

using store::InRead;
using store::InWrite;

class SecretServiceTest : public api::ApiTest {
 protected:
  void SetUp() override {
    api::ApiTest::SetUp();
    if (HasFatalFailure()) return;
    Result<api::ApiStack::Account> account = stack().CreateAccount("acme");
    ASSERT_TRUE(account.ok()) << account.status().ToString();
    account_id_ = account->id;
    Result<int64_t> app = stack().CreateApplication(account_id_, "myapp");
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    Result<int64_t> other = stack().CreateApplication(account_id_, "other");
    ASSERT_TRUE(other.ok()) << other.status().ToString();
    app_ = Load(*app);
    other_app_ = Load(*other);
  }

  store::ApplicationRecord Load(int64_t app_id) {
    Result<store::ApplicationRecord> app = InRead(stack().store(), [&](store::Tx& tx) {
      return stack().applications().ResolveApplication(tx, account_id_, AppRef{app_id, {}},
                                                       AppScope::Every());
    });
    EXPECT_TRUE(app.ok()) << app.status().ToString();
    return app.ok() ? *app : store::ApplicationRecord{};
  }

  const SecretService& svc() { return stack().secrets(); }

  Result<int64_t> Add(const store::ApplicationRecord& app, std::string_view name,
                      std::optional<std::string_view> value,
                      std::optional<std::string_view> description = std::nullopt) {
    return InWrite(stack().store(), [&](store::Tx& tx) {
      return svc().Add(tx, app, NewSecret{name, value, description});
    });
  }
  Result<int64_t> Add(std::string_view name, std::string_view value) {
    return Add(app_, name, value);
  }

  Result<SecretValue> Get(SecretRef ref) {
    return InRead(stack().store(), [&](store::Tx& tx) { return svc().GetValue(tx, app_, ref); });
  }

  Result<bool> Set(SecretRef ref, SecretChanges changes) {
    return InWrite(stack().store(), [&](store::Tx& tx) -> Result<bool> {
      VS_ASSIGN_OR_RETURN(store::SecretRecord secret, svc().ResolveSecret(tx, app_, ref));
      VS_ASSIGN_OR_RETURN(SetInfoOutcome outcome, svc().SetInfo(tx, app_, secret, changes));
      return outcome.changed;
    });
  }

  Result<std::vector<int64_t>> Del(SecretSelection selection) {
    return InWrite(stack().store(),
                   [&](store::Tx& tx) { return svc().Delete(tx, app_, selection); });
  }

  Result<store::Page<store::SecretInfo>> List(SecretQuery query) {
    return InRead(stack().store(), [&](store::Tx& tx) { return svc().List(tx, app_, query); });
  }

  std::vector<std::string> Names() {
    Result<store::Page<store::SecretInfo>> page = List(SecretQuery{std::nullopt, 1000, 0});
    EXPECT_TRUE(page.ok());
    std::vector<std::string> names;
    if (page.ok()) {
      for (const auto& info : page->items) names.push_back(info.name);
    }
    return names;
  }

  int64_t account_id_ = 0;
  store::ApplicationRecord app_;
  store::ApplicationRecord other_app_;
};

TEST_F(SecretServiceTest, AddThenGetValueKeepsBytesExactly) {
  const std::string value = "  line1\nline2\r\n\"quoted\" \\ \xF0\x9F\x94\x91 trailing  ";
  Result<int64_t> id = Add(app_, "db_password", value, "Prod DB");
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  Result<SecretValue> got = Get(SecretRef{*id, std::nullopt});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(got->value.view() == value);
  EXPECT_EQ(got->info.id, *id);
  EXPECT_EQ(got->info.name, "db_password");
  EXPECT_EQ(got->info.description, "Prod DB");
  EXPECT_EQ(got->info.created, stack().clock().NowSeconds());
  EXPECT_EQ(got->info.modified, got->info.created);
  Result<SecretValue> by_name = Get(SecretRef{std::nullopt, "db_password"});
  ASSERT_TRUE(by_name.ok());
  EXPECT_TRUE(by_name->value.view() == value);
}

TEST_F(SecretServiceTest, StoredValueIsSealedAndBoundToItsRow) {
  const std::string value_a = "plaintext-marker-AAAA";
  const std::string value_b = "plaintext-marker-BBBB";
  Result<int64_t> a = Add("a", value_a);
  Result<int64_t> b = Add("b", value_b);
  ASSERT_TRUE(a.ok() && b.ok());
  Result<std::vector<store::SecretRecord>> rows =
      InRead(stack().store(), [&](store::Tx& tx) { return tx.secrets().ListSealed(app_.id); });
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  for (const store::SecretRecord& row : *rows) {
    EXPECT_EQ(row.value.blob.find("plaintext-marker"), std::string::npos);
    EXPECT_GT(row.value.blob.size(), 1u);  // not the insert placeholder
    EXPECT_GE(row.value.key_version, 1u);
  }
  // Swap the sealed values: each now sits in a row its associated data does not name.
  const store::SecretRecord& row_a = (*rows)[0].info.id == *a ? (*rows)[0] : (*rows)[1];
  const store::SecretRecord& row_b = (*rows)[0].info.id == *a ? (*rows)[1] : (*rows)[0];
  ASSERT_TRUE(InWrite(stack().store(), [&](store::Tx& tx) -> Result<bool> {
                VS_ASSIGN_OR_RETURN(bool r1, tx.secrets().ReplaceSealed(app_.id, *a, row_b.value));
                VS_ASSIGN_OR_RETURN(bool r2, tx.secrets().ReplaceSealed(app_.id, *b, row_a.value));
                return r1 && r2;
              }).ok());
  Result<SecretValue> got = Get(SecretRef{*a, std::nullopt});
  EXPECT_EQ(got.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(got.status().message().find("plaintext-marker"), std::string::npos);
}

TEST_F(SecretServiceTest, NamesAreUniquePerApplicationAndCaseSensitive) {
  ASSERT_TRUE(Add("token", "v1").ok());
  Status dup = Add("token", "v2").status();
  EXPECT_EQ(dup.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(dup.field_name(), "secret_name");
  EXPECT_EQ(dup.message(), "The 'secret_name' is not unique.");
  EXPECT_TRUE(Add("Token", "v3").ok());
  EXPECT_TRUE(Add(other_app_, "token", "v4").ok());
}

TEST_F(SecretServiceTest, AddChecksNameThenValueThenDescription) {
  // Missing everything: the name is first.
  Status s = Add(app_, "", std::nullopt).status();
  EXPECT_EQ(s.code(), StatusCode::kMissingArgument);
  EXPECT_EQ(s.field_name(), "secret_name");
  // Ill-formed name and missing value: the name.
  s = Add(app_, "1bad", std::nullopt).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.field_name(), "secret_name");
  // Duplicate name and bad value: the name.
  ASSERT_TRUE(Add("taken", "x").ok());
  s = Add(app_, "taken", std::string(kMaxSecretValueCodePoints + 1, 'v')).status();
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists);
  // Good name: the value.
  s = Add(app_, "fresh", std::nullopt).status();
  EXPECT_EQ(s.code(), StatusCode::kMissingArgument);
  EXPECT_EQ(s.field_name(), "secret_value");
  s = Add(app_, "fresh", std::string(kMaxSecretValueCodePoints + 1, 'v')).status();
  EXPECT_EQ(s.code(), StatusCode::kTooLong);
  EXPECT_EQ(s.field_name(), "secret_value");
  s = Add(app_, "fresh", std::string("a\0b", 3)).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.field_name(), "secret_value");
  s = Add(app_, "fresh", "ok", "bad\xff").status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.field_name(), "description");
  // Nothing of the failed calls was stored.
  EXPECT_EQ(Names(), std::vector<std::string>{"taken"});
}

TEST_F(SecretServiceTest, DescriptionIsCutAndEmptyMeansNone) {
  const std::string long_desc = std::string(199, 'd') + "\xD0\x96\xD0\x96";  // 201 code points
  Result<int64_t> id = Add(app_, "a", "v", long_desc);
  ASSERT_TRUE(id.ok());
  Result<SecretValue> got = Get(SecretRef{*id, std::nullopt});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->info.description, std::string(199, 'd') + "\xD0\x96");
  Result<int64_t> none = Add(app_, "b", "v", "");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(Get(SecretRef{*none, std::nullopt})->info.description, "");
}

TEST_F(SecretServiceTest, ResolveSecretRules) {
  Result<int64_t> a = Add("alpha", "1");
  Result<int64_t> b = Add("beta", "2");
  Result<int64_t> foreign = Add(other_app_, "gamma", "3");
  ASSERT_TRUE(a.ok() && b.ok() && foreign.ok());

  Status s = Get(SecretRef{}).status();
  EXPECT_EQ(s.code(), StatusCode::kMissingArgument);
  EXPECT_EQ(s.field_name(), "secret_id");

  s = Get(SecretRef{*b + 1000, std::nullopt}).status();
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.field_name(), "secret_id");
  EXPECT_NE(s.message().find(std::to_string(*b + 1000)), std::string::npos) << s.message();

  s = Get(SecretRef{std::nullopt, "nothere"}).status();
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.field_name(), "secret_name");
  EXPECT_NE(s.message().find("'nothere'"), std::string::npos) << s.message();

  s = Get(SecretRef{std::nullopt, "no-dash"}).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.field_name(), "secret_name");

  s = Get(SecretRef{*a, "beta"}).status();
  EXPECT_EQ(s.code(), StatusCode::kConflictingArguments);
  EXPECT_EQ(s.field_name(), "");  // two parameters are to blame, not one
  EXPECT_NE(s.message().find("secret_id"), std::string::npos);
  EXPECT_NE(s.message().find("secret_name"), std::string::npos);

  Result<SecretValue> both = Get(SecretRef{*a, "alpha"});
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->info.id, *a);

  // A secret of another application is "not found".
  EXPECT_EQ(Get(SecretRef{*foreign, std::nullopt}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Get(SecretRef{std::nullopt, "gamma"}).status().code(), StatusCode::kNotFound);
}

TEST_F(SecretServiceTest, ListOrdersPagesAndFilters) {
  for (const char* name : {"ApiKey", "db_pass", "other", "API_SECRET", "zeta"}) {
    ASSERT_TRUE(Add(name, "v").ok());
  }
  Result<store::Page<store::SecretInfo>> all = List({});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->total_count, 5);
  ASSERT_EQ(all->items.size(), 5u);
  for (size_t i = 1; i < all->items.size(); ++i) {
    EXPECT_LT(all->items[i - 1].id, all->items[i].id);
  }
  Result<store::Page<store::SecretInfo>> page = List(SecretQuery{std::nullopt, 2, 1});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total_count, 5);
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].name, "db_pass");
  EXPECT_EQ(page->items[1].name, "other");

  Result<store::Page<store::SecretInfo>> api = List(SecretQuery{"api", std::nullopt, std::nullopt});
  ASSERT_TRUE(api.ok());
  EXPECT_EQ(api->total_count, 2);
  ASSERT_EQ(api->items.size(), 2u);
  EXPECT_EQ(api->items[0].name, "ApiKey");
  EXPECT_EQ(api->items[1].name, "API_SECRET");

  Result<store::Page<store::SecretInfo>> beyond = List(SecretQuery{std::nullopt, 10, 100});
  ASSERT_TRUE(beyond.ok());
  EXPECT_TRUE(beyond->items.empty());
  EXPECT_EQ(beyond->total_count, 5);

  EXPECT_EQ(List(SecretQuery{std::nullopt, 0, std::nullopt}).status().code(),
            StatusCode::kOutOfRange);
  EXPECT_EQ(List(SecretQuery{std::nullopt, 1001, std::nullopt}).status().field_name(), "count");
  EXPECT_EQ(List(SecretQuery{std::nullopt, std::nullopt, -1}).status().field_name(), "offset");
}

TEST_F(SecretServiceTest, ListDefaultsToTwentyItems) {
  for (int i = 0; i < 25; ++i) ASSERT_TRUE(Add("s" + std::to_string(i), "v").ok());
  Result<store::Page<store::SecretInfo>> page = List({});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items.size(), 20u);
  EXPECT_EQ(page->total_count, 25);
}

TEST_F(SecretServiceTest, SetInfoChangesOnlyWhatDiffers) {
  Result<int64_t> id = Add(app_, "key", "value-1", "desc");
  ASSERT_TRUE(id.ok());
  const int64_t created = stack().clock().NowSeconds();
  stack().clock().AdvanceSeconds(100);

  // Everything equal to what is stored: no change, `modified` stays.
  Result<bool> changed = Set(SecretRef{*id, std::nullopt}, SecretChanges{"key", "value-1", "desc"});
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  EXPECT_FALSE(*changed);
  EXPECT_EQ(Get(SecretRef{*id, std::nullopt})->info.modified, created);
  changed = Set(SecretRef{*id, std::nullopt}, SecretChanges{});
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE(*changed);

  // A new value: resealed, `modified` moves.
  changed =
      Set(SecretRef{std::nullopt, "key"}, SecretChanges{std::nullopt, "value-2", std::nullopt});
  ASSERT_TRUE(changed.ok());
  EXPECT_TRUE(*changed);
  Result<SecretValue> got = Get(SecretRef{*id, std::nullopt});
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->value.view() == "value-2");
  EXPECT_EQ(got->info.modified, created + 100);
  EXPECT_EQ(got->info.created, created);

  // Rename and describe.
  stack().clock().AdvanceSeconds(5);
  changed = Set(SecretRef{*id, std::nullopt}, SecretChanges{"renamed", std::nullopt, " "});
  ASSERT_TRUE(changed.ok());
  EXPECT_TRUE(*changed);
  got = Get(SecretRef{std::nullopt, "renamed"});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->info.description, " ");
  EXPECT_EQ(got->info.modified, created + 105);
  EXPECT_TRUE(got->value.view() == "value-2");
  EXPECT_EQ(Get(SecretRef{std::nullopt, "key"}).status().code(), StatusCode::kNotFound);
}

TEST_F(SecretServiceTest, SetInfoDescriptionComparesTheCutForm) {
  const std::string long_desc = std::string(250, 'x');
  Result<int64_t> id = Add(app_, "k", "v", long_desc);
  ASSERT_TRUE(id.ok());
  stack().clock().AdvanceSeconds(10);
  // Stored: 200 x. Sending 300 x cuts to the same 200: no change.
  Result<bool> changed = Set(SecretRef{*id, std::nullopt},
                             SecretChanges{std::nullopt, std::nullopt, std::string(300, 'x')});
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE(*changed);
}

TEST_F(SecretServiceTest, SetInfoRenameRules) {
  Result<int64_t> a = Add("first", "1");
  ASSERT_TRUE(Add("second", "2").ok());
  ASSERT_TRUE(a.ok());
  Status s = Set(SecretRef{*a, std::nullopt}, SecretChanges{"second", std::nullopt, std::nullopt})
                 .status();
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(s.field_name(), "new_secret_name");
  s = Set(SecretRef{*a, std::nullopt}, SecretChanges{"9lives", std::nullopt, std::nullopt})
          .status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.field_name(), "new_secret_name");
  // Bad new name and bad value: the name is reported.
  s = Set(SecretRef{*a, std::nullopt}, SecretChanges{"9lives", std::string("\0", 1), std::nullopt})
          .status();
  EXPECT_EQ(s.field_name(), "new_secret_name");
  // Good name, bad value: nothing changes (rolled back).
  s = Set(SecretRef{*a, std::nullopt},
          SecretChanges{"third", std::string(kMaxSecretValueCodePoints + 1, 'v'), std::nullopt})
          .status();
  EXPECT_EQ(s.code(), StatusCode::kTooLong);
  EXPECT_EQ(Names(), (std::vector<std::string>{"first", "second"}));
}

TEST_F(SecretServiceTest, DeleteIsAllOrNothing) {
  Result<int64_t> a = Add("a", "1");
  Result<int64_t> b = Add("b", "2");
  Result<int64_t> c = Add("c", "3");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());

  Status s = Del(SecretSelection{false, {*a, *b + 100}, {}}).status();
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.field_name(), "secret_id");
  EXPECT_NE(s.message().find(std::to_string(*b + 100)), std::string::npos);
  s = Del(SecretSelection{false, {*a}, {"b", "missing"}}).status();
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.field_name(), "secret_name");
  EXPECT_NE(s.message().find("'missing'"), std::string::npos);
  s = Del(SecretSelection{false, {*a}, {"bad name"}}).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.field_name(), "secret_name");
  s = Del(SecretSelection{}).status();
  EXPECT_EQ(s.code(), StatusCode::kMissingArgument);
  EXPECT_EQ(s.field_name(), "secret_id");
  EXPECT_EQ(Names(), (std::vector<std::string>{"a", "b", "c"}));

  // Duplicates and overlaps between ids and names collapse.
  Result<std::vector<int64_t>> deleted = Del(SecretSelection{false, {*a, *a}, {"a", "b"}});
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(*deleted, (std::vector<int64_t>{*a, *b}));
  EXPECT_EQ(Names(), std::vector<std::string>{"c"});
}

TEST_F(SecretServiceTest, DeleteAll) {
  ASSERT_TRUE(Add("a", "1").ok());
  ASSERT_TRUE(Add("b", "2").ok());
  ASSERT_TRUE(Add(other_app_, "keep", "3").ok());
  // `all` with a name that does not exist fails as a whole.
  EXPECT_EQ(Del(SecretSelection{true, {}, {"zzz"}}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Names().size(), 2u);
  Result<std::vector<int64_t>> deleted = Del(SecretSelection{true, {}, {}});
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted->size(), 2u);
  EXPECT_TRUE(Names().empty());
  // `all` on an empty application is fine.
  deleted = Del(SecretSelection{true, {}, {}});
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(deleted->empty());
  // The other application kept its secret.
  Result<store::Page<store::SecretInfo>> other = InRead(
      stack().store(), [&](store::Tx& tx) { return svc().List(tx, other_app_, SecretQuery{}); });
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->total_count, 1);
}

// ---- versions ----------------------------------------------------------------------------------

class SecretVersionsTest : public SecretServiceTest {
 protected:
  Result<store::SecretRecord> Resolve(int64_t id) {
    return InRead(stack().store(), [&](store::Tx& tx) {
      return svc().ResolveSecret(tx, app_, SecretRef{id, std::nullopt});
    });
  }
  Result<SecretValue> GetVersion(int64_t id, int64_t version) {
    return InRead(stack().store(), [&](store::Tx& tx) {
      return svc().GetValue(tx, app_, SecretRef{id, std::nullopt}, version);
    });
  }
  Result<store::Page<SecretVersion>> Versions(int64_t id, VersionQuery query = {}) {
    return InRead(stack().store(), [&](store::Tx& tx) -> Result<store::Page<SecretVersion>> {
      VS_ASSIGN_OR_RETURN(store::SecretRecord secret,
                          svc().ResolveSecret(tx, app_, SecretRef{id, std::nullopt}));
      return svc().ListVersions(tx, app_, secret, query);
    });
  }
  std::vector<int64_t> VersionNumbers(int64_t id) {
    Result<store::Page<SecretVersion>> page = Versions(id, VersionQuery{1000, 0});
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    std::vector<int64_t> out;
    if (page.ok()) {
      for (const SecretVersion& v : page->items) out.push_back(v.version);
    }
    return out;
  }
  Result<int64_t> Restore(int64_t id, int64_t version) {
    return InWrite(stack().store(), [&](store::Tx& tx) -> Result<int64_t> {
      VS_ASSIGN_OR_RETURN(store::SecretRecord secret,
                          svc().ResolveSecret(tx, app_, SecretRef{id, std::nullopt}));
      return svc().Restore(tx, app_, secret, version);
    });
  }
  Result<SetInfoOutcome> SetValue(int64_t id, std::string_view value) {
    return InWrite(stack().store(), [&](store::Tx& tx) -> Result<SetInfoOutcome> {
      VS_ASSIGN_OR_RETURN(store::SecretRecord secret,
                          svc().ResolveSecret(tx, app_, SecretRef{id, std::nullopt}));
      return svc().SetInfo(tx, app_, secret, SecretChanges{std::nullopt, value, std::nullopt});
    });
  }
  // Older versions stored for the application (their ciphertext rows).
  size_t StoredOlderVersions() {
    Result<std::vector<store::SecretVersionRecord>> rows = InRead(
        stack().store(), [&](store::Tx& tx) { return tx.secret_versions().ListSealed(app_.id); });
    EXPECT_TRUE(rows.ok());
    return rows.ok() ? rows->size() : 0;
  }
};

TEST_F(SecretVersionsTest, AddMakesVersionOneAndOnlyValueChangesMakeMore) {
  Result<int64_t> id = Add(app_, "db", "v1", "first");
  ASSERT_TRUE(id.ok());
  const int64_t t0 = stack().clock().NowSeconds();
  EXPECT_EQ(Get(SecretRef{*id, std::nullopt})->version, 1);

  stack().clock().AdvanceSeconds(10);
  // Renames, descriptions and an unchanged value make no version.
  ASSERT_TRUE(Set(SecretRef{*id, std::nullopt}, SecretChanges{"db2", "v1", "second"}).ok());
  EXPECT_EQ(VersionNumbers(*id), std::vector<int64_t>{1});

  stack().clock().AdvanceSeconds(10);
  Result<SetInfoOutcome> set = SetValue(*id, "v2");
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_TRUE(set->changed);
  EXPECT_EQ(set->version, 2);
  stack().clock().AdvanceSeconds(10);
  ASSERT_EQ(SetValue(*id, "v3")->version, 3);
  Result<SetInfoOutcome> same = SetValue(*id, "v3");
  ASSERT_TRUE(same.ok());
  EXPECT_FALSE(same->changed);
  EXPECT_EQ(same->version, 3);

  // Newest first; created is when each value was set.
  Result<store::Page<SecretVersion>> page = Versions(*id);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 3u);
  EXPECT_EQ(page->total_count, 3);
  EXPECT_EQ(page->items[0].version, 3);
  EXPECT_TRUE(page->items[0].current);
  EXPECT_EQ(page->items[0].created, t0 + 30);
  EXPECT_EQ(page->items[1].version, 2);
  EXPECT_FALSE(page->items[1].current);
  EXPECT_EQ(page->items[1].created, t0 + 20);
  EXPECT_EQ(page->items[2].version, 1);
  EXPECT_EQ(page->items[2].created, t0);

  // Each version opens to its own value; without a version, the current one.
  for (int64_t v = 1; v <= 3; ++v) {
    Result<SecretValue> got = GetVersion(*id, v);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_TRUE(got->value.view() == "v" + std::to_string(v));
    EXPECT_EQ(got->version, v);
    EXPECT_EQ(got->info.version, 3);
  }
  Result<SecretValue> current = Get(SecretRef{std::nullopt, "db2"});
  ASSERT_TRUE(current.ok());
  EXPECT_TRUE(current->value.view() == "v3");
  EXPECT_EQ(current->version, 3);
}

TEST_F(SecretVersionsTest, UnknownVersionsAreNotFoundBlamingVersion) {
  Result<int64_t> id = Add("db", "v1");
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(SetValue(*id, "v2").ok());
  for (int64_t bad : {int64_t{0}, int64_t{-1}, int64_t{3}, int64_t{1} << 40}) {
    Status s = GetVersion(*id, bad).status();
    EXPECT_EQ(s.code(), StatusCode::kNotFound) << bad;
    EXPECT_EQ(s.field_name(), "version");
    EXPECT_EQ(s.message(), "Version " + std::to_string(bad) +
                               " of secret 'db' is not found; it keeps versions 1 to 2.");
    EXPECT_EQ(Restore(*id, bad).status().code(), StatusCode::kNotFound);
  }
  Result<int64_t> fresh = Add("fresh", "only");
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(GetVersion(*fresh, 2).status().message(),
            "Version 2 of secret 'fresh' is not found; it keeps only version 1.");
}

TEST_F(SecretVersionsTest, PagingCountsTheCurrentVersionFirst) {
  Result<int64_t> id = Add("db", "v1");
  ASSERT_TRUE(id.ok());
  for (int v = 2; v <= 5; ++v) ASSERT_TRUE(SetValue(*id, "v" + std::to_string(v)).ok());
  const auto numbers = [&](VersionQuery query) {
    Result<store::Page<SecretVersion>> page = Versions(*id, query);
    EXPECT_TRUE(page.ok());
    std::vector<int64_t> out;
    if (page.ok()) {
      EXPECT_EQ(page->total_count, 5);
      for (const SecretVersion& v : page->items) out.push_back(v.version);
    }
    return out;
  };
  EXPECT_EQ(numbers(VersionQuery{2, 0}), (std::vector<int64_t>{5, 4}));
  EXPECT_EQ(numbers(VersionQuery{2, 1}), (std::vector<int64_t>{4, 3}));
  EXPECT_EQ(numbers(VersionQuery{1, 0}), (std::vector<int64_t>{5}));
  EXPECT_EQ(numbers(VersionQuery{10, 4}), (std::vector<int64_t>{1}));
  EXPECT_TRUE(numbers(VersionQuery{10, 5}).empty());
  EXPECT_EQ(Versions(*id, VersionQuery{0, 0}).status().field_name(), "count");
  EXPECT_EQ(Versions(*id, VersionQuery{std::nullopt, -1}).status().field_name(), "offset");
}

TEST_F(SecretVersionsTest, RestoreMakesTheOldValueCurrentAsANewVersion) {
  Result<int64_t> id = Add("db", "good");
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(SetValue(*id, "wrong paste").ok());
  stack().clock().AdvanceSeconds(60);
  Result<int64_t> restored = Restore(*id, 1);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(*restored, 3);
  Result<SecretValue> got = Get(SecretRef{*id, std::nullopt});
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->value.view() == "good");
  EXPECT_EQ(got->version, 3);
  EXPECT_EQ(got->info.modified, stack().clock().NowSeconds());
  EXPECT_EQ(VersionNumbers(*id), (std::vector<int64_t>{3, 2, 1}));
  EXPECT_TRUE(GetVersion(*id, 2)->value.view() == "wrong paste");
  // Restoring the current version, or a value equal to the current one, changes nothing.
  EXPECT_EQ(*Restore(*id, 3), 3);
  EXPECT_EQ(*Restore(*id, 1), 3);
  EXPECT_EQ(VersionNumbers(*id), (std::vector<int64_t>{3, 2, 1}));
}

TEST_F(SecretVersionsTest, DeleteRemovesEveryVersion) {
  Result<int64_t> id = Add("db", "v1");
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(SetValue(*id, "v2").ok());
  ASSERT_TRUE(SetValue(*id, "v3").ok());
  EXPECT_EQ(StoredOlderVersions(), 2u);
  ASSERT_TRUE(Del(SecretSelection{false, {*id}, {}}).ok());
  EXPECT_EQ(StoredOlderVersions(), 0u);
}

// Each version is bound to its number: a version's ciphertext put in the place of another does
// not open (and never as the other's value).
TEST_F(SecretVersionsTest, ASwappedVersionCiphertextIsDetected) {
  Result<int64_t> id = Add("db", "value one");
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(SetValue(*id, "value two").ok());
  ASSERT_TRUE(SetValue(*id, "value three").ok());
  Result<std::vector<store::SecretVersionRecord>> older = InRead(
      stack().store(), [&](store::Tx& tx) { return tx.secret_versions().ListSealed(app_.id); });
  ASSERT_TRUE(older.ok());
  ASSERT_EQ(older->size(), 2u);  // versions 1 and 2
  Result<store::SecretRecord> current = Resolve(*id);
  ASSERT_TRUE(current.ok());
  ASSERT_TRUE(InWrite(stack().store(), [&](store::Tx& tx) -> Result<bool> {
                // 1 <-> 2 among the older versions, and version 1's ciphertext as the current one.
                VS_ASSIGN_OR_RETURN(
                    bool a, tx.secret_versions().ReplaceSealed(app_.id, *id, 1, (*older)[1].value));
                VS_ASSIGN_OR_RETURN(
                    bool b, tx.secret_versions().ReplaceSealed(app_.id, *id, 2, (*older)[0].value));
                VS_ASSIGN_OR_RETURN(bool c,
                                    tx.secrets().ReplaceSealed(app_.id, *id, (*older)[0].value));
                return a && b && c;
              }).ok());
  for (int64_t v = 1; v <= 3; ++v) {
    Status s = GetVersion(*id, v).status();
    EXPECT_EQ(s.code(), StatusCode::kDataLoss) << v;
    EXPECT_EQ(s.message().find("value one"), std::string::npos);
  }
  // A restore of a damaged version fails as a whole.
  EXPECT_EQ(Restore(*id, 1).status().code(), StatusCode::kDataLoss);
}

class SecretRetentionTest : public SecretVersionsTest {
 protected:
  api::ApiStackOptions StackOptions() override {
    api::ApiStackOptions options;
    options.secret_versions = 3;
    return options;
  }
};

TEST_F(SecretRetentionTest, TheLastNVersionsAreKeptAndOlderOnesDeletedWithTheirCiphertext) {
  Result<int64_t> id = Add("db", "v1");
  ASSERT_TRUE(id.ok());
  for (int v = 2; v <= 7; ++v) ASSERT_TRUE(SetValue(*id, "v" + std::to_string(v)).ok());
  EXPECT_EQ(VersionNumbers(*id), (std::vector<int64_t>{7, 6, 5}));
  EXPECT_EQ(StoredOlderVersions(), 2u);  // 6 and 5; 7 is the secret's own row
  EXPECT_EQ(GetVersion(*id, 4).status().message(),
            "Version 4 of secret 'db' is not found; it keeps versions 5 to 7.");
  EXPECT_TRUE(GetVersion(*id, 5)->value.view() == "v5");
  // A restore is a new version too, and retention applies to it.
  ASSERT_EQ(*Restore(*id, 5), 8);
  EXPECT_EQ(VersionNumbers(*id), (std::vector<int64_t>{8, 7, 6}));
  EXPECT_TRUE(Get(SecretRef{*id, std::nullopt})->value.view() == "v5");
}

class SecretSingleVersionTest : public SecretVersionsTest {
 protected:
  api::ApiStackOptions StackOptions() override {
    api::ApiStackOptions options;
    options.secret_versions = 1;
    return options;
  }
};

TEST_F(SecretSingleVersionTest, KeepingOneVersionKeepsNoOlderValue) {
  Result<int64_t> id = Add("db", "v1");
  ASSERT_TRUE(id.ok());
  ASSERT_EQ(SetValue(*id, "v2")->version, 2);
  ASSERT_EQ(SetValue(*id, "v3")->version, 3);
  EXPECT_EQ(VersionNumbers(*id), std::vector<int64_t>{3});
  EXPECT_EQ(StoredOlderVersions(), 0u);
  EXPECT_EQ(GetVersion(*id, 2).status().code(), StatusCode::kNotFound);
}

TEST_F(SecretServiceTest, IdsAreNeverReused) {
  Result<int64_t> a = Add("a", "1");
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(Del(SecretSelection{false, {*a}, {}}).ok());
  Result<int64_t> again = Add("a", "1");
  ASSERT_TRUE(again.ok());
  EXPECT_GT(*again, *a);
}

}  // namespace
}  // namespace voxsecrets::secrets
