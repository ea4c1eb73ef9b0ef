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
      return stack().applications().ResolveApplication(tx, account_id_, AppRef{app_id, {}});
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
      return svc().SetInfo(tx, app_, secret, changes);
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
