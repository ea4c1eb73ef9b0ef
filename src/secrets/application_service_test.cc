// ApplicationService rules over a real SQLite store (tests/testing/api_fixture.h).
#include "secrets/application_service.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/testing/api_fixture.h"
#include "tests/testing/tx_helpers.h"

namespace voxsecrets::secrets {
namespace {

using store::InRead;
using store::InWrite;

class ApplicationServiceTest : public api::ApiTest {
 protected:
  void SetUp() override {
    api::ApiTest::SetUp();
    if (HasFatalFailure()) return;
    Result<api::ApiStack::Account> acme = stack().CreateAccount("acme");
    Result<api::ApiStack::Account> other = stack().CreateAccount("globex");
    ASSERT_TRUE(acme.ok() && other.ok());
    acme_ = acme->id;
    globex_ = other->id;
  }

  const ApplicationService& svc() { return stack().applications(); }

  Result<store::ApplicationRecord> Add(int64_t account, std::string_view name,
                                       bool secure = false) {
    return InWrite(stack().store(), [&](store::Tx& tx) {
      return svc().Add(tx, account, NewApplication{name, secure});
    });
  }
  Result<store::ApplicationRecord> Resolve(int64_t account, AppRef ref,
                                           const AppScope& scope = AppScope::Every()) {
    return InRead(stack().store(),
                  [&](store::Tx& tx) { return svc().ResolveApplication(tx, account, ref, scope); });
  }
  Result<store::ApplicationRecord> Update(int64_t account, AppRef ref, ApplicationChanges changes,
                                          const AppScope& scope = AppScope::Every()) {
    return InWrite(stack().store(), [&](store::Tx& tx) -> Result<store::ApplicationRecord> {
      VS_ASSIGN_OR_RETURN(store::ApplicationRecord app,
                          svc().ResolveApplication(tx, account, ref, scope));
      return svc().Update(tx, app, changes, scope);
    });
  }
  Result<std::vector<int64_t>> Delete(int64_t account, ApplicationSelection selection,
                                      const AppScope& scope = AppScope::Every()) {
    return InWrite(stack().store(),
                   [&](store::Tx& tx) { return svc().Delete(tx, account, selection, scope); });
  }
  Result<store::Page<store::ApplicationRecord>> List(int64_t account, ApplicationQuery query,
                                                     const AppScope& scope = AppScope::Every()) {
    return InRead(stack().store(),
                  [&](store::Tx& tx) { return svc().List(tx, account, query, scope); });
  }
  std::vector<std::string> Names(int64_t account) {
    std::vector<std::string> names;
    Result<store::Page<store::ApplicationRecord>> page =
        List(account, ApplicationQuery{std::nullopt, std::nullopt, 1000, 0});
    EXPECT_TRUE(page.ok());
    if (page.ok()) {
      for (const auto& app : page->items) names.push_back(app.name);
    }
    return names;
  }

  int64_t acme_ = 0;
  int64_t globex_ = 0;
};

TEST_F(ApplicationServiceTest, AddAcceptsShortAndFullNames) {
  Result<store::ApplicationRecord> a = Add(acme_, "myapp", true);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->name, "myapp");
  EXPECT_TRUE(a->secure_record_storage);
  EXPECT_EQ(a->account_id, acme_);
  EXPECT_EQ(a->created, stack().clock().NowSeconds());
  EXPECT_EQ(a->modified, a->created);
  Result<store::ApplicationRecord> b = Add(acme_, "second.acme.voximplant.com");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->name, "second");
  Result<std::string> full =
      InRead(stack().store(), [&](store::Tx& tx) { return svc().FullName(tx, acme_, "second"); });
  EXPECT_EQ(full.value(), "second.acme.voximplant.com");
}

TEST_F(ApplicationServiceTest, AddRules) {
  Status s = Add(acme_, "").status();
  EXPECT_EQ(s.code(), StatusCode::kMissingArgument);
  EXPECT_EQ(s.field_name(), "application_name");
  for (const std::string& bad :
       {std::string("a"), std::string("MyApp"), std::string("1app"), std::string("my_app"),
        "a" + std::string(65, 'b'), std::string("x.globex.voximplant.com"),
        std::string("x.acme.example.com"), std::string(".acme.voximplant.com")}) {
    s = Add(acme_, bad).status();
    EXPECT_EQ(s.code(), StatusCode::kInvalidApplicationName) << bad;
    EXPECT_EQ(s.field_name(), "application_name");
  }
  EXPECT_TRUE(Add(acme_, "a" + std::string(64, 'b')).ok());
  ASSERT_TRUE(Add(acme_, "taken").ok());
  s = Add(acme_, "taken").status();
  EXPECT_EQ(s.code(), StatusCode::kApplicationNameTaken);
  EXPECT_EQ(s.field_name(), "application_name");
  EXPECT_EQ(Add(acme_, "taken.acme.voximplant.com").status().code(),
            StatusCode::kApplicationNameTaken);
  // Names are per account.
  EXPECT_TRUE(Add(globex_, "taken").ok());
}

TEST_F(ApplicationServiceTest, ResolveRules) {
  Result<store::ApplicationRecord> mine = Add(acme_, "mine");
  Result<store::ApplicationRecord> also = Add(acme_, "also");
  Result<store::ApplicationRecord> theirs = Add(globex_, "theirs");
  ASSERT_TRUE(mine.ok() && also.ok() && theirs.ok());

  Status s = Resolve(acme_, AppRef{}).status();
  EXPECT_EQ(s.code(), StatusCode::kMissingArgument);
  EXPECT_EQ(s.field_name(), "application_id");

  EXPECT_EQ(Resolve(acme_, AppRef{mine->id, {}})->id, mine->id);
  EXPECT_EQ(Resolve(acme_, AppRef{std::nullopt, "mine"})->id, mine->id);
  EXPECT_EQ(Resolve(acme_, AppRef{std::nullopt, "mine.acme.voximplant.com"})->id, mine->id);
  EXPECT_EQ(Resolve(acme_, AppRef{std::nullopt, "MINE.ACME.VOXIMPLANT.COM"}).status().code(),
            StatusCode::kApplicationNotFound);  // the short part is case-sensitive
  EXPECT_EQ(Resolve(acme_, AppRef{std::nullopt, "mine.ACME.Voximplant.com"})->id, mine->id);
  EXPECT_EQ(Resolve(acme_, AppRef{mine->id, "mine.acme.voximplant.com"})->id, mine->id);

  s = Resolve(acme_, AppRef{theirs->id, {}}).status();  // another account's: like unknown
  EXPECT_EQ(s.code(), StatusCode::kInvalidApplicationId);
  EXPECT_EQ(s.field_name(), "application_id");
  EXPECT_EQ(Resolve(acme_, AppRef{theirs->id + 100, {}}).status().code(),
            StatusCode::kInvalidApplicationId);

  s = Resolve(acme_, AppRef{std::nullopt, "theirs"}).status();
  EXPECT_EQ(s.code(), StatusCode::kApplicationNotFound);
  EXPECT_EQ(s.field_name(), "application_name");
  EXPECT_EQ(Resolve(acme_, AppRef{std::nullopt, "theirs.globex.voximplant.com"}).status().code(),
            StatusCode::kApplicationNotFound);

  s = Resolve(acme_, AppRef{mine->id, "also"}).status();
  EXPECT_EQ(s.code(), StatusCode::kConflictingArguments);
  EXPECT_EQ(s.field_name(), "");  // two parameters are to blame, not one
  EXPECT_NE(s.message().find("application_id"), std::string::npos);
  EXPECT_NE(s.message().find("application_name"), std::string::npos);

  // Unknown id is reported before the name is looked at.
  EXPECT_EQ(Resolve(acme_, AppRef{theirs->id, "nothing"}).status().code(),
            StatusCode::kInvalidApplicationId);
  EXPECT_EQ(Resolve(acme_, AppRef{mine->id, "nothing"}).status().code(),
            StatusCode::kApplicationNotFound);

  // The parameter names travel into the errors.
  AppRef custom{std::nullopt, "nothing", "application_id", "required_application_name"};
  EXPECT_EQ(Resolve(acme_, custom).status().field_name(), "required_application_name");
}

TEST_F(ApplicationServiceTest, ListFiltersAndPages) {
  for (const char* name : {"alpha", "beta", "alphabet", "gamma"})
    ASSERT_TRUE(Add(acme_, name).ok());
  ASSERT_TRUE(Add(globex_, "alpha").ok());

  Result<store::Page<store::ApplicationRecord>> all = List(acme_, {});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->total_count, 4);
  EXPECT_EQ(Names(acme_), (std::vector<std::string>{"alpha", "beta", "alphabet", "gamma"}));

  Result<store::Page<store::ApplicationRecord>> part =
      List(acme_, ApplicationQuery{std::nullopt, "ALPHA", std::nullopt, std::nullopt});
  ASSERT_TRUE(part.ok());
  EXPECT_EQ(part->total_count, 2);
  part = List(acme_, ApplicationQuery{std::nullopt, "beta.acme.voximplant.com", std::nullopt,
                                      std::nullopt});
  ASSERT_TRUE(part.ok());
  ASSERT_EQ(part->items.size(), 1u);
  EXPECT_EQ(part->items[0].name, "beta");

  Result<store::Page<store::ApplicationRecord>> by_id =
      List(acme_, ApplicationQuery{all->items[2].id, std::nullopt, std::nullopt, std::nullopt});
  ASSERT_TRUE(by_id.ok());
  ASSERT_EQ(by_id->items.size(), 1u);
  EXPECT_EQ(by_id->items[0].name, "alphabet");

  Result<store::Page<store::ApplicationRecord>> page =
      List(acme_, ApplicationQuery{std::nullopt, std::nullopt, 2, 2});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total_count, 4);
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].name, "alphabet");

  EXPECT_EQ(List(acme_, ApplicationQuery{std::nullopt, std::nullopt, 1001, 0}).status().code(),
            StatusCode::kOutOfRange);
  EXPECT_EQ(List(acme_, ApplicationQuery{std::nullopt, std::nullopt, 1, -1}).status().field_name(),
            "offset");
}

TEST_F(ApplicationServiceTest, UpdateRules) {
  Result<store::ApplicationRecord> app = Add(acme_, "app");
  ASSERT_TRUE(Add(acme_, "busy").ok());
  ASSERT_TRUE(app.ok());
  const int64_t created = app->created;
  stack().clock().AdvanceSeconds(60);

  // No-ops: same name (short or full), same flag, nothing at all.
  for (const ApplicationChanges& same :
       {ApplicationChanges{"app", false},
        ApplicationChanges{"app.acme.voximplant.com", std::nullopt}, ApplicationChanges{}}) {
    Result<store::ApplicationRecord> r = Update(acme_, AppRef{app->id, {}}, same);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->modified, created);
  }
  Status s = Update(acme_, AppRef{app->id, {}}, ApplicationChanges{"busy", std::nullopt}).status();
  EXPECT_EQ(s.code(), StatusCode::kApplicationNameTaken);
  EXPECT_EQ(s.field_name(), "application_name");
  s = Update(acme_, AppRef{app->id, {}}, ApplicationChanges{"a" + std::string(80, 'b'), {}})
          .status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidApplicationName);

  // 79 characters after the first letter are allowed for a new name.
  const std::string long_name = "a" + std::string(79, 'b');
  Result<store::ApplicationRecord> renamed =
      Update(acme_, AppRef{std::nullopt, "app"}, ApplicationChanges{long_name, true});
  ASSERT_TRUE(renamed.ok()) << renamed.status().ToString();
  EXPECT_EQ(renamed->name, long_name);
  EXPECT_TRUE(renamed->secure_record_storage);
  EXPECT_EQ(renamed->modified, created + 60);
  EXPECT_EQ(renamed->created, created);
  EXPECT_EQ(Resolve(acme_, AppRef{app->id, {}})->name, long_name);
  EXPECT_EQ(Resolve(acme_, AppRef{std::nullopt, "app"}).status().code(),
            StatusCode::kApplicationNotFound);
}

TEST_F(ApplicationServiceTest, DeleteIsAllOrNothingAndTakesSecrets) {
  Result<store::ApplicationRecord> a = Add(acme_, "one");
  Result<store::ApplicationRecord> b = Add(acme_, "two");
  Result<store::ApplicationRecord> c = Add(acme_, "three");
  Result<store::ApplicationRecord> theirs = Add(globex_, "four");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok() && theirs.ok());
  ASSERT_TRUE(InWrite(stack().store(), [&](store::Tx& tx) {
                return stack().secrets().Add(tx, *a, NewSecret{"s", "v", std::nullopt});
              }).ok());

  Status s = Delete(acme_, ApplicationSelection{}).status();
  EXPECT_EQ(s.code(), StatusCode::kMissingArgument);
  EXPECT_EQ(s.field_name(), "application_id");
  s = Delete(acme_, ApplicationSelection{false, {a->id, theirs->id}, {}}).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidApplicationId);
  EXPECT_NE(s.message().find(std::to_string(theirs->id)), std::string::npos);
  s = Delete(acme_, ApplicationSelection{false, {a->id}, {"two", "nope"}}).status();
  EXPECT_EQ(s.code(), StatusCode::kApplicationNotFound);
  EXPECT_EQ(s.field_name(), "application_name");
  EXPECT_NE(s.message().find("'nope'"), std::string::npos);
  EXPECT_EQ(Names(acme_), (std::vector<std::string>{"one", "two", "three"}));

  Result<std::vector<int64_t>> deleted = Delete(
      acme_, ApplicationSelection{false, {a->id, a->id}, {"one.acme.voximplant.com", "two"}});
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(*deleted, (std::vector<int64_t>{a->id, b->id}));
  EXPECT_EQ(Names(acme_), std::vector<std::string>{"three"});
  // The deleted application's secrets went with it.
  Result<std::vector<store::SecretRecord>> left =
      InRead(stack().store(), [&](store::Tx& tx) { return tx.secrets().ListSealed(a->id); });
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left->empty());

  deleted = Delete(acme_, ApplicationSelection{true, {}, {}});
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, std::vector<int64_t>{c->id});
  EXPECT_TRUE(Names(acme_).empty());
  EXPECT_EQ(Names(globex_), std::vector<std::string>{"four"});
  deleted = Delete(acme_, ApplicationSelection{true, {}, {}});
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(deleted->empty());
}

// A scope (a key limited to some applications) makes every other application of the account
// look like one that does not exist: same code, same field, same message.
TEST_F(ApplicationServiceTest, ApplicationsOutsideTheScopeAreAnsweredAsMissing) {
  Result<store::ApplicationRecord> in = Add(acme_, "inside");
  Result<store::ApplicationRecord> out = Add(acme_, "outside");
  ASSERT_TRUE(in.ok() && out.ok());
  const AppScope scope = AppScope::Only({in->id});

  EXPECT_EQ(Resolve(acme_, AppRef{in->id, std::nullopt}, scope)->id, in->id);
  EXPECT_EQ(Resolve(acme_, AppRef{std::nullopt, "inside.acme.voximplant.com"}, scope)->id, in->id);
  const auto same_as_missing = [&](AppRef real, AppRef missing) {
    Status got = Resolve(acme_, real, scope).status();
    Status want = Resolve(acme_, missing, AppScope::Every()).status();
    EXPECT_EQ(got.code(), want.code());
    EXPECT_EQ(got.field_name(), want.field_name());
    return std::make_pair(got.message(), want.message());
  };
  auto [by_id, missing_id] =
      same_as_missing(AppRef{out->id, std::nullopt}, AppRef{out->id + 1000, std::nullopt});
  EXPECT_EQ(by_id, missing_id);  // "The 'application_id' parameter is invalid."
  auto [by_name, missing_name] =
      same_as_missing(AppRef{std::nullopt, "outside"}, AppRef{std::nullopt, "nosuch"});
  EXPECT_EQ(by_name, "Application 'outside' is not found.");
  EXPECT_EQ(missing_name, "Application 'nosuch' is not found.");
  // An id inside with a name outside: the name is the unknown one.
  EXPECT_EQ(Resolve(acme_, AppRef{in->id, "outside"}, scope).status().code(),
            StatusCode::kApplicationNotFound);

  // Listings show the scope only; an empty scope shows nothing.
  Result<store::Page<store::ApplicationRecord>> page = List(acme_, ApplicationQuery{}, scope);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].id, in->id);
  EXPECT_EQ(page->total_count, 1);
  page = List(acme_, ApplicationQuery{out->id, std::nullopt, std::nullopt, std::nullopt}, scope);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->items.empty());
  page = List(acme_, ApplicationQuery{}, AppScope::Only({}));
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total_count, 0);

  // A limited scope may not rename (a taken name would show that another application exists),
  // but may change the rest.
  Status renamed = Update(acme_, AppRef{in->id, std::nullopt},
                          ApplicationChanges{"outside", std::nullopt}, scope)
                       .status();
  EXPECT_EQ(renamed.code(), StatusCode::kPermissionDenied);
  Result<store::ApplicationRecord> flagged =
      Update(acme_, AppRef{in->id, std::nullopt}, ApplicationChanges{std::nullopt, true}, scope);
  ASSERT_TRUE(flagged.ok()) << flagged.status().ToString();
  EXPECT_TRUE(flagged->secure_record_storage);

  // Deleting outside the scope is deleting something unknown; `all` is all of the scope.
  Status deleted = Delete(acme_, ApplicationSelection{false, {out->id}, {}}, scope).status();
  EXPECT_EQ(deleted.code(), StatusCode::kInvalidApplicationId);
  EXPECT_EQ(deleted.message(), "Application " + std::to_string(out->id) + " is not found.");
  EXPECT_EQ(Delete(acme_, ApplicationSelection{false, {}, {"outside"}}, scope).status().code(),
            StatusCode::kApplicationNotFound);
  Result<std::vector<int64_t>> all = Delete(acme_, ApplicationSelection{true, {}, {}}, scope);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, std::vector<int64_t>{in->id});
  EXPECT_EQ(Names(acme_), std::vector<std::string>{"outside"});
}

class CustomDomainTest : public ApplicationServiceTest {
 protected:
  api::ApiStackOptions StackOptions() override {
    api::ApiStackOptions options;
    options.application_domain = "secrets.example.org";
    return options;
  }
};

TEST_F(CustomDomainTest, FullNamesUseTheConfiguredDomain) {
  Result<store::ApplicationRecord> app = Add(acme_, "svc.acme.secrets.example.org");
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  EXPECT_EQ(app->name, "svc");
  EXPECT_EQ(Add(acme_, "x.acme.voximplant.com").status().code(),
            StatusCode::kInvalidApplicationName);
  EXPECT_EQ(Resolve(acme_, AppRef{std::nullopt, "svc.acme.secrets.example.org"})->id, app->id);
  EXPECT_EQ(InRead(stack().store(), [&](store::Tx& tx) { return svc().FullName(tx, acme_, "svc"); })
                .value(),
            "svc.acme.secrets.example.org");
}

}  // namespace
}  // namespace voxsecrets::secrets
