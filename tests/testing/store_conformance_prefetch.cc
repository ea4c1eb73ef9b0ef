// StoreConformanceTest: Tx::Prefetch, a hint that may change how many round trips a read costs
// but never what it answers.
#include <optional>
#include <string>
#include <vector>

#include "tests/testing/store_conformance.h"
#include "tests/testing/store_conformance_internal.h"

namespace voxsecrets::store {
namespace {

using std::string_literals::operator""s;

// Everything the lookups a hint may cover answer, read in one transaction.
struct Answers {
  int64_t iam_version = 0;
  std::optional<ApplicationRecord> app_by_id;
  std::optional<ApplicationRecord> app_by_name;
  std::optional<SecretRecord> secret_by_id;
  std::optional<SecretRecord> secret_by_name;
  std::optional<DataKeyRecord> data_key;
};

// The lookups, for account `account`, application `app_id` / `app_name`, secret `secret_id` /
// `secret_name` in application `in_app`, data key (in_app, 1); each asked twice (a prefetched
// row answers once, the second ask reads it again).
Status Ask(Tx& tx, int64_t account, int64_t app_id, const std::string& app_name, int64_t in_app,
           int64_t secret_id, const std::string& secret_name, Answers& out) {
  for (int round = 0; round < 2; ++round) {
    Answers a;
    VS_ASSIGN_OR_RETURN(a.iam_version, tx.meta().IamVersion());
    VS_ASSIGN_OR_RETURN(a.app_by_name, tx.applications().FindByName(account, app_name));
    VS_ASSIGN_OR_RETURN(a.app_by_id, tx.applications().FindById(account, app_id));
    VS_ASSIGN_OR_RETURN(a.secret_by_name, tx.secrets().FindByName(in_app, secret_name));
    VS_ASSIGN_OR_RETURN(a.secret_by_id, tx.secrets().FindById(in_app, secret_id));
    VS_ASSIGN_OR_RETURN(a.data_key, tx.data_keys().Find(in_app, 1));
    out = std::move(a);
  }
  return Status::Ok();
}

void ExpectSame(const Answers& got, const Answers& want, const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(got.iam_version, want.iam_version);
  auto same_app = [](const std::optional<ApplicationRecord>& a,
                     const std::optional<ApplicationRecord>& b) {
    if (a.has_value() != b.has_value()) return false;
    return !a || (a->id == b->id && a->account_id == b->account_id && a->name == b->name &&
                  a->created == b->created && a->modified == b->modified &&
                  a->secure_record_storage == b->secure_record_storage);
  };
  auto same_secret = [](const std::optional<SecretRecord>& a,
                        const std::optional<SecretRecord>& b) {
    if (a.has_value() != b.has_value()) return false;
    return !a || (a->info.id == b->info.id && a->info.application_id == b->info.application_id &&
                  a->info.name == b->info.name && a->info.description == b->info.description &&
                  a->info.version == b->info.version && a->value.blob == b->value.blob &&
                  a->value.key_version == b->value.key_version);
  };
  EXPECT_TRUE(same_app(got.app_by_id, want.app_by_id));
  EXPECT_TRUE(same_app(got.app_by_name, want.app_by_name));
  EXPECT_TRUE(same_secret(got.secret_by_id, want.secret_by_id));
  EXPECT_TRUE(same_secret(got.secret_by_name, want.secret_by_name));
  ASSERT_EQ(got.data_key.has_value(), want.data_key.has_value());
  if (got.data_key) {
    EXPECT_EQ(got.data_key->wrapped_key, want.data_key->wrapped_key);
    EXPECT_EQ(got.data_key->version, want.data_key->version);
    EXPECT_EQ(got.data_key->application_id, want.data_key->application_id);
  }
}

TEST_P(StoreConformanceTest, PrefetchedReadsAnswerAsWithoutAHint) {
  const int64_t account = AddAccount("a");
  const int64_t other = AddAccount("b");
  const int64_t app = AddApp(account, "app");
  const int64_t other_app = AddApp(other, "app");
  const int64_t secret = AddSecret(app, "Db", SealedValue{"sealed\0db"s, 1});
  const int64_t other_secret = AddSecret(other_app, "Db", SealedValue{"theirs", 1});
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    VS_RETURN_IF_ERROR(tx.data_keys().Insert(DataKeyRecord{app, 1, "wk", 1, 0, kNow}));
    return tx.data_keys().Insert(DataKeyRecord{other_app, 1, "wk-other", 1, 0, kNow});
  }));

  struct Case {
    std::string what;
    ReadHint hint;
    // The lookups asked after the hint.
    int64_t account;
    int64_t app_id;
    std::string app_name;
    int64_t in_app;
    int64_t secret_id;
    std::string secret_name;
  };
  auto hint = [](int64_t acc, std::optional<int64_t> app_id, std::string app_name,
                 std::optional<int64_t> secret_id, std::string secret_name) {
    ReadHint h;
    h.account_id = acc;
    h.application_id = app_id;
    h.application_name = std::move(app_name);
    h.secret_id = secret_id;
    h.secret_name = std::move(secret_name);
    return h;
  };
  const std::vector<Case> cases = {
      {"exactly the lookups", hint(account, std::nullopt, "app", std::nullopt, "Db"), account, app,
       "app", app, secret, "Db"},
      {"by ids", hint(account, app, "", secret, ""), account, app, "app", app, secret, "Db"},
      {"application only", hint(account, std::nullopt, "app", std::nullopt, ""), account, app,
       "app", app, secret, "Db"},
      {"missing secret", hint(account, std::nullopt, "app", std::nullopt, "Nope"), account, app,
       "app", app, secret, "Nope"},
      {"missing secret id", hint(account, app, "", secret + 1000, ""), account, app, "app", app,
       secret + 1000, "Db"},
      {"missing application", hint(account, std::nullopt, "nope", std::nullopt, "Db"), account, app,
       "nope", app, secret, "Db"},
      {"another account's application", hint(other, std::nullopt, "app", std::nullopt, "Db"),
       account, app, "app", app, secret, "Db"},
      {"the lookups of another account", hint(account, std::nullopt, "app", std::nullopt, "Db"),
       other, other_app, "app", other_app, other_secret, "Db"},
      {"another application's secret id", hint(other, other_app, "", secret, ""), other, other_app,
       "app", other_app, secret, "Db"},
      {"a name with NUL", hint(account, std::nullopt, "a\0p"s, std::nullopt, "D\0b"s), account, app,
       "app", app, secret, "Db"},
      {"a secret name that is not UTF-8", hint(account, app, "", std::nullopt, "\xff\xfe"), account,
       app, "app", app, secret, "Db"},
      {"no account", hint(0, app, "", secret, ""), account, app, "app", app, secret, "Db"},
  };
  for (const Case& c : cases) {
    Answers want;
    VS_ASSERT_OK(store().Read([&](Tx& tx) -> Status {
      return Ask(tx, c.account, c.app_id, c.app_name, c.in_app, c.secret_id, c.secret_name, want);
    }));
    // A complete hint may have the read run first on the prefetched rows alone, and again in a
    // transaction when it asks for more (Store::Read): the answers are the same.
    for (const bool complete : {false, true}) {
      ReadHint given = c.hint;
      given.complete = complete;
      Answers got;
      VS_ASSERT_OK(store().Read([&](Tx& tx) -> Status {
        got = Answers();
        VS_RETURN_IF_ERROR(tx.Prefetch(given));
        return Ask(tx, c.account, c.app_id, c.app_name, c.in_app, c.secret_id, c.secret_name, got);
      }));
      ExpectSame(got, want, c.what + (complete ? " (complete hint)" : ""));
    }
  }
  // The hint's rows come from the transaction's own snapshot: a change committed before the next
  // transaction is seen there, with or without a hint.
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    SecretUpdate update;
    update.description = "changed";
    return tx.secrets().Update(app, secret, update, kNow + 1).status();
  }));
  VS_ASSERT_OK(store().Read([&](Tx& tx) -> Status {
    VS_RETURN_IF_ERROR(tx.Prefetch(hint(account, std::nullopt, "app", std::nullopt, "Db")));
    VS_ASSIGN_OR_RETURN(std::optional<SecretRecord> found, tx.secrets().FindByName(app, "Db"));
    EXPECT_TRUE(found.has_value() && found->info.description == "changed");
    return Status::Ok();
  }));
  // In a write transaction the hint changes nothing either.
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    VS_RETURN_IF_ERROR(tx.Prefetch(hint(account, std::nullopt, "app", std::nullopt, "Db")));
    VS_ASSIGN_OR_RETURN(std::optional<ApplicationRecord> found,
                        tx.applications().FindByName(account, "app"));
    EXPECT_TRUE(found.has_value() && found->id == app);
    return Status::Ok();
  }));
}

}  // namespace
}  // namespace voxsecrets::store
